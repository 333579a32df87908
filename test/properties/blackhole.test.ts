/**
 * End to end: a reply written into a silently dead connection. The reference resends
 * what the dead socket may have swallowed (same id), the `trusts-write` specimen loses it, and the
 * resend is only safe because the server dedupes by id: with dedupe off it shows twice.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import { checkAll, checkProperty } from '../../properties/judging/checkers.js';
import { failureFileOf, readFailureFile } from '../../properties/campaigns/failureFile.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { simulate } from '../../sim/simulate.js';
import { referenceSendPath } from '../../src/reference.js';

const lossFile = 'test/regressions/reference-blackhole-loss.json';

describe('blackhole: a reply written into a silently dead connection', () => {
  it(
    'the reference resends it on the next socket ' + 'with the same id, and every property holds',
    async () => {
      // Arrange
      const { timeline } = await readFailureFile(lossFile);
      // Act
      const h = await simulate(timeline, referenceSendPath);
      // Assert
      expect(checkAll(h)).toEqual([]);
      const r2 = h.attempts.filter((a) => a.key === 'r2');
      expect(r2.map((a) => [a.generation, a.reachedServer])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(new Set(r2.map((a) => a.messageId)).size).toBe(1);
      expect(h.server.visible['c1']!.map((v) => v.key)).toEqual(['r1', 'r2', 'r3']);
    },
  );

  it('trusts-write (no resend) loses it: reported sent, never visible', async () => {
    // Arrange
    const { timeline } = await readFailureFile(lossFile);
    // Act
    const h = await simulate(timeline, builtInSendPath('specimen:trusts-write').factory);
    // Assert
    expect(checkProperty('exactly-once', h)).toMatchObject([
      {
        property: 'exactly-once',
        key: 'r2',
        message: 'r2 was reported sent but never became visible',
      },
    ]);
  });

  it(
    'without server-side dedupe by id, the resend of a write that did arrive is a visible ' +
      'duplicate',
    async () => {
      // Arrange: r1 reached the server before the link went silent, but within the confirmation
      // window.
      const { timeline } = await readFailureFile(lossFile);
      // Act
      const h = await simulate(timeline, referenceSendPath, { dedupeById: false });
      // Assert
      expect(h.server.dedupeById).toBe(false);
      expect(checkProperty('exactly-once', h)).toMatchObject([
        {
          property: 'exactly-once',
          key: 'r1',
          message: expect.stringMatching(/^r1 is visible 2 times/),
        },
      ]);
    },
  );

  it('failure files record the dedupe setting the campaign ran with', async () => {
    // Arrange
    const path = builtInSendPath('specimen:trusts-write');
    // Act
    const on = await runCampaign({
      path,
      seed: 42,
      numRuns: 2000,
      only: ['exactly-once'],
      determinismEvery: 0,
      failFast: true,
    });
    const off = await runCampaign({
      path,
      seed: 42,
      numRuns: 2000,
      determinismEvery: 0,
      simulate: { dedupeById: false },
      failFast: true,
    });
    // Assert
    expect(failureFileOf(on, on.failures[0]!).dedupeById).toBe(true);
    expect(failureFileOf(off, off.failures[0]!).dedupeById).toBe(false);
  });
});
