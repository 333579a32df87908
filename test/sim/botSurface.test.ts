/**
 * The socket surface real bots touch beyond sending: `ev.process`, `ws`, `user`, `authState`,
 * `logout()`, the modelled queries, and what an unmodelled member does. Timed on the virtual
 * clock; that each is rc14's is the loopback suite's job (test/integration/botSurface.*).
 */
import type { Boom } from '@hapi/boom';
import { initAuthCreds } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock.js';
import { FakeNetwork, type NetworkOptions } from '../../sim/network/fakeNetwork.js';
import { defaultMemberJidOf } from '../../sim/chatJids.js';
import { ServerModel } from '../../sim/network/server.js';
import { simulatedAccount } from '../../sim/network/socketChannel.js';
import { UnmodelledMemberError } from '../../sim/network/unmodelledMembers.js';
import { messageIdSource, streamFor } from '../../sim/random.js';

const peer = '15550000001@s.whatsapp.net';
const group = '120363000000000002@g.us';

/** A fake network with one private chat and one group, and a driver for its clock. */
function network(options: Partial<NetworkOptions> = {}) {
  const clock = new VirtualClock({ virtualTimeMsMax: 10_000_000 });
  const chatNames = new Map([
    [peer, 'c1'],
    [group, 'g1'],
  ]);
  const server = new ServerModel({ dedupeById: true, chatNames, inboundQueueMax: 100 });
  const net = new FakeNetwork({
    clock,
    fakeIds: messageIdSource(streamFor(3, 'fakeMessageIds')),
    server,
    chatNames,
    hooks: { onInboundEmitted: () => undefined },
    options,
  });
  const runUntil = async (atMs: number): Promise<void> => {
    let reached = false;
    clock.harness.setTimeout(() => (reached = true), atMs - clock.now());
    await clock.run(() => reached);
  };
  const at = (atMs: number, fn: () => void): void =>
    void clock.harness.setTimeout(fn, atMs - clock.now());
  return { clock, server, net, runUntil, at };
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

/** Close updates of a socket, with their time and error. */
function closes(
  sock: {
    ev: {
      on(
        event: 'connection.update',
        l: (u: { connection?: string; lastDisconnect?: { error?: Error } }) => void,
      ): void;
    };
  },
  now: () => number,
) {
  const out: { at: number; error: unknown }[] = [];
  sock.ev.on('connection.update', (u) => {
    if (u.connection === 'close')
      out.push({
        at: now(),
        error: u.lastDisconnect?.error === undefined ? undefined : boom(u.lastDisconnect.error),
      });
  });
  return out;
}

describe('ev.process', () => {
  it(
    'hands each emission to the handler as a map, after the on listeners of the same ' + 'emission',
    async () => {
      // Arrange
      const { net, runUntil } = network();
      const sock = net.makeSocket();
      const seen: string[] = [];
      sock.ev.on('connection.update', (u) => seen.push(`on:${u.connection ?? Object.keys(u)[0]}`));
      sock.ev.process((events) => {
        for (const [name, data] of Object.entries(events))
          seen.push(
            `process:${name}:` +
              `${(data as { connection?: string }).connection ?? Object.keys(data as object)[0]}`,
          );
      });
      // Act
      await runUntil(1000);
      // Assert
      expect(seen).toEqual([
        'on:connecting',
        'process:connection.update:connecting',
        'on:receivedPendingNotifications',
        'process:connection.update:receivedPendingNotifications',
        'on:isOnline',
        'process:connection.update:isOnline',
        'on:open',
        'process:connection.update:open',
      ]);
      expect(net.sockets[0]!.record.listeners['ev.process']).toEqual({
        added: 1,
        removed: 0,
        aliveMax: 1,
      });
    },
  );

  it(
    'gives the login creds.update to a socket made with auth, with the paired account and ' +
      'its LID',
    async () => {
      // Arrange
      const { net, runUntil } = network();
      const me = { id: '15550000099:3@s.whatsapp.net', name: 'bot' };
      const sock = net.makeSocket({
        auth: {
          creds: { ...initAuthCreds(), me },
          keys: { get: async () => ({}), set: async () => undefined },
        },
      });
      const creds: unknown[] = [];
      sock.ev.process(
        (events) => void (events['creds.update'] && creds.push(events['creds.update'])),
      );
      // Act
      await runUntil(1000);
      // Assert
      expect(creds).toEqual([{ me: { ...me, lid: simulatedAccount.lid } }]);
    },
  );

  it(
    'skips the handlers when an on listener throws, and surfaces a handler that throws as ' +
      'an unhandled rejection without stopping the others',
    async () => {
      // Arrange
      const { net, runUntil } = network();
      const sock = net.makeSocket();
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      const listeners = process.listeners('unhandledRejection');
      process.removeAllListeners('unhandledRejection');
      process.on('unhandledRejection', onRejection);
      const handled: string[] = [];
      sock.ev.on('connection.update', (u) => {
        if (u.connection === 'connecting') throw new Error('listener');
      });
      sock.ev.process(async (events) => {
        handled.push(Object.keys(events).join());
        throw new Error('handler');
      });
      sock.ev.process((events) => void handled.push(`second:${Object.keys(events).join()}`));
      try {
        // Act
        await runUntil(1000);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('unhandledRejection', onRejection);
        for (const listener of listeners) process.on('unhandledRejection', listener);
      }
      // Assert: 3 emissions after `connecting` (pending, isOnline, open) reach both handlers.
      expect(handled).toEqual([
        'connection.update',
        'second:connection.update',
        'connection.update',
        'second:connection.update',
        'connection.update',
        'second:connection.update',
      ]);
      expect(rejections.map((r) => (r as Error).message)).toEqual([
        'listener',
        'handler',
        'handler',
        'handler',
      ]);
    },
  );

  it(
    'stops handing maps to a handler once its remover ran, and to every handler once the ' +
      'socket closed',
    async () => {
      // Arrange
      const { net, runUntil, at } = network();
      const sock = net.makeSocket();
      const first: string[] = [];
      const second: string[] = [];
      const remove = sock.ev.process((events) => void first.push(...Object.keys(events)));
      sock.ev.process((events) => void second.push(...Object.keys(events)));
      at(30, () => remove());
      at(1000, () => void sock.end(undefined));
      at(2000, () => void sock.ev.emit('messages.upsert', { messages: [], type: 'notify' }));
      // Act
      await runUntil(3000);
      // Assert
      expect(first).toEqual(['connection.update']);
      expect(second).toEqual([
        'connection.update',
        'connection.update',
        'connection.update',
        'connection.update',
        'connection.update',
      ]);
      expect(net.sockets[0]!.record.listeners['ev.process']).toEqual({
        added: 2,
        removed: 2,
        aliveMax: 2,
      });
    },
  );

  it(
    "removeAllListeners(event) removes that event's on listeners; with no event nothing is " +
      'heard any more',
    async () => {
      // Arrange
      const { net, runUntil, at } = network();
      const sock = net.makeSocket();
      const heard: string[] = [];
      sock.ev.on('connection.update', () => void heard.push('update'));
      sock.ev.on('messages.upsert', () => void heard.push('upsert'));
      sock.ev.process(() => void heard.push('process'));
      at(100, () => sock.ev.removeAllListeners('connection.update'));
      at(200, () => void sock.ev.emit('connection.update', { isOnline: false }));
      at(300, () => (sock.ev.removeAllListeners as (event?: string) => void)());
      at(400, () => void sock.ev.emit('messages.upsert', { messages: [], type: 'notify' }));
      // Act
      await runUntil(500);
      heard.splice(0, 8); // the login: four updates, each to its listener then the handler
      // Assert
      expect(heard).toEqual(['process']);
    },
  );
});

describe('ws', () => {
  it(
    'reads connecting, open, closing and closed ' + "from the connection, as rc14's client does",
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = network();
      const sock = net.makeSocket();
      const states: string[] = [];
      const read = () => {
        const { isConnecting, isOpen, isClosing, isClosed } = sock.ws;
        const named = [
          isConnecting && 'connecting',
          isOpen && 'open',
          isClosing && 'closing',
          isClosed && 'closed',
        ];
        states.push(`${clock.now()}:${named.filter(Boolean).join('+')}`);
      };
      at(0, read);
      at(100, read);
      at(100, () => void sock.end(undefined));
      at(100, read);
      at(1000, read);
      // Act
      await runUntil(2000);
      // Assert: after Baileys' own ws.close() completed, its client holds no ws: closed and
      // closing.
      expect(states).toEqual(['0:connecting', '100:open', '100:closing', '1000:closing+closed']);
      expect((sock.ws as unknown as Record<string, unknown>)['readyState']).toBeUndefined();
    },
  );

  it(
    'close() on an open socket: sends get 428 at once, and one round trip later close ' +
      'comes with 428 Connection Terminated',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = network({ baseLatencyMs: 10 });
      const sock = net.makeSocket();
      const closed = closes(sock, () => clock.now());
      let closing: ReturnType<typeof settle> | undefined;
      let send: ReturnType<typeof settle> | undefined;
      at(100, () => {
        closing = settle(sock.ws.close(), () => clock.now());
        send = settle(sock.sendMessage(peer, { text: 'hi' }), () => clock.now());
      });
      // Act
      await runUntil(1000);
      // Assert
      expect(boom(send!.error)).toEqual([428, 'Connection Closed']);
      expect(closed).toEqual([{ at: 120, error: [428, 'Connection Terminated'] }]);
      expect(closing).toMatchObject({ done: true, at: 120 });
      expect(net.sockets[0]!.record).toMatchObject({
        state: 'closed',
        cause: 'end',
        endCalls: 0,
        calls: { 'ws.close': 1 },
      });
    },
  );

  it(
    'close() on a connecting socket aborts the handshake: close at once with 500 WebSocket ' +
      'Error',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = network();
      const sock = net.makeSocket();
      const closed = closes(sock, () => clock.now());
      at(10, () => void sock.ws.close());
      // Act
      await runUntil(1000);
      // Assert
      expect(closed).toEqual([
        {
          at: 10,
          error: [
            500,
            'WebSocket Error (WebSocket was closed before the connection was established)',
          ],
        },
      ]);
      expect(net.sockets[0]!.record.openedAt).toBeUndefined();
    },
  );

  it(
    "close() after a cut never settles (the ws closed by itself); after the socket's own " +
      'end() it resolves at once',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = network();
      const cut = net.makeSocket();
      let afterCut: ReturnType<typeof settle> | undefined;
      let afterEnd: ReturnType<typeof settle> | undefined;
      at(100, () => net.apply({ at: 100, do: 'drop', reason: 'connectionClosed' }));
      at(200, () => (afterCut = settle(cut.ws.close(), () => clock.now())));
      at(300, () => {
        const ended = net.makeSocket();
        at(500, () => void ended.end(undefined));
        at(600, () => (afterEnd = settle(ended.ws.close(), () => clock.now())));
      });
      // Act
      await runUntil(60_000);
      // Assert
      expect(afterCut).toEqual({ done: false });
      expect(afterEnd).toMatchObject({ done: true, at: 600 });
    },
  );

  it(
    "emits close to the bot's ws listeners on a cut, and none after Baileys' end() removed " +
      'them',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = network();
      const cut = net.makeSocket();
      const heard: string[] = [];
      cut.ws.on('open', () => heard.push(`open 1 at ${clock.now()}`));
      cut.ws.on('close', (code: number) => heard.push(`close 1 (${code}) at ${clock.now()}`));
      cut.ws.on('CB:call', () => heard.push('call'));
      at(100, () => net.apply({ at: 100, do: 'drop', reason: 'connectionClosed' }));
      at(200, () => {
        const ended = net.makeSocket();
        ended.ws.on('close', () => heard.push('close 2'));
        at(400, () => void ended.end(undefined));
      });
      // Act
      await runUntil(2000);
      // Assert
      expect(heard).toEqual(['open 1 at 60', 'close 1 (1006) at 110']);
    },
  );

  it("end() while ws closes after the bot's close(): close at once, with end's error", async () => {
    // Arrange
    const { clock, net, runUntil, at } = network({ baseLatencyMs: 10 });
    const sock = net.makeSocket();
    const closed = closes(sock, () => clock.now());
    at(100, () => {
      void sock.ws.close();
      void sock.end(new Error('stopping'));
    });
    // Act
    await runUntil(1000);
    // Assert
    expect(closed).toEqual([{ at: 100, error: [undefined, 'stopping'] }]);
  });
});

