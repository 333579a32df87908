/**
 * One fake socket's connection, the part rc14 keeps in `Socket/socket.js`: the login (the
 * connect's verdict, `open`), what its link's events mean for the socket (link.ts: frames each
 * way, a silence, a cut heard one latency later), the keep-alive that ends a silent link
 * (keepAlive.ts), rc14's `query` and `sendRawMessage` gates (428 unless open, 408 behind a full
 * send buffer, `write ECONNRESET` into a reset not read yet), and the close: Baileys' `end()`,
 * the bot's `ws.close()`, and `close` emitted once, when what was in flight is lost and the
 * inbound part hands back what the server must deliver again.
 */
import type { Boom } from '@hapi/boom';
import { wsCloseCodes, wsCloseTimeoutMs } from '../../src/baileysFacts.js';
import type { SocketConfig, TimerHandle } from '../../src/ports.js';
import type { CutKind } from '../faults/fault.js';
import type { ConnectVerdict, QueryKind, QueryRefusal } from '../faults/ruleStages.js';
import { errorRecord, type AttemptRecord, type SocketCause } from '../history.js';
import type { SocketRecord, SocketState, SocketTimings } from '../history.js';
import { factKinds } from '../journal.js';
import {
  connectionClosedError,
  connectRefusedError,
  dropError,
  handshakeTimedOutError,
  loginFailureError,
  queryRefusedError,
  timedOutError,
  type DropReason,
} from './baileysErrors.js';
import type { FakeEmitter } from './emitter.js';
import { keepAliveEndsAt } from './keepAlive.js';
import { closeUpdate } from './messageShapes.js';
import { PendingQuery, QueriesInFlight } from './pendingQuery.js';
import type { QueuedInbound, ReceiptForBot } from './server.js';
import { simulatedAccount, type WsEvents } from './socketChannel.js';
import { sleepOn, type SocketHost } from './socketHost.js';
import { wsClosedBeforeEstablishedError } from './surfaceErrors.js';
import { Link, type ResumeAt } from './link.js';

/** The bare close code a query in flight is rejected with, per way the server cut. */
const closeCodeOf: Readonly<Record<CutKind, number>> = {
  fin: wsCloseCodes.abnormalClosure,
  rst: wsCloseCodes.abnormalClosure,
  rstUnread: wsCloseCodes.abnormalClosure,
  wsClose: wsCloseCodes.noStatusReceived,
};

/** What the inbound part hands back when `close` is emitted (see {@link ConnectionParts}). */
export interface HandedBack {
  /** Inbound messages never receipted: the server delivers them again at the next login. */
  unreceipted: QueuedInbound[];
  /** Retry receipts never acknowledged: the server pushes them again at the next login. */
  unanswered: ReceiptForBot[];
}

/** What a connection is made of: its socket's own objects, and the hand-back at close. */
export interface ConnectionParts {
  host: SocketHost;
  generation: number;
  record: SocketRecord;
  timings: SocketTimings;
  /** rc14's `markOnlineOnConnect` (socketBehaviour.ts). */
  markOnlineOnConnect: boolean;
  /** The `auth` the path passed to `makeWASocket` (rc14 emits `creds.update` at each login). */
  auth: SocketConfig['auth'] | undefined;
  emitter: FakeEmitter;
  /** At `close`: drop the event buffer and say what the server must deliver again. */
  handBack(): HandedBack;
}

/** A query's options: its own timeout, or an answer decided before the rules are asked. */
export interface QueryOptions {
  timeoutMs?: number;
  forced?: 'stall';
}

