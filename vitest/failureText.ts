/**
 * What a failing vitest test says about a send path's failure: the violated properties, every
 * violation, the run's timeline as `baileys-sim replay` prints it, the failure file and the
 * command that replays it. The error carries no stack: the failure is in the send path's
 * behaviour over a timeline, and the timeline is the useful trace.
 */
import { replayCommand } from '../properties/campaigns/failureFile.js';
import type { Violation } from '../properties/judging/checkers.js';
import { runFacts } from '../report/facts.js';
import { formatFacts, formatViolation } from '../report/text.js';
import { simulate } from '../sim/simulate.js';
import type { Timeline } from '../sim/timeline.js';
import type { SendPathFactory } from '../src/ports.js';

/** A send path failed a property (or determinism); the message says what, where and how to replay. */
export class SendPathFailure extends Error {
  override readonly name = 'SendPathFailure';

  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/** Most violation lines in a message; the failure file holds them all. */
const violationLinesMax = 20;

/** The replay command of a failure file; `module` is the send path's module if the file does not name one the CLI can load. */
export function replayLine(file: string, module?: string): string {
  return `${replayCommand(file)}${module === undefined ? '' : ` --path ${module}`}`;
}

/**
 * The lines that tell a failing run: its violations, then its timeline (re-simulated, so the
 * lines are those of `baileys-sim replay`).
 */
export async function failingRunLines(timeline: Timeline, factory: SendPathFactory, dedupeById: boolean, violations: readonly Violation[]): Promise<string[]> {
  const history = await simulate(timeline, factory, { dedupeById, creationSites: true });
  const shownViolations = violations.slice(0, violationLinesMax).map((v) => `  ${formatViolation(v)}`);
  if (violations.length > violationLinesMax) shownViolations.push(`  … ${violations.length - violationLinesMax} more in the failure file`);
  return [
    ...shownViolations,
    '',
    'timeline (▶ = timeline event; the rest is what the send path and the network did):',
    ...formatFacts(runFacts(timeline, history)),
  ];
}
