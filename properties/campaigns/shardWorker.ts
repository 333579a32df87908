/**
 * One chunk of a sharded campaign (see `shard.ts`): a plain `runCampaign` over a fixed slice of
 * runs with a seed derived from the campaign seed and the chunk index. The default export is the
 * tinypool task handler; `runChunk` is the same work, called in-process when `workers` is 1 (or
 * in a watched thread, see watchdog.ts), so a campaign gives the same summary on one process or
 * many.
 */
import type { ProgressBoard } from '../../sim/progress.js';
import { runCampaign, type CampaignResult } from './campaign.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import type { NamedSendPath } from '../paths/sendPaths.js';

/** What a worker is asked to run. Plain data: it crosses a process boundary. */
export interface ChunkTask {
  pathSpec: string;
  /** Directory a module spec is resolved against (the parent's cwd). */
  cwd: string;
  /** fast-check seed of this chunk. */
  seed: number;
  numRuns: number;
  stepsMax?: number;
  /** Wall budget left for this chunk, ms. */
  timeBudgetMs?: number;
  /** Run it in a thread a watchdog stops after this long without progress, ms (see watchdog.ts). */
  runTimeoutMs?: number;
  /** Load the module's path intercepted even if it exports a factory (`--intercept`). */
  intercept?: boolean;
}

/** How {@link runChunk} reports and where it runs. */
export interface ChunkHooks {
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

/** Runs one chunk (in this thread) and returns its campaign result. */
export async function runChunk(task: ChunkTask, { onRuns, sendPath, progress }: ChunkHooks = {}): Promise<CampaignResult> {
  const path = sendPath ?? (await pathFor(task.pathSpec, task.cwd, task.intercept === true));
  // Loading a module may take seconds (tsx compiles it): the watchdog judges the runs only.
  progress?.setBusy(true);
  let reported = 0;
  let reportedAt = performance.now();
  const result = await runCampaign({
    path,
    seed: task.seed,
    numRuns: task.numRuns,
    stepsMax: task.stepsMax,
    timeBudgetMs: task.timeBudgetMs,
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
export default async function shardWorker(task: ChunkTask): Promise<CampaignResult> {
  const send = process.send?.bind(process);
  const onRuns = send === undefined ? undefined : (runs: number) => void send({ [progressMessageKey]: runs });
  if (task.runTimeoutMs === undefined) return runChunk(task, { onRuns });
  const { acquireChunkThread, releaseChunkThread } = await import('./watchedChunk.js');
  const thread = acquireChunkThread();
  try {
    return await thread.run(task, onRuns);
  } finally {
    await releaseChunkThread(thread);
  }
}
