/**
 * What is the module's error and what is a finding of a run. Loading a send path is importing
 * its module and constructing the path: calling its `SendPathFactory`, or for a module as
 * written, its `reset()` (which puts it back as a fresh import has it). Neither depends on what
 * the network or the bot then do, so a throw there is the module's: one line naming it and the
 * place, as a syntax error is, not a property violation in every run. What the path does from
 * `start()` on is its behaviour, judged run by run (a throw there fails `clean`, with a failure
 * file that replays it).
 *
 * Construction is tried once per loaded path and thread, before its first run: a run with no
 * events and the path's declared settings (the rest at a default), so the factory meets the
 * same ports as in any run. A factory that throws only for some generated settings passes here
 * and fails `clean` in those runs.
 */
import type { ProgressBoard } from '../../sim/progress.js';
import { simulate, type SimulateOptions } from '../../sim/simulate.js';
import { parseTimeline, timelineFormat, type Timeline } from '../../sim/timeline.js';
import type { SendPath, SendPathFactory, SimEnv } from '../../src/ports.js';
import { EntryResetError } from './asWritten.js';
import { describeThrown, shownFile } from './loadErrors.js';
import { isModuleSpec, SendPathLoadError } from './loadSendPath.js';
import { builtInSendPathNames, type NamedSendPath } from './sendPaths.js';

/** Paths already tried, per thread. */
const tried = new WeakMap<NamedSendPath, Promise<void>>();

/** The settings of the construction run where the path declares none. */
const defaultConfig = {
  reconnect: { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2, maxAttempts: 10 },
  replyDeadlineMs: 60_000,
};

/**
 * Constructs `path` once (per thread) in a run with no events; rejects with a
 * {@link SendPathLoadError} naming what threw and where when the factory, or an as-written
 * module's `reset()`, throws. Built-in paths are not tried.
 */
export function checkConstruction(
  path: NamedSendPath,
  cwd = process.cwd(),
  progress?: ProgressBoard,
): Promise<void> {
  if (builtInSendPathNames.includes(path.name)) return Promise.resolve();
  let check = tried.get(path);
  if (check === undefined) {
    check = construct(path, cwd, progress);
    tried.set(path, check);
  }
  return check;
}

/** What threw while constructing, and what it threw. */
type ConstructionFailure = { what: string; error: unknown };

async function construct(path: NamedSendPath, cwd: string, progress?: ProgressBoard) {
  const failures: ConstructionFailure[] = [];
  const options: SimulateOptions = { globals: path.intercept ? 'intercept' : 'tripwire' };
  if (progress !== undefined) options.progress = progress;
  await simulate(constructionTimeline(path), watchConstruction(path.factory, failures), options);
  const failure = failures[0];
  if (failure === undefined) return;
  const name = isModuleSpec(path.name) ? shownFile(path.name, cwd) : path.name;
  throw new SendPathLoadError(`${name}: ${failure.what}: ${describeThrown(failure.error, cwd)}`);
}

/** `factory`, noting in `failures` a throw of the factory itself or of an as-written `reset()`. */
function watchConstruction(factory: SendPathFactory, failures: ConstructionFailure[]) {
  return (env: SimEnv): SendPath => {
    let inner: ReturnType<SendPathFactory>;
    try {
      inner = factory(env);
    } catch (error) {
      failures.push({ what: 'the send path factory threw while constructing the path', error });
      throw error;
    }
    const start = (onMessage: Parameters<typeof inner.start>[0]): Promise<void> =>
      Promise.resolve()
        .then(() => inner.start(onMessage))
        .catch((error: unknown) => {
          const reset = error instanceof EntryResetError;
          if (reset) failures.push({ what: 'reset() threw', error: error.cause });
          throw error;
        });
    return { start, stop: () => inner.stop() };
  };
}

function constructionTimeline(path: NamedSendPath): Timeline {
  const { reconnect, replyDeadlineMs, socket } = path.settings ?? {};
  const config = {
    reconnect: reconnect ?? defaultConfig.reconnect,
    replyDeadlineMs: replyDeadlineMs ?? defaultConfig.replyDeadlineMs,
    ...(socket === undefined ? {} : { socket }),
  };
  return parseTimeline({ format: timelineFormat, seed: 1, config, events: [] });
}
