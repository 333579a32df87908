/**
 * The campaign behind `describeSendPath`: the same chunked campaign as `baileys-sim audit`
 * (`runShardedCampaign`, in this process), so the same seed and run count give the same verdict
 * from a test file as from the command line. It goes through every run; each broken property is
 * shrunk on its own and written as a failure file, and the test's message tells them all, as
 * `audit` does (report/verdict.ts builds both): per property its FAIL block, its shrunk
 * timeline and the command that replays it, the worst for a user first, then one line naming
 * them all.
 *
 * Runs here are not watched: a send path that loops forever in synchronous code hangs the test
 * (vitest's timeout cannot interrupt it). `baileys-sim audit` runs the same campaign under a
 * watchdog (`makes-progress`).
 */
import { resolve } from 'node:path';
import { failureFileOf, writeFailureFile } from '../properties/campaigns/failureFile.js';
import type { CampaignFailure } from '../properties/campaigns/propertyFailure.js';
import { runShardedCampaign } from '../properties/campaigns/shard.js';
import { unmodelledLine } from '../properties/judging/harnessLimit.js';
import type { VerdictProperty } from '../properties/judging/verdictProperties.js';
import { formatFailure, verdictLine } from '../report/summaryText.js';
import { displayPath } from '../report/text.js';
import { passed, summarize, type WrittenFile } from '../report/verdict.js';
import type { SendPathFactory } from '../src/ports.js';
import { failingRunLines, replayLine } from './failureText.js';
import type { ResolvedSuiteOptions } from './options.js';

/** What a suite's campaign found. */
interface SendPathCheck {
  /** Every property held and every run was deterministic. */
  passed: boolean;
  /** Generated runs made. */
  runs: number;
  /** The message of the failing test (empty when it passed). */
  message: string;
  /** The failure files written, absolute, one per broken property (the worst for a user first). */
  failureFiles: string[];
}

/** Placeholder of the replay command when the suite does not name its module. */
export const unnamedModule = '<the module that exports this factory>';

/**
 * Runs the campaign of `name`'s suite against `factory`; writes one failure file per broken
 * property under `options.failuresDir` (resolved against `cwd`).
 */
export async function checkSendPath(
  name: string,
  factory: SendPathFactory,
  options: ResolvedSuiteOptions,
  cwd: string,
): Promise<SendPathCheck> {
  const pathName = options.module ?? name;
  const result = await runShardedCampaign({
    pathSpec: pathName,
    sendPath: { name: pathName, factory },
    workers: 1,
    seed: options.seed,
    numRuns: options.runs,
    timeBudgetMs: options.timeBudgetMs,
    failFast: options.failFast,
    ...(options.only && { only: options.only }),
    ...(options.skip && { skip: options.skip }),
  });
  const written = new Map<VerdictProperty, WrittenFile>();
  const absolute: string[] = [];
  for (const failure of result.failures) {
    const file = await writeFailureFile(
      resolve(cwd, options.failuresDir),
      failureFileOf(result, failure),
    );
    absolute.push(file);
    const shown = displayPath(file, cwd);
    written.set(failure.property, {
      file: shown,
      replayCommand: replayLine(shown, options.module === undefined ? unnamedModule : undefined),
    });
  }
  const summary = summarize(result, written, { failFast: options.failFast });
  if (passed(summary)) return { passed: true, runs: result.runs, message: '', failureFiles: [] };
  // A call the fake does not model is the harness's limit: the test fails on that line alone.
  const limit = summary.harnessLimit;
  if (limit !== undefined) {
    const run = `run ${limit.runIndex + 1} of seed ${options.seed}`;
    const message = unmodelledLine(limit, options.module, run);
    return { passed: false, runs: result.runs, message, failureFiles: [] };
  }
  const lines = [
    `${name}: ${summary.failures.length} propert` +
      `${summary.failures.length === 1 ? 'y' : 'ies'} violated (seed ${options.seed}, ` +
      `${result.runs} runs)`,
    '',
  ];
  for (const [i, failure] of summary.failures.entries()) {
    lines.push(...formatFailure(failure, i, summary.failures.length));
    const shrunk = result.failures.find((f: CampaignFailure) => f.property === failure.property);
    if (shrunk !== undefined && shrunk.fingerprint !== '')
      lines.push(
        ...(await failingRunLines(shrunk.timeline, factory, result.dedupeById ?? true, [])).slice(
          1,
        ),
      );
    lines.push('');
  }
  lines.push(verdictLine(summary));
  return { passed: false, runs: result.runs, message: lines.join('\n'), failureFiles: absolute };
}
