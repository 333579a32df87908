/**
 * One fake socket's connection, the part rc14 keeps in `Socket/socket.js`, made of three parts
 * that share one {@link ConnectionShared} (connectionShared.ts): the login (login.ts: the
 * connect, `connecting`, the upgrade, the login's outcome, `open`), the keep-alive
 * (keepAlive.ts: a silent link ends the socket) and the close (close.ts: Baileys' `end()`, the
 * bot's `ws.close()`, `close` emitted once). This front holds what its link's events mean for
 * them (link.ts: frames each way, a silence, a cut heard one latency later) and rc14's write
 * gates: `sendRawMessage` (`:58-72`: 428 unless ws is open, 408 behind a full send buffer,
 * `write ECONNRESET` into a reset not read yet), `sendNode` (`:74-80`) and `query` with its
 * `waitForMessage` (`:86-140`).
 */
import type { CutKind } from '../faults/fault.js';
import type { QueryKind, QueryRefusal } from '../faults/ruleStages.js';
import type { AttemptRecord, SocketCause, SocketState, SocketTimings } from '../history.js';
import {
  connectionClosedError,
  queryRefusedError,
  timedOutError,
  type DropReason,
} from './baileysErrors.js';
import { Close } from './close.js';
import { ConnectionShared, type ConnectionParts } from './connectionShared.js';
import { KeepAlive } from './keepAlive.js';
import { Link, type LinkEvents, type ResumeAt } from './link.js';
import { Login } from './login.js';
import { PendingQuery } from './pendingQuery.js';
import type { WsEvents } from './socketChannel.js';
import { sleepOn } from './socketHost.js';

/** A query's options: its own timeout, or an answer decided before the rules are asked. */
export interface QueryOptions {
  timeoutMs?: number;
  forced?: 'stall';
}

/** The connection of one fake socket (see the module comment). */
export class Connection {
  readonly #shared: ConnectionShared;
  readonly #login: Login;
  readonly #close: Close;
  readonly #keepAlive: KeepAlive;
  /** Baileys `end(error)` (close.ts): single-use; resolves once `close` was emitted. */
  readonly end: Close['end'];

  /** A connection of `parts`; {@link start} begins the connect. */
  constructor(parts: ConnectionParts) {
    const events: LinkEvents = {
      heard: (kind, dropReason) => this.#close.heardCut(kind, dropReason),
      cutByServer: (dropReason) => this.#shared.lost('drop', dropReason),
      wentSilent: () => this.#keepAlive.linkWentSilent(),
      resumed: () => {
        this.#keepAlive.linkResumed();
        this.#close.linkResumed();
      },
    };
    const { host, generation, record } = parts;
    const shared = new ConnectionShared(parts, new Link({ host, generation, record, events }));
    const close = new Close(shared);
    this.#shared = shared;
    this.#close = close;
    this.#login = new Login(shared, close);
    this.#keepAlive = new KeepAlive(shared, close);
    this.end = close.end;
  }

  /** Starts connecting: `connecting` on the next tick, the login's answer after the delay. */
  start(): void {
    this.#login.start();
  }

  /** The socket's timings (its config's, or rc14's defaults). */
  get timings(): SocketTimings {
    return this.#shared.parts.timings;
  }

  /** The socket's state now. */
  get state(): SocketState {
    return this.#shared.state;
  }

  /** Whether `close` has been emitted to the path. */
  get closeEmitted(): boolean {
    return this.#shared.closeEmitted;
  }

  /** Whether the link is silent now (frames stall both ways). */
  get silent(): boolean {
    return this.#shared.link.silent;
  }

  /** Whether Baileys may write: `sendRawMessage`'s `ws.isOpen` (login.ts). */
  get wsOpen(): boolean {
    return this.#login.wsOpen;
  }

  /** Whether a write would wait behind a frame stuck in the silent link's full buffers. */
  get sendBufferFull(): boolean {
    return this.#shared.link.sendBufferFull;
  }

  /** An RST is on the bot's host, unread: the next write fails ({@link failedWrite}). */
  get resetUnread(): boolean {
    return this.#shared.link.resetUnread;
  }

  /** Emits `event` on the socket's `ev`; false when a listener threw. */
  emit(event: string, arg: unknown): boolean {
    return this.#shared.emit(event, arg);
  }

