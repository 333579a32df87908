/**
 * Campaign properties in a campaign: a global call or another history the second time fails a
 * run like a violation (shrunk, recorded as the failure's campaign violation, replayed), and a
 * campaign that never exercised its path fails `exercised` on its counts.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import {
  failureFileOf,
  replayWith,
  type FailureFile,
} from '../../properties/campaigns/failureFile.js';
import { portsViolation } from '../../properties/judging/campaignProperties.js';
import { propertyNames } from '../../properties/judging/checkers.js';
import { exercisedRunsMin, exercisedVerdict } from '../../properties/judging/exercise.js';
import { judgedBy } from '../../properties/judging/checkers.js';
import type { GlobalName, History } from '../../sim/history.js';
import { simulate } from '../../sim/simulate.js';
import { createSendPath as globalTimers } from '../fixtures/paths/globalTimers.js';
import { createSendPath as moduleCounterIds } from '../fixtures/paths/moduleCounterIds.js';
import { createSendPath as neverConnects } from '../fixtures/paths/neverConnects.js';
import { referenceSendPath } from '../../src/reference.js';
import { timelineOf } from '../sim/helpers.js';

describe('uses-ports in a campaign', () => {
  it(
    'fails every run that calls a global, counted for uses-ports alone, and the failure ' +
      'replays as it',
    async () => {
      // Act
      const result = await runCampaign({
        path: { name: 'global-timers', factory: globalTimers },
        seed: 3,
        numRuns: 50,
      });
      const failure = result.failures.find((f) => f.property === 'uses-ports')!;
      const replay = await replayWith(failureFileOf(result, failure), globalTimers);
      // Assert
      expect(failure.campaignViolation).toMatchObject({
        property: 'uses-ports',
        uses: [{ name: 'setTimeout' }],
      });
      expect(result.failures.map((f) => f.property)).toEqual(['uses-ports']);
      expect(result.violationsByProperty['uses-ports']).toBeGreaterThan(1);
      expect(replay).toMatchObject({
        sameHistory: true,
        reproduced: true,
        campaignViolation: { property: 'uses-ports' },
      });
    },
  );
});

describe('deterministic in a campaign', () => {
  it(
    'fails at the first sampled run that gives another history, shrunk while it still ' +
      'does, with both fingerprints',
    async () => {
      // Act
      const result = await runCampaign({
        path: { name: 'counter-ids', factory: moduleCounterIds },
        seed: 5,
        numRuns: 100,
        determinismEvery: 1,
        failFast: true,
      });
      const failure = result.failures.find((f) => f.property === 'deterministic')!;
      const file = failureFileOf(result, failure);
      const replay = await replayWith(file, moduleCounterIds);
      // Assert
      expect(result.determinism.mismatches).toBe(1);
      expect(failure.campaignViolation).toMatchObject({
        property: 'deterministic',
        difference: { path: expect.stringMatching(/^\$\.attempts\[\d+\]\.messageId$/) },
      });
      expect(file.campaignViolation).toEqual(failure.campaignViolation);
      expect(replay.campaignViolation?.property).toBe('deterministic');
      expect(replay.reproduced).toBe(true);
    },
  );

  it('replays a deterministic path once, and twice on request', async () => {
    // Arrange
    const file: FailureFile = {
      format: 'baileys-sim/failure@1',
      path: 'reference',
      timeline: timelineOf([{ at: 0, do: 'inbound', chat: 'c1', msg: 'm1' }]),
      violations: [],
      fingerprint: '',
    };
    // Act
    const [once, twice] = [
      await replayWith(file, referenceSendPath),
      await replayWith(file, referenceSendPath, { twice: true }),
    ];
    // Assert
    expect(once.campaignViolation).toBeUndefined();
    expect(twice.campaignViolation).toBeUndefined();
    expect(twice.reproduced).toBe(true);
  });
});

describe('exercised', () => {
  it('fails a campaign of a path that never connects, on its counts', async () => {
    // Act
    const result = await runCampaign({
      path: { name: 'never-connects', factory: neverConnects },
      seed: 1,
      numRuns: 50,
    });
    // Assert
    expect(result.failures).toEqual([]);
    expect(result.exercise.received).toBe(0);
    expect(exercisedVerdict(result.exercise)).toMatchObject({
      held: false,
      judged: true,
      message: expect.stringMatching(
        /^the bot received no message in any of the \d+ runs that sent one/,
      ),
    });
  });

  it.each([
    [
      { offered: 40, received: 0, asked: 30, visible: 0 },
      { held: false, judged: true },
      /received no message/,
    ],
    [
      { offered: 40, received: 38, asked: 30, visible: 0 },
      { held: false, judged: true },
      /no reply became visible in any of the 30 runs/,
    ],
    [
      { offered: 40, received: 38, asked: 30, visible: 25 },
      { held: true, judged: true },
      /received a message in 38 of 40 .* visible in 25 of 30/,
    ],
    [
      { offered: exercisedRunsMin - 1, received: 0, asked: 3, visible: 0 },
      { held: true, judged: false },
      /^not judged \(fewer than 10 runs\)/,
    ],
  ])('judges %o', (counts, verdict, message) => {
    expect(exercisedVerdict(counts)).toMatchObject(verdict);
    expect(exercisedVerdict(counts).message).toMatch(message);
  });
});

describe('judgedBy', () => {
  it('finds nothing to judge but stop() in a run of a path that never connected', async () => {
    // Arrange
    const timeline = timelineOf([
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 100, do: 'reply', to: 'm1', key: 'r1' },
    ]);
    // Act
    const judged = judgedBy(await simulate(timeline, neverConnects));
    // Assert
    expect(Object.entries(judged).filter(([, yes]) => yes)).toEqual([['clean', true]]);
    expect(Object.keys(judged)).toEqual([...propertyNames]);
  });
});

describe('portsViolation', () => {
  it.each<[GlobalName, string]>([
    ['setTimeout', 'env.clock.setTimeout'],
    ['Date.now', 'env.clock.now()'],
    ['Math.random', 'env.random()'],
    ['crypto.randomUUID', 'env.messageIds()'],
  ])('names %s and the port to use instead', (name, port) => {
    const history = {
      globalsUsed: [
        { at: 1200, name },
        { at: 1300, name: 'new Date()' },
      ],
    } as History;
    const violation = portsViolation(history)!;
    expect(violation.message).toContain(
      `the send path called the global ${name} at 1200 ms (virtual)`,
    );
    expect(violation.message).toContain(`use ${port}`);
    expect(violation.message).toContain('(it also called new Date())');
  });

  it('is absent for a history with no global call', () => {
    expect(portsViolation({} as History)).toBeUndefined();
  });
});
