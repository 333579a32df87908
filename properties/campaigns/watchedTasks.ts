/**
 * Campaign tasks where the watchdog may stop them (workers/watchdog.ts): a run that made no
 * progress for the run timeout becomes a failure of the campaign property `makes-progress`. A
 * stall ends the campaign (every later stall would cost another run timeout of wall time): the
 * lowest stalled chunk wins, as in a merge.
 *
 * The stopped thread's own counts are lost with it, so a stalled search is rebuilt: the timeline
 * of the stalled run is taken from the progress board, or regenerated from the chunk's seed
 * (fast-check draws run `i` from the seed and `i` alone); the totals and first failures of the
 * runs before it come from searching the chunk again up to them, on the same lane. So a stalled
 * chunk reports the same counts whatever the worker count, as every other chunk does. A stalled
 * shrink reports its candidate (read off the board) as the stall, and the property's failure
 * unshrunk. A replay reports where it stood, for its caller to tell.
 */
import { progressViolation, type StallRecord } from '../judging/campaignProperties.js';
import { parseTimeline, type Timeline } from '../../sim/timeline.js';
import type { ProgressSnapshot } from '../../sim/progress.js';
import type { FailureFile } from './failureFile.js';
import { unshrunkFailure } from './propertyFailure.js';
import { emptyTotals, generatedTimeline, type FirstFailure, type SearchResult } from './search.js';
import {
  tasksModule,
  type ReplayOutcome,
  type ReplayTask,
  type SearchTask,
  type ShrinkOutcome,
  type ShrinkTask,
} from './tasks.js';
import { watchedLane, type Lane, type Watched } from './workers/workers.js';

/**
 * Searches `task`'s chunk on `lane`; a stalled run (`runTimeoutMs` is the lanes' budget) ends the
 * chunk as its `makes-progress` failure. `onRuns` hears the lane's run counts.
 */
export async function searchOn(
  lane: Lane,
  task: SearchTask,
  runTimeoutMs: number | undefined,
  onRuns?: (runs: number) => void,
): Promise<SearchResult> {
  const watched = await lane.run<SearchResult>(task, onRuns);
  if (!watched.stalled) return watched.value;
  const board = watched.board;
  const runIndex = board.runIndex;
  const timeline = await timelineOfStall(board, () =>
    generatedTimeline({ seed: task.seed, stepsMax: task.stepsMax }, runIndex),
  );
  const before = await runsBefore(lane, task, runIndex);
  const stall = stallFailure(timeline, runIndex, budgetOf(runTimeoutMs), board);
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

/** Shrinks `task`'s failure on `lane`; a stall leaves it unshrunk, and is a failure too. */
export async function shrinkOn(
  lane: Lane,
  task: ShrinkTask,
  runTimeoutMs: number | undefined,
): Promise<ShrinkOutcome> {
  const watched = await lane.run<ShrinkOutcome>(task);
  if (!watched.stalled) return watched.value;
  const timeline = await timelineOfStall(watched.board, async () => task.first.timeline);
  const stall = stallFailure(timeline, task.runIndex, budgetOf(runTimeoutMs), watched.board);
  const unshrunk = { ...task.first, runIndex: task.runIndex };
  return {
    failure: unshrunkFailure(unshrunk, task.runIndex),
    stall: unshrunkFailure(stall, task.runIndex),
  };
}

/**
 * Replays `failure` in a watched thread that loads the send path `pathSpec` names (resolved
 * against `cwd`): what the replay found, or where a run that still makes no progress stood.
 */
export function replayWatched(
  failure: FailureFile,
  pathSpec: string,
  cwd: string,
  runTimeoutMs: number,
): Promise<Watched<ReplayOutcome>> {
  const task: ReplayTask = { kind: 'replay', failure, pathSpec, cwd };
  return watchedLane(tasksModule, runTimeoutMs).run<ReplayOutcome>(task);
}

/** The run timeout a stall was stopped at: only watched lanes stall. */
function budgetOf(runTimeoutMs: number | undefined): number {
  if (runTimeoutMs === undefined) throw new Error('invariant: only a watched lane stalls');
  return runTimeoutMs;
}

/**
 * The chunk's search over its first `runs` runs, which finished before the stall: the chunk
 * searched again up to them. A path that stalls again there (not deterministic) gets no totals.
 */
async function runsBefore(lane: Lane, task: SearchTask, runs: number): Promise<SearchResult> {
  const none: SearchResult = { ...emptyTotals(), firstFailures: [] };
  if (runs === 0) return none;
  const again = await lane.run<SearchResult>({ ...task, numRuns: runs, timeBudgetMs: undefined });
  return again.stalled ? none : again.value;
}

/**
 * The stalled run's timeline: from the board when held there (a path with declared settings, a
 * shrink candidate, a replay), else from `regenerate` (the seed, for a path without settings).
 */
async function timelineOfStall(
  board: ProgressSnapshot,
  regenerate: () => Promise<Timeline>,
): Promise<Timeline> {
  if (board.timelineJson !== undefined) return parseTimeline(JSON.parse(board.timelineJson));
  return regenerate();
}

/** The `makes-progress` first failure of a stalled run. */
function stallFailure(
  timeline: Timeline,
  runIndex: number,
  runTimeoutMs: number,
  board: ProgressSnapshot,
): FirstFailure {
  const stall: StallRecord = {
    phase: board.phase,
    virtualMs: board.virtualMs,
    eventsFired: board.eventsFired,
  };
  if (board.lastEventIndex >= 0) stall.lastEventIndex = board.lastEventIndex;
  const last = timeline.events[board.lastEventIndex];
  const lastEvent =
    last === undefined
      ? undefined
      : `#${board.lastEventIndex} ${last.do} at ${last.at.toLocaleString('en-US')} ms`;
  return {
    property: 'makes-progress',
    runIndex,
    timeline,
    campaignViolation: progressViolation(runTimeoutMs, stall, lastEvent),
  };
}
