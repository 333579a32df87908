/**
 * The watchdog: searches, shrinks and replays run in a watched thread; a run that makes no
 * progress is stopped and becomes a `makes-progress` failure with the run's timeline and where it
 * stood; a stalled search ends there, with the counts of the runs before it.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import {
  generatedTimeline,
  type FirstFailure,
  type SearchResult,
} from '../../properties/campaigns/search.js';
import { runShardedCampaign } from '../../properties/campaigns/shard.js';
import { runTask, tasksModule, type SearchTask } from '../../properties/campaigns/tasks.js';
import { replayWatched, searchOn } from '../../properties/campaigns/watchedTasks.js';
import { SimulationThreadError, watchedLane } from '../../properties/campaigns/workers/workers.js';
import { loadSendPath } from '../../properties/paths/loadSendPath.js';
import type { Timeline } from '../../sim/timeline.js';
import { repoRoot } from '../cli/runCli.js';

const busyLoop = join(repoRoot, 'test/fixtures/paths/busyLoop.ts');
const neverConnects = join(repoRoot, 'test/fixtures/paths/neverConnects.ts');
const busyLoopSettled = join(repoRoot, 'test/fixtures/paths/busyLoopSettled.ts');
const task = (pathSpec: string, numRuns: number, seed = 1): SearchTask => ({
  kind: 'search',
  pathSpec,
  cwd: repoRoot,
  seed,
  numRuns,
});

const lane = watchedLane(tasksModule, 400);
/**
 * A chunk of the busy-looping path: it stalls in one of its first runs. The first seed (of ten)
 * whose chunk has runs before the stalled one, so the counts of those runs can be compared, and
 * whose stalled run has events left after the stall and stalled at the inbound that made it
 * busy, so where it stood is inside the timeline (which run of a seed stalls changes whenever the
 * generator does).
 */
let stalled: SearchResult;
/** Its stall. */
let stall: FirstFailure;
let stalledSeed = 1;
beforeAll(async () => {
  for (stalledSeed = 1; stalledSeed <= 10; stalledSeed += 1) {
    stalled = await searchOn(lane, task(busyLoop, 100, stalledSeed), 400);
    stall = stalled.firstFailures.find((f) => f.property === 'makes-progress')!;
    const broken = stall.campaignViolation;
    const stood = broken?.property === 'makes-progress' ? broken.stall : undefined;
    const eventsLeft = stood !== undefined && stood.eventsFired < stall.timeline.events.length;
    // Busy from the third message handed over: a run whose message came in with that inbound.
    const atInbound =
      stood !== undefined && stall.timeline.events[stood.lastEventIndex!]?.do === 'inbound';
    if (stall.runIndex > 0 && eventsLeft && atInbound) break;
  }
  // Each seed's chunk waits out its stalled run's timeout (400 ms of wall time) and more.
}, 60_000);

