/**
 * Ports: every source of nondeterminism the send path touches (time, timers, randomness,
 * message ids, sockets, logs) enters through one of these interfaces. Production wires them to
 * the real world (see `productionEnv`); the simulator wires them to a virtual clock, seeded
 * streams and a fake Baileys socket factory. Nothing in `src/` may reach around them.
 */
import type { UserFacingSocketConfig, WASocket } from '@whiskeysockets/baileys';
import type { ReconnectPolicy } from './reconnectPolicy.js';

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Time and timers. `now()` is milliseconds on the clock's own epoch (virtual in a simulation). */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** A uniform draw in [0, 1). */
export type Random = () => number;

/** Produces a fresh WhatsApp message id (`3EB0` + 18 upper-case hex in Baileys' own format). */
export type IdSource = () => string;

/** pino-compatible structured logger: the subset the send path uses. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The members of a Baileys socket a send path uses. Typed against Baileys' own `WASocket`, so
 * the real `makeWASocket` result and the simulator's fake both satisfy it.
 */
export type SocketLike = Pick<WASocket, 'sendMessage' | 'sendPresenceUpdate' | 'end'> & {
  ev: Pick<WASocket['ev'], 'on' | 'off'>;
};

/** Configuration the send path passes to the factory on every connect. */
export type SocketConfig = Partial<UserFacingSocketConfig>;

/** A drop-in for Baileys' `makeWASocket`: every call opens a new connection (a new socket). */
export type SocketFactory = (config?: SocketConfig) => SocketLike;

/** Media a bot sends; `bytes` is the payload size (the simulator does not move real bytes). */
export interface MediaSpec {
  kind: 'image' | 'document';
  caption?: string;
  bytes: number;
}

/** An inbound chat message with its reply capabilities bound by the send path. */
export interface InboundMessage {
  chatJid: string;
  id: string;
  text: string;
  reply(text: string): Promise<unknown>;
  sendMedia(media: MediaSpec): Promise<unknown>;
  sendComposing(): Promise<void>;
}

/**
 * A small key-value store that outlives the process: what a send path keeps across a restart of
 * the bot (the ids of the messages it already handed to its handler, say). Values are text; the
 * path chooses their encoding. Asynchronous, as disk and network stores are. Production passes a
 * store on disk (`fileStore`); the simulator one that lives as long as the run, through every
 * restart in it, and bounds keys and sizes.
 */
export interface KeyValueStore {
  /** The value stored under `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, replacing what was there. */
  set(key: string, value: string): Promise<void>;
  /** Removes `key` (nothing happens if it is absent). */
  delete(key: string): Promise<void>;
}

/** What a send path gets from its host: the simulator or production. */
export interface SimEnv {
  /** Drop-in for Baileys `makeWASocket`; each call is a new connection. */
  makeSocket: SocketFactory;
  /** setTimeout / clearTimeout / now; virtual in a simulation. */
  clock: Clock;
  /** Seeded uniform randomness (backoff jitter). */
  random: Random;
  /**
   * Message ids: a stream of their own, so that drawing an id does not shift the backoff
   * jitter, and production can use Baileys' generator.
   */
  messageIds: IdSource;
  /** pino-compatible; captured into the history in a simulation. */
  logger: Logger;
  /**
   * What the path persists across a restart of the bot. A simulated restart stops the path and
   * builds a new one from the factory with the same store (and the same WhatsApp session).
   */
  store: KeyValueStore;
  /**
   * The run's send-path settings (a timeline's `config`): generated timelines vary the
   * reconnect policy and the reply deadline, and the path must see them.
   */
  config: SendPathConfig;
}

/** Settings a host hands every send path; a path may ignore them, the reference honours them. */
export interface SendPathConfig {
  reconnect: ReconnectPolicy;
  /** A reply's whole life (queueing, waits and attempts) is bounded by this. */
  replyDeadlineMs: number;
}

/** A send path under test: the reference in `src/`, a specimen, or a user's own. */
export interface SendPath {
  start(onMessage: (msg: InboundMessage) => void): Promise<void> | void;
  /** Must leave no timers and no pending promises behind. */
  stop(): Promise<void>;
}

/** The audit seam: anyone's send path, built from the host's ports. */
export type SendPathFactory = (env: SimEnv) => SendPath;

/** Production clock: the real time and real timers. The only place `src/` touches them. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) =>
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Production randomness for jitter. */
export const systemRandom: Random = () => Math.random();
