/**
 * Campaign tasks under the watchdog: a task runs in a watched thread (watchdog.ts), and a run that
 * made no progress for the run timeout becomes a failure of the campaign property
 * `makes-progress`. A stall ends the campaign (every later stall would cost another run timeout
 * of wall time): the lowest stalled chunk wins, as in a merge.
 *
 * The stopped thread's own counts are lost with it, so a stalled search is rebuilt: the timeline
 * of the stalled run is regenerated from the chunk's seed (fast-check draws run `i` from the seed
 * and `i` alone); the totals and first failures of the runs before it come from searching the
 * chunk again up to them, in a fresh watched thread. So a stalled chunk reports the same counts
 * whatever the worker count, as every other chunk does. A stalled shrink reports its candidate
 * (read off the progress board) as the stall, and the property's failure unshrunk.
 */
import type { StallRecord } from '../judging/campaignProperties.js';
import type { Timeline } from '../../sim/timeline.js';
import type { ProgressSnapshot } from '../../sim/progress.js';
import type { FirstFailure, SearchResult } from './search.js';
import type { CampaignTask, SearchTask, ShrinkOutcome, ShrinkTask, TaskOutcome } from './shardWorker.js';
import { WatchedThread } from './watchdog.js';

// This module stays light (the simulator loads in the thread, about a second): what rebuilding a
// stalled task needs is loaded when a task stalls.
const campaignModule = () => import('./campaign.js');
const timelineModule = () => import('../../sim/timeline.js');
const searchModule = () => import('./search.js');
const propertiesModule = () => import('../judging/campaignProperties.js');
const failureModule = () => import('./propertyFailure.js');

/** Runs tasks in one watched thread, one at a time. */
export class ChunkThread {
  readonly #thread = new WatchedThread();

  /** Runs `task` (which must carry its `runTimeoutMs`) watched; a stall is a failure. */
  async run<T extends CampaignTask>(task: T, onRuns?: (runs: number) => void): Promise<TaskOutcome<T>> {
    const runTimeoutMs = task.runTimeoutMs;
    if (runTimeoutMs === undefined) throw new Error('invariant: a watched task has a run timeout');
    const watched = await this.#thread.run<TaskOutcome<T>>({ kind: 'task', task }, runTimeoutMs, onRuns);
    if (!watched.stalled) return watched.value;
    const outcome = task.kind === 'search' ? await this.#stalledSearch(task, runTimeoutMs, watched.board) : await stalledShrink(task, runTimeoutMs, watched.board);
    return outcome as TaskOutcome<T>;
  }

  /** Stops the thread. */
  close(): Promise<void> {
    return this.#thread.close();
  }

  async #stalledSearch(task: SearchTask, runTimeoutMs: number, board: ProgressSnapshot): Promise<SearchResult> {
    const runIndex = board.runIndex;
    const timeline = await timelineOfStall(board, () => campaignModule().then((m) => m.generatedTimeline({ seed: task.seed, stepsMax: task.stepsMax }, runIndex)));
    const before = await this.#runsBefore(task, runIndex, runTimeoutMs);
    const stall = await stallFailure(timeline, runIndex, runTimeoutMs, board);
    return {
      ...before,
      // The stalled run was made; nothing it did is counted (its thread is gone).
      runs: runIndex + 1,
      simulations: before.simulations + 1,
      violationsByProperty: { ...before.violationsByProperty, 'makes-progress': 1 },
      firstFailures: [...before.firstFailures, stall],
      stoppedAt: runIndex,
    };
  }

  /**
   * The chunk's search over its first `runs` runs, which finished before the stall: the chunk
   * searched again up to them. A path that stalls again there (it is not deterministic) gets no totals.
   */
  async #runsBefore(task: SearchTask, runs: number, runTimeoutMs: number): Promise<SearchResult> {
    const { emptyTotals } = await searchModule();
    const none: SearchResult = { ...emptyTotals(), firstFailures: [] };
    if (runs === 0) return none;
    const again = await this.#thread.run<SearchResult>({ kind: 'task', task: { ...task, numRuns: runs, timeBudgetMs: undefined } }, runTimeoutMs);
    return again.stalled ? none : again.value;
  }
}

/** A shrink that stalled: the property's failure unshrunk, and the candidate that stalled. */
async function stalledShrink(task: ShrinkTask, runTimeoutMs: number, board: ProgressSnapshot): Promise<ShrinkOutcome> {
  const timeline = await timelineOfStall(board, async () => task.first.timeline);
  const stall = await stallFailure(timeline, task.runIndex, runTimeoutMs, board);
  const unshrunk = { ...task.first, runIndex: task.runIndex };
  const { unshrunkFailure } = await failureModule();
  return {
    failure: unshrunkFailure(unshrunk, task.runIndex),
    stall: unshrunkFailure(stall, task.runIndex),
  };
}

/** The stalled run's timeline: from the board when held there, else from `regenerate`. */
async function timelineOfStall(board: ProgressSnapshot, regenerate: () => Promise<Timeline>): Promise<Timeline> {
  if (board.timelineJson !== undefined) return (await timelineModule()).parseTimeline(JSON.parse(board.timelineJson));
  return regenerate();
}

/** The `makes-progress` first failure of a stalled run. */
async function stallFailure(timeline: Timeline, runIndex: number, runTimeoutMs: number, board: ProgressSnapshot): Promise<FirstFailure> {
  const { progressViolation } = await propertiesModule();
  const stall: StallRecord = { phase: board.phase, virtualMs: board.virtualMs, eventsFired: board.eventsFired };
  if (board.lastEventIndex >= 0) stall.lastEventIndex = board.lastEventIndex;
  const last = timeline.events[board.lastEventIndex];
  const lastEvent = last === undefined ? undefined : `#${board.lastEventIndex} ${last.do} at ${last.at.toLocaleString('en-US')} ms`;
  return { property: 'makes-progress', runIndex, timeline, campaignViolation: progressViolation(runTimeoutMs, stall, lastEvent) };
}

/** Idle chunk threads, kept for the next campaign of this process (a thread takes about a second to load the simulator). */
const idle: ChunkThread[] = [];
/** Most idle threads kept; more are stopped. */
const idleMax = 4;

/** An idle chunk thread of this process, or a new one; give it back with {@link releaseChunkThread}. */
export function acquireChunkThread(): ChunkThread {
  return idle.pop() ?? new ChunkThread();
}

/** Gives a chunk thread back for the next campaign (stopped if enough are kept). */
export async function releaseChunkThread(thread: ChunkThread): Promise<void> {
  if (idle.length < idleMax) idle.push(thread);
  else await thread.close();
}
