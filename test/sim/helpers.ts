/**
 * Test helpers for the simulator: a tiny, correct-enough send path (the reference lives in src/
 * and is tested on its own), a seeded timeline generator, and a driver for the fake network.
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type {
  Clock,
  InboundMessage,
  MediaSpec,
  SendPathFactory,
  SimEnv,
  SocketLike,
  TimerHandle,
} from '../../src/ports.js';
import { dropReasons } from '../../src/dropFacts.js';
import { VirtualClock } from '../../sim/clock.js';
import { FakeNetwork, type NetworkOptions } from '../../sim/network/fakeNetwork.js';
import { messageIdSource, streamFor } from '../../sim/random.js';
import { ServerModel, type QueuedInbound } from '../../sim/network/server.js';
import {
  parseTimeline,
  timelineFormat,
  type Timeline,
  type TimelineEvent,
} from '../../sim/timeline.js';

/** The config every test timeline uses unless it says otherwise. */
export const testConfig = {
  reconnect: { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.2, maxAttempts: 10 },
  replyDeadlineMs: 60_000,
};

/** A validated timeline from events (seed 7 unless given). */
export function timelineOf(events: TimelineEvent[], seed = 7): Timeline {
  return parseTimeline({ format: timelineFormat, seed, config: testConfig, events });
}

/**
 * A tiny send path: one socket at a time, reconnect 1 s (± jitter) after any close, replies wait
 * for an open socket and retry every 500 ms with the same message id (so duplicates dedupe).
 * `stop()` ends the socket and cancels every wait and timer.
 */
export const tinyPath: SendPathFactory = (env) => {
  let sock: SocketLike | undefined;
  let open = false;
  let stopped = false;
  let reconnectTimer: TimerHandle | undefined;
  let onMessage: (msg: InboundMessage) => void = () => {};
  const openWaiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();
  const sleeps = new Sleeps(env.clock);
  const stoppedError = () => Object.assign(new Error('stopped'), { name: 'StoppedError' });

  const connect = (): void => {
    const s = env.makeSocket();
    sock = s;
    open = false;
    s.ev.on('connection.update', (update) => {
      if (s !== sock) return;
      if (update.connection === 'open') {
        open = true;
        for (const w of openWaiters) w.resolve();
        openWaiters.clear();
      } else if (update.connection === 'close') {
        open = false;
        sock = undefined;
        if (!stopped) {
          reconnectTimer = env.clock.setTimeout(
            () => {
              reconnectTimer = undefined;
              connect();
            },
            1000 * (0.8 + 0.4 * env.random()),
          );
        }
      }
    });
    s.ev.on('messages.upsert', ({ messages }) => {
      // rc14 echoes our own sends as `append` upserts: not messages for the bot.
      for (const m of messages) if (!m.key.fromMe) onMessage(bindTiny(m, env, send));
    });
  };
  const waitOpen = (): Promise<void> => {
    if (stopped) return Promise.reject(stoppedError());
    if (open) return Promise.resolve();
    return new Promise((resolve, reject) => openWaiters.add({ resolve, reject }));
  };
  const send = (op: (s: SocketLike) => Promise<unknown>): Promise<unknown> =>
    sendRetrying(op, { waitOpen, socket: () => sock!, isStopped: () => stopped, sleeps });
  return {
    start(handler) {
      onMessage = handler;
      env.logger.info({ event: 'start' }, 'tiny path starting');
      connect();
    },
    async stop() {
      stopped = true;
      if (reconnectTimer !== undefined) env.clock.clearTimeout(reconnectTimer);
      sleeps.cancel(stoppedError);
      for (const w of openWaiters) w.reject(stoppedError());
      openWaiters.clear();
      const s = sock;
      sock = undefined;
      if (s !== undefined) await s.end(undefined);
    },
  };
};

/** What the tiny path's retries need of it. */
interface TinyRetries {
  waitOpen(): Promise<void>;
  socket(): SocketLike;
  isStopped(): boolean;
  sleeps: Sleeps;
}

/** Runs `op` on the open socket up to 20 times, 500 ms apart, until it succeeds or stops. */
async function sendRetrying(
  op: (s: SocketLike) => Promise<unknown>,
  path: TinyRetries,
): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    await path.waitOpen();
    try {
      return await op(path.socket());
    } catch (error) {
      lastError = error;
      if (path.isStopped()) throw error;
      await path.sleeps.sleep(500);
    }
  }
  throw lastError;
}

/** Sleeps on the clock that `stop()` cancels, each rejecting with the error it is given. */
class Sleeps {
  readonly #clock: Clock;
  readonly #pending = new Set<{ handle: TimerHandle; reject: (e: Error) => void }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Resolves after `ms`, unless cancelled first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = { handle: undefined as TimerHandle, reject };
      entry.handle = this.#clock.setTimeout(() => {
        this.#pending.delete(entry);
        resolve();
      }, ms);
      this.#pending.add(entry);
    });
  }

  /** Clears every pending sleep's timer and rejects it with `error()`. */
  cancel(error: () => Error): void {
    for (const entry of this.#pending) {
      this.#clock.clearTimeout(entry.handle);
      entry.reject(error());
    }
    this.#pending.clear();
  }
}

