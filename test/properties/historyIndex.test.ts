/**
 * The history index answers each question as the plain definition over the whole history would
 * (the oracles below scan everything, per question), on generated histories with ties in time,
 * sockets closing out of creation order and keys in several chats.
 */
import { test as fcTest } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { HistoryIndex } from '../../properties/judging/historyIndex.js';
import type { History, SocketRecord } from '../../sim/history.js';
import { isTerminalCode } from '../../src/baileysFacts.js';
import { attempt, baseHistory, request, socket } from './historyBuilder.js';

/** Times on a coarse grid, so that ties are common. */
const timeArb = fc.integer({ min: 0, max: 20 }).map((t) => t * 100);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const socketFieldsArb = fc.record({
  openedAt: optional(timeArb),
  closeEmittedAt: optional(timeArb),
  statusCode: optional(fc.constantFrom(401, 403, 408, 428, 440, 515)),
  cause: optional(
    fc.constantFrom(
      'drop' as const,
      'loginFailure' as const,
      'replaced' as const,
      'end' as const,
      'silent' as const,
    ),
  ),
});

/** A history of generated sockets, message attempts and visible copies. */
const historyArb: fc.Arbitrary<History> = fc
  .record({
    maxAttempts: fc.integer({ min: 1, max: 4 }),
    sockets: fc.array(socketFieldsArb, { maxLength: 10 }),
    attempts: fc.array(
      fc.record({
        key: optional(fc.constantFrom('r1', 'r2', 'r3')),
        presence: fc.boolean(),
        id: fc.constantFrom('A', 'B', 'C'),
      }),
      { maxLength: 12 },
    ),
    requests: fc.array(
      fc.record({
        chat: fc.constantFrom('c1', 'c2'),
        callSeq: optional(fc.integer({ min: 1, max: 20 })),
        composing: fc.boolean(),
      }),
      { maxLength: 8 },
    ),
    visible: fc.array(
      fc.record({
        chat: fc.constantFrom('c1', 'c2'),
        key: optional(fc.constantFrom('r1', 'r2', 'r3')),
        at: timeArb,
      }),
      { maxLength: 10 },
    ),
  })
  .map(({ maxAttempts, sockets, attempts, requests, visible }) => {
    const h = baseHistory();
    h.config.reconnect.maxAttempts = maxAttempts;
    h.sockets = sockets.map(({ openedAt, closeEmittedAt, statusCode, cause }, i) => {
      const s: SocketRecord = socket({ generation: i + 1 });
      if (cause !== undefined) s.cause = cause;
      if (openedAt !== undefined) s.openedAt = openedAt;
      if (closeEmittedAt !== undefined) s.closeEmittedAt = closeEmittedAt;
      if (statusCode !== undefined) s.closeError = { name: 'Error', message: 'closed', statusCode };
      return s;
    });
    h.attempts = attempts.map(({ key, presence, id }, i) => {
      const a = attempt(
        i + 1,
        key ?? 'none',
        presence ? { kind: 'presence', messageId: id } : { messageId: id },
      );
      if (key === undefined) delete a.key;
      return a;
    });
    h.requests = requests.map(({ chat, callSeq, composing }, i) => {
      const r = request(`q${i}`, { chat, callSeq, kind: composing ? 'composing' : 'reply' });
      if (callSeq === undefined) delete r.callSeq;
      return r;
    });
    visible.forEach(({ chat, key, at }, i) => {
      (h.server.visible[chat] ??= []).push({
        ...(key === undefined ? {} : { key }),
        messageId: `id${i}`,
        kind: 'text',
        generation: 1,
        at,
        frameSeq: i + 1,
      });
    });
    return h;
  });

/** Every time a query could turn on: each grid point and the gaps either side of it. */
const queryTimes = Array.from({ length: 43 }, (_, i) => i * 50 - 50);