describe('user and authState', () => {
  it("user is the auth's creds.me from the start, the same object", () => {
    // Arrange
    const { net } = network();
    const auth = {
      creds: { ...initAuthCreds(), me: { id: '15550000099:3@s.whatsapp.net' } },
      keys: { get: async () => ({}), set: async () => undefined },
    };
    // Act
    const sock = net.makeSocket({ auth });
    // Assert
    expect(sock.user).toBe(auth.creds.me);
    expect(sock.authState).toBe(auth);
    expect(sock.type).toBe('md');
  });

  it(
    'keeps the creds.me of makeWASocket time after the login assigned a new me with its ' +
      "LID into the creds, as rc14's spread copies do",
    async () => {
      // Arrange
      const { net, runUntil } = network();
      const me = { id: '15550000099:3@s.whatsapp.net' };
      const auth = {
        creds: { ...initAuthCreds(), me },
        keys: { get: async () => ({}), set: async () => undefined },
      };
      const sock = net.makeSocket({ auth });
      // Act
      await runUntil(1000);
      // Assert
      expect(sock.user).toBe(me);
      expect(auth.creds.me).toEqual({ ...me, lid: simulatedAccount.lid });
    },
  );

  it(
    'without a paired me (or without auth), user is the simulated paired account from the ' +
      'start, and the creds are left alone',
    async () => {
      // Arrange
      const { net, runUntil } = network();
      const auth = {
        creds: initAuthCreds(),
        keys: { get: async () => ({}), set: async () => undefined },
      };
      // Act
      const sock = net.makeSocket({ auth });
      const bare = net.makeSocket();
      await runUntil(1000);
      // Assert
      expect(sock.user).toEqual(simulatedAccount);
      expect(bare.user).toEqual(simulatedAccount);
      expect(auth.creds.me).toBeUndefined();
    },
  );
});

