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
 */
import Tinypool from 'tinypool';
import { campaignRunsMax, type CampaignResult } from './campaign.js';
import { addCoverage, emptyCoverage } from '../judging/coverage.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import { propertyNames, type PropertyName } from '../judging/checkers.js';
import { progressMessageKey, runChunk, type ChunkTask } from './shardWorker.js';
import { simulationProcessV8Flags } from '../../sim/v8Tuning.js';

/** Runs per chunk. Fixed (not derived from the worker count) so results do not depend on it. */
export const shardChunkRuns = 100;
/** Most workers one campaign may start. */
export const shardWorkersMax = 64;

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

/** Runs a campaign over `workers` workers; see the module comment. */
export async function runShardedCampaign(options: ShardedCampaignOptions): Promise<CampaignResult> {
  const numRuns = options.numRuns ?? 100;
  if (!Number.isInteger(numRuns) || numRuns < 1 || numRuns > campaignRunsMax) {
    throw new RangeError(`numRuns must be a whole number from 1 to ${campaignRunsMax} (got ${numRuns})`);
  }
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > shardWorkersMax) {
    throw new RangeError(`workers must be a whole number from 1 to ${shardWorkersMax} (got ${workers})`);
  }
  // Load once here first: a bad spec fails fast, with its own error type, before any worker starts.
  await loadSendPath(options.pathSpec);
  const wallStart = performance.now();
  const deadlineAt = options.timeBudgetMs === undefined ? Infinity : wallStart + options.timeBudgetMs;
  const chunks = Math.ceil(numRuns / shardChunkRuns);
  const threads = Math.min(workers, chunks);
  const results: (CampaignResult | undefined)[] = new Array<CampaignResult | undefined>(chunks).fill(undefined);
  let runsDone = 0;
  const progress = (runs: number): void => {
    runsDone += runs;
    options.onRun?.(runsDone);
  };
  let next = 0;
  let failedAt = Infinity;
  let cutByBudget = false;
  // This process is one of the workers: it starts on chunk 0 at once while the others start
  // (about a second), and a small campaign may be over before they are ready.
  const coordinatorRuns = options.coordinatorRuns ?? true;
  const children = coordinatorRuns ? threads - 1 : threads;
  const pool = children > 0 ? poolRunner(children, progress) : undefined;
  const runners: ChunkRunner[] = [...(coordinatorRuns ? [inProcessRunner(progress)] : []), ...Array.from({ length: children }, () => pool!)];
  try {
    const lane = async (runner: ChunkRunner): Promise<void> => {
      await runner.ready();
      while (next < chunks && next < failedAt) {
        const budgetMs = deadlineAt - performance.now();
        if (budgetMs <= 0) {
          cutByBudget = true;
          return;
        }
        const index = next++;
        const task: ChunkTask = {
          pathSpec: options.pathSpec,
          cwd: process.cwd(),
          seed: chunkSeed(options.seed, index),
          numRuns: Math.min(shardChunkRuns, numRuns - index * shardChunkRuns),
          stepsMax: options.stepsMax,
          timeBudgetMs: Number.isFinite(budgetMs) ? Math.ceil(budgetMs) : undefined,
        };
        const result = await runner.run(task);
        results[index] = result;
        if (result.failure !== undefined && index < failedAt) failedAt = index;
      }
    };
    await Promise.all(runners.map(lane));
  } finally {
    await pool?.close();
  }
  const merged = merge(options, numRuns, results, failedAt);
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

function inProcessRunner(progress: (runs: number) => void): ChunkRunner {
  return { ready: async () => undefined, run: (task) => runChunk(task, progress), close: async () => undefined };
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

/** Chunks `0..failedAt` (or every completed one), summed in index order. */
function merge(options: ShardedCampaignOptions, numRuns: number, results: readonly (CampaignResult | undefined)[], failedAt: number): CampaignResult {
  const byProperty = Object.fromEntries(propertyNames.map((p) => [p, 0])) as Record<PropertyName, number>;
  // Fields a chunk reports that are not counts (e.g. the server model's settings) come from the
  // first chunk: every chunk ran with the same options.
  const first = results.find((r) => r !== undefined);
  const merged: CampaignResult = {
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
    determinism: { checked: 0, mismatches: 0 },
    interrupted: false,
    failure: undefined,
  };
  delete merged.failure;
  const last = Math.min(failedAt, results.length - 1);
  for (let index = 0; index <= last; index += 1) {
    const result = results[index];
    if (result === undefined) {
      merged.interrupted = true; // never started: cut by the time budget
      continue;
    }
    if (result.failure !== undefined) {
      merged.failure = { ...result.failure, runIndex: merged.runs + result.failure.runIndex };
    }
    merged.runs += result.runs;
    merged.simulations += result.simulations;
    merged.virtualMs += result.virtualMs;
    addCoverage(merged.coverage, result.coverage);
    for (const property of propertyNames) byProperty[property] += result.violationsByProperty[property] ?? 0;
    merged.determinism.checked += result.determinism.checked;
    merged.determinism.mismatches += result.determinism.mismatches;
    merged.interrupted ||= result.interrupted;
  }
  return merged;
}