describe('HistoryIndex', () => {
  fcTest.prop([historyArb])('knows when the reconnect attempts ran out, as of any time', (h) => {
    const index = new HistoryIndex(h);
    const k = h.config.reconnect.maxAttempts;
    for (const at of queryTimes) {
      const recent = h.sockets
        .filter((s) => s.closeEmittedAt !== undefined && s.closeEmittedAt <= at)
        .slice(-k);
      expect(index.reconnectsExhaustedBy(at), `at ${at}`).toBe(
        recent.length === k && recent.every((s) => s.openedAt === undefined),
      );
    }
  });

  fcTest.prop([historyArb])('knows whether the last connects all failed after a time', (h) => {
    const index = new HistoryIndex(h);
    const tail = h.sockets.slice(-h.config.reconnect.maxAttempts);
    for (const at of queryTimes) {
      const expected =
        tail.length === h.config.reconnect.maxAttempts &&
        tail.every(
          (s) =>
            s.openedAt === undefined && s.closeEmittedAt !== undefined && s.closeEmittedAt >= at,
        );
      expect(index.lastConnectsFailedSince(at), `at ${at}`).toBe(expected);
    }
  });

  fcTest.prop([historyArb])(
    'knows terminal closes from outside and openings before and after a time',
    (h) => {
      const index = new HistoryIndex(h);
      const outside = h.sockets.filter(
        (s) =>
          (s.cause === 'drop' || s.cause === 'loginFailure') &&
          s.closeEmittedAt !== undefined &&
          isTerminalCode(s.closeError?.statusCode),
      );
      for (const at of queryTimes) {
        expect(index.outsideTerminalCloseBy(at)).toBe(outside.some((s) => s.closeEmittedAt! <= at));
        expect(index.outsideTerminalCloseAtOrAfter(at)).toBe(
          outside.some((s) => s.closeEmittedAt! >= at),
        );
        expect(index.openedAtOrAfter(at)).toBe(
          h.sockets.some((s) => s.openedAt !== undefined && s.openedAt >= at),
        );
        for (const to of [at, at + 50, at + 400]) {
          expect(index.openedBetween(at, to), `[${at}, ${to})`).toBe(
            h.sockets.some((s) => s.openedAt !== undefined && s.openedAt >= at && s.openedAt < to),
          );
        }
      }
      const earliest = Math.min(...outside.map((s) => s.closeEmittedAt!));
      expect(index.firstOutsideTerminalClose).toBe(
        outside.find((s) => s.closeEmittedAt === earliest),
      );
    },
  );

  fcTest.prop([historyArb])(
    "finds each chat's called requests in call order, and the first attempt of each message id",
    (h) => {
      const index = new HistoryIndex(h);
      for (const chat of ['c1', 'c2']) {
        const called = h.requests.filter(
          (r) => r.chat === chat && r.kind !== 'composing' && r.callSeq !== undefined,
        );
        expect(index.calledMessageRequestsByChat.get(chat) ?? []).toEqual(
          [...called].sort((a, b) => a.callSeq! - b.callSeq!),
        );
      }
      for (const id of ['A', 'B', 'C'])
        expect(index.ownMessageIds.get(id)).toBe(h.attempts.find((a) => a.messageId === id));
    },
  );

  fcTest.prop([historyArb])("finds a reply's attempts and its visible copies per chat", (h) => {
    const index = new HistoryIndex(h);
    for (const key of ['r1', 'r2', 'r3']) {
      expect(index.messageAttemptsByKey.get(key) ?? []).toEqual(
        h.attempts.filter((a) => a.kind === 'message' && a.key === key),
      );
      for (const chat of ['c1', 'c2']) {
        const r = request(key, { chat });
        expect(index.visibleCopies(r)).toEqual(
          (h.server.visible[chat] ?? []).filter((v) => v.key === key),
        );
      }
    }
    expect([...index.messageAttemptsByKey.keys()]).toEqual([
      ...new Set(h.attempts.filter((a) => a.kind === 'message').flatMap((a) => a.key ?? [])),
    ]);
  });

  fcTest.prop([historyArb])('finds a socket by its generation', (h) => {
    const index = new HistoryIndex(h);
    for (let generation = 0; generation <= h.sockets.length + 1; generation += 1) {
      expect(index.socketOf(generation)).toBe(h.sockets.find((s) => s.generation === generation));
    }
  });
});