describe('logout()', () => {
  it(
    'writes remove-companion-device, resolves, closes 401 Intentional Logout, and every ' +
      'later login fails 401',
    async () => {
      // Arrange
      const { clock, net, server, runUntil, at } = network({ baseLatencyMs: 10 });
      const sock = net.makeSocket();
      const closed = closes(sock, () => clock.now());
      let logout: ReturnType<typeof settle> | undefined;
      let next: ReturnType<typeof closes> | undefined;
      at(100, () => (logout = settle(sock.logout(), () => clock.now())));
      at(500, () => (next = closes(net.makeSocket(), () => clock.now())));
      // Act
      await runUntil(2000);
      // Assert
      expect(logout).toMatchObject({ done: true, at: 100, value: undefined });
      expect(server.session.unlinkedAt).toBe(110);
      expect(closed).toEqual([{ at: 120, error: [401, 'Intentional Logout'] }]);
      expect(next).toEqual([{ at: 560, error: [401, 'Connection Failure'] }]);
      expect(net.sockets[0]!.record).toMatchObject({
        logoutCalledAt: 100,
        endCalls: 0,
        calls: { logout: 1 },
      });
    },
  );

  it('rejects 428 on a socket that is not open, and ends nothing', async () => {
    // Arrange
    const { clock, net, server, runUntil, at } = network();
    const sock = net.makeSocket();
    let logout: ReturnType<typeof settle> | undefined;
    at(100, () => net.apply({ at: 100, do: 'drop', reason: 'connectionClosed' }));
    at(200, () => (logout = settle(sock.logout('bye'), () => clock.now())));
    // Act
    await runUntil(1000);
    // Assert
    expect(boom(logout!.error)).toEqual([428, 'Connection Closed']);
    expect(server.session.unlinkedAt).toBeUndefined();
    expect(net.sockets[0]!.record.logoutCalledAt).toBe(200);
  });
});