describe('a chunk in a watched thread', () => {
  it('gives the result the chunk gives in this thread, with the run timeout', async () => {
    // Act
    const watched = await searchOn(lane, task(neverConnects, 30), 400);
    const here = await runTask(task(neverConnects, 30));
    // Assert
    expect(watched).toEqual(here);
  });

  it(
    'is stopped when a run makes no progress, ' + 'and fails makes-progress with where it stood',
    async () => {
      const failure = stall;
      const broken = failure.campaignViolation;
      expect(broken).toMatchObject({
        property: 'makes-progress',
        runTimeoutMs: 400,
        stall: { phase: 'generated' },
      });
      if (broken?.property !== 'makes-progress') throw new Error('unreachable');
      expect(failure.timeline).toEqual(
        await generatedTimeline({ seed: stalledSeed }, failure.runIndex),
      );
      expect(broken.stall.eventsFired).toBeGreaterThan(0);
      expect(broken.stall.eventsFired).toBeLessThan(failure.timeline.events.length);
      expect(failure.timeline.events[broken.stall.lastEventIndex!]!.do).toBe('inbound');
      expect(stalled.runs).toBe(failure.runIndex + 1);
      expect(stalled.stoppedAt).toBe(failure.runIndex);
      expect(stalled.violationsByProperty['makes-progress']).toBe(1);
    },
  );

  it('keeps the stalled run of a path with its own settings as the path played it', async () => {
    // Act
    const watched = await searchOn(lane, task(busyLoopSettled, 100, stalledSeed), 400);
    // Assert
    const failure = watched.firstFailures.find((f) => f.property === 'makes-progress')!;
    expect(failure.timeline.config.replyDeadlineMs).toBe(45_000);
    const path = await loadSendPath(busyLoopSettled, repoRoot);
    const played = await generatedTimeline({ seed: stalledSeed, path }, failure.runIndex);
    expect(failure.timeline).toEqual(played);
  }, 30_000);

  it('counts the runs before the stalled one as the chunk run up to them does', async () => {
    // Arrange
    const runIndex = stall.runIndex;
    // Act
    const before = await runTask(task(busyLoop, runIndex, stalledSeed));
    // Assert
    expect(stalled.coverage).toEqual(before.coverage);
    expect(stalled.exercise).toEqual(before.exercise);
    expect(stalled.virtualMs).toBe(before.virtualMs);
    expect(stalled.simulations).toBe(before.simulations + 1);
  });

  it('reports a send path that cannot be loaded as the thread error it is', async () => {
    const error = await searchOn(lane, task('specimen:no-such', 10), 400).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationThreadError);
    expect(error).toMatchObject({
      errorName: 'SendPathLoadError',
      message: expect.stringContaining('unknown send path "specimen:no-such"'),
    });
  });
});

describe('generatedTimeline', () => {
  it('is the timeline the campaign played at that run', async () => {
    // Arrange
    const played: Timeline[] = [];
    const path = await loadSendPath(neverConnects);
    await runCampaign({
      path,
      seed: 77,
      numRuns: 12,
      stepsMax: 12,
      onRun: (_done, run) => played.push(run.timeline),
    });
    // Act
    const regenerated = await Promise.all(
      [0, 5, 11].map((i) => generatedTimeline({ seed: 77, stepsMax: 12 }, i)),
    );
    // Assert
    expect(regenerated).toEqual([played[0], played[5], played[11]]);
  });
});

describe('a replay in a watched thread', () => {
  it('is stopped when it makes no progress, and answers otherwise', async () => {
    // Arrange
    const failure = {
      format: 'baileys-sim/failure@1' as const,
      path: busyLoop,
      timeline: stall.timeline,
      violations: [],
      fingerprint: '',
    };
    // Act
    const again = await replayWatched(failure, busyLoop, repoRoot, 300);
    const fixed = await replayWatched(failure, neverConnects, repoRoot, 300);
    // Assert
    expect(again).toMatchObject({ stalled: true, board: { phase: 'replay', busy: true } });
    expect(again.stalled && again.board.eventsFired).toBeGreaterThan(0);
    expect(fixed.stalled).toBe(false);
  });
});

describe('runShardedCampaign with a run timeout', () => {
  it('refuses a send path given as a factory, which no other thread can load', async () => {
    const path = await loadSendPath(neverConnects);
    await expect(
      runShardedCampaign({
        pathSpec: 'mine',
        sendPath: path,
        workers: 1,
        seed: 1,
        runTimeoutMs: 1000,
      }),
    ).rejects.toThrow(/no watchdog can stop it/);
  });

  it('refuses a run timeout out of range', async () => {
    await expect(
      runShardedCampaign({ pathSpec: 'reference', workers: 1, seed: 1, runTimeoutMs: 5 }),
    ).rejects.toThrow('runTimeoutMs must be a whole number of ms from 100 to 3600000 (got 5)');
  });
});
