/**
 * Chunks under the watchdog: a chunk runs in a watched thread (watchdog.ts), and a run that made
 * no progress for the run timeout becomes the chunk's failure, the campaign property
 * `makes-progress`, like any other failure: it stops the campaign, and the lowest failing chunk
 * wins in a merge.
 *
 * The stopped thread's own counts are lost with it, so the chunk's result is rebuilt: the
 * timeline of the stalled run is regenerated from the chunk's seed (fast-check draws run `i` from
 * the seed and `i` alone) or, for a run no seed describes (a shrink candidate), read off the
 * progress board; the totals of the runs before it come from running the chunk again up to
 * them, in a fresh watched thread. So a stalled chunk reports the same counts whatever the
 * worker count, as every other chunk does.
 */
import type { StallRecord } from '../judging/campaignProperties.js';
import type { PropertyName } from '../judging/checkers.js';
import type { Timeline } from '../../sim/timeline.js';
import type { ProgressSnapshot } from '../../sim/progress.js';
import type { CampaignResult } from './campaign.js';
import type { ChunkTask } from './shardWorker.js';
import { WatchedThread } from './watchdog.js';

// This module stays light (the simulator loads in the thread, about a second): what rebuilding a
// stalled chunk needs is loaded when a chunk stalls.
const campaignModule = () => import('./campaign.js');
const timelineModule = () => import('../../sim/timeline.js');

/** Runs chunks in one watched thread, one at a time. */
export class ChunkThread {
  readonly #thread = new WatchedThread();

  /** Runs `task` (which must carry its `runTimeoutMs`) watched; a stall is its failure. */
  async run(task: ChunkTask, onRuns?: (runs: number) => void): Promise<CampaignResult> {
    const runTimeoutMs = task.runTimeoutMs;
    if (runTimeoutMs === undefined) throw new Error('invariant: a watched chunk has a run timeout');
    const watched = await this.#thread.run<CampaignResult>({ kind: 'chunk', task }, runTimeoutMs, onRuns);
    if (!watched.stalled) return { ...watched.value, runTimeoutMs };
    return this.#stalled(task, runTimeoutMs, watched.board);
  }

  /** Stops the thread. */
  close(): Promise<void> {
    return this.#thread.close();
  }

  async #stalled(task: ChunkTask, runTimeoutMs: number, board: ProgressSnapshot): Promise<CampaignResult> {
    const runIndex = board.runIndex;
    const timeline = await this.#timelineOf(task, board);
    const before = await this.#runsBefore(task, runIndex, runTimeoutMs);
    const { progressViolation } = await import('../judging/campaignProperties.js');
    const stall: StallRecord = { phase: board.phase, virtualMs: board.virtualMs, eventsFired: board.eventsFired };
    if (board.lastEventIndex >= 0) stall.lastEventIndex = board.lastEventIndex;
    const last = timeline.events[board.lastEventIndex];
    const lastEvent = last === undefined ? undefined : `#${board.lastEventIndex} ${last.do} at ${last.at.toLocaleString('en-US')} ms`;
    return {
      ...before,
      numRuns: task.numRuns,
      // The stalled run was made; nothing it did is counted (its thread is gone).
      runs: runIndex + 1,
      simulations: before.simulations + 1,
      runTimeoutMs,
      failure: {
        timeline,
        violations: [],
        fingerprint: '',
        runIndex,
        shrinks: 0,
        eventsBeforeShrink: timeline.events.length,
        campaignViolation: progressViolation(runTimeoutMs, stall, lastEvent),
      },
    };
  }

  /** The stalled run's timeline: from the board when held there, else regenerated from the seed. */
  async #timelineOf(task: ChunkTask, board: ProgressSnapshot): Promise<Timeline> {
    if (board.timelineJson !== undefined) return (await timelineModule()).parseTimeline(JSON.parse(board.timelineJson));
    return (await campaignModule()).generatedTimeline({ seed: task.seed, stepsMax: task.stepsMax }, board.runIndex);
  }

  /**
   * The chunk's totals over its first `runs` runs, which passed before the stall: the chunk run
   * again up to them. A path that stalls again there (it is not deterministic) gets no totals.
   */
  async #runsBefore(task: ChunkTask, runs: number, runTimeoutMs: number): Promise<CampaignResult> {
    const none = await emptyChunkResult(task);
    if (runs === 0) return none;
    const again = await this.#thread.run<CampaignResult>({ kind: 'chunk', task: { ...task, numRuns: runs, timeBudgetMs: undefined } }, runTimeoutMs);
    if (again.stalled) return none;
    const { failure: _failure, ...totals } = again.value;
    return totals;
  }
}

/** The result of a chunk that made no run. */
async function emptyChunkResult(task: ChunkTask): Promise<CampaignResult> {
  const [{ emptyCoverage }, { propertyNames }, { emptyExercise }] = await Promise.all([import('../judging/coverage.js'), import('../judging/checkers.js'), import('../judging/exercise.js')]);
  const zeros = () => Object.fromEntries(propertyNames.map((p) => [p, 0])) as Record<PropertyName, number>;
  return {
    path: task.pathSpec,
    seed: task.seed,
    numRuns: task.numRuns,
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    wallMs: 0,
    coverage: emptyCoverage(),
    violationsByProperty: zeros(),
    judgedByProperty: zeros(),
    exercise: emptyExercise(),
    determinism: { checked: 0, mismatches: 0 },
    interrupted: false,
    dedupeById: true,
  };
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