describe('modelled queries', () => {
  it(
    "answer on an open socket with rc14's shapes: receipts at once, a user's LID lookup " +
      'first, queries after a round trip',
    async () => {
      // Arrange
      const { clock, net, server, runUntil, at } = network({ baseLatencyMs: 10 });
      const sock = net.makeSocket();
      const calls: Record<string, ReturnType<typeof settle>> = {};
      at(100, () => {
        calls.read = settle(sock.readMessages([{ remoteJid: peer, id: 'A', fromMe: false }]), () =>
          clock.now(),
        );
        calls.subscribe = settle(sock.presenceSubscribe(peer), () => clock.now());
        calls.picture = settle(sock.profilePictureUrl(peer, 'image'), () => clock.now());
        calls.onWhatsApp = settle(
          sock.onWhatsApp('+15550000001', '15550000002@s.whatsapp.net', '1234@lid'),
          () => clock.now(),
        );
        calls.group = settle(sock.groupMetadata(group), () => clock.now());
        calls.all = settle(sock.groupFetchAllParticipating(), () => clock.now());
      });
      // Act
      await runUntil(1000);
      // Assert
      expect(calls.read).toMatchObject({ done: true, at: 100, value: undefined });
      expect(server.snapshot().nodes).toEqual({ 'receipt:read': 1, 'presence:subscribe': 1 });
      expect(calls.subscribe).toMatchObject({ done: true, at: 120, value: undefined });
      expect(calls.picture).toMatchObject({
        done: true,
        at: 140,
        value: 'https://pps.whatsapp.net/v/t61.24694-24/baileys-sim-c1-image.jpg',
      });
      expect(calls.onWhatsApp).toMatchObject({
        at: 120,
        value: [
          { jid: '15550000001@s.whatsapp.net', exists: true },
          { jid: '15550000002@s.whatsapp.net', exists: true },
        ],
      });
      const owner = defaultMemberJidOf(group);
      const participants = [
        { id: owner, admin: 'superadmin' },
        { id: '15550900001@s.whatsapp.net', admin: null },
      ];
      expect(calls.group).toMatchObject({
        at: 120,
        value: { id: group, subject: 'g1', size: 2, participants },
      });
      expect(Object.keys(calls.all!.value as object)).toEqual([group]);
      expect(net.sockets[0]!.record.calls).toEqual({
        readMessages: 1,
        presenceSubscribe: 1,
        profilePictureUrl: 1,
        onWhatsApp: 1,
        groupMetadata: 1,
        groupFetchAllParticipating: 1,
      });
    },
  );

  it('reject 428 Connection Closed on a socket that is not open', async () => {
    // Arrange
    const { net, runUntil } = network();
    const sock = net.makeSocket();
    // Act: still connecting
    const results = await Promise.allSettled([
      sock.readMessages([{ remoteJid: peer, id: 'A' }]),
      sock.presenceSubscribe(peer),
      sock.profilePictureUrl(peer),
      sock.onWhatsApp(peer),
      sock.groupMetadata(group),
    ]);
    await runUntil(10);
    // Assert
    expect(results.map((r) => (r.status === 'rejected' ? boom(r.reason) : r.status))).toEqual(
      Array(5).fill([428, 'Connection Closed']),
    );
  });

  it('do with an unanswered query what rc14 does with undefined', async () => {
    // Arrange
    const { clock, net, runUntil, at } = network();
    const sock = net.makeSocket({ defaultQueryTimeoutMs: 1000 });
    net.apply({ at: 0, do: 'stallQueries', untilAt: 10_000, iq: 'all' });
    const calls: Record<string, ReturnType<typeof settle>> = {};
    at(100, () => {
      calls.read = settle(sock.readMessages([{ remoteJid: peer, id: 'A' }]), () => clock.now());
      calls.picture = settle(sock.profilePictureUrl(peer), () => clock.now());
      calls.pictureWithTimeout = settle(sock.profilePictureUrl(peer, 'preview', 500), () =>
        clock.now(),
      );
      calls.onWhatsApp = settle(sock.onWhatsApp(peer), () => clock.now());
      calls.group = settle(sock.groupMetadata(group), () => clock.now());
    });
    // Act
    await runUntil(5000);
    // Assert
    // The privacy settings came with the login: readMessages writes its receipt at once.
    expect(calls.read).toMatchObject({ done: true, at: 100, value: undefined });
    // The LID lookup waits out its own query timeout first.
    expect(calls.picture).toMatchObject({ at: 2100, value: undefined });
    expect(boom(calls.pictureWithTimeout!.error)).toEqual([408, 'Timed Out']);
    expect(calls.pictureWithTimeout!.at).toBe(1600);
    expect(calls.onWhatsApp).toMatchObject({ at: 1100, value: undefined });
    expect(boom(calls.group!.error)).toEqual([
      500,
      'Invalid group metadata response: missing <group> node',
    ]);
  });

  it(
    'groupMetadata of a JID that is no group of the run rejects item-not-found (Boom 500, ' +
      'code 404 in data)',
    async () => {
      // Arrange
      const { clock, net, runUntil, at } = network();
      const sock = net.makeSocket();
      let metadata: ReturnType<typeof settle> | undefined;
      at(100, () => (metadata = settle(sock.groupMetadata(peer), () => clock.now())));
      // Act
      await runUntil(1000);
      // Assert
      expect(boom(metadata!.error)).toEqual([500, 'item-not-found']);
      expect((metadata!.error as Boom).data).toBe(404);
    },
  );
});