/** The connection of one fake socket (see the module comment). */
export class Connection {
  readonly #host: SocketHost;
  readonly #parts: ConnectionParts;
  readonly #record: SocketRecord;
  readonly #link: Link;
  readonly #queries = new QueriesInFlight();
  /** When the server accepts the upgrade (one latency after the connect), unless it fails. */
  readonly #upgradeAt: number;
  #connectTimer: TimerHandle | undefined;
  #keepAliveTimer: TimerHandle | undefined;
  #closeTimer: TimerHandle | undefined;
  /** Emissions rc14's event buffer holds until the login's notifications (echoes of sends). */
  #heldUntilLogin: (() => void)[] = [];
  /** The error `close` will carry once the close handshake ends. */
  #endError: Error | undefined;
  #endPromise: Promise<void> | undefined;
  #resolveEnd: (() => void) | undefined;
  /** Resolvers of the bot's `ws.close()` calls, settled when `close` is emitted. */
  #afterClose: (() => void)[] = [];
  /** rc14's `ws` as the surface made it (absent until a bot reads `sock.ws`). */
  #ws: WsEvents | undefined;
  /** The bot called `ws.close()` on an open socket: ws is closing, Baileys' `end()` not begun. */
  #closingByWs = false;
  /** rc14's client called `ws.close()` (Baileys' `end()`, or the bot): no ws once closed. */
  #wsCloseCalled = false;

  /** A connection of `parts`; {@link start} begins the connect. */
  constructor(parts: ConnectionParts) {
    this.#host = parts.host;
    this.#parts = parts;
    const record = parts.record;
    this.#record = record;
    const events = {
      heard: (kind: CutKind, dropReason: DropReason) => this.#heardCut(kind, dropReason),
      cutByServer: (dropReason: DropReason) => this.#lost('drop', dropReason),
      wentSilent: () => {
        if (this.state === 'open') this.#scheduleKeepAlive();
      },
      resumed: () => {
        this.#cancelKeepAlive();
        if (this.state === 'closing') this.#scheduleClose(2 * this.#host.latencyMs());
      },
    };
    this.#link = new Link({ host: parts.host, generation: parts.generation, record, events });
    this.#upgradeAt = parts.host.now() + parts.host.latencyMs();
  }

  /** Starts connecting: `connecting` on the next tick, the login's answer after the delay. */
  start(): void {
    const host = this.#host;
    // Baileys emits `connecting` from process.nextTick after makeWASocket returns.
    queueMicrotask(() => {
      if (this.state !== 'connecting') return;
      const pending = { receivedPendingNotifications: false, qr: undefined };
      this.emit('connection.update', { connection: 'connecting', ...pending });
    });
    const delayMs = host.options.connectDelayMs + host.latencyMs();
    this.#connectTimer = host.timers.setTimeout(() => this.#completeConnect(), delayMs);
  }

  /** The socket's timings (its config's, or rc14's defaults). */
  get timings(): SocketTimings {
    return this.#parts.timings;
  }

  /** The socket's state now. */
  get state(): SocketState {
    return this.#record.state;
  }

  /** Whether `close` has been emitted to the path. */
  get closeEmitted(): boolean {
    return this.#record.closeEmittedAt !== undefined;
  }

  /** Whether the link is silent now (frames stall both ways). */
  get silent(): boolean {
    return this.#link.silent;
  }

