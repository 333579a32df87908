/**
 * The campaign behind `describeSendPath`: the same chunked campaign as `baileys-sim audit`
 * (`runShardedCampaign`, in this process), so the same seed and run count give the same verdict
 * from a test file as from the command line. A failure is written as a failure file and told
 * as one message: properties (a campaign property first: another history the second time, a
 * global call), violations, the shrunk timeline, the file and its replay command. A campaign
 * that never exercised the path (`exercised`) fails too.
 *
 * Runs here are not watched: a send path that loops forever in synchronous code hangs the test
 * (vitest's timeout cannot interrupt it). `baileys-sim audit` runs the same campaign under a
 * watchdog (`makes-progress`).
 */
import { resolve } from 'node:path';
import { failureFileOf } from '../properties/campaigns/campaign.js';
import { writeFailureFile } from '../properties/campaigns/failureFile.js';
import { runShardedCampaign } from '../properties/campaigns/shard.js';
import { exercisedVerdict } from '../properties/judging/exercise.js';
import { redactText } from '../report/redact.js';
import { displayPath, failedProperties } from '../report/text.js';
import type { SendPathFactory } from '../src/ports.js';
import { failingRunLines, replayLine } from './failureText.js';
import type { ResolvedSuiteOptions } from './options.js';

/** What a suite's campaign found. */
export interface SendPathCheck {
  /** Every property held and every run was deterministic. */
  passed: boolean;
  /** Generated runs made. */
  runs: number;
  /** The message of the failing test (empty when it passed). */
  message: string;
  /** The failure file written, absolute (only on a property failure). */
  failureFile?: string;
}

/** Placeholder of the replay command when the suite does not name its module. */
export const unnamedModule = '<the module that exports this factory>';

/**
 * Runs the campaign of `name`'s suite against `factory`; on a failure writes its failure file
 * under `options.failuresDir` (resolved against `cwd`).
 */
export async function checkSendPath(name: string, factory: SendPathFactory, options: ResolvedSuiteOptions, cwd: string): Promise<SendPathCheck> {
  const pathName = options.module ?? name;
  const result = await runShardedCampaign({
    pathSpec: pathName,
    sendPath: { name: pathName, factory },
    workers: 1,
    seed: options.seed,
    numRuns: options.runs,
    timeBudgetMs: options.timeBudgetMs,
  });
  const lines: string[] = [];
  const found = result.failure;
  let failureFile: string | undefined;
  if (found) {
    const file = failureFileOf(result, found);
    failureFile = await writeFailureFile(resolve(cwd, options.failuresDir), file);
    const shown = displayPath(failureFile, cwd);
    const properties = failedProperties(found.violations, found.campaignViolation);
    lines.push(
      `${name}: ${properties.join(', ')} violated (seed ${options.seed}, run ${found.runIndex + 1} of ${options.runs}; shrunk from ${found.eventsBeforeShrink} to ${found.timeline.events.length} events in ${found.shrinks} steps)`,
      ...(found.campaignViolation ? [`  ${found.campaignViolation.property.padEnd(15)} ${redactText(found.campaignViolation.message)}`] : []),
      ...(await failingRunLines(found.timeline, factory, file.dedupeById ?? true, found.violations)),
      '',
      `failure file: ${shown}`,
      `replay:       ${replayLine(shown, options.module === undefined ? unnamedModule : undefined)}`,
    );
  }
  const exercised = exercisedVerdict(result.exercise);
  if (!exercised.held) {
    if (lines.length > 0) lines.push('');
    lines.push(`${name}: exercised violated: ${exercised.message}`);
  }
  return { passed: lines.length === 0, runs: result.runs, message: lines.join('\n'), failureFile };
}
