/** chat-independence: must-flag and must-not-flag histories. */
import { describe, expect, it } from 'vitest';
import { judgedBy, checkProperty } from '../../properties/judging/checkers.js';
import { measuredLatencyMs } from '../../properties/judging/properties/chatIndependence.js';
import type { AttemptRecord, FrameRecord, History } from '../../sim/history.js';
import {
  attempt,
  baseHistory,
  endedSocket,
  makeVisible,
  refusedAttempt,
  request,
} from './historyBuilder.js';

const c2Jid = '15550000002@s.whatsapp.net';

/**
 * Records attempt `a` and, when `arrivesAt` is given, its frame reaching the server (visible then).
 */
function send(h: History, a: AttemptRecord, arrivesAt?: number): void {
  h.attempts.push(a);
  if (arrivesAt === undefined) return;
  const frame: FrameRecord = {
    seq: h.server.frames.length + 1,
    at: arrivesAt,
    chat: a.chat,
    chatJid: a.chatJid,
    messageId: a.messageId!,
    key: a.key!,
    kind: 'text',
    generation: a.generation,
    attemptSeq: a.seq,
    duplicate: false,
  };
  makeVisible(h, a.key!, arrivesAt, a.messageId, a.generation, a.chat);
  h.server.frames.push(frame);
}

/**
 * A 200 s run on one healthy socket. r1 (chat c1) is called at 1000 and its pre-write queries
 * stall: written at 121_000. r2 (chat c2) is called at 1100 and, as `r2At` says, written.
 * One-way latency 10 ms.
 */
function twoChats(r2At: number): History {
  const h = baseHistory();
  h.endedAt = 200_000;
  h.stop = { ...h.stop, requestedAt: 199_000, completedAt: 199_000 };
  h.sockets = [endedSocket({ generation: 1, openedAt: 10, endAt: 199_000 })];
  h.requests.push(
    request('r1', { calledAt: 1000, requestedAt: 1000, callSeq: 1, settledAt: 121_000 }),
    request('r2', {
      chat: 'c2',
      chatJid: c2Jid,
      msg: 'm2',
      calledAt: 1100,
      requestedAt: 1100,
      callSeq: 2,
      settledAt: r2At,
    }),
  );
  send(
    h,
    attempt(1, 'r1', { at: 1000, queryTimeouts: 2, writtenAt: 121_000, settledAt: 121_000 }),
    121_010,
  );
  send(
    h,
    attempt(2, 'r2', { at: r2At, chat: 'c2', chatJid: c2Jid, writtenAt: r2At, settledAt: r2At }),
    r2At + 10,
  );
  return h;
}

