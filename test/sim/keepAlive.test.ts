/**
 * The keep-alive model against a step-by-step replay of rc14's `startKeepAliveRequest`: every
 * check from the open, a ping answered one round trip later while the link is alive, the socket
 * ended at the first check that finds the last frame more than interval + 5 s old. Exhaustive
 * over a grid of opens, silences, last frames, intervals and round trips.
 */
import { describe, expect, it } from 'vitest';
import { keepAliveEndsAt, type KeepAliveFacts } from '../../sim/network/keepAlive.js';

/** rc14's loop, check by check. */
function replayKeepAlive(facts: KeepAliveFacts): number {
  const { openedAt, silentAt, keepAliveIntervalMs: intervalMs, roundTripMs } = facts;
  let lastHeardAt = facts.lastReceivedAt;
  const pongsAt: number[] = [];
  for (let k = 1; k < 10_000; k++) {
    const checkAt = openedAt + k * intervalMs;
    for (const at of pongsAt.splice(0)) {
      if (at <= checkAt) lastHeardAt = Math.max(lastHeardAt, at);
      else pongsAt.push(at);
    }
    if (checkAt - lastHeardAt > intervalMs + 5000) return checkAt;
    // The ping is answered only if both it and its pong cross the link before it goes silent.
    if (checkAt + roundTripMs <= silentAt) pongsAt.push(checkAt + roundTripMs);
  }
  throw new Error('the replay never ended the socket');
}

describe('keepAliveEndsAt', () => {
  it(
    'ends the socket at the same check as a step-by-step replay of rc14, on every grid ' + 'point',
    () => {
      // Arrange
      const cases: KeepAliveFacts[] = [];
      for (const keepAliveIntervalMs of [1000, 3000, 30_000])
        for (const roundTripMs of [0, 20, 999, keepAliveIntervalMs])
          for (const openedAt of [0, 1234])
            for (const silentAfterMs of [0, 1, 999, 1000, 1001, 4999, 30_000, 61_234, 95_000])
              for (const lastReceivedBeforeMs of [0, 1, 500, 10_000]) {
                const silentAt = openedAt + silentAfterMs;
                const lastReceivedAt = Math.max(openedAt, silentAt - lastReceivedBeforeMs);
                cases.push({
                  openedAt,
                  silentAt,
                  lastReceivedAt,
                  keepAliveIntervalMs,
                  roundTripMs,
                });
              }
      // Act
      const mismatches = cases.filter((facts) => keepAliveEndsAt(facts) !== replayKeepAlive(facts));
      // Assert
      expect(cases.length).toBeGreaterThan(800);
      expect(mismatches).toEqual([]);
    },
  );

  it('ends a socket silent from the open within two intervals and the grace', () => {
    // Arrange
    const facts = {
      openedAt: 0,
      silentAt: 0,
      lastReceivedAt: 0,
      keepAliveIntervalMs: 30_000,
      roundTripMs: 20,
    };
    // Act
    const endsAt = keepAliveEndsAt(facts);
    // Assert
    expect(endsAt).toBe(60_000);
  });

  it('refuses a round trip longer than the interval, which it does not model', () => {
    expect(() =>
      keepAliveEndsAt({
        openedAt: 0,
        silentAt: 0,
        lastReceivedAt: 0,
        keepAliveIntervalMs: 1000,
        roundTripMs: 1001,
      }),
    ).toThrow(RangeError);
  });
});
