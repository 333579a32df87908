/**
 * The reference send path (`src/`) over the real Baileys rc14 and the loopback server: real
 * sockets, real timers, every test bounded to a few seconds.
 *
 * Inbound messages arrive as `<message><plaintext/></message>` (Baileys decodes them into
 * `messages.upsert` `notify` without a Signal session; see test/loopback/waServer.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  productionEnv,
  referenceSendPath,
  type InboundMessage,
  type Logger,
  type SendPath,
} from '../../src/index.js';
import { loopbackSocketConfig, PEER_JID } from '../loopback/realBaileys.js';
import { BOT_USER } from '../loopback/auth.js';
import { startWaServer, type WaServer } from '../loopback/waServer.js';

interface LogRecord {
  level: string;
  obj: object;
  msg?: string;
}

function captureLogger(records: LogRecord[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => records.push({ level, obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Active resources by type (timers, sockets, ...), as a multiset. */
function resources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}
function leaked(before: Map<string, number>, after: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [type, n] of after)
    if (n > (before.get(type) ?? 0)) out.push(`${type} +${n - (before.get(type) ?? 0)}`);
  return out;
}

interface Rig {
  server: WaServer;
  path: SendPath;
  inbound: InboundMessage[];
  logs: LogRecord[];
  /** resolves when the server has seen `n` Baileys sockets finish login (digest iq answered) */
  loggedIn(n: number): Promise<void>;
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Starts the reference path against `server` (a fresh one by default; set its plans first). */
async function rig(existing?: WaServer): Promise<Rig> {
  const server = existing ?? (await startWaServer());
  const logs: LogRecord[] = [];
  const inbound: InboundMessage[] = [];
  const env = productionEnv({
    socketConfig: loopbackSocketConfig(server),
    logger: captureLogger(logs),
    config: {
      reconnect: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0, maxAttempts: 5 },
      replyDeadlineMs: 4000,
    },
  });
  const path = referenceSendPath(env);
  let stopped = false;
  cleanup = async () => {
    if (!stopped) await path.stop();
    await server.close();
  };
  const stop = path.stop.bind(path);
  path.stop = async () => {
    stopped = true;
    await stop();
  };
  await path.start((msg) => inbound.push(msg));
  return {
    server,
    path,
    inbound,
    logs,
    loggedIn: async (n) => {
      await server.waitFor(
        () =>
          server.connections.filter((c) =>
            c.received.some((s) => s.tag === 'iq' && s.child === 'digest'),
          ).length >= n,
        3000,
        `${n} logged-in connection(s)`,
      );
      await sleep(30); // the digest answer reaches Baileys, which then emits 'open'
    },
  };
}

async function receiveOne(r: Rig, id: string, text: string): Promise<InboundMessage> {
  r.server.current!.pushText({ from: PEER_JID, id, text });
  return r.server.waitFor(() => r.inbound.find((m) => m.id === id), 2000, `inbound ${id}`);
}

/**
 * The server's frames for `id`. `sendMessage` resolves once the frame is *written*, before the
 * server has read it: wait for the first frame, then a little longer so a duplicate would show.
 */
async function framesFor(r: Rig, id: string): Promise<number[]> {
  await r.server.waitFor(() => r.server.framesWithId(id).length > 0, 2000, `frame ${id}`);
  await sleep(100);
  return r.server.framesWithId(id).map((f) => f.conn);
}

/** Stops the path and the server; nothing may be left open and no log may hold a full JID. */
async function stopCleanly(r: Rig, before: Map<string, number>): Promise<void> {
  await r.path.stop();
  await r.server.close();
  cleanup = undefined;
  await sleep(50);
  expect(leaked(before, resources())).toEqual([]);
  assertNoFullJidsInLogs(r.logs);
}

function assertNoFullJidsInLogs(logs: LogRecord[]): void {
  const text = JSON.stringify(logs.map((l) => [l.obj, l.msg]));
  expect(text).not.toContain(PEER_JID.split('@')[0]!);
  expect(text).not.toContain(BOT_USER);
}

