/**
 * Sharded campaigns: one campaign spread over workers (this process and child processes), with
 * the same summary whatever the number of workers.
 *
 * Determinism comes from chunking that ignores the worker count: the campaign is cut into
 * chunks of {@link shardChunkRuns} runs; chunk `i` is a plain search (search.ts) with seed
 * {@link chunkSeed}`(seed, i)` (chunk 0 uses the campaign seed itself, so a campaign of at most
 * one chunk searches the runs `runCampaign` does). Chunks are handed out in index order; results
 * are merged in index order, and run `r` of chunk `i` is run `i × 100 + r` of the campaign. Every
 * chunk is searched, unless one stops early (fail-fast, or a run the watchdog stopped): then the
 * hand-out of later chunks stops, the merged result covers chunks up to the lowest such one, and
 * later chunks that happened to be running are discarded. Per property, the first failing run
 * over the merged chunks is then shrunk, one task per property, on the same workers. So counts,
 * coverage, virtual time and every failure are the same for 1 or N workers. Only `wallMs`
 * (measured here, in the parent) and anything cut by `timeBudgetMs` depend on the machine.
 *
 * The tasks (tasks.ts) are served by the workers (workers/workers.ts). By default this process
 * is one of them: `workers: N` serves tasks here and in N - 1 child processes, so `workers: 1`
 * starts no child, and no chunk waits for a child to start (about a second).
 *
 * With `runTimeoutMs`, no simulation runs in this thread: every task is watched, and a run stuck
 * in synchronous code is stopped and reported (`makes-progress`, watchedTasks.ts) instead of
 * hanging the campaign.
 *
 * Across machines, `shard: { index: k, count: n }` runs only the chunks `i` with
 * `i % n === k - 1` and returns them one by one (`chunks`), with the shard's own first failure
 * per property shrunk; the merge (cli/mergeSummaries.ts) sums the chunks by the same rule and
 * keeps, per property, the failure of the lowest run over all shards: the one a single machine
 * shrinks, to the same timeline (shrinking is deterministic).
 */
import { resultFields, simulationsOf, type CampaignResult } from './campaign.js';
import { byLoss } from '../judging/verdictProperties.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { reportable, type CampaignFailure } from './propertyFailure.js';
import {
  addTotals,
  checkNumRuns,
  emptyTotals,
  type FirstFailure,
  type PropertySelection,
  type RunTotals,
  type SearchResult,
} from './search.js';
import {
  runTask,
  tasksModule,
  type CampaignTask,
  type SearchTask,
  type ShrinkOutcome,
  type ShrinkTask,
} from './tasks.js';
import { searchOn, shrinkOn } from './watchedTasks.js';
import {
  checkRunTimeoutMs,
  openWorkers,
  processesMax,
  type Serve,
  type Workers,
  type WorkersOptions,
} from './workers/workers.js';

/** Runs per chunk. Fixed (not derived from the worker count) so results do not depend on it. */
export const shardChunkRuns = 100;
/** Most workers one campaign may start. */
export const shardWorkersMax = processesMax;
/** Most machines one campaign may be split over. */
export const shardCountMax = 1000;

/** One machine's share of a campaign: chunk `i` runs on shard `i % count + 1`. */
export interface CampaignShard {
  /** 1-based: 1 to `count`. */
  index: number;
  /** Shards in all, 1 to {@link shardCountMax}. */
  count: number;
}

/** A chunk's own totals, as merged. */
export interface ChunkResult {
  /** Chunk index in the whole campaign. */
  index: number;
  /** Its search's totals; `stoppedAt` counts from the chunk's first run. */
  result: RunTotals & { stoppedAt?: number };
}

/** A sharded campaign's merged result and the chunks it merged. */
export interface ShardedCampaignResult extends CampaignResult {
  /** The chunks merged into this result, in index order; for a `shard`, only its own. */
  chunks: ChunkResult[];
}

