/**
 * Sharded campaigns: one campaign spread over worker processes (a tinypool pool), with the same summary
 * whatever the number of workers.
 *
 * Determinism comes from chunking that ignores the worker count: the campaign is cut into
 * chunks of {@link shardChunkRuns} runs; chunk `i` is a plain `runCampaign` with seed
 * {@link chunkSeed}`(seed, i)` (chunk 0 uses the campaign seed itself, so a campaign of at most
 * one chunk equals `runCampaign`). Chunks are handed out in index order; results are merged in
 * index order. A failure in chunk `k` stops the hand-out of later chunks; the merged result
 * covers chunks `0..k` exactly (every one of them was already handed out), and later chunks that
 * happened to be running are discarded. So the reported failure is the lowest-index failing
 * chunk's, and counts, coverage and virtual time are the same for 1 or N workers. Only `wallMs`
 * (measured here, in the parent) and anything cut by `timeBudgetMs` depend on the machine.
 *
 * By default this process is one of the workers: `workers: N` runs chunks here and in N - 1
 * tinypool child processes (see `poolRunner` for why not threads), so `workers: 1` needs no
 * pool, and no chunk waits for a child to start (about a second). On 2 cores a long campaign
 * took about as long as with N children; a short one no longer pays the start-up.
 *
 * With `runTimeoutMs`, no simulation runs in this thread: this process's lane runs its chunks in
 * a watched worker thread, and each child process runs its own in one (watchdog.ts), so a run
 * stuck in synchronous code is stopped and reported as the chunk's failure (`makes-progress`)
 * instead of hanging the campaign.
 *
 * Across machines, `shard: { index: k, count: n }` runs only the chunks `i` with
 * `i % n === k - 1` and returns them one by one (`chunks`), so the shards' results can later be
 * merged into exactly the single-machine result: the merge applies the same rule (chunks after
 * the lowest failing one are discarded), and chunk sizes and seeds do not depend on the shard.
 */
import Tinypool from 'tinypool';
import { campaignRunsMax, type CampaignResult } from './campaign.js';
import { addCoverage, emptyCoverage } from '../judging/coverage.js';
import { addExercise, emptyExercise } from '../judging/exercise.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { propertyNames, type PropertyName } from '../judging/checkers.js';
import { progressMessageKey, runChunk, type ChunkTask } from './shardWorker.js';
import { simulationProcessV8Flags } from '../../sim/v8Tuning.js';
import { checkRunTimeoutMs } from './watchdog.js';

/** Runs per chunk. Fixed (not derived from the worker count) so results do not depend on it. */
export const shardChunkRuns = 100;
/** Most workers one campaign may start. */
export const shardWorkersMax = 64;
/** Most machines one campaign may be split over. */
export const shardCountMax = 1000;

/** One machine's share of a campaign: chunk `i` runs on shard `i % count + 1`. */
export interface CampaignShard {
  /** 1-based: 1 to `count`. */
  index: number;
  /** Shards in all, 1 to {@link shardCountMax}. */
  count: number;
}

/** A chunk's own result, as merged. */
export interface ChunkResult {
  /** Chunk index in the whole campaign. */
  index: number;
  /** Its campaign result; `failure.runIndex` counts from the chunk's first run. */
  result: CampaignResult;
}

/** A sharded campaign's merged result and the chunks it merged. */
export interface ShardedCampaignResult extends CampaignResult {
  /** The chunks merged into this result, in index order; for a `shard`, only its own. */
  chunks: ChunkResult[];
}

