import { describe, expect, it } from 'vitest';
import type { SendPathFactory, SimEnv, SocketLike } from '../../src/ports.js';
import { canonicalJson, fingerprint } from '../../sim/history.js';
import { messageIdPattern } from '../../sim/random.js';
import { simulate, SimulationBusyError } from '../../sim/simulate.js';
import type { TimelineEvent } from '../../sim/timeline.js';
import { referenceSendPath } from '../../src/reference.js';
import { generatedTimeline, testConfig, timelineOf, tinyPath } from './helpers.js';

const inbound: TimelineEvent = { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' };

/** A path that keeps the socket it had when the message came (the captured-socket bug). */
const capturedSocketPath: SendPathFactory = (env) => {
  let sock: SocketLike;
  const connect = (): void => {
    sock = env.makeSocket();
    sock.ev.on('connection.update', (u) => {
      if (u.connection === 'close') env.clock.setTimeout(connect, 1000);
    });
    sock.ev.on('messages.upsert', ({ messages }) => {
      const captured = sock;
      for (const m of messages) {
        onMessage({
          chatJid: m.key.remoteJid!,
          id: m.key.id!,
          text: '',
          reply: (text) => captured.sendMessage(m.key.remoteJid!, { text }),
          sendMedia: () => Promise.reject(new Error('no media')),
          sendComposing: () => Promise.resolve(),
        });
      }
    });
  };
  let onMessage: Parameters<ReturnType<SendPathFactory>['start']>[0] = () => {};
  return {
    start(handler) {
      onMessage = handler;
      connect();
    },
    async stop() {
      await sock.end(undefined);
    },
  };
};

describe('simulate', () => {
  it(
    'plays the bot: the reply is requested on the InboundMessage the path handed over, and ' +
      'is visible once',
    async () => {
      const t = timelineOf([inbound, { at: 2000, do: 'reply', to: 'm1', key: 'r1' }]);
      const h = await simulate(t, tinyPath);
      // The inbound reaches the bot one latency (10 ms) and Baileys' event buffer (30 ms) after the
      // server pushed it.
      expect(h.inbound).toEqual([
        {
          msg: 'm1',
          chat: 'c1',
          chatJid: '15550000001@s.whatsapp.net',
          id: h.inbound[0]!.id,
          kind: 'text',
          answerable: true,
          eventIndex: 0,
          at: 1000,
          emittedAt: 1040,
          generation: 1,
          deliveries: [{ at: 1040, generation: 1, type: 'notify' }],
          receivedAt: 1040,
          handedCount: 1,
          handedAt: [1040],
        },
      ]);
      // The first send to the chat runs two usync round trips (4 x 10 ms) before its write.
      expect(h.requests[0]).toMatchObject({
        key: 'r1',
        kind: 'reply',
        requestedAt: 2000,
        calledAt: 2000,
        settledAt: 2040,
        outcome: 'ok',
      });
      expect(h.requests[0]!.receipt).toMatchObject({ key: { fromMe: true }, status: 1 });
      expect(h.server.visible['c1']!.map((v) => v.key)).toEqual(['r1']);
      expect(h.stop).toMatchObject({
        reason: 'settled',
        requestedAt: 2040,
        result: 'completed',
        pendingAttempts: 0,
        pathTimersAlive: 0,
      });
      expect(h.logs).toEqual([
        { at: 0, level: 'info', msg: 'tiny path starting', obj: { event: 'start' } },
      ]);
      expect(h.limit).toBeUndefined();
    },
  );

  it('hands the path its ports: virtual clock, seeded streams, the config', async () => {
    let seen: SimEnv | undefined;
    const probe: SendPathFactory = (env) => {
      seen = env;
      return { start() {}, async stop() {} };
    };
    await simulate(timelineOf([inbound]), probe);
    expect(seen!.config).toEqual(testConfig);
    expect(seen!.messageIds()).toMatch(messageIdPattern);
    const r = seen!.random();
    expect(r >= 0 && r < 1).toBe(true);
    expect(seen!.clock.now()).toBe(1000);
  });

  it(
    'calls a reply that was requested before its inbound arrived as soon as the path hands ' +
      'it over',
    async () => {
      // Refused connects until 5000: the inbound waits on the server and arrives on the first
      // socket to open.
      const t = timelineOf([
        { at: 0, do: 'refuseConnects', untilAt: 5000 },
        inbound,
        { at: 1500, do: 'reply', to: 'm1', key: 'r1' },
      ]);
      const h = await simulate(t, tinyPath);
      const received = h.inbound[0]!.receivedAt!;
      expect(received).toBeGreaterThan(5000);
      expect(h.requests[0]).toMatchObject({ requestedAt: 1500, calledAt: received, outcome: 'ok' });
    },
  );

  it(
    'records a captured-socket reply failing 428 ' + 'after a replacement (facts, not verdicts)',
    async () => {
      const t = timelineOf([
        inbound,
        { at: 1500, do: 'drop', reason: 'connectionClosed', noticeMs: 100 },
        { at: 8000, do: 'reply', to: 'm1', key: 'r1' },
      ]);
      const h = await simulate(t, capturedSocketPath);
      expect(h.requests[0]).toMatchObject({
        outcome: 'fail',
        error: { message: 'Connection Closed', statusCode: 428 },
      });
      expect(h.attempts[0]).toMatchObject({
        generation: 1,
        socketState: 'closed',
        closeEmittedBefore: true,
        written: false,
      });
      expect(h.sockets.map((s) => s.generation)).toEqual([1, 2]);
      expect(h.server.frames).toEqual([]);
    },
  );

  it("captures the path's unhandled rejections into the history, not the process", async () => {
    const leaky: SendPathFactory = () => ({
      start() {
        void Promise.reject(Object.assign(new Error('leaked'), { name: 'LeakError' }));
      },
      async stop() {},
    });
    const h = await simulate(timelineOf([inbound]), leaky);
    expect(h.unhandledRejections).toEqual([
      { at: 0, error: { name: 'LeakError', message: 'leaked' } },
    ]);
  });

  it(
    "refuses a second run while one is in progress, so no run is blamed for another path's " +
      'leak',
    async () => {
      // Arrange
      const leaky: SendPathFactory = () => ({
        start() {
          void Promise.reject(new Error('leaked'));
        },
        async stop() {},
      });
      const timeline = timelineOf([inbound]);
      // Act
      const [first, second] = await Promise.allSettled([
        simulate(timeline, leaky),
        simulate(timeline, tinyPath),
      ]);
      const alone = await simulate(timeline, tinyPath);
      // Assert
      expect(first.status === 'fulfilled' && first.value.unhandledRejections.length).toBe(1);
      expect(second.status === 'rejected' && second.reason).toBeInstanceOf(SimulationBusyError);
      expect(alone.unhandledRejections).toEqual([]);
    },
  );

  it(
    'runs side by side when neither captures ' + 'rejections nor sets the globals tripwire',
    async () => {
      // Arrange
      const timeline = timelineOf([inbound, { at: 1500, do: 'reply', to: 'm1', key: 'r1' }]);
      const options = { captureUnhandledRejections: false, globals: 'untouched' } as const;
      // Act
      const [a, b] = await Promise.all([
        simulate(timeline, tinyPath, options),
        simulate(timeline, tinyPath, options),
      ]);
      // Assert
      expect(fingerprint(a)).toBe(fingerprint(b));
      expect(a.requests[0]?.outcome).toBe('ok');
    },
  );

  it('classifies an AmbiguousDeliveryError (or ambiguous: true) as info', async () => {
    const ambiguous: SendPathFactory = (env) => ({
      start(onMessage) {
        const s = env.makeSocket();
        s.ev.on('messages.upsert', ({ messages }) => {
          for (const m of messages) {
            onMessage({
              chatJid: m.key.remoteJid!,
              id: m.key.id!,
              text: '',
              reply: () =>
                Promise.reject(
                  Object.assign(new Error('may have been sent'), {
                    name: 'AmbiguousDeliveryError',
                  }),
                ),
              sendMedia: () =>
                Promise.reject(Object.assign(new Error('maybe'), { ambiguous: true })),
              sendComposing: () => Promise.reject(new Error('no')),
            });
          }
        });
      },
      async stop() {},
    });
    const t = timelineOf([
      inbound,
      { at: 1100, do: 'reply', to: 'm1', key: 'r1' },
      { at: 1100, do: 'sendMedia', to: 'm1', key: 'r2', kind: 'image' },
      { at: 1100, do: 'composing', to: 'm1' },
    ]);
    const h = await simulate(t, ambiguous);
    expect(h.requests.map((r) => [r.key, r.outcome])).toEqual([
      ['r1', 'info'],
      ['r2', 'info'],
      ['composing@3', 'fail'],
    ]);
  });

  it(
    'ends a path that retries forever and never ' + 'stops with a LoopLimit, without hanging',
    async () => {
      const forever: SendPathFactory = (env) => {
        const again = (): void => void env.clock.setTimeout(again, 1000);
        return {
          start: again,
          stop: () => new Promise<void>(() => {}), // never settles
        };
      };
      const t = timelineOf([inbound, { at: 1100, do: 'reply', to: 'm1', key: 'r1' }]);
      const h = await simulate(t, forever, { stopGraceMs: 60_000 });
      // The reply was never handed over; the harness stopped at the deadline and stop() hung.
      const stopAt = 1100 + testConfig.replyDeadlineMs + 60_000;
      expect(h.stop).toMatchObject({
        reason: 'deadline',
        requestedAt: stopAt,
        result: 'hung',
        pendingRequests: 1,
        pathTimersAlive: 1,
      });
      expect(h.limit).toMatchObject({
        kind: 'LoopLimit',
        limit: 'virtualTime',
        max: stopAt + 60_000,
      });
      expect(h.requests[0]!.outcome).toBe('pending');
    },
  );

  it(
    'ends a retry loop with no timer (428 after 428 on a dead socket) with an attempts ' +
      'LoopLimit',
    async () => {
      const storm: SendPathFactory = (env) => {
        const s = env.makeSocket();
        return {
          start() {
            void (async () => {
              for (;;)
                await s.sendMessage('15550000001@s.whatsapp.net', { text: 'x' }).catch(() => {});
            })();
          },
          async stop() {},
        };
      };
      const h = await simulate(timelineOf([inbound]), storm, { network: { attemptsMax: 500 } });
      expect(h.limit).toMatchObject({ limit: 'attempts', max: 500, at: 0 });
      expect(h.attempts).toHaveLength(500);
    },
  );

  it('reports a stop() that leaves a timer behind', async () => {
    const leaky: SendPathFactory = (env) => ({
      start() {
        env.clock.setTimeout(() => {}, 1_000_000);
      },
      async stop() {},
    });
    const h = await simulate(timelineOf([inbound]), leaky);
    expect(h.stop).toMatchObject({ result: 'completed', pathTimersAlive: 1 });
    expect(h.timers.path).toMatchObject({ created: 1, aliveAtEnd: 1 });
  });

  it(
    'settles an async stop() called once ' + 'everything settled before the next timer fires',
    async () => {
      // Arrange: a heartbeat due in 30 s that stop() clears after an await.
      let heartbeat: unknown;
      const fired: number[] = [];
      const path: SendPathFactory = (env) => ({
        start() {
          heartbeat = env.clock.setTimeout(() => fired.push(env.clock.now()), 30_000);
        },
        async stop() {
          await Promise.resolve();
          env.clock.clearTimeout(heartbeat as never);
        },
      });
      // Act
      const h = await simulate(timelineOf([inbound]), path);
      // Assert
      expect(h.stop).toMatchObject({ reason: 'settled', result: 'completed', pathTimersAlive: 0 });
      expect(h.stop.completedAt).toBe(h.stop.requestedAt);
      expect(fired).toEqual([]);
    },
  );

  it(
    'holds the run through a silent link until the silent socket is found dead and a newer ' +
      'one opened',
    async () => {
      // Arrange: the tiny path trusts a resolved send; r1 is written into the silent link (r0 made
      // the chat's devices known, so r1 needs no queries and is written at once).
      const t = timelineOf([
        inbound,
        { at: 1200, do: 'reply', to: 'm1', key: 'r0' },
        { at: 1500, do: 'drop', reason: 'connectionLost' },
        { at: 2000, do: 'reply', to: 'm1', key: 'r1' },
      ]);
      // Act
      const h = await simulate(t, tinyPath);
      // Assert
      expect(h.requests[1]).toMatchObject({ key: 'r1', outcome: 'ok', settledAt: 2000 });
      expect(h.attempts[1]).toMatchObject({ generation: 1, written: true, reachedServer: false });
      expect(h.server.visible['c1']!.map((v) => v.key)).toEqual(['r0']);
      const [silent, next] = h.sockets;
      expect(silent).toMatchObject({
        cause: 'silent',
        silentAt: 1500,
        closeError: { statusCode: 408, message: 'Connection was lost' },
      });
      expect(next!.openedAt).toBeGreaterThan(silent!.closeEmittedAt!);
      expect(h.stop).toMatchObject({ reason: 'settled', result: 'completed' });
      expect(h.stop.requestedAt).toBeGreaterThanOrEqual(next!.openedAt!);
    },
  );

  it('stops at once after a silent link closes when the path will not reconnect', async () => {
    // Arrange: a path that never reconnects and holds no timers.
    const once: SendPathFactory = (env) => {
      const sock = env.makeSocket();
      return {
        start(onMessage) {
          sock.ev.on('messages.upsert', ({ messages }) => {
            for (const m of messages) {
              const chatJid = m.key.remoteJid!;
              onMessage({
                chatJid,
                id: m.key.id!,
                text: '',
                reply: (text) => sock.sendMessage(chatJid, { text }),
                sendMedia: () => Promise.reject(new Error('no media')),
                sendComposing: () => Promise.resolve(),
              });
            }
          });
        },
        stop: () => sock.end(undefined),
      };
    };
    const t = timelineOf([
      { ...inbound, at: 500 },
      { at: 1000, do: 'drop', reason: 'connectionLost' },
      { at: 1100, do: 'reply', to: 'm1', key: 'r1' },
    ]);
    // Act
    const h = await simulate(t, once);
    // Assert: the silent socket's keep-alive ends it, then nothing more can happen.
    expect(h.sockets).toHaveLength(1);
    expect(h.stop.requestedAt).toBe(h.sockets[0]!.closeEmittedAt);
  });

  it(
    'is deterministic: 200 generated timelines, each simulated twice, give equal ' + 'fingerprints',
    async () => {
      const prints = new Set<string>();
      for (let seed = 1; seed <= 200; seed++) {
        const t = generatedTimeline(seed);
        const a = await simulate(t, tinyPath);
        const b = await simulate(t, tinyPath);
        expect(fingerprint(b), `seed ${seed}`).toBe(fingerprint(a));
        prints.add(fingerprint(a));
      }
      // And the fingerprint does tell runs apart.
      expect(prints.size).toBe(200);
    },
  );

  it('gives a JSON-serialisable history whose fingerprint survives a JSON round trip', async () => {
    const h = await simulate(generatedTimeline(5), tinyPath);
    const copy = JSON.parse(JSON.stringify(h)) as typeof h;
    expect(copy).toEqual(h);
    expect(fingerprint(copy)).toBe(fingerprint(h));
    expect(canonicalJson({ b: 1, a: [undefined, { d: undefined, c: 2 }] })).toBe(
      '{"a":[null,{"c":2}],"b":1}',
    );
  });
});

describe('when a run is over', () => {
  it(
    'waits for the path to resend writes lost before a cut was heard, past a newer socket ' +
      'that dropped at once',
    async () => {
      // Arrange: r1 and r2 are written in the 10 ms between the server's RST and the bot hearing
      // it; socket 2 opens and drops at once; the reference reconnects once more and resends both.
      const timeline = timelineOf([
        { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 0, do: 'reply', to: 'm1', key: 'r1' },
        { at: 0, do: 'reply', to: 'm1', key: 'r2' },
        { at: 191, do: 'drop', reason: 'connectionReset' },
        { at: 2151, do: 'drop', reason: 'connectionReset' },
        { at: 3151, do: 'heal' },
      ]);
      // Act
      const h = await simulate(timeline, referenceSendPath);
      // Assert
      const lost = h.attempts.filter((a) => a.written && !a.reachedServer);
      expect(lost.map((a) => [a.key, a.generation])).toEqual([
        ['r1', 1],
        ['r2', 1],
      ]);
      expect(h.sockets.length).toBeGreaterThanOrEqual(3);
      expect(h.server.visible['c1']?.map((v) => v.key)).toEqual(['r1', 'r2']);
      expect(h.stop.reason).toBe('settled');
    },
  );
});

describe('when a run is over, with a close under way', () => {
  it(
    'waits for the close of a socket Baileys ' + 'is ending before judging the writes it owes',
    async () => {
      // Arrange: r1 and r2 are lost before the RST at 191 ms is heard; socket 2 opens at 2485 ms
      // with 334 ms latency and gets a stream error: at the heal (the last event) its end() is
      // still under way, and only its close lets the path reconnect and resend.
      const timeline = timelineOf([
        { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 0, do: 'reply', to: 'm1', key: 'r1' },
        { at: 191, do: 'drop', reason: 'connectionReset' },
        { at: 191, do: 'latency', ms: 334 },
        { at: 191, do: 'reply', to: 'm1', key: 'r2' },
        { at: 2486, do: 'drop', reason: 'serviceUnavailable' },
        { at: 3486, do: 'heal' },
      ]);
      // Act
      const h = await simulate(timeline, referenceSendPath);
      // Assert
      expect(h.sockets.length).toBeGreaterThanOrEqual(3);
      expect(h.server.visible['c1']?.map((v) => v.key)).toEqual(['r1', 'r2']);
    },
  );
});

describe('offline delivery', () => {
  it(
    'hands offline messages pushed to a socket that closed before emitting them back to ' +
      'the server, for the next socket',
    async () => {
      // Arrange: m1 waits on the server; socket 1 opens at 60 ms and is cut at 100 ms, before the
      // offline batch is emitted (login + 100 ms).
      const timeline = timelineOf([
        { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 0, do: 'reply', to: 'm1', key: 'r1' },
        { at: 100, do: 'drop', reason: 'connectionReset' },
      ]);
      // Act
      const h = await simulate(timeline, referenceSendPath);
      // Assert
      const m1 = h.inbound.find((i) => i.msg === 'm1')!;
      expect(m1.deliveries.map((d) => [d.generation, d.type])).toEqual([[2, 'append']]);
      expect(h.requests.map((r) => [r.key, r.outcome])).toEqual([['r1', 'ok']]);
      expect(h.server.visible['c1']?.map((v) => v.key)).toEqual(['r1']);
    },
  );
});