describe('chat-independence', () => {
  it('flags a reply in a healthy chat held up behind a stalled send in another chat', () => {
    // Arrange: one FIFO for all chats: r2 waits for r1.
    const h = twoChats(121_010);
    // Act
    const violations = checkProperty('chat-independence', h);
    // Assert: bound = 10 s + 10 x 10 ms; r2's turn came at 1100.
    expect(violations).toEqual([
      {
        property: 'chat-independence',
        key: 'r2',
        at: 11_200,
        message:
          'r2 in chat c2 became visible only at 121020 ms, first sent at 121010 ms: its turn ' +
          'came at 1100 ms and neither its chat nor its socket had a fault, so it was due by ' +
          '11200 ms (10100 ms); meanwhile chat c1 had a fault (attempt #1 for r1): head-of-line ' +
          'blocking across chats',
      },
    ]);
    expect(judgedBy(h)['chat-independence']).toBe(true);
  });

  it('accepts the same reply sent at once, chats being independent', () => {
    expect(checkProperty('chat-independence', twoChats(1120))).toEqual([]);
  });

  it('accepts a reply sent on time whose frame the network then held up', () => {
    // Arrange: r2's attempt began at its turn; its pre-write phase was slow (the network's doing,
    // not another chat's), so it was written at 60_000.
    const h = twoChats(60_000);
    h.attempts[1]!.at = 1100;
    // Act / Assert
    expect(checkProperty('chat-independence', h)).toEqual([]);
  });

  it(
    "accepts a reply waiting behind its own chat's stalled reply: its turn comes when that " +
      'one settles',
    () => {
      // Arrange: r2 is in c1 too: its turn comes at 121_000.
      const h = twoChats(121_010);
      for (const r of [h.requests[1]!, h.attempts[1]!])
        Object.assign(r, { chat: 'c1', chatJid: '15550000001@s.whatsapp.net' });
      h.server.visible.c1!.push(...h.server.visible.c2!);
      delete h.server.visible.c2;
      // Act / Assert
      expect(checkProperty('chat-independence', h)).toEqual([]);
    },
  );

  it.each([
    [
      'its own pre-write queries stalled',
      (h: History) => Object.assign(h.attempts[1]!, { at: 1100, queryTimeouts: 2 }),
    ],
    [
      'the server nacked a send of its chat',
      (h: History) =>
        h.attempts.push(
          attempt(3, 'r9', { at: 5000, chat: 'c2', chatJid: c2Jid, nacked: true, settledAt: 5010 }),
        ),
    ],
    [
      'a send of its chat was rejected',
      (h: History) =>
        h.attempts.push(
          refusedAttempt(3, 'r9', { at: 5000, chat: 'c2', chatJid: c2Jid, settledAt: 5000 }),
        ),
    ],
    [
      'its socket went silent',
      (h: History) => Object.assign(h.sockets[0]!, { silentAt: 9000, resumedAt: 12_000 }),
    ],
    ['its socket was lost', (h: History) => Object.assign(h.sockets[0]!, { diedAt: 5000 })],
    [
      'no socket was open when its turn came',
      (h: History) => Object.assign(h.sockets[0]!, { openedAt: 1200 }),
    ],
    ['stop() was called', (h: History) => Object.assign(h.stop, { requestedAt: 11_000 })],
    [
      'its deadline ends inside the window',
      (h: History) => Object.assign(h.config, { replyDeadlineMs: 10_000 }),
    ],
    ['the run ended inside the window', (h: History) => Object.assign(h, { endedAt: 11_000 })],
  ])('does not judge a reply when %s', (_why, arrange) => {
    // Arrange
    const h = twoChats(121_010);
    arrange(h);
    // Act / Assert
    expect(checkProperty('chat-independence', h)).toEqual([]);
    expect(judgedBy(h)['chat-independence']).toBe(false);
  });

  it(
    'does not judge a reply whose chat the server rate-limited after its call, even before ' +
      'its turn: it backs off',
    () => {
      // Arrange: r0 (c2) is answered until 5000, so r2's turn comes then; at 1200 a send of r9 to
      // c2 was refused 429, which holds the chat's later sends back, rightly.
      const arrange = (refusedWith: number) => {
        const h = twoChats(121_010);
        h.requests.push(
          request('r0', { chat: 'c2', chatJid: c2Jid, calledAt: 500, callSeq: 0, settledAt: 5000 }),
        );
        const error = { name: 'Error', message: 'refused', statusCode: 500, data: refusedWith };
        h.attempts.push(
          refusedAttempt(3, 'r9', { at: 1200, chat: 'c2', chatJid: c2Jid, settledAt: 1220, error }),
        );
        return h;
      };
      // Act / Assert
      expect(checkProperty('chat-independence', arrange(429)).map((v) => v.key)).not.toContain(
        'r2',
      );
      expect(checkProperty('chat-independence', arrange(500)).map((v) => v.key)).toContain('r2');
    },
  );

  it('does not judge a reply whose chat backs off a rate limit from before its call', () => {
    // Arrange: at 500 a send of r9 to c2 was refused; after a 429 the path backs off there (no
    // send in the chat since), and r2 (c2, called at 1100) waits behind r9 rightly.
    const arrange = (refusedWith: number) => {
      const h = twoChats(121_010);
      const error = { name: 'Error', message: 'refused', statusCode: 500, data: refusedWith };
      h.attempts.unshift(
        refusedAttempt(3, 'r9', { at: 500, chat: 'c2', chatJid: c2Jid, settledAt: 520, error }),
      );
      return h;
    };
    // Act / Assert
    expect(checkProperty('chat-independence', arrange(429)).map((v) => v.key)).not.toContain('r2');
    expect(checkProperty('chat-independence', arrange(500)).map((v) => v.key)).toContain('r2');
  });

  it('does not judge a reply whose previous one in its chat never settled', () => {
    // Arrange: r0, called in c2 before r2, never settled.
    const h = twoChats(121_010);
    h.requests.push(
      request('r0', {
        chat: 'c2',
        chatJid: c2Jid,
        calledAt: 500,
        callSeq: 0,
        outcome: 'pending',
        settledAt: undefined,
      }),
    );
    // Act / Assert
    expect(checkProperty('chat-independence', h).map((v) => v.key)).not.toContain('r2');
  });

  it("widens the bound with the run's measured one-way latency", () => {
    // Arrange: r2 visible 20 s after its turn: too late at 10 ms latency, in time at 1.5 s.
    const fast = twoChats(21_100 - 10);
    const slow = twoChats(21_100 - 1500);
    slow.server.frames[1]!.at = 21_100;
    slow.server.visible.c2![0]!.at = 21_100;
    // Act / Assert
    expect(measuredLatencyMs(fast)).toBe(10);
    expect(measuredLatencyMs(slow)).toBe(1500);
    expect(checkProperty('chat-independence', fast)).toHaveLength(1);
    expect(checkProperty('chat-independence', slow)).toEqual([]);
  });

  it(
    "starts a reply's turn after the sends its chat began before it: resends of earlier " +
      'replies go first',
    () => {
      // Arrange: r2 (in c2) waits behind r9's resend in c2, which took from 1100 to 30_000.
      const h = twoChats(30_000);
      h.attempts.splice(
        1,
        0,
        attempt(3, 'r9', {
          at: 1100,
          chat: 'c2',
          chatJid: c2Jid,
          writtenAt: 30_000,
          settledAt: 30_000,
        }),
      );
      const overtaken = structuredClone(h);
      overtaken.attempts[1]!.at = 30_001; // r9's send came after r2's: it held nothing up
      // Act / Assert
      expect(checkProperty('chat-independence', h)).toEqual([]);
      expect(checkProperty('chat-independence', overtaken)).toMatchObject([{ key: 'r2' }]);
    },
  );

  it('measures latency only on sockets that never went silent', () => {
    const h = twoChats(1120);
    h.server.frames[0]!.at = 200_000;
    expect(measuredLatencyMs(h)).toBe(79_000);
    h.sockets[0]!.silentAt = 2000;
    expect(measuredLatencyMs(h)).toBe(0);
  });
});
