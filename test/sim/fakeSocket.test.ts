/**
 * The fake socket's own mechanics, timed exactly on the virtual clock: the login, the send
 * pipeline (pre-write queries, the write, the frame's trip), how each way of losing a connection
 * reaches the path, the keep-alive on a silent link, the session, inbound delivery and receipts.
 * That each behaviour is rc14's is the differential suite's job (test/integration/fidelity.diff).
 */
import type { Boom } from '@hapi/boom';
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { messageIdPattern } from '../../sim/random.js';
import { c1, testNetwork } from './helpers.js';

type Update = BaileysEventMap['connection.update'];
type Sock = ReturnType<ReturnType<typeof testNetwork>['net']['makeSocket']>;

/** Records every connection.update of a socket with its virtual time. */
function watch(sock: Sock, now: () => number) {
  const updates: { at: number; update: Update }[] = [];
  sock.ev.on('connection.update', (update) => updates.push({ at: now(), update }));
  return updates;
}

/** How a promise settled, and when. */
function settle<T>(p: Promise<T>, now: () => number) {
  const out: { done: boolean; at?: number; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(out, { done: true, at: now(), value }),
    (error: unknown) => Object.assign(out, { done: true, at: now(), error }),
  );
  return out;
}

const boom = (error: unknown) => [(error as Boom).output?.statusCode, (error as Boom).message];
const text = (key: string) => ({ text: `[key=${key}] hi` });
const id = (n: number) => `3EB0${String(n).padStart(18, '0')}`;

describe('fake socket: login', () => {
  it(
    'emits connecting, then the pending notifications, isOnline and open after the connect ' +
      'delay plus latency',
    async () => {
      // Arrange
      const { clock, net, runUntil } = testNetwork({ connectDelayMs: 50, baseLatencyMs: 10 });
      // Act
      const updates = watch(net.makeSocket(), () => clock.now());
      await runUntil(1000);
      // Assert
      expect(updates).toEqual([
        {
          at: 0,
          update: { connection: 'connecting', receivedPendingNotifications: false, qr: undefined },
        },
        { at: 60, update: { receivedPendingNotifications: true } },
        { at: 60, update: { isOnline: true } },
        { at: 60, update: { connection: 'open' } },
      ]);
      expect(net.sockets[0]!.record).toMatchObject({ generation: 1, state: 'open', openedAt: 60 });
    },
  );

  it(
    'closes a refused connect at once (408 ECONNREFUSED) and a hanging one at ' +
      'connectTimeoutMs (408 handshake)',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      net.apply({ at: 0, do: 'refuseConnects', untilAt: 100 });
      net.apply({ at: 0, do: 'blackhole', untilAt: 1000 });
      // Act
      const hanging = watch(net.makeSocket({ connectTimeoutMs: 500 }), () => clock.now());
      at(2000, () => net.apply({ at: 2000, do: 'heal' }));
      let refused: { at: number; update: Update }[] = [];
      at(2000, () => {
        net.apply({ at: 2000, do: 'refuseConnects', untilAt: 3000 });
        refused = watch(net.makeSocket(), () => clock.now());
      });
      await runUntil(5000);
      // Assert
      expect(hanging.at(-1)!.at).toBe(500);
      expect(boom(hanging.at(-1)!.update.lastDisconnect?.error)).toEqual([
        408,
        'WebSocket Error (Opening handshake has timed out)',
      ]);
      expect(refused.at(-1)!.at).toBe(2060);
      expect(boom(refused.at(-1)!.update.lastDisconnect?.error)).toEqual([
        408,
        'WebSocket Error (connect ECONNREFUSED 127.0.0.1:443)',
      ]);
      expect(net.sockets.map((s) => s.record.cause)).toEqual(['hang', 'refused']);
    },
  );

  it(
    'fails a login with Connection Failure and the reason; an upgrade answered with an ' +
      'HTTP error stays connecting for ever',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      net.apply({ at: 0, do: 'loginFailure', untilAt: 100, reason: 403 });
      // Act
      const failed = watch(net.makeSocket(), () => clock.now());
      let stuck: { at: number; update: Update }[] = [];
      let stuckSock: Sock | undefined;
      at(1000, () => {
        net.apply({ at: 1000, do: 'upgradeRejected', untilAt: 1100, status: 503 });
        stuckSock = net.makeSocket();
        stuck = watch(stuckSock, () => clock.now());
      });
      let send: ReturnType<typeof settle> | undefined;
      at(500_000, () => (send = settle(stuckSock!.sendMessage(c1, text('r1')), () => clock.now())));
      await runUntil(600_000);
      // Assert
      expect(boom(failed.at(-1)!.update.lastDisconnect?.error)).toEqual([
        403,
        'Connection Failure',
      ]);
      expect(stuck.map((u) => u.update.connection)).toEqual(['connecting']);
      expect(net.sockets[1]!.record).toMatchObject({
        state: 'connecting',
        cause: 'upgradeRejected',
      });
      expect(boom(send!.error)).toEqual([428, 'Connection Closed']);
    },
  );

  it(
    'replaces an open socket when a newer one logs in: the older one closes with conflict ' + '440',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const first = watch(net.makeSocket(), () => clock.now());
      // Act
      at(1000, () => void net.makeSocket());
      await runUntil(3000);
      // Assert
      expect(boom(first.at(-1)!.update.lastDisconnect?.error)).toEqual([
        440,
        'Stream Errored (conflict)',
      ]);
      expect(net.sockets[0]!.record).toMatchObject({
        state: 'closed',
        cause: 'replaced',
        dropReason: 'conflict',
      });
      expect(net.sockets[1]!.record.state).toBe('open');
    },
  );

  it('after a loggedOut drop, every later login fails 401 Connection Failure', async () => {
    // Arrange
    const { clock, net, server, runUntil, at } = testNetwork();
    net.makeSocket();
    // Act
    at(1000, () => net.apply({ at: 1000, do: 'drop', reason: 'loggedOut' }));
    let next: { at: number; update: Update }[] = [];
    at(5000, () => (next = watch(net.makeSocket(), () => clock.now())));
    await runUntil(8000);
    // Assert
    expect(net.sockets[0]!.record.closeError).toMatchObject({
      statusCode: 401,
      message: 'Stream Errored (conflict)',
    });
    expect(boom(next.at(-1)!.update.lastDisconnect?.error)).toEqual([401, 'Connection Failure']);
    expect(server.snapshot().session.loggedOutAt).toBe(1000);
  });
});

