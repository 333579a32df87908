/**
 * The two jobs a sharded campaign (see `shard.ts`) hands to its workers: a **search** of one
 * chunk (a plain search over a fixed slice of runs, with a seed derived from the campaign seed
 * and the chunk index), and the **shrink** of one property's first failing run. The default
 * export is the tinypool task handler; `runTask` is the same work, called in-process when
 * `workers` is 1 (or in a watched thread, see watchdog.ts), so a campaign gives the same summary
 * on one process or many.
 */
import type { ProgressBoard } from '../../sim/progress.js';
import type { VerdictProperty } from '../judging/verdictProperties.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import { checkConstruction } from '../paths/construction.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { shrinkOptionsOf } from './campaign.js';
import { shrinkFailure, type CampaignFailure } from './propertyFailure.js';
import { search, type FirstFailure, type SearchResult } from './search.js';

/** What every task names: the send path, where to resolve it, and how to watch it. Plain data. */
interface TaskBase {
  pathSpec: string;
  /** Directory a module spec is resolved against (the parent's cwd). */
  cwd: string;
  /** Run it in a thread a watchdog stops after this long without progress, ms (see watchdog.ts). */
  runTimeoutMs?: number;
  /** Load the module's path intercepted even if it exports a factory (`--intercept`). */
  intercept?: boolean;
}

/** Search one chunk of a campaign. */
export interface SearchTask extends TaskBase {
  kind: 'search';
  /** fast-check seed of this chunk. */
  seed: number;
  numRuns: number;
  stepsMax?: number;
  /** Wall budget left for this chunk, ms. */
  timeBudgetMs?: number;
  /** Stop at the chunk's first failing run. */
  failFast?: boolean;
  only?: readonly VerdictProperty[];
  skip?: readonly VerdictProperty[];
}

/** Shrink one property's first failing run. */
export interface ShrinkTask extends TaskBase {
  kind: 'shrink';
  first: FirstFailure;
  /** The run's index in the whole campaign. */
  runIndex: number;
  shrinkSimulationsMax?: number;
}

/** A job for a worker. */
export type CampaignTask = SearchTask | ShrinkTask;

/** A shrunk failure and its replay check, as a shrink task answers. */
export interface ShrinkOutcome {
  failure: CampaignFailure;
  /** A shrink candidate that made no progress (the watchdog stopped it): a failure of its own. */
  stall?: CampaignFailure;
}

/** What a task answers: a search result for a search, a shrunk failure for a shrink. */
export type TaskOutcome<T extends CampaignTask> = T extends SearchTask ? SearchResult : ShrinkOutcome;

/** How {@link runTask} reports and where it runs. */
export interface TaskHooks {
  /** Told, now and then, that `n` more generated runs finished. */
  onRuns?: (runs: number) => void;
  /** The path `task.pathSpec` names, already loaded. */
  sendPath?: NamedSendPath;
  /** A board to tick on for a watchdog; marked busy once the path is loaded. */
  progress?: ProgressBoard;
}

/** Key of a progress message a worker process sends: `{ [progressMessageKey]: runs }`. */
export const progressMessageKey = 'baileysSimShardRuns';

/**
 * Wall time between progress posts from a worker. A post per few runs cost the parent and the
 * workers a few percent of two cores in IPC alone (a chunk of 100 runs takes about 20 ms); four
 * posts a second still move the bar smoothly, and a chunk's result tops up the rest.
 */
export const progressEveryMs = 250;

/** Send paths loaded by this thread, by spec (a module is imported once per worker process). */
const loaded = new Map<string, Promise<NamedSendPath>>();
/** At most this many specs cached per worker: a long-lived pool must not grow without bound. */
const loadedMax = 32;

function pathFor(spec: string, cwd: string, intercept: boolean): Promise<NamedSendPath> {
  const key = `${cwd}\u0000${spec}\u0000${intercept}`;
  let path = loaded.get(key);
  if (path === undefined) {
    if (loaded.size >= loadedMax) loaded.clear();
    path = loadSendPath(spec, cwd, { intercept });
    // A failed load is not cached: the error goes to the caller, the next task tries again.
    path.catch(() => loaded.delete(key));
    loaded.set(key, path);
  }
  return path;
}

/** Runs one task (in this thread) and returns its outcome. */
export async function runTask<T extends CampaignTask>(task: T, hooks: TaskHooks = {}): Promise<TaskOutcome<T>> {
  const path = hooks.sendPath ?? (await pathFor(task.pathSpec, task.cwd, task.intercept === true));
  // Loading a module may take seconds (tsx compiles it): the watchdog judges the runs only.
  hooks.progress?.setBusy(true);
  // A module that cannot even be constructed is a load error, not a finding of every run.
  await checkConstruction(path, task.cwd, hooks.progress);
  if (task.kind === 'shrink') {
    const options = shrinkOptionsOf({ progress: hooks.progress, shrinkSimulationsMax: task.shrinkSimulationsMax });
    const outcome: ShrinkOutcome = { failure: await shrinkFailure(task.first, task.runIndex, path, options) };
    return outcome as TaskOutcome<T>;
  }
  return (await searchChunk(task, path, hooks)) as TaskOutcome<T>;
}

async function searchChunk(task: SearchTask, path: NamedSendPath, { onRuns, progress }: TaskHooks): Promise<SearchResult> {
  let reported = 0;
  let reportedAt = performance.now();
  const result = await search({
    path,
    seed: task.seed,
    numRuns: task.numRuns,
    stepsMax: task.stepsMax,
    timeBudgetMs: task.timeBudgetMs,
    failFast: task.failFast,
    ...(task.only && { only: task.only }),
    ...(task.skip && { skip: task.skip }),
    progress,
    onRun: onRuns === undefined ? undefined : (done) => {
      // Wall time decides only when the bar moves, never what a run does.
      const now = performance.now();
      if (now - reportedAt >= progressEveryMs) {
        onRuns(done - reported);
        reported = done;
        reportedAt = now;
      }
    },
  });
  if (onRuns !== undefined && result.runs > reported) onRuns(result.runs - reported);
  return result;
}

/**
 * The tinypool task handler. In a worker process, progress goes to the parent over IPC (tinypool
 * hands messages that are not its own to the task's channel); elsewhere it is dropped. A task
 * with a run timeout runs in a watched thread of this process (its main thread only watches).
 */
export default async function shardWorker(task: CampaignTask): Promise<unknown> {
  const send = process.send?.bind(process);
  const onRuns = send === undefined ? undefined : (runs: number) => void send({ [progressMessageKey]: runs });
  if (task.runTimeoutMs === undefined) return runTask(task, { onRuns });
  const { acquireChunkThread, releaseChunkThread } = await import('./watchedChunk.js');
  const thread = acquireChunkThread();
  try {
    return await thread.run(task, onRuns);
  } finally {
    await releaseChunkThread(thread);
  }
}