  /**
   * Whether Baileys may write: `sendRawMessage`'s `ws.isOpen`. The WebSocket is open once the
   * socket is, and already while it logs in once the upgrade was accepted (it may be answered
   * late: `slowLogin`); never after a write failed on it.
   */
  get wsOpen(): boolean {
    if (this.#link.writeFailed) return false;
    return this.state === 'open' || (this.state === 'connecting' && this.#upgraded());
  }

  /** The upgrade was accepted: its time came, and the connect does not fail before it opens. */
  #upgraded(): boolean {
    if (this.#host.now() < this.#upgradeAt || this.#link.silent) return false;
    if (this.#record.cause !== undefined) return false;
    const verdict = this.#host.rules.connect(this.#host.now())?.kind;
    return verdict !== 'hang' && verdict !== 'refuse' && verdict !== 'upgradeRejected';
  }

  /** Whether a write would wait behind a frame stuck in the silent link's full buffers. */
  get sendBufferFull(): boolean {
    return this.#link.sendBufferFull;
  }

  /** An RST is on the bot's host, unread: the next write fails ({@link failedWrite}). */
  get resetUnread(): boolean {
    return this.#link.resetUnread;
  }

  /** Emits `event` on the socket's `ev`; false when a listener threw. */
  emit(event: string, arg: unknown): boolean {
    return this.#parts.emitter.emit(event, arg);
  }

  /** Resolves `delayMs` from now, on the network's timers. */
  sleep(delayMs: number): Promise<void> {
    return sleepOn(this.#host.timers, delayMs);
  }

  /** A frame to the server: `arrive` runs when it gets there (never, if it is lost). */
  toServer(arrive: () => void): void {
    this.#link.toServer(arrive);
  }

  /** A frame from the server: one latency later (stalls while silent), and counts as heard. */
  fromServer(arrive: () => void): void {
    this.#link.fromServer(arrive);
  }

  /**
   * Emits now, unless the socket is still logging in: rc14's event buffer then holds it until
   * the login's notifications; never once `close` was emitted.
   */
  emitOnceLoggedIn(emit: () => void): void {
    if (this.state === 'connecting') this.#heldUntilLogin.push(emit);
    else if (!this.closeEmitted) emit();
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
    // The query cannot be written behind a full buffer: `sendRawMessage`'s write timeout.
    if (this.#link.sendBufferFull) return this.#timedOutLater();
    if (this.#link.resetUnread) return Promise.reject(this.failedWrite());
    return new Promise<boolean>((resolve, reject) => {
      const query = new PendingQuery(this.#queries, this.#host.timers, attempt, resolve, reject);
      this.#queries.add(query);
      const timeoutMs = options.timeoutMs ?? this.#parts.timings.defaultQueryTimeoutMs;
      query.timer = this.#host.timers.setTimeout(() => query.resolve(false), timeoutMs);
      const answer = options.forced ?? this.#host.rules.query({ kind, chatJid });
      if (answer === 'stall') {
        if (attempt !== undefined) attempt.queriesStalled = (attempt.queriesStalled ?? 0) + 1;
        return;
      }
      this.#link.toServer(() =>
        this.fromServer(() => {
          // After `end()` began, Baileys no longer reads frames: the answer is never processed.
          if (!this.#queries.has(query) || query.detached) return;
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
    if (this.#link.resetUnread) return Promise.reject(this.failedWrite());
    if (this.#link.sendBufferFull) return this.#timedOutLater();
    this.#link.toServer(() => atServer?.());
    return Promise.resolve();
  }

  /** `sendRawMessage`'s write timeout behind a full buffer: 408 after `connectTimeoutMs`. */
  #timedOutLater(): Promise<never> {
    const timeoutMs = this.#parts.timings.connectTimeoutMs;
    return this.sleep(timeoutMs).then(() => Promise.reject(timedOutError()));
  }

  /**
   * A frame written into the silent link is larger than its buffers: it and every write after
   * it wait behind it (408) until the link resumes.
   */
  fillSendBuffer(): void {
    this.#link.fillSendBuffer();
  }

  /** A write into an RST not read yet fails `write ECONNRESET`; the cut is heard at once. */
  failedWrite(): Error {
    return this.#link.failedWrite();
  }

  // ---- the login -------------------------------------------------------------------------------

  #completeConnect(): void {
    this.#connectTimer = undefined;
    // A link that went silent while connecting never answers the login.
    const verdict: ConnectVerdict | undefined = this.#link.silent
      ? { kind: 'hang' }
      : this.#host.rules.connect(this.#host.now());
    switch (verdict?.kind) {
      case undefined:
        return this.#loggedIn();
      case 'slowLogin':
        // The WebSocket is open meanwhile; a link gone silent by then never hears the answer.
        this.#connectTimer = this.#host.timers.setTimeout(() => {
          this.#connectTimer = undefined;
          if (this.#link.silent) this.#completeConnect();
          else this.#loggedIn();
        }, verdict.delayMs);
        return;
      case 'hang':
        return this.#hangUntilTimeout();
      case 'refuse':
        this.#record.refused = true;
        this.#lost('refused');
        return this.#refused(connectRefusedError());
      case 'upgradeRejected':
        // ws reports `unexpected-response`, Baileys listens for it and does nothing: no close.
        return this.#lost('upgradeRejected');
      case 'loginFailure':
        this.#lost('loginFailure');
        // The upgrade succeeded: ws opened; Baileys' end() on `<failure>` closes it.
        this.#ws?.emitEvent('open');
        this.#wsCloseCalled = true;
        this.#ws?.endBegan();
        return this.#finishClose(loginFailureError(verdict.reason));
    }
  }

  /** The upgrade is never answered: ws's handshake timeout ends it `connectTimeoutMs` in. */
  #hangUntilTimeout(): void {
    const timeoutAt = this.#record.createdAt + this.#parts.timings.connectTimeoutMs;
    this.#connectTimer = this.#host.timers.setTimeout(
      () => {
        this.#connectTimer = undefined;
        this.#lost('hang');
        const error = handshakeTimedOutError();
        this.#ws?.emitEvent('error', error.data);
        this.#finishClose(error);
      },
      Math.max(0, timeoutAt - this.#host.now()),
    );
  }

  /**
   * The login was answered. When it ended an older session of the device, that session's 440
   * arrived with the answer and its close takes a round trip; this socket's `open` follows its
   * own login queries, which take longer (rc14 on loopback: the old close 10 ms before the new
   * `open`). Opens after the replaced sessions' closes.
   */
  #loggedIn(): void {
    if (this.#host.loggingIn(this.#parts.generation) === 0) return this.#open();
    this.#connectTimer = this.#host.timers.setTimeout(
      () => {
        this.#connectTimer = undefined;
        this.#open();
      },
      2 * this.#host.latencyMs() + 1,
    );
  }

  /**
   * rc14's `creds.update` at each login (`CB:success`): `me` with the LID the server names, which
   * rc14's own listener assigns into the auth's creds before anyone else hears it. A session with
   * no `me` is taken as paired elsewhere: its creds are left alone.
   */
  #loginCredsUpdate(): void {
    const creds = this.#parts.auth?.creds;
    if (creds === undefined) return;
    const update = { me: { ...(creds.me ?? simulatedAccount), lid: simulatedAccount.lid } };
    if (creds.me !== undefined) Object.assign(creds, update);
    this.emit('creds.update', update);
  }

  /** ws's `error` on a refused connect reaches the bot's ws listeners; Baileys ends with it. */
  #refused(error: Boom): void {
    this.#ws?.emitEvent('error', error.data);
    this.#finishClose(error);
  }

  #open(): void {
    const now = this.#host.now();
    this.#record.state = 'open';
    this.#record.openedAt = now;
    this.#host.hooks.note?.(factKinds.socketOpened, this.#parts.generation);
    this.#link.heardLogin(now);
    this.#ws?.emitEvent('open');
    // rc14 order: the offline notification, the login's `creds.update` (its `me`, with the LID
    // the server gave), then chats.js's presence inside the `open` emission (`CB:success`).
    this.emit('connection.update', { receivedPendingNotifications: true });
    const held = this.#heldUntilLogin;
    this.#heldUntilLogin = [];
    for (const emit of held) emit();
    this.#loginCredsUpdate();
    this.emit('connection.update', { isOnline: this.#parts.markOnlineOnConnect });
    this.emit('connection.update', { connection: 'open' });
    this.#host.opened(this.#parts.generation);
  }

  // ---- the link --------------------------------------------------------------------------------

  /** The server cut the connection; the bot hears it `noticeMs` (default: one latency) later. */
  cut(kind: CutKind, noticeMs: number | undefined, dropReason: DropReason): void {
    this.#link.cutBy(kind, noticeMs, dropReason);
  }

  /** ws emits `close`: queries still listening reject with the bare code; Baileys ends. */
  #heardCut(kind: CutKind, dropReason: DropReason): void {
    if (this.closeEmitted) return;
    this.#closingByWs = false;
    this.#queries.rejectListening(closeCodeOf[kind]);
    this.#ws?.emitEvent('close', closeCodeOf[kind]);
    this.#cancelConnect();
    // Baileys' own close listener is gone once its `end()` began: it finishes with its error.
    this.#finishClose(this.state === 'closing' ? this.#endError : dropError(dropReason));
  }

  /** A stream error (or stream end) from the server: it arrives one latency later. */
  serverEnds(error: Error, dropReason: DropReason, cause: SocketCause): void {
    if (this.closeEmitted) return;
    this.fromServer(() => this.endedByServer(error, dropReason, cause));
  }

  /** The server's stream error arrived (a newer session's 440: now): Baileys ends with it. */
  endedByServer(error: Error, dropReason: DropReason, cause: SocketCause): void {
    if (this.state !== 'open') return;
    this.#lost(cause, dropReason);
    this.beginEnd(error, cause);
  }

  /** The link goes silent; the keep-alive will notice unless it comes back first. */
  silence(resumeAt: ResumeAt): void {
    this.#link.silence(resumeAt);
  }

  /** A silent link comes back: stalled frames arrive, and a pending close handshake completes. */
  resume(): void {
    this.#link.resume();
  }

  #scheduleKeepAlive(): void {
    const now = this.#host.now();
    const { keepAliveIntervalMs } = this.#parts.timings;
    const endsAt = keepAliveEndsAt({
      openedAt: this.#record.openedAt ?? now,
      silentAt: now,
      lastReceivedAt: this.#link.lastReceivedAt,
      keepAliveIntervalMs,
      roundTripMs: Math.min(2 * this.#host.latencyMs(), keepAliveIntervalMs),
      previousSilence: this.#link.previousSilence,
    });
    this.#keepAliveTimer = this.#host.timers.setTimeout(() => {
      this.#keepAliveTimer = undefined;
      this.#lost('silent');
      this.beginEnd(dropError('connectionLost'), 'silent');
    }, endsAt - now);
  }

  // ---- the close -------------------------------------------------------------------------------

  /**
   * Baileys `end(error)`: single-use (`if (closed) return`, `Socket/socket.js`). The first call
   * of the socket's life begins the close handshake (sends get 428 from now on) and resolves
   * once `close` was emitted with `lastDisconnect.error = error` (undefined stays undefined, as
   * in Baileys): one round trip later on a live link, ws's 30 s close timeout later on a silent
   * one. Any later call resolves at once: a second call of the path, and a first one after
   * Baileys' own `end()` began (the keep-alive gave up on a silent link, a stream error) or
   * finished, while the old socket's `close` may still be 30 s away.
   */
  readonly end = (error: Error | undefined): Promise<void> => {
    const record = this.#record;
    record.endCalls++;
    if (record.endCalledAt === undefined) {
      this.#host.hooks.note?.(factKinds.endCalled, this.#parts.generation);
    }
    record.endCalledAt ??= this.#host.now();
    // Baileys' own end() began (a bot's ws.close() alone is not one: Baileys' `closed` is unset).
    const baileysEnding = this.state === 'closing' && !this.#closingByWs;
    if (this.#endPromise !== undefined || baileysEnding || this.closeEmitted) {
      return Promise.resolve();
    }
    this.#endPromise = new Promise<void>((resolve) => (this.#resolveEnd = resolve));
    // The bot's ws.close() left ws closing: Baileys' end() skips ws.close() and emits close at
    // once; the ws listeners it removes no longer hear ws's own close.
    if (this.#closingByWs) this.#endDuringWsClose(error);
    else this.beginEnd(error, 'end');
    return this.#endPromise;
  };

  /** rc14's client dropped its ws after a `ws.close()` completed (`socket = null`). */
  wsReleased(): boolean {
    return this.closeEmitted && this.#wsCloseCalled;
  }

  /** The ws facade to tell of opens, closes and errors. */
  attachWs(ws: WsEvents): void {
    this.#ws = ws;
  }

  /**
   * The bot's `ws.close()` (rc14's `WebSocketClient.close()`): on an open socket ws starts its
   * close handshake (sends get 428) and, when it ends, ws's `close` makes Baileys end the socket
   * with 428 `Connection Terminated`; on a connecting one ws aborts the handshake and its `error`
   * ends the socket at once. Resolves when the ws closed; a ws that closed by itself (a cut, a
   * refused connect) never emits `close` again, so the promise never settles, as rc14's does not.
   */
  closeWs(): Promise<void> {
    if (this.closeEmitted) {
      return this.#wsCloseCalled ? Promise.resolve() : new Promise<void>(() => {});
    }
    const closed = new Promise<void>((resolve) => this.#afterClose.push(resolve));
    if (this.state === 'closing') return closed;
    this.#wsCloseCalled = true;
    this.#record.cause ??= 'end';
    if (this.state === 'connecting') {
      this.#record.state = 'closing';
      this.#cancelConnect();
      queueMicrotask(() => this.#finishClose(wsClosedBeforeEstablishedError()));
      return closed;
    }
    this.#record.state = 'closing';
    this.#closingByWs = true;
    this.#endError = dropError('connectionClosed');
    this.#scheduleClose(this.#link.silent ? wsCloseTimeoutMs : 2 * this.#host.latencyMs());
    return closed;
  }

  #endDuringWsClose(error: Error | undefined): void {
    this.#closingByWs = false;
    this.#queries.detachAll();
    this.#ws?.endBegan();
    this.#finishClose(error);
  }

  /**
   * Baileys' `end(error)`: the socket is closing from now on (sends get 428), queries in flight
   * no longer hear a close (their listeners are removed: they wait out their timeout), and ws's
   * close handshake runs. `close` is emitted when it ends.
   */
  beginEnd(error: Error | undefined, cause: SocketCause): void {
    if (this.state === 'closing' || this.closeEmitted) return;
    this.#record.cause ??= cause;
    this.#record.state = 'closing';
    // Baileys' end() calls ws.close() and removes the ws listeners of close, open and message.
    this.#wsCloseCalled = true;
    this.#ws?.endBegan();
    this.#endError = error;
    this.#cancelKeepAlive();
    this.#queries.detachAll();
    if (this.#connectTimer !== undefined || this.#record.openedAt === undefined) {
      // ws aborts an opening handshake at once.
      this.#cancelConnect();
      return this.#scheduleClose(0);
    }
    // A cut connection closes when the bot hears the cut (#heardCut), unless a silent link
    // keeps it from hearing it.
    if (this.#link.cut && !this.#link.cutUnheard) return;
    this.#scheduleClose(this.#link.silent ? wsCloseTimeoutMs : 2 * this.#host.latencyMs());
  }

  #scheduleClose(delayMs: number): void {
    this.#clearTimer(this.#closeTimer);
    this.#closeTimer = this.#host.timers.setTimeout(() => {
      this.#closeTimer = undefined;
      this.#finishClose(this.#endError);
    }, delayMs);
  }

  /** `close` is emitted once; then every listener is removed and what was in flight is lost. */
  #finishClose(error: Error | undefined): void {
    if (this.closeEmitted) return;
    if (this.#closingByWs) {
      // ws's own close after the bot's ws.close(): listening queries get its code, Baileys ends.
      this.#closingByWs = false;
      this.#queries.rejectListening(closeCodeOf.wsClose);
      this.#ws?.emitEvent('close', closeCodeOf.wsClose);
      this.#ws?.endBegan();
    }
    const now = this.#host.now();
    this.#record.state = 'closed';
    this.#record.closeEmittedAt = now;
    this.#host.hooks.note?.(factKinds.closeEmitted, this.#parts.generation);
    if (error !== undefined) this.#record.closeError = errorRecord(error);
    this.#cancelConnect();
    this.#cancelKeepAlive();
    this.#link.destroy();
    this.emit('connection.update', closeUpdate(error, now));
    this.#parts.emitter.destroy();
    const { unreceipted, unanswered } = this.#parts.handBack();
    this.#host.closed(this.#parts.generation, unreceipted, unanswered);
    this.#resolveEnd?.();
    for (const resolve of this.#afterClose.splice(0)) resolve();
  }

  /** Records that the connection was lost (or refused) now, and why; the first cause stays. */
  #lost(cause: SocketCause, dropReason?: DropReason): void {
    const record = this.#record;
    if (record.diedAt === undefined) {
      this.#host.hooks.note?.(factKinds.socketDied, this.#parts.generation);
    }
    record.diedAt ??= this.#host.now();
    record.cause ??= cause;
    if (dropReason !== undefined) record.dropReason ??= dropReason;
  }

  #clearTimer(timer: TimerHandle | undefined): void {
    if (timer !== undefined) this.#host.timers.clearTimeout(timer);
  }

  #cancelConnect(): void {
    this.#clearTimer(this.#connectTimer);
    this.#connectTimer = undefined;
  }

  #cancelKeepAlive(): void {
    this.#clearTimer(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
  }
}
