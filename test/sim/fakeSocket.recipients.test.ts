/**
 * The fake socket's group chats, pre-write queries that reject, and what recipients send back
 * (delivery, read and retry receipts), timed on the virtual clock. That each behaviour is rc14's
 * is the differential suite's job (test/integration/fidelity.diff, the group-, receipt- and
 * retry- scenarios).
 */
import type { Boom } from '@hapi/boom';
import type { BaileysEventMap, WAMessageKey } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { c1, testNetwork } from './helpers.js';

type Sock = ReturnType<ReturnType<typeof testNetwork>['net']['makeSocket']>;

/** How a promise settled, and when. */
function settle<T>(p: Promise<T>, now: () => number) {
  const out: { done: boolean; at?: number; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(out, { done: true, at: now(), value }),
    (error: unknown) => Object.assign(out, { done: true, at: now(), error }),
  );
  return out;
}

const shape = (error: unknown) => ({
  statusCode: (error as Boom).output?.statusCode,
  message: (error as Boom).message,
  data: (error as Boom).data,
});
const text = (key: string) => ({ text: `[key=${key}] hi` });
const id = (n: number) => `3EB0${String(n).padStart(18, '0')}`;
const group = '120363000000000002@g.us';

/** Every `messages.update` and `message-receipt.update` of a socket, with its time. */
function updatesOf(sock: Sock, now: () => number) {
  const updates: { at: number; id: string | null | undefined; status?: unknown; stub?: unknown }[] =
    [];
  const receipts: {
    at: number;
    id: string | null | undefined;
    user: string | null | undefined;
    read: boolean;
  }[] = [];
  sock.ev.on('messages.update', (u: BaileysEventMap['messages.update']) => {
    for (const { key, update } of u)
      updates.push({
        at: now(),
        id: key.id,
        status: update.status,
        ...(update.messageStubParameters ? { stub: update.messageStubParameters } : {}),
      });
  });
  sock.ev.on('message-receipt.update', (u: BaileysEventMap['message-receipt.update']) => {
    for (const { key, receipt } of u)
      receipts.push({
        at: now(),
        id: key.id,
        user: receipt.userJid,
        read: receipt.readTimestamp !== undefined,
      });
  });
  return { updates, receipts };
}

