/**
 * The first difference between two histories: a JSON path and both values, records before
 * totals, so a determinism failure says what the send path did differently.
 */
import { describe, expect, it } from 'vitest';
import {
  firstDifference,
  firstHistoryDifference,
  formatDifference,
} from '../../properties/judging/historyDifference.js';
import type { History } from '../../sim/history.js';
import { simulate } from '../../sim/simulate.js';
import { referenceSendPath } from '../../src/reference.js';
import { createSendPath as moduleCounterIds } from '../fixtures/paths/moduleCounterIds.js';
import { timelineOf } from '../sim/helpers.js';

const timeline = timelineOf([
  { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 1500, do: 'reply', to: 'm1', key: 'r1' },
]);

describe('firstHistoryDifference', () => {
  it('finds nothing between two runs of a deterministic path', async () => {
    const [a, b] = [
      await simulate(timeline, referenceSendPath),
      await simulate(timeline, referenceSendPath),
    ];
    expect(firstHistoryDifference(a, b)).toBeUndefined();
  });

  it('names the message id a module-level counter changed, with both values', async () => {
    // Act
    const a = await simulate(timeline, moduleCounterIds);
    const b = await simulate(timeline, moduleCounterIds);
    const difference = firstHistoryDifference(a, b);
    // Assert
    expect(difference).toEqual({
      path: '$.attempts[0].messageId',
      first: a.attempts[0]!.messageId,
      second: b.attempts[0]!.messageId,
    });
    expect(difference!.first).not.toBe(difference!.second);
  });

  it('reads records before totals: a socket more shows as the socket, not as endedAt', () => {
    // Arrange
    const a = {
      endedAt: 10,
      sockets: [{ generation: 1 }],
      stop: { result: 'completed' },
    } as unknown as History;
    const b = {
      endedAt: 20,
      sockets: [{ generation: 1 }, { generation: 2, createdAt: 5 }],
      stop: { result: 'hung' },
    } as unknown as History;
    // Act
    const difference = firstHistoryDifference(a, b);
    // Assert
    expect(difference).toEqual({ path: '$.sockets[1]', second: { generation: 2, createdAt: 5 } });
  });
});

describe('firstDifference', () => {
  it.each([
    [
      { a: 1, b: [1, 2] },
      { a: 1, b: [1, 3] },
      { path: '$.b[1]', first: 2, second: 3 },
    ],
    [{ a: 1 }, { a: 1, b: true }, { path: '$.b', second: true }],
    [{ 'c-1': 'x' }, { 'c-1': 'y' }, { path: '$["c-1"]', first: 'x', second: 'y' }],
    [{ a: [1] }, { a: { 0: 1 } }, { path: '$.a', first: [1], second: { 0: 1 } }],
    [[1, 2, 3], [1, 2], { path: '$[2]', first: 3 }],
  ])('finds %j vs %j at its path', (a, b, expected) => {
    expect(firstDifference(a, b)).toEqual(expected);
  });

  it('cuts a large value short', () => {
    const big = { list: Array.from({ length: 20 }, (_, i) => ({ deep: { deeper: i } })) };
    const difference = firstDifference({}, { big });
    expect(difference).toEqual({
      path: '$.big',
      second: { list: ['{…}', '{…}', '{…}', '{…}', '{…}', '{…}', '{…}', '{…}', '…'] },
    });
  });
});

describe('formatDifference', () => {
  it('says both values in one line, and which side has none', () => {
    expect(
      formatDifference({ path: '$.attempts[0].messageId', first: '3EB0A', second: '3EB0B' }),
    ).toBe('$.attempts[0].messageId: "3EB0A" the first time, "3EB0B" the second');
    expect(formatDifference({ path: '$.sockets[1]', second: { generation: 2 } })).toBe(
      '$.sockets[1]: (absent) the first time, {"generation":2} the second',
    );
  });
});
