/**
 * `replayFailures(dir, sendPath)`: a folder of saved failure files as a regression suite, one
 * test per file. Each file must now replay with no property violated: once a bug is fixed, its
 * shrunk failure stays in the folder and keeps it fixed. A failing file's test says which
 * properties are violated again, with the run's timeline and the replay command.
 *
 * A file of a run that made no progress is replayed in a watched thread (watchedTasks.ts), which
 * loads its send path by the name the file records (a built-in path or a module file): a
 * factory given here cannot be moved into another thread, and replayed in this one a run that
 * still loops would hang the test run.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';
import {
  FailureFileError,
  readFailureFile,
  replayFailure,
  type FailureFile,
} from '../properties/campaigns/failureFile.js';
import { replayWatched } from '../properties/campaigns/watchedTasks.js';
import { runTimeoutMsDefault } from '../properties/campaigns/workers/workers.js';
import { isModuleSpec } from '../properties/paths/loadSendPath.js';
import { builtInSendPath, builtInSendPathNames } from '../properties/paths/sendPaths.js';
import { displayPath, failedProperties } from '../report/text.js';
import type { SendPathFactory } from '../src/ports.js';
import { unnamedModule } from './checkSendPath.js';
import { failingRunLines, replayLine, SendPathFailure } from './failureText.js';
import { shownArgument, SuiteOptionsError } from './options.js';

/**
 * The send path(s) to replay against: one factory for every file, or factories by the send path
 * name a file records (its `path`: the module given to `audit`, or a `describeSendPath` name or
 * module). Files naming `reference` or `specimen:<name>` need none.
 */
export type FailureSendPaths = SendPathFactory | Readonly<Record<string, SendPathFactory>>;

/** Most failure files one folder may hold: a regression suite, not an archive. */
export const failureFilesMax = 10_000;

