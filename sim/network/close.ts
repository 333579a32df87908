/**
 * The close of one fake socket's connection: rc14's `end(error)` (`Socket/socket.js:472-508`),
 * single-use (`if (closed) return`), which clears the keep-alive and the login's timer
 * (`:479-480`), removes the ws listeners of `close`, `open` and `message` (`:481-483`: queries in
 * flight then only time out), awaits `ws.close()` (`:484-489`) and emits `connection.update`
 * `close` with `lastDisconnect` (`:499-505`) before `ev.destroy()`; what ends it (`:689-692`):
 * ws's `close` for a cut the bot heard, a stream error, the keep-alive; and the bot's own
 * `ws.close()`. `close` is emitted once, when the link is destroyed, what was in flight is lost
 * and the inbound part hands back what the server must deliver again.
 */
import { wsCloseCodes, wsCloseTimeoutMs } from '../../src/baileysFacts.js';
import type { CutKind } from '../faults/fault.js';
import { errorRecord, type SocketCause } from '../history.js';
import { factKinds } from '../journal.js';
import { dropError, type DropReason } from './baileysErrors.js';
import type { ConnectionShared } from './connectionShared.js';
import { closeUpdate } from './messageShapes.js';
import { wsClosedBeforeEstablishedError } from './surfaceErrors.js';
import { TimerSlot } from './timerSlot.js';

/** The bare close code a query in flight is rejected with, per way the server cut. */
const closeCodeOf: Readonly<Record<CutKind, number>> = {
  fin: wsCloseCodes.abnormalClosure,
  rst: wsCloseCodes.abnormalClosure,
  rstUnread: wsCloseCodes.abnormalClosure,
  wsClose: wsCloseCodes.noStatusReceived,
};

/**
 * Who called rc14's `ws.close()` so far: no one; the bot, on an open socket (ws is closing and
 * Baileys' `end()` has not begun: Baileys' `closed` is unset); or Baileys' `end()` (or the bot,
 * whose close has ended): once closed, rc14's client drops its ws.
 */
type WsCloseCall = 'none' | 'byBot' | 'called';

/** See the module comment. */
export class Close {
  readonly #shared: ConnectionShared;
  /** The end of ws's close handshake: one round trip, or its 30 s timeout on a silent link. */
  readonly #closeTimer: TimerSlot;
  /** The error `close` will carry once the close handshake ends. */
  #endError: Error | undefined;
  /** Resolves the first `end()` of the socket's life; set by that call. */
  #resolveEnd: (() => void) | undefined;
  /** Resolvers of the bot's `ws.close()` calls, settled when `close` is emitted. */
  #afterClose: (() => void)[] = [];
  #wsClose: WsCloseCall = 'none';

  /** The close of the connection that shares `shared`. */
  constructor(shared: ConnectionShared) {
    this.#shared = shared;
    this.#closeTimer = new TimerSlot(shared.host.timers);
  }

