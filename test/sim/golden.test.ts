/**
 * Three golden scenarios (timeline files in test/golden/) against the reference send
 * path in src/. Each asserts the behaviour the scenario exists for, from the history's facts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceSendPath } from '../../src/index.js';
import { fingerprint, type History } from '../../sim/history.js';
import { simulate } from '../../sim/simulate.js';
import { parseTimeline } from '../../sim/timeline.js';

const golden = (name: string) =>
  parseTimeline(readFileSync(join(import.meta.dirname, '..', 'golden', `${name}.json`), 'utf8'));

/**
 * Facts every golden run must show: one visible copy, no send after a heard close, a clean stop.
 */
function expectCleanDelivery(h: History): void {
  expect(h.requests.map((r) => [r.key, r.outcome])).toEqual([['r1', 'ok']]);
  expect(h.server.visible['c1']!.map((v) => v.key)).toEqual(['r1']);
  expect(h.attempts.filter((a) => a.closeEmittedBefore)).toEqual([]);
  expect(h.stop).toMatchObject({
    result: 'completed',
    pendingAttempts: 0,
    pendingRequests: 0,
    pathTimersAlive: 0,
  });
  expect(h.unhandledRejections).toEqual([]);
  expect(h.thrown).toEqual([]);
  expect(h.limit).toBeUndefined();
}

describe('golden scenarios against the reference send path', () => {
  it(
    '(a) replacement socket: inbound on socket ' + '1, drop, the reply goes out on socket 2',
    async () => {
      const h = await simulate(golden('replacement-socket'), referenceSendPath);
      expectCleanDelivery(h);
      // latency + Baileys' event buffer
      expect(h.inbound[0]).toMatchObject({ generation: 1, receivedAt: 1040 });
      expect(h.sockets[0]).toMatchObject({
        generation: 1,
        cause: 'drop',
        closeError: { statusCode: 428 },
      });
      expect(h.server.frames.map((f) => f.generation)).toEqual([2]);
    },
  );

  it(
    '(b) reply during a reconnect gap waits ' + 'through refused connects and then succeeds',
    async () => {
      const h = await simulate(golden('reconnect-gap'), referenceSendPath);
      expectCleanDelivery(h);
      expect(h.sockets.some((s) => s.refused)).toBe(true);
      expect(h.requests[0]!.settledAt).toBeGreaterThan(8000); // refusals end at 8000
      const frame = h.server.frames[0]!;
      expect(h.sockets.find((s) => s.generation === frame.generation)).toMatchObject({
        refused: false,
      });
      // It waited instead of hammering dead sockets: every attempt was written.
      expect(h.attempts.every((a) => a.written)).toBe(true);
    },
  );

  it(
    '(c) a write timeout (408, stuck behind a full buffer) is retried on the same socket ' +
      'with the same id: one visible copy',
    async () => {
      const h = await simulate(golden('timeout-same-socket'), referenceSendPath);
      expectCleanDelivery(h);
      expect(h.connects.count).toBe(1);
      expect(h.attempts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(h.attempts.map((a) => a.generation))).toEqual(new Set([1]));
      expect(new Set(h.attempts.map((a) => a.messageId)).size).toBe(1);
      expect(h.attempts[0]).toMatchObject({
        written: false,
        reachedServer: false,
        result: 'rejected',
        error: { statusCode: 408 },
      });
    },
  );

  it.each(['replacement-socket', 'reconnect-gap', 'timeout-same-socket'])(
    '%s: same timeline, same fingerprint',
    async (name) => {
      const t = golden(name);
      expect(fingerprint(await simulate(t, referenceSendPath))).toBe(
        fingerprint(await simulate(t, referenceSendPath)),
      );
    },
  );
});