describe('reference send path over real Baileys (loopback)', () => {
  it(
    'connects, receives, survives a drop, and delivers a reply requested in the gap once ' +
      'on the new socket',
    { timeout: 8000 },
    async () => {
      const before = resources();
      const r = await rig();
      await r.loggedIn(1);
      const msg = await receiveOne(r, 'IN-GAP-1', 'hello bot');
      expect(msg.chatJid).toBe(PEER_JID);
      expect(msg.text).toBe('hello bot');

      r.server.dropAll();
      // wait until Baileys reported the close to the supervisor (it logs it), then reply in the gap
      await r.server.waitFor(
        () => r.logs.some((l) => l.msg === 'connection closed'),
        2000,
        'close heard',
      );
      const receipt = (await msg.reply('reply in the gap')) as {
        messageId: string;
        generation: number;
      };

      expect(r.server.connections.length).toBe(2);
      expect(await framesFor(r, receipt.messageId)).toEqual([2]);
      expect(receipt.generation).toBe(2);

      await stopCleanly(r, before);
    },
  );

  it(
    'a reply whose first attempt dies with the socket is retried with the same id and ' +
      'delivered once on the new socket',
    { timeout: 8000 },
    async () => {
      const before = resources();
      const r = await rig();
      await r.loggedIn(1);
      const msg = await receiveOne(r, 'IN-FLIGHT-1', 'question');
      // the first attempt stalls in relayMessage's usync iq on socket 1 ...
      r.server.holdIq = (iq, conn) => iq.xmlns === 'usync' && conn.id === 1;
      const usyncOn1 = () =>
        r.server.connections[0]!.received.filter((s) => s.attrs.xmlns === 'usync').length;
      const usyncBefore = usyncOn1();
      const replying = msg.reply('answer after a drop');
      await r.server.waitFor(() => usyncOn1() > usyncBefore, 2000, 'the reply attempt on socket 1');
      // ... and the server drops socket 1 under it (Baileys rejects the send with the ws close
      // code)
      r.server.dropAll();
      const receipt = (await replying) as {
        messageId: string;
        attempts: number;
        generation: number;
      };

      expect(await framesFor(r, receipt.messageId)).toEqual([2]);
      expect(receipt.generation).toBe(2);
      expect(receipt.attempts).toBe(2);
      // every attempt used the same message id
      const attempts = r.logs
        .map((l) => ({
          ...(l.obj as { attempt?: number; messageId?: string; kind?: string }),
          msg: l.msg,
        }))
        .filter((o) => o.attempt !== undefined && o.messageId !== undefined);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
      expect(new Set(attempts.map((a) => a.messageId))).toEqual(new Set([receipt.messageId]));

      await stopCleanly(r, before);
    },
  );

  it(
    '440 (conflict: replaced by another session) stops reconnecting',
    { timeout: 5000 },
    async () => {
      const r = await rig();
      await r.loggedIn(1);
      const msg = await receiveOne(r, 'IN-440', 'hi');
      r.server.current!.streamError('conflict');
      await r.server.waitFor(() => r.server.current!.closed, 2000, 'socket 1 closed');
      await expect(msg.reply('too late')).rejects.toMatchObject({
        name: 'TerminalConnectionError',
      });
      await sleep(600); // longer than the largest backoff (400 ms)
      expect(r.server.connections.length).toBe(1);
      expect(r.server.messages).toEqual([]);
    },
  );

  it('401 at login (<failure reason="401">) stops reconnecting', { timeout: 5000 }, async () => {
    const server = await startWaServer();
    server.plans.push({ failure: 401 });
    const r = await rig(server);
    await r.server.waitFor(() => r.server.connections[0]?.closed, 2000, 'socket 1 closed');
    await sleep(600);
    expect(r.server.connections.length).toBe(1);
    expect(
      r.logs.some(
        (l) =>
          l.msg === 'connection terminal; not reconnecting' &&
          (l.obj as { statusCode?: number }).statusCode === 401,
      ),
    ).toBe(true);
  });

  it(
    '401 while connected (<stream:error code="401"> device_removed) stops reconnecting',
    { timeout: 5000 },
    async () => {
      const r = await rig();
      await r.loggedIn(1);
      r.server.current!.streamError('deviceRemoved');
      await r.server.waitFor(() => r.server.current!.closed, 2000, 'socket 1 closed');
      await sleep(600);
      expect(r.server.connections.length).toBe(1);
    },
  );

  it('stop() closes the real socket and leaves no handles behind', { timeout: 5000 }, async () => {
    const before = resources();
    const r = await rig();
    await r.loggedIn(1);
    const msg = await receiveOne(r, 'IN-STOP', 'hi');
    const receipt = (await msg.reply('one')) as { messageId: string };
    expect(await framesFor(r, receipt.messageId)).toEqual([1]);
    await r.path.stop();
    await r.server.waitFor(
      () => r.server.connections.every((c) => c.closed),
      2000,
      'server saw the close',
    );
    await r.server.close();
    cleanup = undefined;
    await sleep(50);
    expect(leaked(before, resources())).toEqual([]);
  });

  it(
    'stop() during an in-flight reply returns at once although Baileys holds the send ' +
      'for defaultQueryTimeoutMs',
    { timeout: 5000 },
    async () => {
      // rc14's end() drops the ws 'close' listeners before closing, so a send waiting on an iq
      // only settles when that query times out (loopbackSocketConfig: 1000 ms; default 60 s).
      // The outbox does not wait for it: the reply ends ambiguous and stop() returns.
      const before = resources();
      const r = await rig();
      await r.loggedIn(1);
      const msg = await receiveOne(r, 'IN-STOP-FLIGHT', 'hi');
      r.server.holdIq = (iq) => iq.xmlns === 'usync';
      const usyncCount = () =>
        r.server.current!.received.filter((s) => s.attrs.xmlns === 'usync').length;
      const usyncBefore = usyncCount();
      const replying = msg.reply('never sent').then(
        () => 'resolved',
        (err: Error) => err.name,
      );
      await r.server.waitFor(() => usyncCount() > usyncBefore, 2000, 'the reply attempt');
      const t0 = Date.now();
      await r.path.stop();
      const stopMs = Date.now() - t0;
      expect(await replying).toBe('AmbiguousDeliveryError');
      expect(stopMs).toBeLessThan(500);
      expect(r.server.messages).toEqual([]);
      await r.server.close();
      cleanup = undefined;
      await sleep(1200); // Baileys' own query timer (1000 ms here) ends by itself
      expect(leaked(before, resources())).toEqual([]);
    },
  );
});