  /**
   * Baileys `end(error)`: single-use (`if (closed) return`). The first call of the socket's life
   * begins the close handshake (sends get 428 from now on) and resolves once `close` was emitted
   * with `lastDisconnect.error = error` (undefined stays undefined, as in Baileys): one round
   * trip later on a live link, ws's 30 s close timeout later on a silent one. Any later call
   * resolves at once: a second call of the path, and a first one after Baileys' own `end()`
   * began (the keep-alive gave up on a silent link, a stream error) or finished, while the old
   * socket's `close` may still be 30 s away.
   */
  readonly end = (error: Error | undefined): Promise<void> => {
    const shared = this.#shared;
    const record = shared.record;
    record.endCalls++;
    if (record.endCalledAt === undefined) {
      shared.host.hooks.note?.(factKinds.endCalled, shared.parts.generation);
    }
    record.endCalledAt ??= shared.host.now();
    // Baileys' own end() began (a bot's ws.close() alone is not one: Baileys' `closed` is unset).
    const baileysEnding = shared.state === 'closing' && this.#wsClose !== 'byBot';
    if (this.#resolveEnd !== undefined || baileysEnding || shared.closeEmitted) {
      return Promise.resolve();
    }
    const ended = new Promise<void>((resolve) => (this.#resolveEnd = resolve));
    // The bot's ws.close() left ws closing: Baileys' end() skips ws.close() and emits close at
    // once; the ws listeners it removes no longer hear ws's own close.
    if (this.#wsClose === 'byBot') this.#endDuringWsClose(error);
    else this.beginEnd(error, 'end');
    return ended;
  };

  /**
   * Baileys' `end(error)`: the socket is closing from now on (sends get 428), queries in flight
   * no longer hear a close (their listeners are removed: they wait out their timeout), and ws's
   * close handshake runs. `close` is emitted when it ends.
   */
  beginEnd(error: Error | undefined, cause: SocketCause): void {
    const shared = this.#shared;
    if (shared.state === 'closing' || shared.closeEmitted) return;
    shared.record.cause ??= cause;
    shared.record.state = 'closing';
    // Baileys' end() calls ws.close() and removes the ws listeners of close, open and message.
    this.#wsClose = 'called';
    shared.ws?.endBegan();
    this.#endError = error;
    shared.keepAliveTimer.clear();
    shared.queries.detachAll();
    if (shared.connectTimer.pending || shared.record.openedAt === undefined) {
      // ws aborts an opening handshake at once.
      shared.connectTimer.clear();
      return this.#scheduleClose(0);
    }
    // A cut connection closes when the bot hears the cut (heardCut), unless a silent link
    // keeps it from hearing it.
    if (shared.link.cut && !shared.link.cutUnheard) return;
    this.#scheduleClose(this.#handshakeMs());
  }

  /** The server's stream error arrived (a newer session's 440: now): Baileys ends with it. */
  endedByServer(error: Error, dropReason: DropReason, cause: SocketCause): void {
    if (this.#shared.state !== 'open') return;
    this.#shared.lost(cause, dropReason);
    this.beginEnd(error, cause);
  }

  /** The server answered the login with `<failure>`: ws opened, and Baileys' `end()` closes it. */
  endOnLoginFailure(error: Error): void {
    this.#wsClose = 'called';
    this.#shared.ws?.endBegan();
    this.finish(error);
  }

  /** ws emits `close`: queries still listening reject with the bare code; Baileys ends. */
  heardCut(kind: CutKind, dropReason: DropReason): void {
    const shared = this.#shared;
    if (shared.closeEmitted) return;
    if (this.#wsClose === 'byBot') this.#wsClose = 'called';
    shared.queries.rejectListening(closeCodeOf[kind]);
    shared.ws?.emitEvent('close', closeCodeOf[kind]);
    shared.connectTimer.clear();
    // Baileys' own close listener is gone once its `end()` began: it finishes with its error.
    this.finish(shared.state === 'closing' ? this.#endError : dropError(dropReason));
  }

  /** A silent link came back: a close handshake that waited for it completes a round trip on. */
  linkResumed(): void {
    if (this.#shared.state === 'closing') this.#scheduleClose(2 * this.#shared.host.latencyMs());
  }

  /** rc14's client dropped its ws after a `ws.close()` completed (`socket = null`). */
  wsReleased(): boolean {
    return this.#shared.closeEmitted && this.#wsClose !== 'none';
  }

  /**
   * The bot's `ws.close()` (rc14's `WebSocketClient.close()`): on an open socket ws starts its
   * close handshake (sends get 428) and, when it ends, ws's `close` makes Baileys end the socket
   * with 428 `Connection Terminated`; on a connecting one ws aborts the handshake and its `error`
   * ends the socket at once. Resolves when the ws closed; a ws that closed by itself (a cut, a
   * refused connect) never emits `close` again, so the promise never settles, as rc14's does not.
   */
  closeWs(): Promise<void> {
    const shared = this.#shared;
    if (shared.closeEmitted) {
      return this.#wsClose !== 'none' ? Promise.resolve() : new Promise<void>(() => {});
    }
    const closed = new Promise<void>((resolve) => this.#afterClose.push(resolve));
    if (shared.state === 'closing') return closed;
    shared.record.cause ??= 'end';
    if (shared.state === 'connecting') {
      this.#wsClose = 'called';
      shared.record.state = 'closing';
      shared.connectTimer.clear();
      queueMicrotask(() => this.finish(wsClosedBeforeEstablishedError()));
      return closed;
    }
    this.#wsClose = 'byBot';
    shared.record.state = 'closing';
    this.#endError = dropError('connectionClosed');
    this.#scheduleClose(this.#handshakeMs());
    return closed;
  }

  #endDuringWsClose(error: Error | undefined): void {
    this.#wsClose = 'called';
    this.#shared.queries.detachAll();
    this.#shared.ws?.endBegan();
    this.finish(error);
  }

  /** ws's close handshake: a round trip, or its close timeout on a silent link. */
  #handshakeMs(): number {
    const shared = this.#shared;
    return shared.link.silent ? wsCloseTimeoutMs : 2 * shared.host.latencyMs();
  }

  #scheduleClose(delayMs: number): void {
    this.#closeTimer.start(() => this.finish(this.#endError), delayMs);
  }

  /** `close` is emitted once; then every listener is removed and what was in flight is lost. */
  finish(error: Error | undefined): void {
    const shared = this.#shared;
    if (shared.closeEmitted) return;
    if (this.#wsClose === 'byBot') {
      // ws's own close after the bot's ws.close(): listening queries get its code, Baileys ends.
      this.#wsClose = 'called';
      shared.queries.rejectListening(closeCodeOf.wsClose);
      shared.ws?.emitEvent('close', closeCodeOf.wsClose);
      shared.ws?.endBegan();
    }
    const now = shared.host.now();
    const { record, parts, host } = shared;
    record.state = 'closed';
    record.closeEmittedAt = now;
    host.hooks.note?.(factKinds.closeEmitted, parts.generation);
    if (error !== undefined) record.closeError = errorRecord(error);
    shared.connectTimer.clear();
    shared.keepAliveTimer.clear();
    shared.link.destroy();
    shared.emit('connection.update', closeUpdate(error, now));
    parts.emitter.destroy();
    const { unreceipted, unanswered } = parts.handBack();
    host.closed(parts.generation, unreceipted, unanswered);
    this.#resolveEnd?.();
    for (const resolve of this.#afterClose.splice(0)) resolve();
  }
}