/** Options of {@link runShardedCampaign}. */
export interface ShardedCampaignOptions {
  /** `reference`, `specimen:<name>`, or a module file (see `loadSendPath`). */
  pathSpec: string;
  /** Workers, 1 to {@link shardWorkersMax}: this process and `workers - 1` child processes. */
  workers: number;
  /** Campaign seed; chunk seeds derive from it. */
  seed: number;
  /** Generated runs in all (default 100). */
  numRuns?: number;
  /** Wall budget for the whole campaign: no chunk starts after it, running ones get what is left. */
  timeBudgetMs?: number;
  /** Steps per generated timeline at most. */
  stepsMax?: number;
  /**
   * Whether this process is one of the workers (default true). `false` starts `workers` child
   * processes and only hands chunks out: every chunk then runs in a child.
   */
  coordinatorRuns?: boolean;
  /** Progress: total generated runs finished so far (may include runs of discarded chunks). */
  onRun?: (runsDone: number) => void;
  /** Run only this machine's share of the campaign (default: all of it). */
  shard?: CampaignShard;
  /**
   * The send path itself, for a campaign that runs in this process alone (`workers: 1`): a test
   * file's factory has no module a worker process could load. `pathSpec` then only names it.
   * Such a campaign is not watched.
   */
  sendPath?: NamedSendPath;
  /**
   * Watch every run: a run that makes no progress for this long (wall clock, ms) is stopped and
   * is the campaign's failure (`makes-progress`). Absent: runs are not watched, and this
   * process is one of the workers.
   */
  runTimeoutMs?: number;
  /** Run the module's path with Baileys and the globals intercepted even if it exports a factory (`--intercept`). */
  intercept?: boolean;
}

/**
 * The fast-check seed of chunk `index`: the campaign seed for chunk 0, a 32-bit mix of both for
 * the rest (neighbouring campaign seeds give unrelated chunk seeds).
 */