/** Options of {@link runShardedCampaign}. */
export interface ShardedCampaignOptions extends PropertySelection {
  /** `reference`, `specimen:<name>`, or a module file (see `loadSendPath`). */
  pathSpec: string;
  /** Workers, 1 to {@link shardWorkersMax}: this process and `workers - 1` child processes. */
  workers: number;
  /** Campaign seed; chunk seeds derive from it. */
  seed: number;
  /** Generated runs in all (default 100). */
  numRuns?: number;
  /**
   * Wall budget for the whole campaign: no chunk starts after it, running ones get what is left.
   */
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
  /**
   * Run the module's path with Baileys and the globals intercepted even if it exports a factory
   * (`--intercept`).
   */
  intercept?: boolean;
  /** Stop at the first failing run (and shrink only the properties it broke). */
  failFast?: boolean;
  /** Most simulations per property's shrink (default: shrink.ts's bound). */
  shrinkSimulationsMax?: number;
  /**
   * `false`: search only, shrink nothing (`failures` stays empty; the counts tell what broke), for
   * a caller that shows which properties broke and no failure (`audit --specimens`'s rows).
   */
  shrink?: boolean;
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
  checkNumRuns(numRuns);
  const { workers, shard } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > shardWorkersMax) {
    throw new RangeError(
      `workers must be a whole number from 1 to ${shardWorkersMax} (got ${workers})`,
    );
  }
  if (
    shard !== undefined &&
    !(
      Number.isInteger(shard.count) &&
      Number.isInteger(shard.index) &&
      shard.count >= 1 &&
      shard.count <= shardCountMax &&
      shard.index >= 1 &&
      shard.index <= shard.count
    )
  ) {
    throw new RangeError(
      `shard must be k of n with 1 <= k <= n <= ${shardCountMax} (got ${shard.index} of ` +
        `${shard.count})`,
    );
  }
  if (options.sendPath !== undefined && (workers !== 1 || options.coordinatorRuns === false)) {
    throw new RangeError('a sendPath runs in this process only: workers must be 1');
  }
  if (options.sendPath !== undefined && options.runTimeoutMs !== undefined) {
    throw new RangeError(
      'a sendPath runs in this process, where no watchdog can stop it: give runTimeoutMs ' +
        'with a pathSpec only',
    );
  }
  if (options.runTimeoutMs !== undefined) checkRunTimeoutMs(options.runTimeoutMs);
}

/** Runs a campaign over `workers` workers; see the module comment. */
export async function runShardedCampaign(
  options: ShardedCampaignOptions,
): Promise<ShardedCampaignResult> {
  const numRuns = options.numRuns ?? 100;
  checkOptions(options, numRuns);
  // Load once here first: a bad spec fails fast, with its own error type, before any worker starts.
  const path =
    options.sendPath ??
    (await loadSendPath(options.pathSpec, undefined, { intercept: options.intercept }));
  const wallStart = performance.now();
  const own = chunkIndexes(numRuns, options.shard);
  let runsDone = 0;
  const progress = (runs: number): void => {
    runsDone += runs;
    options.onRun?.(runsDone);
  };
  const workers = openWorkers(workersOptionsOf(options, path, own.length));
  try {
    const searched = await searchChunks(options, numRuns, own, workers, wallStart, progress);
    const merged = mergeChunks(options, numRuns, path, own, searched.results, searched.cutAt);
    merged.interrupted ||= searched.cutByBudget;
    // A harness limit ends the campaign: nothing after it, and nothing of it, is shrunk.
    if (merged.harnessLimit === undefined && options.shrink !== false) {
      merged.failures = await shrinkFirstFailures(options, merged, searched.firstFailures, workers);
    }
    merged.wallMs = performance.now() - wallStart;
    return merged;
  } finally {
    await workers.close();
  }
}

/** The lanes of a campaign of `chunks` chunks: at most one per chunk. */
function workersOptionsOf(
  options: ShardedCampaignOptions,
  path: NamedSendPath,
  chunks: number,
): WorkersOptions {
  const lanes = Math.min(options.workers, chunks);
  // This process is one of the workers: it starts on chunk 0 at once while the others start
  // (about a second), and a small campaign may be over before they are ready. Not for an
  // intercepted path: its runs replace the process's globals, which the rest of this process
  // (a progress bar's timers) must not meet, so they run in worker processes that do nothing else.
  const hereToo = options.coordinatorRuns ?? (options.sendPath !== undefined || !path.intercept);
  const sendPath = options.sendPath;
  const here: Serve = (task: CampaignTask, hooks) => runTask(task, { ...hooks, sendPath });
  return {
    module: tasksModule,
    processes: hereToo ? Math.max(0, lanes - 1) : lanes,
    ...(hereToo && { here }),
    ...(options.runTimeoutMs !== undefined && { runTimeoutMs: options.runTimeoutMs }),
  };
}

/** The searches of a campaign's chunks, as they came back. */
interface Searched {
  /** By chunk index; undefined for a chunk never searched (cut, or the time budget ran out). */
  results: (SearchResult | undefined)[];
  /**
   * The lowest chunk that stopped early (fail-fast, or a stalled run): later chunks do not count.
   */
  cutAt: number;
  cutByBudget: boolean;
  /** Per property, its first failure in the chunks that count, indexed over the whole campaign. */
  firstFailures: FirstFailure[];
}

/** Hands this run's chunks out to the workers in index order; see the module comment. */
async function searchChunks(
  options: ShardedCampaignOptions,
  numRuns: number,
  own: readonly number[],
  workers: Workers,
  wallStart: number,
  progress: (runs: number) => void,
): Promise<Searched> {
  const deadlineAt =
    options.timeBudgetMs === undefined ? Infinity : wallStart + options.timeBudgetMs;
  const searched: Searched = {
    results: new Array<SearchResult | undefined>(chunkCount(numRuns)).fill(undefined),
    cutAt: Infinity,
    cutByBudget: false,
    firstFailures: [],
  };
  let next = 0;
  const take = (): { index: number; budgetMs: number } | undefined => {
    if (next >= own.length || own[next]! >= searched.cutAt) return undefined;
    const budgetMs = deadlineAt - performance.now();
    if (budgetMs <= 0) {
      searched.cutByBudget = true;
      return undefined;
    }
    return { index: own[next++]!, budgetMs };
  };
  await workers.share(take, async ({ index, budgetMs }, lane) => {
    let reported = 0;
    const onRuns = (runs: number): void => {
      reported += runs;
      progress(runs);
    };
    const task = searchTaskOf(options, numRuns, index, budgetMs);
    const result = await searchOn(lane, task, options.runTimeoutMs, onRuns);
    // What a stopped thread had not told yet.
    if (result.runs > reported) progress(result.runs - reported);
    searched.results[index] = result;
    if (result.stoppedAt !== undefined && index < searched.cutAt) searched.cutAt = index;
  });
  searched.firstFailures = firstFailuresOf(searched.results, searched.cutAt);
  return searched;
}

