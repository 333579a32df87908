/**
 * What a failing vitest test says about a send path's failure: the violated properties, every
 * violation, the run's timeline as `baileys-sim replay` prints it, the failure file and the
 * command that replays it. The error carries no stack: the failure is in the send path's
 * behaviour over a timeline, and the timeline is the useful trace.
 */
import { replayCommand } from '../properties/campaigns/failureFile.js';
import { checkAll, type Violation } from '../properties/judging/checkers.js';
import { runFacts } from '../report/facts.js';
import { explainedViolationLines, explanationLines, formatFacts } from '../report/text.js';
import { simulate } from '../sim/simulate.js';
import type { Timeline } from '../sim/timeline.js';
import type { SendPathFactory } from '../src/ports.js';

/**
 * A send path failed a property (or determinism); the message says what, where and how to replay.
 */
export class SendPathFailure extends Error {
  override readonly name = 'SendPathFailure';

  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/** Most violation lines in a message per property; the failure file holds them all. */
const violationLinesMax = 20;

/**
 * The replay command of a failure file; `module` is the send path's module if the file does not
 * name one the CLI can load.
 */
export function replayLine(file: string, module?: string): string {
  return `${replayCommand(file)}${module === undefined ? '' : ` --path ${module}`}`;
}

/**
 * The lines that tell a failing run: its violations property by property, each with what the
 * property means and the typical fix, then its timeline. The run is simulated again with
 * creation sites (the same run: runs are deterministic), so the lines are those of `baileys-sim
 * replay` and name where the path made the sockets and timers they mention. `campaignProperty`,
 * a campaign property the run broke, gets its meaning and fix too.
 */
export async function failingRunLines(
  timeline: Timeline,
  factory: SendPathFactory,
  dedupeById: boolean,
  violations: readonly Violation[],
  campaignProperty?: string,
): Promise<string[]> {
  const history = await simulate(timeline, factory, { dedupeById, creationSites: true });
  const broken = new Set(violations.map((v) => v.property));
  const explained = checkAll(history).filter((v) => broken.has(v.property));
  const shown = explained.length > 0 ? explained : violations;
  return [
    ...(campaignProperty === undefined ? [] : explanationLines(campaignProperty)),
    ...explainedViolationLines(shown, violationLinesMax).map((line) => `  ${line}`),
    '',
    'timeline (▶ = timeline event; the rest is what the send path and the network did):',
    ...formatFacts(runFacts(timeline, history)),
  ];
}