export function chunkSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  let h = (seed ^ Math.imul(index, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

/** Runs in chunk `index` of a campaign of `numRuns` (the last chunk may be short). */
export function chunkRunsOf(numRuns: number, index: number): number {
  return Math.min(shardChunkRuns, numRuns - index * shardChunkRuns);
}

/** Chunks in a campaign of `numRuns`. */
export function chunkCount(numRuns: number): number {
  return Math.ceil(numRuns / shardChunkRuns);
}

/** The chunk indexes `shard` runs in a campaign of `numRuns`, ascending (all without a shard). */
export function chunkIndexes(numRuns: number, shard?: CampaignShard): number[] {
  const all = Array.from({ length: chunkCount(numRuns) }, (_, i) => i);
  return shard === undefined ? all : all.filter((i) => i % shard.count === shard.index - 1);
}

function checkOptions(options: ShardedCampaignOptions, numRuns: number): void {
  if (!Number.isInteger(numRuns) || numRuns < 1 || numRuns > campaignRunsMax) {
    throw new RangeError(`numRuns must be a whole number from 1 to ${campaignRunsMax} (got ${numRuns})`);
  }
  const { workers, shard } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > shardWorkersMax) {
    throw new RangeError(`workers must be a whole number from 1 to ${shardWorkersMax} (got ${workers})`);
  }
  if (shard !== undefined && !(Number.isInteger(shard.count) && Number.isInteger(shard.index) && shard.count >= 1 && shard.count <= shardCountMax && shard.index >= 1 && shard.index <= shard.count)) {
    throw new RangeError(`shard must be k of n with 1 <= k <= n <= ${shardCountMax} (got ${shard.index} of ${shard.count})`);
  }
  if (options.sendPath !== undefined && (workers !== 1 || options.coordinatorRuns === false)) {
    throw new RangeError('a sendPath runs in this process only: workers must be 1');
  }
  if (options.sendPath !== undefined && options.runTimeoutMs !== undefined) {
    throw new RangeError('a sendPath runs in this process, where no watchdog can stop it: give runTimeoutMs with a pathSpec only');
  }
  if (options.runTimeoutMs !== undefined) checkRunTimeoutMs(options.runTimeoutMs);
}

/** Runs a campaign over `workers` workers; see the module comment. */
export async function runShardedCampaign(options: ShardedCampaignOptions): Promise<ShardedCampaignResult> {
  const numRuns = options.numRuns ?? 100;
  checkOptions(options, numRuns);
  // Load once here first: a bad spec fails fast, with its own error type, before any worker starts.
  const path = options.sendPath ?? (await loadSendPath(options.pathSpec, undefined, { intercept: options.intercept }));
  const wallStart = performance.now();
  const deadlineAt = options.timeBudgetMs === undefined ? Infinity : wallStart + options.timeBudgetMs;
  const own = chunkIndexes(numRuns, options.shard);
  const threads = Math.min(options.workers, own.length);
  const results: (CampaignResult | undefined)[] = new Array<CampaignResult | undefined>(chunkCount(numRuns)).fill(undefined);
  let runsDone = 0;
  const progress = (runs: number): void => {
    runsDone += runs;
    options.onRun?.(runsDone);
  };
  let next = 0;
  let failedAt = Infinity;
  let cutByBudget = false;
  // This process is one of the workers: it starts on chunk 0 at once while the others start
  // (about a second), and a small campaign may be over before they are ready. Not for an
  // intercepted path: its runs replace the process's globals, which the rest of this process
  // (a progress bar's timers) must not meet, so they run in worker processes that do nothing else.
  const coordinatorRuns = options.coordinatorRuns ?? (options.sendPath !== undefined || !path.intercept);
  const children = coordinatorRuns ? Math.max(0, threads - 1) : threads;
  const pool = children > 0 ? poolRunner(children, progress) : undefined;
  const local = coordinatorRuns ? [options.runTimeoutMs === undefined ? inProcessRunner(progress, options.sendPath) : await watchedRunner(progress)] : [];
  const runners: ChunkRunner[] = [...local, ...Array.from({ length: children }, () => pool!)];
  try {
    const lane = async (runner: ChunkRunner): Promise<void> => {
      await runner.ready();
      while (next < own.length && own[next]! < failedAt) {
        const budgetMs = deadlineAt - performance.now();
        if (budgetMs <= 0) {
          cutByBudget = true;
          return;
        }
        const index = own[next++]!;
        const task: ChunkTask = {
          pathSpec: options.pathSpec,
          cwd: process.cwd(),
          seed: chunkSeed(options.seed, index),
          numRuns: chunkRunsOf(numRuns, index),
          stepsMax: options.stepsMax,
          timeBudgetMs: Number.isFinite(budgetMs) ? Math.ceil(budgetMs) : undefined,
          runTimeoutMs: options.runTimeoutMs,
          ...(options.intercept ? { intercept: true } : {}),
        };
        const result = await runner.run(task);
        results[index] = result;
        if (result.failure !== undefined && index < failedAt) failedAt = index;
      }
    };
    await Promise.all(runners.map(lane));
  } finally {
    await Promise.all([pool?.close(), ...local.map((runner) => runner.close())]);
  }
  const merged = merge(options, numRuns, own, results, failedAt);
  merged.interrupted ||= cutByBudget;
  merged.wallMs = performance.now() - wallStart;
  return merged;
}

interface ChunkRunner {
  /** Resolves once a worker can take a chunk without waiting to start. */
  ready(): Promise<void>;
  run(task: ChunkTask): Promise<CampaignResult>;
  close(): Promise<void>;
}

function inProcessRunner(progress: (runs: number) => void, sendPath?: NamedSendPath): ChunkRunner {
  return { ready: async () => undefined, run: (task) => runChunk(task, { onRuns: progress, sendPath }), close: async () => undefined };
}

/** This process's lane with a watchdog: its chunks run in a watched thread of this process. */
async function watchedRunner(progress: (runs: number) => void): Promise<ChunkRunner> {
  const { acquireChunkThread, releaseChunkThread } = await import('./watchedChunk.js');
  const thread = acquireChunkThread();
  return { ready: async () => undefined, run: (task) => thread.run(task, progress), close: () => releaseChunkThread(thread) };
}

function poolRunner(processes: number, progress: (runs: number) => void): ChunkRunner {
  const pool = new Tinypool({
    // Child processes, not worker threads: on the 2-core reference machine two worker threads
    // ran a campaign no faster than one (1.1 cores busy in all); child processes scale (README
    // has the current figures). The JS entry registers tsx itself, so nothing is inherited from
    // this process's flags (vitest's or tsx's own).
    runtime: 'child_process',
    filename: new URL('./shardWorkerEntry.mjs', import.meta.url).href,
    minThreads: processes,
    maxThreads: processes,
    // The simulation's V8 settings, plus a garbage collector that keeps to the worker's own core
    // (see sim/v8Tuning.ts).
    execArgv: [...simulationProcessV8Flags],
    // tinypool starts a child process with only its own worker id in the environment unless
    // told otherwise; a user's send path module may read its settings from the environment.
    env: { ...process.env } as Record<string, string>,
  });
  return {
    // A worker process answers this once it has started and loaded the task handler; only then
    // does its lane take a chunk, so no chunk waits on a start-up while this process is idle.
    ready: async () => void (await pool.run(undefined, { name: 'ready' })),
    async run(task) {
      // Progress arrives over the same IPC channel as the result, so before it; `settled` still
      // guards against counting a run twice, and the result tops up what was not posted.
      let reported = 0;
      let settled = false;
      const channel = {
        postMessage: (message: unknown) => {
          const runs = (message as { [progressMessageKey]?: unknown } | null)?.[progressMessageKey];
          if (settled || typeof runs !== 'number') return;
          reported += runs;
          progress(runs);
        },
      };
      const result = (await pool.run(task, { channel })) as CampaignResult;
      settled = true;
      if (result.runs > reported) progress(result.runs - reported);
      return result;
    },
    close: () => pool.destroy(),
  };
}

/**
 * This run's chunks up to `failedAt` (or every completed one), summed in index order. A
 * failure's run index counts every run before it in the whole campaign: a chunk of another
 * shard before it ran in full (only the lowest failing chunk survives a merge, so every chunk
 * before it passed).
 */
function merge(options: ShardedCampaignOptions, numRuns: number, own: readonly number[], results: readonly (CampaignResult | undefined)[], failedAt: number): ShardedCampaignResult {
  const zeros = () => Object.fromEntries(propertyNames.map((p) => [p, 0])) as Record<PropertyName, number>;
  const byProperty = zeros();
  const judgedByProperty = zeros();
  // Fields a chunk reports that are not counts (e.g. the server model's settings) come from the
  // first chunk: every chunk ran with the same options.
  const first = results.find((r) => r !== undefined);
  const merged: ShardedCampaignResult = {
    ...first,
    path: first?.path ?? options.pathSpec,
    seed: options.seed,
    numRuns,
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    wallMs: 0,
    coverage: emptyCoverage(),
    violationsByProperty: byProperty,
    judgedByProperty,
    exercise: emptyExercise(),
    determinism: { checked: 0, mismatches: 0 },
    interrupted: false,
    failure: undefined,
    chunks: [],
  };
  delete merged.failure;
  const mine = new Set(own);
  for (const index of own) {
    if (index > failedAt) break;
    const result = results[index];
    if (result === undefined) {
      merged.interrupted = true; // never started: cut by the time budget
      continue;
    }
    merged.chunks.push({ index, result });
    if (result.failure !== undefined) {
      const othersBefore = Array.from({ length: index }, (_, i) => i).filter((i) => !mine.has(i));
      const runsBefore = merged.runs + othersBefore.reduce((n, i) => n + chunkRunsOf(numRuns, i), 0);
      merged.failure = { ...result.failure, runIndex: runsBefore + result.failure.runIndex };
    }
    merged.runs += result.runs;
    merged.simulations += result.simulations;
    merged.virtualMs += result.virtualMs;
    addCoverage(merged.coverage, result.coverage);
    for (const property of propertyNames) byProperty[property] += result.violationsByProperty[property] ?? 0;
    for (const property of propertyNames) judgedByProperty[property] += result.judgedByProperty[property] ?? 0;
    addExercise(merged.exercise, result.exercise);
    merged.determinism.checked += result.determinism.checked;
    merged.determinism.mismatches += result.determinism.mismatches;
    if (result.determinism.likelySource !== undefined) merged.determinism.likelySource ??= result.determinism.likelySource;
    merged.interrupted ||= result.interrupted;
  }
  return merged;
}