function searchTaskOf(
  options: ShardedCampaignOptions,
  numRuns: number,
  index: number,
  budgetMs: number,
): SearchTask {
  return {
    kind: 'search',
    pathSpec: options.pathSpec,
    cwd: process.cwd(),
    seed: chunkSeed(options.seed, index),
    numRuns: chunkRunsOf(numRuns, index),
    stepsMax: options.stepsMax,
    timeBudgetMs: Number.isFinite(budgetMs) ? Math.ceil(budgetMs) : undefined,
    ...(options.intercept ? { intercept: true } : {}),
    ...(options.failFast ? { failFast: true } : {}),
    ...(options.only && { only: options.only }),
    ...(options.skip && { skip: options.skip }),
  };
}

/**
 * Per property, the first failure over the chunks up to `cutAt`, with its run index in the
 * campaign.
 */
function firstFailuresOf(
  results: readonly (SearchResult | undefined)[],
  cutAt: number,
): FirstFailure[] {
  const first = new Map<string, FirstFailure>();
  results.forEach((result, index) => {
    if (result === undefined || index > cutAt) return;
    for (const failure of result.firstFailures) {
      if (!first.has(failure.property))
        first.set(failure.property, {
          ...failure,
          runIndex: index * shardChunkRuns + failure.runIndex,
        });
    }
  });
  return [...first.values()];
}

/** Shrinks every first failure on the workers (one property per task), worst for a user first. */
async function shrinkFirstFailures(
  options: ShardedCampaignOptions,
  merged: ShardedCampaignResult,
  firstFailures: readonly FirstFailure[],
  workers: Workers,
): Promise<CampaignFailure[]> {
  const queue = byLoss(firstFailures);
  // By queue position, whatever the order the lanes finish in: the failures come out the same.
  const outcomes: ShrinkOutcome[] = [];
  let next = 0;
  await workers.share(
    () => (next < queue.length ? next++ : undefined),
    async (position, lane) => {
      const first = queue[position]!;
      const task: ShrinkTask = {
        kind: 'shrink',
        pathSpec: options.pathSpec,
        cwd: process.cwd(),
        first,
        runIndex: first.runIndex,
        ...(options.intercept ? { intercept: true } : {}),
        ...(options.shrinkSimulationsMax !== undefined
          ? { shrinkSimulationsMax: options.shrinkSimulationsMax }
          : {}),
      };
      outcomes[position] = await shrinkOn(lane, task, options.runTimeoutMs);
    },
  );
  const failures = outcomes.flatMap((outcome) =>
    outcome.stall === undefined ? [outcome.failure] : [outcome.failure, outcome.stall],
  );
  merged.simulations = simulationsOf(merged.simulations, failures);
  return reportable(failures);
}

/**
 * This run's chunks up to `cutAt` (or every completed one), summed in index order. Failures are
 * shrunk afterwards (`shrinkFirstFailures`); the run at which the campaign stopped early, if it
 * did, is counted over the whole campaign.
 */
function mergeChunks(
  options: ShardedCampaignOptions,
  numRuns: number,
  path: NamedSendPath,
  own: readonly number[],
  results: readonly (SearchResult | undefined)[],
  cutAt: number,
): ShardedCampaignResult {
  const merged: ShardedCampaignResult = {
    ...resultFields({ ...options, numRuns }, path),
    ...emptyTotals(),
    wallMs: 0,
    failures: [],
    chunks: [],
    ...(options.runTimeoutMs === undefined ? {} : { runTimeoutMs: options.runTimeoutMs }),
  };
  for (const index of own) {
    if (index > cutAt) break;
    const result = results[index];
    if (result === undefined) {
      merged.interrupted = true; // never started: cut by the time budget
      continue;
    }
    const { firstFailures: _firstFailures, harnessLimit, ...totals } = result;
    merged.chunks.push({ index, result: totals });
    addTotals(merged, totals);
    if (result.stoppedAt !== undefined)
      merged.stoppedAt = index * shardChunkRuns + result.stoppedAt;
    if (harnessLimit !== undefined)
      merged.harnessLimit ??= {
        ...harnessLimit,
        runIndex: index * shardChunkRuns + harnessLimit.runIndex,
      };
  }
  return merged;
}