describe('fake socket: sending', () => {
  it('rejects a send before open with 428 Connection Closed, before any write', async () => {
    // Arrange
    const { clock, server, net, runUntil } = testNetwork();
    const sock = net.makeSocket();
    // Act
    const result = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
      clock.now(),
    );
    await runUntil(1000);
    // Assert
    expect(boom(result.error)).toEqual([428, 'Connection Closed']);
    expect(server.snapshot().frames).toEqual([]);
    expect(net.attempts[0]).toMatchObject({
      socketState: 'connecting',
      result: 'rejected',
      written: false,
      key: 'r1',
    });
  });

  it(
    'runs two usync round trips before the first write per chat, resolves at the write ' +
      'with a proto value, and echoes it',
    async () => {
      // Arrange
      const { clock, server, net, runUntil, at } = testNetwork({ baseLatencyMs: 10, echoMs: 100 });
      const sock = net.makeSocket();
      const echoes: { at: number; fromMe: boolean; type: string }[] = [];
      sock.ev.on('messages.upsert', (u) =>
        echoes.push({ at: clock.now(), fromMe: u.messages[0]!.key.fromMe === true, type: u.type }),
      );
      // Act
      let first: ReturnType<typeof settle> | undefined;
      let second: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (first = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      at(
        300,
        () =>
          (second = settle(sock.sendMessage(c1, text('r2'), { messageId: id(2) }), () =>
            clock.now(),
          )),
      );
      await runUntil(1000);
      // Assert
      expect(first!.at).toBe(140);
      expect(second!.at).toBe(300); // the chat's device list is known: no queries
      const value = first!.value as proto.WebMessageInfo;
      expect(value).toBeInstanceOf(proto.WebMessageInfo);
      expect(value.status).toBe(proto.WebMessageInfo.Status.PENDING);
      expect(value.messageTimestamp).toMatchObject({ low: 0, high: 0 });
      expect(server.snapshot().frames.map((f) => [f.key, f.at])).toEqual([
        ['r1', 150],
        ['r2', 310],
      ]);
      expect(net.attempts[0]).toMatchObject({
        result: 'ok',
        writtenAt: 140,
        settledAt: 140,
        reachedServer: true,
        queryTimeouts: 0,
      });
      expect(echoes).toEqual([
        { at: 240, fromMe: true, type: 'append' },
        { at: 400, fromMe: true, type: 'append' },
      ]);
    },
  );

  it('draws an id from its own seeded stream when the send has none', async () => {
    const { net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    at(100, () => void sock.sendMessage(c1, { text: 'x' }).catch(() => undefined));
    await runUntil(1000);
    expect(net.attempts[0]!.messageId).toMatch(messageIdPattern);
  });

  it(
    'waits defaultQueryTimeoutMs for each ' + 'unanswered query, then writes: slow, not failed',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket({ defaultQueryTimeoutMs: 1500 });
      net.apply({ at: 0, do: 'stallQueries', untilAt: 10_000, iq: 'usync' });
      // Act
      let result: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (result = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      await runUntil(10_000);
      // Assert
      expect(result!.at).toBe(3100);
      expect(net.attempts[0]).toMatchObject({
        result: 'ok',
        queryTimeouts: 2,
        reachedServer: true,
      });
    },
  );

  it(
    'rejects a send still in its pre-write query with the bare close code when the server ' +
      'cuts the connection',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket();
      net.apply({ at: 0, do: 'stallQueries', untilAt: 10_000, iq: 'usync' });
      // Act
      let result: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (result = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      at(200, () => net.apply({ at: 200, do: 'drop', reason: 'wsClose' }));
      await runUntil(10_000);
      // Assert
      expect(result!.error).toBe(1005);
      expect(result!.at).toBe(210);
      expect(net.attempts[0]).toMatchObject({ result: 'rejected', written: false });
      expect(net.sockets[0]!.record).toMatchObject({
        cause: 'drop',
        dropReason: 'wsClose',
        diedAt: 200,
        closeEmittedAt: 210,
        closeError: { statusCode: 428 },
      });
    },
  );

  it('resolves a write made before the bot hears a cut; its frame is lost', async () => {
    // Arrange
    const { clock, server, net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    // the chat's devices are known after this
    at(100, () => void sock.sendMessage(c1, text('r0'), { messageId: id(1) }));
    // Act
    let result: ReturnType<typeof settle> | undefined;
    at(500, () => net.apply({ at: 500, do: 'drop', reason: 'connectionClosed', noticeMs: 200 }));
    at(
      600,
      () =>
        (result = settle(sock.sendMessage(c1, text('r1'), { messageId: id(2) }), () =>
          clock.now(),
        )),
    );
    await runUntil(2000);
    // Assert
    expect(result!.at).toBe(600);
    expect(net.attempts[1]).toMatchObject({ result: 'ok', written: true, reachedServer: false });
    expect(server.snapshot().frames.map((f) => f.key)).toEqual(['r0']);
    expect(net.sockets[0]!.record.closeEmittedAt).toBe(700);
  });

  it('fails stuck writes 408 Timed Out after connectTimeoutMs, never written', async () => {
    // Arrange
    const { clock, net, runUntil, at } = testNetwork();
    const sock = net.makeSocket({ connectTimeoutMs: 2000 });
    net.apply({ at: 0, do: 'stuckWrites', untilAt: 5000 });
    // Act
    let result: ReturnType<typeof settle> | undefined;
    at(
      100,
      () =>
        (result = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
          clock.now(),
        )),
    );
    await runUntil(10_000);
    // Assert
    expect(boom(result!.error)).toEqual([408, 'Timed Out']);
    expect(result!.at).toBe(2140);
    expect(net.attempts[0]).toMatchObject({ written: false, reachedServer: false });
  });

  it(
    'nacks a message: it resolves, the bot gets messages.update ERROR, the recipient never ' +
      'sees it',
    async () => {
      // Arrange
      const { clock, server, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket();
      const updates: { at: number; status: unknown }[] = [];
      sock.ev.on('messages.update', (u) =>
        updates.push({ at: clock.now(), status: u[0]!.update.status }),
      );
      net.apply({ at: 0, do: 'nack', delayMs: 500 });
      // Act
      at(100, () => void sock.sendMessage(c1, text('r1'), { messageId: id(1) }));
      await runUntil(2000);
      // Assert
      expect(updates).toEqual([{ at: 660, status: proto.WebMessageInfo.Status.ERROR }]);
      expect(server.snapshot().visible).toEqual({});
      expect(net.attempts[0]).toMatchObject({ result: 'ok', nacked: true });
    },
  );

  it(
    'fails a media send when media_conn errs, and keeps failing on that socket after the ' +
      'fault is gone',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket();
      net.apply({ at: 0, do: 'mediaFails', untilAt: 1000, stage: 'mediaConn' });
      const media = { image: Buffer.alloc(10), caption: '[key=d1] pic' };
      // Act
      let first: ReturnType<typeof settle> | undefined;
      let later: ReturnType<typeof settle> | undefined;
      at(
        100,
        () =>
          (first = settle(sock.sendMessage(c1, media, { messageId: id(1) }), () => clock.now())),
      );
      at(
        2000,
        () =>
          (later = settle(
            sock.sendMessage(c1, { ...media, caption: '[key=d2] pic' }, { messageId: id(2) }),
            () => clock.now(),
          )),
      );
      await runUntil(5000);
      // Assert
      expect(boom(first!.error)).toEqual([500, 'internal-server-error']);
      expect(boom(later!.error)).toEqual([500, 'internal-server-error']);
      expect(later!.at).toBe(2000);
    },
  );
});

describe('fake socket: silent links', () => {
  it(
    'notices a silent link by keep-alive, closes 408 after ws close timeout; sends in ' +
      'between get 428',
    async () => {
      // Arrange
      const { clock, server, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket({ keepAliveIntervalMs: 1000, defaultQueryTimeoutMs: 1500 });
      const updates = watch(sock, () => clock.now());
      // Act
      at(1000, () => net.apply({ at: 1000, do: 'drop', reason: 'connectionLost' }));
      let written: ReturnType<typeof settle> | undefined;
      let late: ReturnType<typeof settle> | undefined;
      at(
        1100,
        () =>
          (written = settle(sock.sendMessage(c1, text('r1'), { messageId: id(1) }), () =>
            clock.now(),
          )),
      );
      at(
        9000,
        () =>
          (late = settle(sock.sendMessage(c1, text('r2'), { messageId: id(2) }), () =>
            clock.now(),
          )),
      );
      await runUntil(60_000);
      // Assert
      const close = updates.at(-1)!;
      const noticedAt = net.sockets[0]!.record.diedAt!;
      expect(noticedAt).toBeGreaterThanOrEqual(1000 + 5000);
      expect(noticedAt).toBeLessThanOrEqual(1000 + 2 * 1000 + 5000);
      expect(close.at).toBe(noticedAt + 30_000);
      expect(boom(close.update.lastDisconnect?.error)).toEqual([408, 'Connection was lost']);
      expect(written!.at).toBe(1100 + 2 * 1500);
      expect(net.attempts[0]).toMatchObject({
        result: 'ok',
        written: true,
        reachedServer: false,
        queryTimeouts: 2,
      });
      expect(boom(late!.error)).toEqual([428, 'Connection Closed']);
      expect(server.snapshot().frames).toEqual([]);
      expect(net.sockets[0]!.record).toMatchObject({
        cause: 'silent',
        silentAt: 1000,
        state: 'closed',
      });
    },
  );

  it(
    'delivers what stalled when a blackhole ends before the keep-alive notices; the socket ' +
      'lives on',
    async () => {
      // Arrange
      const { clock, server, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket({ keepAliveIntervalMs: 30_000 });
      at(100, () => void sock.sendMessage(c1, text('r0'), { messageId: id(1) }));
      // Act
      at(1000, () => net.apply({ at: 1000, do: 'blackhole', untilAt: 4000 }));
      let result: ReturnType<typeof settle> | undefined;
      at(
        2000,
        () =>
          (result = settle(sock.sendMessage(c1, text('r1'), { messageId: id(2) }), () =>
            clock.now(),
          )),
      );
      await runUntil(100_000);
      // Assert
      expect(result!.at).toBe(2000);
      expect(server.snapshot().frames.map((f) => [f.key, f.at])).toEqual([
        ['r0', 150],
        ['r1', 4010],
      ]);
      expect(net.sockets[0]!.record).toMatchObject({
        state: 'open',
        silentAt: 1000,
        resumedAt: 4000,
      });
    },
  );

  it(
    'counts what stalled as heard only if it arrived: a link silent again within a trip ' +
      'dies as if never back',
    async () => {
      // Arrange: a 1.5 s trip; the link comes back for 0.5 s only, then dies silently for good.
      const diedAt = async (flicker: boolean): Promise<number> => {
        const { net, runUntil, at } = testNetwork();
        net.makeSocket({ keepAliveIntervalMs: 30_000 });
        at(500, () => net.apply({ at: 500, do: 'latency', ms: 1500 }));
        if (flicker) at(1000, () => net.apply({ at: 1000, do: 'blackhole', untilAt: 40_000 }));
        const deathAt = flicker ? 40_500 : 1000;
        at(deathAt, () => net.apply({ at: deathAt, do: 'drop', reason: 'connectionLost' }));
        await runUntil(300_000);
        return net.sockets[0]!.record.diedAt!;
      };
      // Act
      const [flickered, silentThroughout] = [await diedAt(true), await diedAt(false)];
      // Assert: nothing was heard after 1 s either way, so rc14's keep-alive ends both alike.
      expect(flickered).toBe(silentThroughout);
    },
  );

  it(
    'ends on a silent link with end(): close ' + 'comes ws close timeout later, with no error',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket();
      const updates = watch(sock, () => clock.now());
      at(1000, () => net.apply({ at: 1000, do: 'drop', reason: 'connectionLost' }));
      // Act
      let ended: ReturnType<typeof settle> | undefined;
      at(1500, () => (ended = settle(sock.end(undefined), () => clock.now())));
      await runUntil(60_000);
      // Assert
      expect(updates.at(-1)).toMatchObject({
        at: 31_500,
        update: { connection: 'close', lastDisconnect: { error: undefined } },
      });
      expect(ended!.at).toBe(31_500);
      expect(net.sockets[0]!.record).toMatchObject({ cause: 'end', endCalledAt: 1500 });
    },
  );
});

describe('fake socket: end and listeners', () => {
  it(
    'end() is single-use: one close with the given error one round trip later, listeners ' +
      'removed and counted',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork();
      const sock = net.makeSocket();
      const closes: { at: number; error: unknown }[] = [];
      sock.ev.on('connection.update', (u) =>
        u.connection === 'close'
          ? closes.push({ at: clock.now(), error: u.lastDisconnect?.error })
          : undefined,
      );
      const bye = new Error('bye');
      // Act
      at(100, () => {
        void sock.end(bye);
        void sock.end(new Error('again'));
      });
      at(500, () => void sock.end(undefined));
      await runUntil(1000);
      // Assert
      expect(closes).toEqual([{ at: 120, error: bye }]);
      expect(net.sockets[0]!.record).toMatchObject({
        state: 'closed',
        endCalls: 3,
        endCalledAt: 100,
        closeError: { name: 'Error', message: 'bye' },
      });
      expect(net.sockets[0]!.record.listeners['connection.update']).toEqual({
        added: 1,
        removed: 1,
        aliveMax: 1,
      });
    },
  );

  it('counts listeners per event: added, removed, most alive at once', () => {
    // Arrange
    const { net } = testNetwork();
    const sock = net.makeSocket();
    const a = () => undefined;
    const b = () => undefined;
    // Act
    sock.ev.on('messages.upsert', a);
    sock.ev.on('messages.upsert', b);
    sock.ev.off('messages.upsert', a);
    sock.ev.on('messages.upsert', a);
    sock.ev.off('messages.upsert', () => undefined); // not registered: no change
    // Assert
    expect(net.sockets[0]!.record.listeners['messages.upsert']).toEqual({
      added: 3,
      removed: 1,
      aliveMax: 2,
    });
  });
});

describe('fake socket: inbound', () => {
  it(
    'delivers live inbound as notify, batched; ' + 'held inbound as append after the next login',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = testNetwork({
        inboundFlushMs: 30,
        offlineDeliveryMs: 100,
      });
      const seen: { at: number; ids: string[]; type: string; generation: number }[] = [];
      const listen = (sock: Sock, generation: number) =>
        sock.ev.on('messages.upsert', ({ messages, type }) =>
          seen.push({ at: clock.now(), ids: messages.map((m) => m.key.id!), type, generation }),
        );
      const kind = 'text' as const;
      // Act
      at(10, () => net.pushInbound({ chatJid: c1, id: 'IN1', text: 'early', kind, msg: 'm1' }));
      at(20, () => listen(net.makeSocket(), 1));
      at(500, () => {
        net.pushInbound({ chatJid: c1, id: 'IN2', text: 'a', kind, msg: 'm2' });
        net.pushInbound({ chatJid: c1, id: 'IN3', text: 'b', kind, msg: 'm3' });
      });
      await runUntil(2000);
      // Assert
      expect(seen).toEqual([
        { at: 180, ids: ['IN1'], type: 'append', generation: 1 },
        { at: 540, ids: ['IN2', 'IN3'], type: 'notify', generation: 1 },
      ]);
    },
  );

  it('delivers again at the next login what the server holds no receipt for', async () => {
    // Arrange
    const { clock, net, runUntil, at, emitted } = testNetwork();
    const first = net.makeSocket();
    first.ev.on('messages.upsert', () => undefined);
    net.apply({ at: 0, do: 'receiptsLost', untilAt: 2000 });
    // Act
    at(500, () => net.pushInbound({ chatJid: c1, id: 'IN1', text: 'hi', kind: 'text', msg: 'm1' }));
    at(1000, () => net.apply({ at: 1000, do: 'drop', reason: 'connectionReset' }));
    at(3000, () => void net.makeSocket());
    await runUntil(5000);
    // Assert
    expect(emitted.map((e) => [e.message.id, e.generation, e.type])).toEqual([
      ['IN1', 1, 'notify'],
      ['IN1', 2, 'append'],
    ]);
    expect(clock.now()).toBe(5000);
  });
});