/** A message for the tiny path's bot: each reply gets a fresh id and goes through `send`. */
function bindTiny(
  m: WAMessage,
  env: SimEnv,
  send: (op: (s: SocketLike) => Promise<unknown>) => Promise<unknown>,
): InboundMessage {
  const chatJid = m.key.remoteJid!;
  return {
    chatJid,
    id: m.key.id!,
    text: m.message?.conversation ?? '',
    reply: (text) => {
      const messageId = env.messageIds();
      return send((s) => s.sendMessage(chatJid, { text }, { messageId }));
    },
    sendMedia: (media) => {
      const messageId = env.messageIds();
      const content = tinyMediaContent(media);
      return send((s) => s.sendMessage(chatJid, content, { messageId }));
    },
    sendComposing: async () => {
      await send((s) => s.sendPresenceUpdate('composing', chatJid));
    },
  };
}

/** What the tiny path sends for a media reply: an empty image or document. */
function tinyMediaContent(media: MediaSpec) {
  return media.kind === 'image'
    ? { image: Buffer.alloc(0), caption: media.caption }
    : {
        document: Buffer.alloc(0),
        mimetype: 'application/octet-stream',
        caption: media.caption,
      };
}

/**
 * A "generated-looking" timeline from a seed: 1-3 chats, up to `eventsMax` events mixing
 * inbound, replies, media, composing, drops, refusals, stalled queries, nacks, stuck writes,
 * latency, blackholes and heals.
 */
export function generatedTimeline(seed: number, eventsMax = 40): Timeline {
  const rng = xoroshiro128plus(seed);
  const int = (lo: number, hi: number) => uniformInt(rng, lo, hi);
  const chats = ['c1', 'c2', 'c3'].slice(0, int(1, 3));
  const events: TimelineEvent[] = [];
  const msgs: string[] = [];
  let at = 0;
  let keys = 0;
  const n = int(Math.min(10, eventsMax), eventsMax);
  for (let i = 0; i < n; i++) {
    at += int(0, 3000);
    const roll = msgs.length === 0 ? 0 : int(0, 99);
    if (roll < 25) {
      const msg = `m${msgs.length + 1}`;
      msgs.push(msg);
      events.push({ at, do: 'inbound', chat: chats[int(0, chats.length - 1)]!, msg });
    } else if (roll < 50) {
      events.push({ at, do: 'reply', to: msgs[int(0, msgs.length - 1)]!, key: `r${++keys}` });
    } else if (roll < 55) {
      events.push({
        at,
        do: 'sendMedia',
        to: msgs[int(0, msgs.length - 1)]!,
        key: `r${++keys}`,
        kind: int(0, 1) ? 'image' : 'document',
        bytes: int(0, 5000),
      });
    } else if (roll < 60) {
      events.push({ at, do: 'composing', to: msgs[int(0, msgs.length - 1)]! });
    } else if (roll < 72) {
      const reason = dropReasons[int(0, dropReasons.length - 1)]!;
      const heardLate =
        reason === 'connectionClosed' || reason === 'connectionReset' || reason === 'wsClose';
      events.push(
        heardLate && int(0, 1)
          ? { at, do: 'drop', reason, noticeMs: int(0, 500) }
          : { at, do: 'drop', reason },
      );
    } else if (roll < 78) {
      events.push({ at, do: 'refuseConnects', untilAt: at + int(0, 8000) });
    } else if (roll < 82) {
      events.push({
        at,
        do: 'stallQueries',
        untilAt: at + int(0, 80_000),
        iq: int(0, 1) ? 'usync' : 'all',
      });
    } else if (roll < 86) {
      events.push(
        int(0, 1)
          ? { at, do: 'nack', delayMs: int(0, 1000) }
          : { at, do: 'stuckWrites', untilAt: at + int(0, 10_000) },
      );
    } else if (roll < 93) {
      events.push({ at, do: 'latency', ms: int(0, 400) });
    } else if (roll < 96) {
      events.push({ at, do: 'blackhole', untilAt: at + int(0, 40_000) });
    } else {
      events.push({ at, do: 'heal' });
    }
  }
  return timelineOf(events, seed);
}

/** A fake network on a fresh clock, for direct tests of the fake socket. */
export function testNetwork(options: Partial<NetworkOptions> = {}, seed = 11) {
  const clock = new VirtualClock({ virtualTimeMsMax: 10_000_000 });
  const chatNames = new Map([['15550000001@s.whatsapp.net', 'c1']]);
  const server = new ServerModel({ dedupeById: true, chatNames, inboundQueueMax: 100 });
  const emitted: { message: QueuedInbound; generation: number; type: 'notify' | 'append' }[] = [];
  const net = new FakeNetwork({
    clock,
    fakeIds: messageIdSource(streamFor(seed, 'fakeMessageIds')),
    server,
    chatNames,
    hooks: {
      onInboundEmitted: (message, generation, type) => emitted.push({ message, generation, type }),
    },
    options,
  });
  /** Runs every timer due up to and including `atMs` (draining between timers). */
  const runUntil = async (atMs: number): Promise<void> => {
    let reached = false;
    clock.harness.setTimeout(() => (reached = true), atMs - clock.now());
    await clock.run(() => reached);
  };
  /** Runs `fn` at virtual time `atMs` (after earlier timers). */
  const at = (atMs: number, fn: () => void): void => {
    clock.harness.setTimeout(fn, atMs - clock.now());
  };
  return { clock, server, net, emitted, runUntil, at };
}

/** The chat JID of `c1` in tests. */
export const c1 = '15550000001@s.whatsapp.net';
