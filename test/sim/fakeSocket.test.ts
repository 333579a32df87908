import type { Boom } from '@hapi/boom';
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { messageIdPattern } from '../../sim/random.js';
import { c1, testNetwork } from './helpers.js';

type Update = BaileysEventMap['connection.update'];

/** Records every connection.update of a socket with its virtual time. */
function watch(sock: { ev: { on: (e: 'connection.update', l: (u: Update) => void) => void } }, now: () => number) {
  const updates: { at: number; update: Update }[] = [];
  sock.ev.on('connection.update', (update) => updates.push({ at: now(), update }));
  return updates;
}

const settle = <T>(p: Promise<T>) => {
  const out: { done: boolean; value?: T; error?: Boom } = { done: false };
  p.then(
    (value) => Object.assign(out, { done: true, value }),
    (error: Boom) => Object.assign(out, { done: true, error }),
  );
  return out;
};

describe('fake socket', () => {
  it('emits connecting, then open after the connect delay plus latency', async () => {
    const { clock, net, runUntil } = testNetwork({ connectDelayMs: 50, baseLatencyMs: 10 });
    const sock = net.makeSocket();
    const updates = watch(sock, () => clock.now());
    await runUntil(1000);
    expect(updates).toEqual([
      { at: 0, update: { connection: 'connecting', receivedPendingNotifications: false, qr: undefined } },
      { at: 60, update: { connection: 'open' } },
    ]);
    expect(net.sockets[0]!.record).toMatchObject({ generation: 1, state: 'open', openedAt: 60 });
  });

  it('rejects a send before open with 428 Connection Closed; the frame never reaches the server', async () => {
    const { server, net, runUntil } = testNetwork();
    const sock = net.makeSocket();
    const result = settle(sock.sendMessage(c1, { text: '[key=r1] hi' }, { messageId: '3EB0000000000000000001' }));
    await runUntil(1000);
    expect(result.error?.message).toBe('Connection Closed');
    expect(result.error?.output.statusCode).toBe(428);
    expect(server.snapshot().frames).toEqual([]);
    expect(net.attempts[0]).toMatchObject({ socketState: 'connecting', result: 'rejected', written: false, reachedServer: false, key: 'r1' });
  });

  it('resolves an open send after the latency with a PENDING WAMessage; the server logs the frame', async () => {
    const { server, net, runUntil, at } = testNetwork({ baseLatencyMs: 25 });
    const sock = net.makeSocket();
    let result: ReturnType<typeof settle> | undefined;
    at(100, () => (result = settle(sock.sendMessage(c1, { text: '[key=r1] hi' }, { messageId: '3EB0000000000000000001' }))));
    await runUntil(124);
    expect(result!.done).toBe(false);
    await runUntil(1000);
    expect(result!.value).toEqual({
      key: { remoteJid: c1, fromMe: true, id: '3EB0000000000000000001' },
      message: { extendedTextMessage: { text: '[key=r1] hi' } },
      messageTimestamp: 0,
      status: proto.WebMessageInfo.Status.PENDING,
    });
    expect(server.snapshot().frames).toEqual([
      { seq: 1, at: 125, chat: 'c1', chatJid: c1, messageId: '3EB0000000000000000001', key: 'r1', kind: 'text', generation: 1, attemptSeq: 1, duplicate: false },
    ]);
    expect(net.attempts[0]).toMatchObject({ result: 'ok', settledAt: 125, written: true, reachedServer: true });
  });

  it('draws an id from its own seeded stream when the send has none', async () => {
    const { net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    at(100, () => void sock.sendMessage(c1, { text: 'x' }));
    await runUntil(1000);
    expect(net.attempts[0]!.messageId).toMatch(messageIdPattern);
  });

  it('after a drop: sends in the notice gap get 428 pre-write; close comes noticeMs later with the drop error', async () => {
    const { clock, server, net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    const updates = watch(sock, () => clock.now());
    let gapSend: ReturnType<typeof settle> | undefined;
    at(100, () => net.apply({ at: net.now(), do: 'drop', reason: 'connectionLost', noticeMs: 200 }));
    at(150, () => (gapSend = settle(sock.sendMessage(c1, { text: 'gap' }, { messageId: '3EB0000000000000000002' }))));
    await runUntil(1000);
    expect(gapSend!.error?.output.statusCode).toBe(428);
    expect(net.attempts[0]).toMatchObject({ socketState: 'dead', closeEmittedBefore: false, written: false });
    expect(server.snapshot().frames).toEqual([]);
    const close = updates.at(-1)!;
    expect(close.at).toBe(300);
    expect(close.update.connection).toBe('close');
    const error = close.update.lastDisconnect!.error as Boom;
    expect([error.message, error.output.statusCode]).toEqual(['Connection was lost', 408]);
    expect(close.update.lastDisconnect!.date).toEqual(new Date(300)); // virtual time, not the real clock
    expect(net.sockets[0]!.record).toMatchObject({ state: 'dead', cause: 'drop', diedAt: 100, closeEmittedAt: 300, dropReason: 'connectionLost' });
  });

  it('rejects sends in flight at a drop right after close is emitted, with the close error', async () => {
    const { clock, net, runUntil, at } = testNetwork({ baseLatencyMs: 50 });
    const sock = net.makeSocket();
    const order: string[] = [];
    let closeError: unknown;
    sock.ev.on('connection.update', (u) => {
      if (u.connection === 'close') {
        order.push(`close@${clock.now()}`);
        closeError = u.lastDisconnect?.error;
      }
    });
    let sendError: unknown;
    at(100, () => {
      sock.sendMessage(c1, { text: 'in flight' }, { messageId: '3EB0000000000000000003' }).catch((e: unknown) => {
        order.push(`rejected@${clock.now()}`);
        sendError = e;
      });
    });
    at(120, () => net.apply({ at: net.now(), do: 'drop', reason: 'connectionClosed', noticeMs: 40 }));
    await runUntil(1000);
    expect(order).toEqual(['close@160', 'rejected@160']);
    expect(sendError).toBe(closeError);
    expect((sendError as Boom).output.statusCode).toBe(428);
    expect((sendError as Boom).message).toBe('Connection Terminated');
    expect(net.attempts[0]).toMatchObject({ written: true, result: 'rejected', settledAt: 160 });
  });

  it('slowAck: the frame reaches the server but the send rejects 408 Timed Out after delayMs', async () => {
    const { server, net, runUntil, at } = testNetwork({ baseLatencyMs: 10 });
    const sock = net.makeSocket();
    let result: ReturnType<typeof settle> | undefined;
    at(100, () => net.apply({ at: net.now(), do: 'slowAck', chat: 'c1', delayMs: 5000 }));
    at(200, () => (result = settle(sock.sendMessage(c1, { text: '[key=r1] slow' }, { messageId: '3EB0000000000000000004' }))));
    await runUntil(5199);
    expect(result!.done).toBe(false);
    expect(server.snapshot().visible['c1']).toHaveLength(1);
    await runUntil(10_000);
    expect([result!.error?.message, result!.error?.output.statusCode]).toEqual(['Timed Out', 408]);
    expect(net.attempts[0]).toMatchObject({ slowAck: true, reachedServer: true, result: 'rejected', settledAt: 5200 });
  });

  it('refuses connects until untilAt with the ECONNREFUSED WebSocket Error 408, then connects', async () => {
    const { clock, net, runUntil, at } = testNetwork();
    net.apply({ at: net.now(), do: 'refuseConnects', untilAt: 500 });
    const first = net.makeSocket();
    const updates = watch(first, () => clock.now());
    let second: ReturnType<typeof net.makeSocket> | undefined;
    at(600, () => (second = net.makeSocket()));
    await runUntil(2000);
    const close = updates.at(-1)!.update;
    expect(close.connection).toBe('close');
    expect((close.lastDisconnect!.error as Boom).message).toBe('WebSocket Error (connect ECONNREFUSED 127.0.0.1:443)');
    expect((close.lastDisconnect!.error as Boom).output.statusCode).toBe(408);
    expect(net.sockets[0]!.record).toMatchObject({ refused: true, state: 'dead', cause: 'refused', closeEmittedAt: 60 });
    expect(second).toBeDefined();
    expect(net.sockets[1]!.record).toMatchObject({ refused: false, state: 'open', openedAt: 660 });
  });

  it('end() is single-use: one close with the given error, listeners removed, later calls no-ops', async () => {
    const { clock, net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    const updates = watch(sock, () => clock.now());
    const reason = new Error('bye');
    at(100, () => {
      void sock.end(reason);
      void sock.end(new Error('again'));
    });
    at(200, () => void sock.end(undefined));
    await runUntil(1000);
    const closes = updates.filter((u) => u.update.connection === 'close');
    expect(closes).toHaveLength(1);
    expect(closes[0]!.update.lastDisconnect!.error).toBe(reason);
    expect(net.sockets[0]!.record).toMatchObject({ state: 'ended', endCalls: 3, endCalledAt: 100, closeError: { name: 'Error', message: 'bye' } });
    // Sends after end are pre-write failures and nothing is emitted any more.
    await expect(sock.sendMessage(c1, { text: 'late' })).rejects.toMatchObject({ output: { statusCode: 428 } });
  });

  it('end(undefined) closes with lastDisconnect.error undefined, as Baileys does', async () => {
    const { clock, net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    const updates = watch(sock, () => clock.now());
    at(100, () => void sock.end(undefined));
    await runUntil(1000);
    expect(updates.at(-1)!.update).toEqual({ connection: 'close', lastDisconnect: { error: undefined, date: new Date(101) } });
    expect(net.sockets[0]!.record.closeError).toBeUndefined();
  });

  it('queues inbound while no socket is open and pushes it on the next socket that opens', async () => {
    const { net, runUntil, at, emitted } = testNetwork();
    const received: { at: number; id: string }[] = [];
    at(10, () => net.pushInbound({ chatJid: c1, id: 'IN1', text: 'hello', msg: 'm1' }));
    at(20, () => {
      const sock = net.makeSocket();
      sock.ev.on('messages.upsert', ({ messages, type }) => {
        expect(type).toBe('notify');
        for (const m of messages) {
          expect(m.key).toEqual({ remoteJid: c1, id: m.key.id, fromMe: false });
          received.push({ at: net.now(), id: m.key.id! });
        }
      });
    });
    at(500, () => net.pushInbound({ chatJid: c1, id: 'IN2', text: 'again', msg: 'm2' }));
    await runUntil(1000);
    expect(received).toEqual([
      { at: 81, id: 'IN1' }, // open at 80, offline delivery one step after
      { at: 500, id: 'IN2' },
    ]);
    expect(emitted.map((e) => e.generation)).toEqual([1, 1]);
  });

  it('sendPresenceUpdate rejects 428 when not open and reaches the server when open', async () => {
    const { server, net, runUntil, at } = testNetwork();
    const sock = net.makeSocket();
    await expect(sock.sendPresenceUpdate('composing', c1)).rejects.toMatchObject({ output: { statusCode: 428 } });
    let ok = false;
    at(100, () => void sock.sendPresenceUpdate('composing', c1).then(() => (ok = true)));
    await runUntil(1000);
    expect(ok).toBe(true);
    expect(server.snapshot().presence).toEqual([{ at: 110, chat: 'c1', chatJid: c1, type: 'composing', generation: 1, attemptSeq: 2 }]);
  });

  it('a second socket opening replaces the first: it dies with conflict 440', async () => {
    const { clock, net, runUntil, at } = testNetwork();
    const first = net.makeSocket();
    const updates = watch(first, () => clock.now());
    at(100, () => void net.makeSocket());
    await runUntil(2000);
    expect(net.sockets[0]!.record).toMatchObject({ state: 'dead', cause: 'replaced', diedAt: 160 });
    const error = updates.at(-1)!.update.lastDisconnect!.error as Boom;
    expect([error.message, error.output.statusCode]).toEqual(['Stream Errored (conflict)', 440]);
  });

  it("records a throwing listener instead of breaking the network's emit", async () => {
    const { net, runUntil, thrown } = testNetwork();
    const sock = net.makeSocket();
    let secondHeard = false;
    sock.ev.on('connection.update', () => {
      throw new Error('listener bug');
    });
    sock.ev.on('connection.update', () => (secondHeard = true));
    await runUntil(1000);
    expect((thrown[0] as Error).message).toBe('listener bug');
    expect(secondHeard).toBe(true);
  });
});

describe('fake socket under a blackhole', () => {
  it('a send resolves after the latency but never reaches the server; the socket stays open', async () => {
    // Arrange: open at 60 (connect 50 + latency 10), silent from 1000.
    const { server, net, runUntil, at } = testNetwork({ connectDelayMs: 50, baseLatencyMs: 10 });
    const sock = net.makeSocket();
    let result: ReturnType<typeof settle> | undefined;
    at(1000, () => net.apply({ at: net.now(), do: 'blackhole', untilAt: 5000 }));
    // Act
    at(2000, () => (result = settle(sock.sendMessage(c1, { text: '[key=r1] lost' }, { messageId: '3EB0000000000000000010' }))));
    await runUntil(50_000);
    // Assert
    expect(result!.value).toMatchObject({ key: { id: '3EB0000000000000000010' } });
    expect(net.attempts[0]).toMatchObject({ written: true, reachedServer: false, result: 'ok', settledAt: 2010 });
    expect(server.snapshot().frames).toEqual([]);
    expect(net.sockets[0]!.record).toMatchObject({ state: 'open', blackholedAt: 1000 });
    expect(net.liveSocket()).toBeUndefined();
  });

  it("ends the socket with 408 Connection was lost at the first keep-alive check past interval + 5 s", async () => {
    // Arrange: default 30 s keep-alive; last frame heard at the open (60); checks at 30060, 60060.
    const { clock, net, runUntil, at } = testNetwork({ connectDelayMs: 50, baseLatencyMs: 10 });
    const sock = net.makeSocket();
    const updates = watch(sock, () => clock.now());
    at(1000, () => net.apply({ at: net.now(), do: 'blackhole', untilAt: 5000 }));
    // Act
    await runUntil(100_000);
    // Assert: at 30060 only 30 s passed (not > 35 s): a ping goes out and is lost; 60060 ends it.
    const close = updates.at(-1)!;
    const error = close.update.lastDisconnect!.error as Boom;
    expect([close.update.connection, error.message, error.output.statusCode]).toEqual(['close', 'Connection was lost', 408]);
    expect(net.sockets[0]!.record).toMatchObject({ state: 'dead', cause: 'blackhole', blackholedAt: 1000, diedAt: 60_060 });
    expect(close.at).toBeLessThanOrEqual(60_061);
  });

  it('times the keep-alive from the socket config and the last frame heard (ack or pong)', async () => {
    // Arrange: 10 s keep-alive. An ack at 15010; the check at 20060 is answered at 20080.
    const { net, runUntil, at } = testNetwork({ connectDelayMs: 50, baseLatencyMs: 10 });
    const sock = net.makeSocket({ keepAliveIntervalMs: 10_000 });
    at(15_000, () => void sock.sendMessage(c1, { text: 'acked' }, { messageId: '3EB0000000000000000011' }));
    // Act: silent from 25000; 30060 sees 9980 ms (fine), 40060 sees 19980 ms > 15000.
    at(25_000, () => net.apply({ at: net.now(), do: 'blackhole', untilAt: 25_000 }));
    await runUntil(100_000);
    // Assert
    expect(net.sockets[0]!.record).toMatchObject({ cause: 'blackhole', diedAt: 40_060 });
  });

  it('a frame still on the wire when the blackhole starts vanishes too', async () => {
    // Arrange
    const { server, net, runUntil, at } = testNetwork({ baseLatencyMs: 100 });
    const sock = net.makeSocket();
    let result: ReturnType<typeof settle> | undefined;
    at(950, () => (result = settle(sock.sendMessage(c1, { text: 'x' }, { messageId: '3EB0000000000000000012' }))));
    // Act
    at(1000, () => net.apply({ at: net.now(), do: 'blackhole', untilAt: 1000 }));
    await runUntil(2000);
    // Assert
    expect(result!.done).toBe(true);
    expect(result!.error).toBeUndefined();
    expect(server.snapshot().frames).toEqual([]);
  });

  it('inbound messages wait on the server during the blackhole and arrive on the next socket', async () => {
    // Arrange
    const { net, runUntil, at, emitted } = testNetwork();
    net.makeSocket();
    at(1000, () => net.apply({ at: net.now(), do: 'blackhole', untilAt: 5000 }));
    at(2000, () => net.pushInbound({ chatJid: c1, id: '3EB0000000000000000013', text: 'hi', msg: 'm1' }));
    await runUntil(61_000);
    expect(emitted).toEqual([]);
    // Act: the path reconnects after the keep-alive ended socket 1.
    at(62_000, () => void net.makeSocket());
    await runUntil(63_000);
    // Assert
    expect(emitted.map((e) => [e.message.msg, e.generation])).toEqual([['m1', 2]]);
  });

  it('a connect during the blackhole hangs until connectTimeoutMs, then 408; after untilAt connects work', async () => {
    // Arrange
    const { clock, net, runUntil, at } = testNetwork({ connectDelayMs: 50, baseLatencyMs: 10 });
    net.apply({ at: net.now(), do: 'blackhole', untilAt: 30_000 });
    const first = net.makeSocket();
    const updates = watch(first, () => clock.now());
    // Act
    at(31_000, () => void net.makeSocket());
    await runUntil(40_000);
    // Assert
    const close = updates.at(-1)!;
    const error = close.update.lastDisconnect!.error as Boom;
    expect([close.at, error.message, error.output.statusCode]).toEqual([20_000, 'WebSocket Error (Opening handshake has timed out)', 408]);
    expect(net.sockets[0]!.record).toMatchObject({ state: 'dead', cause: 'blackhole', blackholedAt: 60, diedAt: 20_000, refused: false });
    expect(net.sockets[1]!.record).toMatchObject({ state: 'open', openedAt: 31_060 });
    expect(net.sockets[1]!.record.blackholedAt).toBeUndefined();
  });

  it('heal lets new connections through but does not revive a socket already silent', async () => {
    // Arrange
    const { net, runUntil, at } = testNetwork();
    net.makeSocket();
    at(1000, () => net.apply({ at: net.now(), do: 'blackhole', untilAt: 500_000 }));
    // Act
    at(2000, () => net.apply({ at: net.now(), do: 'heal' }));
    at(3000, () => void net.makeSocket());
    await runUntil(4000);
    // Assert: the new one opened and is not replaced-over the silent one (which never hears it).
    expect(net.sockets[0]!.record).toMatchObject({ state: 'open', blackholedAt: 1000 });
    expect(net.sockets[1]!.record).toMatchObject({ state: 'open' });
    expect(net.liveSocket()).toBe(net.sockets[1]);
  });

  it('a run without blackholes is never held up by one', async () => {
    // Arrange
    const { net, runUntil } = testNetwork();
    net.makeSocket();
    // Act
    await runUntil(1000);
    // Assert
    expect(net.blackholeUnsettled(true)).toBe(false);
  });
});