/** The `.json` files in `dir`, sorted; none if it does not exist (yet). */
function failureFilesIn(dir: string, where: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SuiteOptionsError(
      `${where}: cannot read ${dir} (` +
        `${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (names.length > failureFilesMax)
    throw new SuiteOptionsError(
      `${where}: ${names.length} failure files, more than ${failureFilesMax}`,
    );
  return names;
}

function checkSendPaths(where: string, sendPath: unknown): void {
  if (sendPath === undefined || typeof sendPath === 'function') return;
  const isRecord = typeof sendPath === 'object' && sendPath !== null && !Array.isArray(sendPath);
  const notFactory = isRecord
    ? Object.entries(sendPath).find(([, f]) => typeof f !== 'function')
    : undefined;
  if (!isRecord || notFactory) {
    const got = notFactory
      ? `${JSON.stringify(notFactory[0])}: ${shownArgument(notFactory[1])}`
      : shownArgument(sendPath);
    throw new SuiteOptionsError(
      `${where}: the send path must be a SendPathFactory or an object of them by name (got ${got})`,
    );
  }
}

/** The factory `failure` replays against, or a one-line error saying what to give. */
function factoryFor(
  failure: FailureFile,
  sendPath: FailureSendPaths | undefined,
  file: string,
  dir: string,
): SendPathFactory {
  if (typeof sendPath === 'function') return sendPath;
  const named = sendPath?.[failure.path];
  if (named !== undefined) return named;
  if (builtInSendPathNames.includes(failure.path)) return builtInSendPath(failure.path).factory;
  const given =
    sendPath === undefined
      ? ''
      : ` (given: ${
          Object.keys(sendPath)
            .map((k) => JSON.stringify(k))
            .join(', ') || 'none'
        })`;
  throw new SuiteOptionsError(
    `${file}: names the send path ${JSON.stringify(failure.path)}: give its factory, ` +
      `e.g. ` +
      `replayFailures(${JSON.stringify(dir)}, createSendPath)${given}`,
  );
}

/** What replaying one failure file found. */
interface FailureFileCheck {
  /** No property is violated now. */
  passed: boolean;
  /** The message of the failing test (empty when it passed). */
  message: string;
}

/**
 * Replays failure file `file` (shown as `shown`, found in the folder `dir` as the user gave it)
 * against its send path. An unusable file, or one whose send path is not given, throws a
 * {@link SuiteOptionsError}.
 */
export async function checkFailureFile(
  file: string,
  shown: string,
  sendPath: FailureSendPaths | undefined,
  dir: string,
): Promise<FailureFileCheck> {
  let failure: FailureFile;
  try {
    failure = await readFailureFile(file);
  } catch (error) {
    if (error instanceof FailureFileError)
      throw new SuiteOptionsError(error.message.split('\n')[0]!.replace(file, shown));
    throw error;
  }
  const loadable = builtInSendPathNames.includes(failure.path) || isModuleSpec(failure.path);
  const recorded = failedProperties(failure.violations, failure.campaignViolation);
  if (failure.campaignViolation?.property === 'makes-progress')
    return checkStalledFile(failure, shown, loadable, recorded);
  const factory = factoryFor(failure, sendPath, shown, dir);
  const replayed = await replayFailure(failure, () => factory);
  const now = failedProperties(replayed.violations, replayed.campaignViolation);
  if (now.length === 0) return { passed: true, message: '' };
  const lines = [
    `${shown}: violates ${now.join(', ')} again (recorded: ${recorded.join(', ') || 'none'})`,
    ...(replayed.campaignViolation
      ? [
          `  ${replayed.campaignViolation.property.padEnd(15)} ` +
            `${replayed.campaignViolation.message}`,
        ]
      : []),
    ...(await failingRunLines(
      failure.timeline,
      factory,
      failure.dedupeById ?? true,
      replayed.violations,
    )),
    '',
    `replay: ${replayLine(shown, loadable ? undefined : unnamedModule)}`,
  ];
  return { passed: false, message: lines.join('\n') };
}

/** Replays the file of a run that made no progress in a watched thread; see the module comment. */
async function checkStalledFile(
  failure: FailureFile,
  shown: string,
  loadable: boolean,
  recorded: readonly string[],
): Promise<FailureFileCheck> {
  if (!loadable) {
    return {
      passed: false,
      message:
        `${shown}: a run that made no progress is replayed only from a send path a thread ` +
        `can load: ${replayLine(shown, unnamedModule)}`,
    };
  }
  const watched = await replayWatched(failure, failure.path, process.cwd(), runTimeoutMsDefault);
  const result = watched.stalled ? undefined : watched.value.result;
  const clean = result !== undefined && result.violations.length === 0;
  if (clean && result.campaignViolation === undefined) return { passed: true, message: '' };
  const what =
    result === undefined
      ? `still makes no progress (stopped after ${runTimeoutMsDefault} ms without progress)`
      : 'no longer stalls but violates other properties';
  const message = `${shown}: ${what} (recorded: ${recorded.join(', ')})`;
  return { passed: false, message: `${message}\n\nreplay: ${replayLine(shown)}` };
}

/**
 * Declares a suite with one test per failure file in `dir` (relative to the working directory):
 * each passes when its timeline now replays with no property violated. A folder that does not
 * exist yet gives one skipped test. Arguments are checked here, when the file is collected.
 *
 * @example
 * replayFailures('test/send-path-failures', createSendPath);
 */
export function replayFailures(dir: string, sendPath?: FailureSendPaths): void {
  if (typeof dir !== 'string' || dir.trim() === '')
    throw new SuiteOptionsError(
      `replayFailures: the folder must be a non-empty path (got ${shownArgument(dir)})`,
    );
  const where = `replayFailures(${JSON.stringify(dir)})`;
  checkSendPaths(where, sendPath);
  const cwd = process.cwd();
  const absolute = resolve(cwd, dir);
  const names = failureFilesIn(absolute, where);
  describe(`failure files in ${dir}`, () => {
    if (names.length === 0) it.skip(`no failure files in ${dir} yet`, () => undefined);
    for (const name of names) {
      const file = join(absolute, name);
      it(`${name} replays with no property violated`, async () => {
        const check = await checkFailureFile(file, displayPath(file, cwd), sendPath, dir);
        if (!check.passed) throw new SendPathFailure(check.message);
      });
    }
  });
}