  /** Resolves `delayMs` from now, on the network's timers. */
  sleep(delayMs: number): Promise<void> {
    return sleepOn(this.#shared.host.timers, delayMs);
  }

  /** A frame to the server: `arrive` runs when it gets there (never, if it is lost). */
  toServer(arrive: () => void): void {
    this.#shared.link.toServer(arrive);
  }

  /** A frame from the server: one latency later (stalls while silent), and counts as heard. */
  fromServer(arrive: () => void): void {
    this.#shared.link.fromServer(arrive);
  }

  /**
   * Emits now, unless the socket is still logging in: rc14's event buffer then holds it until
   * the login's notifications; never once `close` was emitted.
   */
  emitOnceLoggedIn(emit: () => void): void {
    this.#login.emitOnceLoggedIn(emit);
  }

  /**
   * rc14's `query`: 428 unless open (`sendRawMessage`); else it resolves true when answered,
   * false when it waited out `defaultQueryTimeoutMs` (`waitForMessage` turns its timeout into
   * `undefined`), rejects with the bare close code if the server cut the connection meanwhile,
   * and with rc14's Boom 500 when the server answered it with an error (`assertNodeErrorFree`).
   */
  query(
    kind: QueryKind,
    attempt: AttemptRecord | undefined,
    chatJid: string,
    options: QueryOptions = {},
  ): Promise<boolean> {
    if (!this.wsOpen) return Promise.reject(connectionClosedError());
    const { host, link, queries } = this.#shared;
    // The query cannot be written behind a full buffer: `sendRawMessage`'s write timeout.
    if (link.sendBufferFull) return this.#timedOutLater();
    if (link.resetUnread) return Promise.reject(this.failedWrite());
    return new Promise<boolean>((resolve, reject) => {
      const query = new PendingQuery(queries, host.timers, attempt, resolve, reject);
      queries.add(query);
      const timeoutMs = options.timeoutMs ?? this.timings.defaultQueryTimeoutMs;
      query.timer = host.timers.setTimeout(() => query.resolve(false), timeoutMs);
      const answer = options.forced ?? host.rules.query({ kind, chatJid });
      if (answer === 'stall') {
        if (attempt !== undefined) attempt.queriesStalled = (attempt.queriesStalled ?? 0) + 1;
        return;
      }
      link.toServer(() =>
        this.fromServer(() => {
          // After `end()` began, Baileys no longer reads frames: the answer is never processed.
          if (!queries.has(query) || query.detached) return;
          if (answer === undefined) query.resolve(true);
          else query.reject(queryRefusedError(answer as QueryRefusal));
        }),
      );
    });
  }

  /**
   * rc14's `sendNode`: 428 unless the WebSocket is open (or 408 behind a full buffer, or `write
   * ECONNRESET` into a reset not read yet); written now, `atServer` runs on arrival.
   */
  sendNode(atServer: (() => void) | undefined): Promise<void> {
    if (!this.wsOpen) return Promise.reject(connectionClosedError());
    const link = this.#shared.link;
    if (link.resetUnread) return Promise.reject(this.failedWrite());
    if (link.sendBufferFull) return this.#timedOutLater();
    link.toServer(() => atServer?.());
    return Promise.resolve();
  }

  /** `sendRawMessage`'s write timeout behind a full buffer: 408 after `connectTimeoutMs`. */
  #timedOutLater(): Promise<never> {
    const timeoutMs = this.timings.connectTimeoutMs;
    return this.sleep(timeoutMs).then(() => Promise.reject(timedOutError()));
  }

  /**
   * A frame written into the silent link is larger than its buffers: it and every write after
   * it wait behind it (408) until the link resumes.
   */
  fillSendBuffer(): void {
    this.#shared.link.fillSendBuffer();
  }

  /** A write into an RST not read yet fails `write ECONNRESET`; the cut is heard at once. */
  failedWrite(): Error {
    return this.#shared.link.failedWrite();
  }

  /** The server cut the connection; the bot hears it `noticeMs` (default: one latency) later. */
  cut(kind: CutKind, noticeMs: number | undefined, dropReason: DropReason): void {
    this.#shared.link.cutBy(kind, noticeMs, dropReason);
  }

  /** A stream error (or stream end) from the server: it arrives one latency later. */
  serverEnds(error: Error, dropReason: DropReason, cause: SocketCause): void {
    if (this.closeEmitted) return;
    this.fromServer(() => this.#close.endedByServer(error, dropReason, cause));
  }

  /** The server's stream error arrived (a newer session's 440: now): Baileys ends with it. */
  endedByServer(error: Error, dropReason: DropReason, cause: SocketCause): void {
    this.#close.endedByServer(error, dropReason, cause);
  }

  /** The link goes silent; the keep-alive will notice unless it comes back first. */
  silence(resumeAt: ResumeAt): void {
    this.#shared.link.silence(resumeAt);
  }

  /** A silent link comes back: stalled frames arrive, and a pending close handshake completes. */
  resume(): void {
    this.#shared.link.resume();
  }

  /** Baileys' own `end(error)`, begun by Baileys itself (close.ts). */
  beginEnd(error: Error | undefined, cause: SocketCause): void {
    this.#close.beginEnd(error, cause);
  }

  /** The bot's `ws.close()` (close.ts). */
  closeWs(): Promise<void> {
    return this.#close.closeWs();
  }

  /** rc14's client dropped its ws after a `ws.close()` completed (`socket = null`). */
  wsReleased(): boolean {
    return this.#close.wsReleased();
  }

  /** The ws facade to tell of opens, closes and errors. */
  attachWs(ws: WsEvents): void {
    this.#shared.ws = ws;
  }
}