describe('members the fake does not model', () => {
  it(
    'record the first call in the network and fail naming the member and the way to stub ' +
      "it (a rejection for the socket's, a throw for ev's)",
    async () => {
      // Arrange
      const { net, runUntil } = network();
      const sock = net.makeSocket();
      await runUntil(300);
      // Act
      const rejected = await (sock.fetchBlocklist as () => Promise<unknown>)().catch(
        (error: unknown) => error,
      );
      let thrownByEv: unknown;
      try {
        (sock.ev as unknown as { buffer(): void }).buffer();
      } catch (error) {
        thrownByEv = error;
      }
      const thrown = [rejected, thrownByEv];
      // Assert
      expect(thrown.map((e) => (e as UnmodelledMemberError).member)).toEqual([
        'fetchBlocklist',
        'ev.buffer',
      ]);
      expect((thrown[0] as Error).message).toContain('socketStubs');
      expect(net.unmodelled).toEqual({ method: 'fetchBlocklist', at: 300, generation: 1 });
    },
  );

  it(
    'are answered by the socket stubs given ' + "to the network, with the bot's arguments",
    async () => {
      // Arrange
      const { net } = network();
      net.socketStubs = { fetchBlocklist: async (...args: never[]) => ['blocked', ...args] };
      const sock = net.makeSocket();
      // Act
      const answer = await (sock.fetchBlocklist as (x: string) => Promise<unknown>)('x');
      // Assert
      expect(answer).toEqual(['blocked', 'x']);
      expect(net.unmodelled).toBeUndefined();
    },
  );
});