describe('fake socket: group chats and pre-write queries that reject', () => {
  it(
    'asks for a group metadata before every group ' + 'send, then the devices once, then writes',
    async () => {
      // Arrange
      const { clock, server, net, runUntil, at } = testNetwork({
        deliveryReceiptMs: undefined,
        readReceiptMs: undefined,
      });
      const sock = net.makeSocket();
      // Act
      let first: ReturnType<typeof settle> | undefined;
      let second: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (first = settle(sock.sendMessage(group, text('g1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      at(
        1000,
        () =>
          (second = settle(sock.sendMessage(group, text('g2'), { messageId: id(2) }), () =>
            clock.now(),
          )),
      );
      await runUntil(3000);
      // Assert: metadata + devices (two round trips of 20 ms), then metadata alone.
      expect(first!.at).toBe(140);
      expect(second!.at).toBe(1020);
      expect(server.snapshot().visible[group]?.map((v) => v.key)).toEqual(['g1', 'g2']);
    },
  );

  it(
    "rejects a group send whose metadata is never answered with rc14's Boom 500 after " +
      'defaultQueryTimeoutMs, nothing written',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket({ defaultQueryTimeoutMs: 1500 });
      net.apply({ at: 0, do: 'queryRejects', untilAt: 10_000, reason: 'groupMetadataUnanswered' });
      // Act
      let sent: ReturnType<typeof settle> | undefined;
      let other: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (sent = settle(sock.sendMessage(group, text('g1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      at(
        100,
        () =>
          (other = settle(sock.sendMessage(c1, text('r1'), { messageId: id(2) }), () =>
            clock.now(),
          )),
      );
      await runUntil(5000);
      // Assert
      expect(sent!.at).toBe(1600);
      expect(shape(sent!.error)).toEqual({
        statusCode: 500,
        message: 'Invalid group metadata response: missing <group> node',
        data: null,
      });
      expect(net.attempts[0]).toMatchObject({
        result: 'rejected',
        written: false,
        queryTimeouts: 1,
      });
      // The 1:1 send waited behind it in the socket's send lock, and went out.
      expect(other!.value).toBeDefined();
      expect(other!.at).toBe(1640);
    },
  );

  it(
    'rejects at once with forbidden (data 403) a group send of a group the bot is not in, ' +
      'and 429 rate-overlimit a first send per chat',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket();
      // Act
      const sends: ReturnType<typeof settle>[] = [];
      at(100, () => net.apply({ at: 100, do: 'queryRejects', untilAt: 400, reason: 'notInGroup' }));
      at(100, () =>
        sends.push(
          settle(sock.sendMessage(group, text('g1'), { messageId: id(1) }), () => clock.now()),
        ),
      );
      at(500, () =>
        sends.push(
          settle(sock.sendMessage(c1, text('r1'), { messageId: id(2) }), () => clock.now()),
        ),
      );
      at(600, () =>
        net.apply({ at: 600, do: 'queryRejects', untilAt: 900, reason: 'rateOverlimit' }),
      );
      at(700, () =>
        sends.push(
          settle(sock.sendMessage(c1, text('r2'), { messageId: id(3) }), () => clock.now()),
        ),
      );
      at(700, () =>
        sends.push(
          settle(sock.sendMessage(group, text('g2'), { messageId: id(4) }), () => clock.now()),
        ),
      );
      await runUntil(3000);
      // Assert: r2 needs no usync (c1's devices are known on this socket); g2's metadata is
      // answered, then its first usync refused.
      expect([sends[0]!.at, shape(sends[0]!.error)]).toEqual([
        120,
        { statusCode: 500, message: 'forbidden', data: 403 },
      ]);
      expect(sends[2]!.value).toBeDefined();
      expect([sends[3]!.at, shape(sends[3]!.error)]).toEqual([
        740,
        { statusCode: 500, message: 'rate-overlimit', data: 429 },
      ]);
      expect(net.attempts.map((a) => a.error?.data)).toEqual([403, undefined, undefined, 429]);
    },
  );

  it(
    "rejects a 1:1 send whose key fetch is never answered with 'All encryptions failed'; " +
      'groups fetch no keys',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket({ defaultQueryTimeoutMs: 1500 });
      net.apply({ at: 0, do: 'queryRejects', untilAt: 10_000, reason: 'keyFetchUnanswered' });
      // Act
      let direct: ReturnType<typeof settle> | undefined;
      let inGroup: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (direct = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      at(
        100,
        () =>
          (inGroup = settle(sock.sendMessage(group, text('g1'), { messageId: id(2) }), () =>
            clock.now(),
          )),
      );
      await runUntil(5000);
      // Assert: the devices (20 ms), then the key fetch's timeout.
      expect([direct!.at, shape(direct!.error)]).toEqual([
        1620,
        { statusCode: 500, message: 'All encryptions failed', data: null },
      ]);
      expect(inGroup!.value).toBeDefined();
    },
  );

  it(
    "skips the metadata query when the path's " + 'cachedGroupMetadata knows the participants',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const asked: string[] = [];
      const cachedGroupMetadata = async (jid: string) => (
        asked.push(jid),
        { id: jid, participants: [] }
      );
      const sock = net.makeSocket({ cachedGroupMetadata: cachedGroupMetadata as never });
      net.apply({ at: 0, do: 'queryRejects', untilAt: 10_000, reason: 'notInGroup' });
      // Act
      let sent: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (sent = settle(sock.sendMessage(group, text('g1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      await runUntil(2000);
      // Assert
      expect(asked).toEqual([group]);
      expect(sent!.value).toBeDefined();
    },
  );
});

describe("fake socket: recipients' receipts and nacks", () => {
  it(
    'emits delivery (3) then read (4) receipts after the message showed; a group gets them ' +
      'per member',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork({
        deliveryReceiptMs: 250,
        readReceiptMs: 2000,
      });
      const sock = net.makeSocket();
      const { updates, receipts } = updatesOf(sock, () => clock.now());
      // Act
      at(100, () => void sock.sendMessage(c1, text('r1'), { messageId: id(1) }));
      at(100, () => void sock.sendMessage(group, text('g1'), { messageId: id(2) }));
      await runUntil(5000);
      // Assert: r1 shows at 150 (two usync round trips and the trip), each receipt one latency
      // later.
      expect(updates).toEqual([
        { at: 410, id: id(1), status: 3 },
        { at: 2160, id: id(1), status: 4 },
      ]);
      expect(receipts.map((r) => [r.at, r.id, r.read])).toEqual([
        [450, id(2), false],
        [2200, id(2), true],
      ]);
      expect(receipts[0]!.user).toMatch(/^1666\d{7}@s\.whatsapp\.net$/);
    },
  );

  it(
    'holds receipts while the recipient is away, and for an offline bot until its next ' +
      "login; a nack's carries its code",
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork({
        deliveryReceiptMs: 250,
        readReceiptMs: undefined,
      });
      const first = net.makeSocket();
      const firstUpdates = updatesOf(first, () => clock.now()).updates;
      net.apply({ at: 0, do: 'recipientAway', untilAt: 3000 });
      net.apply({ at: 0, do: 'nack', delayMs: 100, code: '463' });
      let second: Sock | undefined;
      let secondUpdates: ReturnType<typeof updatesOf>['updates'] = [];
      // Act
      at(100, () => void first.sendMessage(c1, text('n1'), { messageId: id(1) }));
      at(200, () => void first.sendMessage(c1, text('r1'), { messageId: id(2) }));
      at(1000, () => void first.end(undefined));
      at(5000, () => {
        second = net.makeSocket();
        secondUpdates = updatesOf(second, () => clock.now()).updates;
      });
      await runUntil(8000);
      // Assert
      expect(firstUpdates).toEqual([
        {
          at: 150 + 100 + 10,
          id: id(1),
          status: 0,
          stub: ['463', 'Your account has been restricted'],
        },
      ]);
      expect(secondUpdates).toEqual([{ at: 5060 + 100, id: id(2), status: 3 }]);
    },
  );
});

describe('fake socket: retry receipts', () => {
  /**
   * A network where the next message fails to decrypt and its retry receipt comes `retryAfterMs`
   * later.
   */
  function undecryptableNetwork(retryAfterMs: number) {
    const env = testNetwork({ deliveryReceiptMs: undefined, readReceiptMs: undefined });
    env.net.apply({ at: 0, do: 'undecryptable', retryAfterMs });
    return env;
  }

  it(
    'resends by itself, same id, from the socket that wrote it: visible once, from the ' + 'resend',
    async () => {
      // Arrange
      const { server, net, runUntil, at } = undecryptableNetwork(500);
      const sock = net.makeSocket();
      // Act
      at(100, () => void sock.sendMessage(c1, text('r1'), { messageId: id(1) }));
      await runUntil(3000);
      // Assert: the frame at 150, the receipt at 660, a key fetch and two usyncs (60 ms), the trip.
      const { frames, visible, retryRequests } = server.snapshot();
      expect(
        frames.map((f) => [f.at, f.messageId, f.undecryptable ?? false, f.retryResend ?? false]),
      ).toEqual([
        [150, id(1), true, false],
        [730, id(1), false, true],
      ]);
      expect(visible['c1']?.map((v) => [v.at, v.key])).toEqual([[730, 'r1']]);
      expect(retryRequests).toEqual([
        {
          messageId: id(1),
          chat: 'c1',
          chatJid: c1,
          at: 650,
          deliveries: [{ at: 650, generation: 1 }],
          answer: { at: 730, generation: 1, outcome: 'resent' },
        },
      ]);
      expect(net.attempts[0]).toMatchObject({ undecryptable: true, result: 'ok' });
    },
  );

  it(
    "cannot resend from a newer socket without the path's getMessage: the recipient never " +
      'sees it',
    async () => {
      // Arrange
      const { server, net, runUntil, at } = undecryptableNetwork(3000);
      const first = net.makeSocket();
      // Act
      at(100, () => void first.sendMessage(c1, text('r1'), { messageId: id(1) }));
      at(1000, () => void first.end(undefined));
      at(2000, () => void net.makeSocket());
      await runUntil(8000);
      // Assert
      expect(server.snapshot().visible).toEqual({});
      expect(server.snapshot().retryRequests?.[0]?.answer).toEqual({
        at: 3170,
        generation: 2,
        outcome: 'unavailable',
      });
      expect(net.lossUnsettled(false)).toBe(false);
    },
  );

  it(
    "resends from a newer socket what the path's " + "getMessage returns, asked with rc14's key",
    async () => {
      // Arrange
      const { server, net, runUntil, at } = undecryptableNetwork(3000);
      const keys: WAMessageKey[] = [];
      const getMessage = async (key: WAMessageKey) => (
        keys.push(key),
        { conversation: '[key=r1] hi' }
      );
      const first = net.makeSocket({ getMessage });
      // Act
      at(100, () => void first.sendMessage(c1, text('r1'), { messageId: id(1) }));
      at(1000, () => void first.end(undefined));
      at(2000, () => void net.makeSocket({ getMessage }));
      await runUntil(8000);
      // Assert
      expect(keys).toEqual([{ remoteJid: c1, id: id(1), fromMe: true, participant: c1 }]);
      expect(server.snapshot().visible['c1']?.map((v) => [v.generation, v.key])).toEqual([
        [2, 'r1'],
      ]);
      expect(server.snapshot().frames.at(-1)).toMatchObject({
        retryResend: true,
        attemptSeq: 1,
        generation: 2,
      });
    },
  );

  it(
    'resends one id twice at most per socket; a retry receipt is pushed again to the next ' +
      'socket when the socket closes before acknowledging it',
    async () => {
      // Arrange
      const { server, net, runUntil, at } = testNetwork({
        deliveryReceiptMs: undefined,
        readReceiptMs: undefined,
      });
      for (let i = 0; i < 3; i += 1) net.apply({ at: 0, do: 'undecryptable', retryAfterMs: 100 });
      net.apply({ at: 0, do: 'undecryptable', chat: 'c1', retryAfterMs: 1000 });
      const sock = net.makeSocket();
      // Act: three retries of r1 on one socket; r2's receipt is pushed while its socket is closing.
      at(100, () => void sock.sendMessage(c1, text('r1'), { messageId: id(1) }));
      await runUntil(1000);
      at(1000, () => void sock.sendMessage(c1, text('r2'), { messageId: id(2) }));
      at(1500, () => net.apply({ at: 1500, do: 'drop', reason: 'connectionClosed' }));
      at(2000, () => void net.makeSocket());
      await runUntil(6000);
      // Assert
      const requests = server.snapshot().retryRequests!;
      expect(requests.map((r) => [r.messageId, r.answer?.outcome])).toEqual([
        [id(1), 'resent'],
        [id(1), 'resent'],
        [id(1), 'overLimit'],
        [id(2), 'unavailable'],
      ]);
      expect(requests[3]!.deliveries.map((d) => d.generation)).toEqual([2]);
      expect(server.snapshot().visible['c1']?.map((v) => v.key)).toBeUndefined();
    },
  );

  it('keeps a run unsettled while a retry receipt waits for an answer', async () => {
    // Arrange
    const { net, runUntil, at } = undecryptableNetwork(5000);
    const sock = net.makeSocket();
    // Act
    at(100, () => void sock.sendMessage(c1, text('r1'), { messageId: id(1) }));
    await runUntil(1000);
    const waiting = net.lossUnsettled(false);
    await runUntil(7000);
    // Assert
    expect(waiting).toBe(true);
    expect(net.lossUnsettled(false)).toBe(false);
  });
});
