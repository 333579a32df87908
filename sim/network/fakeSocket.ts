/**
 * One fake connection: the drop-in for the socket Baileys 7.0.0-rc14's `makeWASocket` returns,
 * for the members a send path uses (`SocketLike`): `ev.on/off`, `sendMessage`,
 * `sendPresenceUpdate`, `end`. Its behaviour is rc14's as measured on the loopback server
 * (test/fidelity/scenarios.ts); in short:
 *
 * - A connect logs in after the connect delay (or later: `slowLogin`), or hangs until
 *   `connectTimeoutMs` (408), is refused (408), fails its login (`Connection Failure`), or —
 *   after an HTTP error on the upgrade — stays `connecting` for ever. An open socket emits
 *   `receivedPendingNotifications`, `isOnline`, then `open`.
 * - `sendMessage` rejects 428 `Connection Closed` unless the WebSocket is open (from one latency
 *   after the connect, unless the upgrade fails: before `open` too). Otherwise it runs the
 *   pre-write queries (media: `media_conn`, cached per socket even when it failed, and the upload;
 *   the first send per chat: usync, inside the socket's send lock with the write, so its sends are
 *   written in the order they were called: sendLock.ts), writes, and resolves right after the write with a
 *   `proto.WebMessageInfo`. The frame reaches the server one latency later, or stalls in a silent
 *   link, or is lost if the server cut the connection. An unanswered query waits out
 *   `defaultQueryTimeoutMs`; a network close during a query rejects with the bare close code; a
 *   write into a reset not read yet fails with `write ECONNRESET`. A media upload the host never
 *   answers leaves the send pending for good. Each write is echoed as `messages.upsert` `append`
 *   `fromMe` (unless `emitOwnEvents: false`).
 * - The server may cut the connection (heard one latency later: 428), end it with a stream error
 *   (Baileys ends the socket at once), or go silent: the keep-alive notices (keepAlive.ts) and
 *   Baileys ends the socket, but ws waits its 30 s close timeout for a close frame that never
 *   comes before `close` (408) is emitted; sends in between get 428. A silent link that comes
 *   back delivers what stalled.
 * - Inbound messages are receipted, then upserted (`notify` live, `append` when delivered offline
 *   at login), stamped with their send time; one whose receipt never reached the server is
 *   redelivered at the next login. `end()` resolves at the close only for its first caller.
 *
 * The socket reaches its network only through a {@link SocketHost}; the network reaches it
 * through {@link FakeSocket.control}.
 */
import type { AnyMessageContent, MiscMessageGenerationOptions, WAMessage, WAPresence } from '@whiskeysockets/baileys';
import type { Boom } from '@hapi/boom';
import { socketTimingsOf, wsCloseTimeoutMs } from '../../src/baileysFacts.js';
import type { SocketLike, TimerHandle } from '../../src/ports.js';
import type { ClockView } from '../clock.js';
import type { ConnectVerdict, CutKind, QueryKind, RuleStages } from '../faults/fault.js';
import { errorRecord, type AttemptRecord, type SocketCause, type SocketRecord, type SocketState, type SocketTimings } from '../history.js';
import {
  connectionClosedError,
  connectRefusedError,
  dropError,
  handshakeTimedOutError,
  loginFailureError,
  mediaConnError,
  mediaConnUnansweredError,
  mediaUploadFailedError,
  presenceWithoutJidError,
  timedOutError,
  writeResetError,
  type DropReason,
} from './baileysErrors.js';
import { FakeEmitter } from './emitter.js';
import { keepAliveEndsAt } from './keepAlive.js';
import { closeUpdate, describeContent, inboundUpsert, nackUpdate, sentWaMessage } from './messageShapes.js';
import { parseReplyKey, type FrameKind, type QueuedInbound, type ServerModel } from './server.js';
import { SendLock } from './sendLock.js';
import { socketBehaviourOf, type SocketBehaviour } from './socketBehaviour.js';
import { Wire } from './wire.js';

/** The fields of a new attempt record the socket knows; the network adds order, time and results. */
export type NewAttempt = Omit<AttemptRecord, 'seq' | 'at' | 'result' | 'written' | 'reachedServer' | 'queryTimeouts'>;

/** Timing knobs of the fake network a socket reads. */
export interface SocketNetworkOptions {
  /** From `makeSocket()` to the login's answer, on top of the current latency, ms. */
  connectDelayMs: number;
  /** From an inbound frame's arrival to its `messages.upsert` (Baileys' event buffer), ms. */
  inboundFlushMs: number;
  /** From the login to the `append` upsert of messages delivered offline, ms. */
  offlineDeliveryMs: number;
  /** From a write to its own echo (`messages.upsert` `append` `fromMe`), ms. */
  echoMs: number;
  /**
   * How many bytes the socket's buffers take while the peer does not read (a silent link): a
   * larger frame written then fills them, and every later write waits behind it (408).
   */
  sendBufferBytes: number;
  /**
   * Whether a chat's device list is cached per socket, as on WhatsApp (only the first send per
   * chat runs the usync queries). Off, every send runs them: the loopback test server answers
   * empty device lists, which rc14 does not cache.
   */
  deviceListCache: boolean;
}

/** What a socket needs from its network. */
export interface SocketHost {
  /** The network's timer view (never counted as the send path's). */
  readonly timers: ClockView;
  readonly options: Readonly<SocketNetworkOptions>;
  now(): number;
  /** One-way latency now, ms. */
  latencyMs(): number;
  /** How a connect completing now ends, if something decides it (undefined: it logs in). */
  connectVerdict(): ConnectVerdict | undefined;
  /** The first answer of the rules at `stage`. */
  ask<S extends Exclude<keyof RuleStages, 'connect'>>(stage: S, arg: Parameters<RuleStages[S]>[0]): ReturnType<RuleStages[S]>;
  /** Timeline chat name of a JID (the JID itself for a chat the timeline does not know). */
  chatName(jid: string): string;
  /** A message id for a send that brought none, from the network's seeded stream. */
  drawFakeId(): string;
  /** A new attempt record, or undefined once the run's attempts limit is hit. */
  newAttempt(fields: NewAttempt): AttemptRecord | undefined;
  /**
   * This socket's login was answered: WhatsApp ends the device's older sessions now. Returns how
   * many it ended (their 440 arrives with this login's answer).
   */
  loggingIn(socket: FakeSocket): number;
  /** This socket logged in. */
  opened(socket: FakeSocket): void;
  /** This socket emitted `close`; `unreceipted` are inbound messages the server must deliver again. */
  closed(socket: FakeSocket, unreceipted: QueuedInbound[]): void;
  readonly server: ServerModel;
  readonly hooks: {
    onInboundEmitted(message: QueuedInbound, generation: number, type: 'notify' | 'append'): void;
  };
}

/** The bare close codes a query in flight is rejected with, per way the server cut the connection. */
const closeCodeOf: Record<CutKind, number> = {
  fin: 1006,
  rst: 1006,
  rstUnread: 1006,
  wsClose: 1005,
};

/**
 * A query waiting for its answer, its timeout or a close. Settling it leaves the socket's set of
 * queries and cancels its timeout; a timeout counts on the attempt that asked.
 */
class PendingQuery {
  timer: TimerHandle | undefined = undefined;
  /** Baileys' `end()` removed the close listeners: a close no longer rejects it. */
  detached = false;
  readonly #queries: Set<PendingQuery>;
  readonly #timers: SocketHost['timers'];
  readonly #attempt: AttemptRecord;
  readonly #resolve: (answered: boolean) => void;
  readonly #reject: (reason: unknown) => void;

  constructor(queries: Set<PendingQuery>, timers: SocketHost['timers'], attempt: AttemptRecord, resolve: (answered: boolean) => void, reject: (reason: unknown) => void) {
    this.#queries = queries;
    this.#timers = timers;
    this.#attempt = attempt;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  resolve(answered: boolean): void {
    this.#leave();
    if (!answered) this.#attempt.queryTimeouts += 1;
    this.#resolve(answered);
  }

  reject(reason: unknown): void {
    this.#leave();
    this.#reject(reason);
  }

  #leave(): void {
    if (this.timer !== undefined) this.#timers.clearTimeout(this.timer);
    this.#queries.delete(this);
  }
}

/** What the network does to one socket (the methods a `FaultLink` calls, and inbound delivery). */
export interface SocketControl {
  cut(kind: CutKind, noticeMs: number | undefined, dropReason: DropReason): void;
  streamError(error: Error, dropReason: DropReason, cause: SocketCause): void;
  /** A newer session of the device logged in: its 440 arrives now, with that login's answer. */
  replaced(): void;
  silence(resumeAt: number | 'heal' | 'never'): void;
  resume(): void;
  deliver(message: QueuedInbound): void;
  deliverOffline(messages: readonly QueuedInbound[]): void;
}

/** One fake connection. Members are arrow properties: a path may pass `sock.sendMessage` around. */
export class FakeSocket implements SocketLike {
  readonly #host: SocketHost;
  readonly #timings: SocketTimings;
  readonly #behaviour: SocketBehaviour;
  readonly #wire: Wire;
  readonly #emitter: FakeEmitter;
  readonly #queries = new Set<PendingQuery>();
  readonly #pendingSends = new Set<AttemptRecord>();
  /** Inbound ids this socket sent a receipt for (rc14 receipts a message before emitting it). */
  readonly #receipted = new Set<string>();
  /** Chats whose device list this socket knows (their usync queries are done). */
  readonly #knownChats = new Set<string>();
  /** Inbound emitted but not yet receipted by the server, by id. */
  readonly #unreceipted = new Map<string, QueuedInbound>();
  /** This socket's send lock (see sendLock.ts). */
  readonly #sendLock = new SendLock();
  /** Offline messages the server pushed at login, not yet emitted: a close hands them back. */
  #offlinePending: QueuedInbound[] = [];
  /** Inbound arrived, waiting for the next upsert flush (or re-emission after a throw). */
  #upsertBuffer: QueuedInbound[] = [];
  #flushTimer: TimerHandle | undefined;
  #mediaConn: Promise<void> | undefined;
  #connectTimer: TimerHandle | undefined;
  #keepAliveTimer: TimerHandle | undefined;
  #closeTimer: TimerHandle | undefined;
  #resumeTimer: TimerHandle | undefined;
  #resumeAt: number | 'heal' | 'never' | undefined;
  /** A frame larger than the send buffer was written into the silent link: later writes wait behind it until it resumes. */
  #sendBufferFull = false;
  /** A cut the bot cannot hear yet because its link is silent: heard one latency after it resumes. */
  #unheardCut: { kind: CutKind; dropReason: DropReason } | undefined;
  /** An RST the process has not read yet: the next write fails. */
  #unreadReset: { kind: CutKind; dropReason: DropReason } | undefined;
  /** A write failed (an unread RST): ws is no longer OPEN, though `close` is still to come. */
  #writeFailed = false;
  /** When the server accepts the upgrade (one latency after the connect), unless the connect fails there. */
  readonly #upgradeAt: number;
  /** Echoes of sends written before `open`: rc14's event buffer holds them until the login's notifications. */
  #heldEchoes: WAMessage[] = [];
  /** The error `close` will carry once the close handshake ends. */
  #endError: Error | undefined;
  #endPromise: Promise<void> | undefined;
  #resolveEnd: (() => void) | undefined;
  /** Last frame from the server besides keep-alive pongs (an inbound message, an answer, an ack). */
  #lastReceivedAt = 0;
  /** The history's record of this socket (updated in place). */
  readonly record: SocketRecord;
  /** What the network does to this socket. */
  readonly control: SocketControl;

  /** Starts connecting at once; `inert` sockets (over the sockets limit) never progress. */
  constructor(
    host: SocketHost,
    readonly generation: number,
    inert: boolean,
    timings: SocketTimings = socketTimingsOf(undefined),
    behaviour: SocketBehaviour = socketBehaviourOf(undefined),
  ) {
    this.#host = host;
    this.#timings = timings;
    this.#behaviour = behaviour;
    this.#wire = new Wire(host.timers, () => host.latencyMs());
    this.record = { generation, createdAt: host.now(), state: 'connecting', endCalls: 0, refused: false, timings: { ...timings }, listeners: {} };
    this.#upgradeAt = host.now() + host.latencyMs();
    this.#emitter = new FakeEmitter(this.record.listeners);
    this.control = {
      cut: (kind, noticeMs, dropReason) => this.#cut(kind, noticeMs, dropReason),
      streamError: (error, dropReason, cause) => this.#serverEnds(error, dropReason, cause),
      replaced: () => this.#endedByServer(dropError('conflict'), 'conflict', 'replaced'),
      silence: (resumeAt) => this.#silence(resumeAt),
      resume: () => this.#resume(),
      deliver: (message) => this.#fromServer(() => this.#arrived(message)),
      deliverOffline: (messages) => this.#deliverOffline(messages),
    };
    if (inert) return;
    // Baileys emits `connecting` from process.nextTick after makeWASocket returns.
    queueMicrotask(() => {
      if (this.state === 'connecting') this.#emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
    });
    this.#connectTimer = host.timers.setTimeout(() => this.#completeConnect(), host.options.connectDelayMs + host.latencyMs());
  }

  /** The socket's state now. */
  get state(): SocketState {
    return this.record.state;
  }

  /**
   * Whether Baileys may write: `sendRawMessage`'s `ws.isOpen`. The WebSocket is open once the
   * socket is, and already while it logs in once the upgrade was accepted (it may be answered
   * late: `slowLogin`); never after a write failed on it.
   */
  get #wsOpen(): boolean {
    if (this.#writeFailed) return false;
    return this.state === 'open' || (this.state === 'connecting' && this.#upgraded());
  }

  /** The upgrade was accepted: its time came, and the connect does not fail before the WebSocket opens. */
  #upgraded(): boolean {
    if (this.#host.now() < this.#upgradeAt || this.#wire.silent) return false;
    if (this.record.cause !== undefined) return false;
    const verdict = this.#host.connectVerdict()?.kind;
    return verdict !== 'hang' && verdict !== 'refuse' && verdict !== 'upgradeRejected';
  }

  /** Whether `close` has been emitted to the path. */
  get closeEmitted(): boolean {
    return this.record.closeEmittedAt !== undefined;
  }

  /** Whether the link is silent now (frames stall both ways). */
  get silent(): boolean {
    return this.#wire.silent;
  }

  /** Sends still pending on this socket (hung uploads included). */
  get inflightCount(): number {
    return this.#pendingSends.size;
  }

  /** Baileys' event emitter subset: `on` / `off`; emission is synchronous, like Baileys'. */
  readonly ev: SocketLike['ev'] = {
    on: ((event: string, listener: (arg: never) => void) => this.#emitter.on(event, listener)) as SocketLike['ev']['on'],
    off: ((event: string, listener: (arg: never) => void) => this.#emitter.off(event, listener)) as SocketLike['ev']['off'],
  };

  /** Baileys `sendMessage`: see the module comment. */
  readonly sendMessage = (jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined> => {
    const { text, kind } = describeContent(content);
    // Baileys draws the id in generateWAMessage, before any check: so does the fake.
    const messageId = typeof options?.messageId === 'string' ? options.messageId : this.#host.drawFakeId();
    const fields: NewAttempt = {
      kind: 'message',
      generation: this.generation,
      chat: this.#host.chatName(jid),
      chatJid: jid,
      messageId,
      socketState: this.state,
      closeEmittedBefore: this.closeEmitted,
    };
    const key = parseReplyKey(text);
    if (key !== undefined) fields.key = key;
    const attempt = this.#host.newAttempt(fields);
    // Over the attempts limit: the run is over; a promise that never settles stops a retry loop.
    if (attempt === undefined) return new Promise<never>(() => {});
    if (!this.#wsOpen) return this.#settleRejected(attempt, connectionClosedError());
    const media = kind === 'image' || kind === 'document';
    return this.#track(attempt, async () => {
      if (media) await this.#mediaPhase(attempt);
      await this.#sendLock.run(async () => {
        await this.#usyncPhase(attempt, jid);
        await this.#write(attempt, text);
        this.#frameToServer(attempt, text, kind);
      });
      // rc14's sendMessage echoes the very message object it resolves to.
      const sent = sentWaMessage({ chatJid: jid, messageId, text, kind, at: attempt.at }) as WAMessage;
      if (this.#behaviour.emitOwnEvents) this.#echo(sent);
      return sent;
    });
  };

  /**
   * Baileys `sendPresenceUpdate`: a chat state (`composing`, ...) needs a JID (a TypeError
   * otherwise, whatever the socket's state); then 428 unless open; otherwise written at once.
   */
  readonly sendPresenceUpdate = (type: WAPresence, toJid?: string): Promise<void> => {
    const chatJid = toJid ?? '';
    const attempt = this.#host.newAttempt({
      kind: 'presence',
      generation: this.generation,
      chat: this.#host.chatName(chatJid),
      chatJid,
      presence: type,
      socketState: this.state,
      closeEmittedBefore: this.closeEmitted,
    });
    if (attempt === undefined) return new Promise<never>(() => {});
    const chatState = type !== 'available' && type !== 'unavailable';
    const jidless = chatState && !(typeof toJid === 'string' && toJid.includes('@'));
    if (jidless) return this.#settleRejected(attempt, presenceWithoutJidError()) as Promise<never>;
    if (!this.#wsOpen) return this.#settleRejected(attempt, connectionClosedError()) as Promise<never>;
    return this.#track(attempt, async () => {
      if (this.#unreadReset !== undefined) throw this.#failedWrite();
      this.#markWritten(attempt);
      this.#wire.send('toServer', () => {
        attempt.reachedServer = true;
        this.#host.server.receivePresence(chatJid, type, this.generation, attempt.seq, this.#host.now());
      });
      return undefined;
    }) as Promise<void>;
  };

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
    this.record.endCalls++;
    this.record.endCalledAt ??= this.#host.now();
    const ended = this.#endPromise !== undefined || this.state === 'closing' || this.closeEmitted;
    if (ended) return Promise.resolve();
    const promise = this.#closing();
    this.#beginEnd(error, 'end');
    return promise;
  };

  // ---- connecting ---------------------------------------------------------------------------

  #completeConnect(): void {
    this.#connectTimer = undefined;
    // A link that went silent while connecting never answers the login.
    const verdict: ConnectVerdict | undefined = this.#wire.silent ? { kind: 'hang' } : this.#host.connectVerdict();
    switch (verdict?.kind) {
      case undefined:
        return this.#loggedIn();
      case 'slowLogin':
        // The WebSocket is open meanwhile; a link gone silent by then never hears the answer.
        this.#connectTimer = this.#host.timers.setTimeout(() => {
          this.#connectTimer = undefined;
          if (this.#wire.silent) this.#completeConnect();
          else this.#loggedIn();
        }, verdict.delayMs);
        return;
      case 'hang': {
        const timeoutAt = this.record.createdAt + this.#timings.connectTimeoutMs;
        this.#connectTimer = this.#host.timers.setTimeout(() => {
          this.#connectTimer = undefined;
          this.#lost('hang');
          this.#finishClose(handshakeTimedOutError());
        }, Math.max(0, timeoutAt - this.#host.now()));
        return;
      }
      case 'refuse':
        this.record.refused = true;
        this.#lost('refused');
        return this.#finishClose(connectRefusedError());
      case 'upgradeRejected':
        // ws reports `unexpected-response`, Baileys listens for it and does nothing: no close, ever.
        return this.#lost('upgradeRejected');
      case 'loginFailure':
        this.#lost('loginFailure');
        return this.#finishClose(loginFailureError(verdict.reason));
    }
  }

  /**
   * The login was answered. When it ended an older session of the device, that session's 440
   * arrived with the answer and its close takes a round trip; this socket's `open` follows its
   * own login queries, which take longer (rc14 on loopback: the old close 10 ms before the new
   * `open`). Opens after the replaced sessions' closes.
   */
  #loggedIn(): void {
    if (this.#host.loggingIn(this) === 0) return this.#open();
    this.#connectTimer = this.#host.timers.setTimeout(() => {
      this.#connectTimer = undefined;
      this.#open();
    }, 2 * this.#host.latencyMs() + 1);
  }

  #open(): void {
    const now = this.#host.now();
    this.record.state = 'open';
    this.record.openedAt = now;
    this.#lastReceivedAt = now;
    // rc14 order: the offline notification, then chats.js's presence inside the `open` emission.
    this.#emit('connection.update', { receivedPendingNotifications: true });
    const held = this.#heldEchoes;
    this.#heldEchoes = [];
    for (const message of held) this.#emitEcho(message);
    this.#emit('connection.update', { isOnline: this.#behaviour.markOnlineOnConnect });
    this.#emit('connection.update', { connection: 'open' });
    this.#host.opened(this);
  }

  // ---- the link ------------------------------------------------------------------------------

  /** The server cut the connection; the bot hears it `noticeMs` (default: one latency) later. */
  #cut(kind: CutKind, noticeMs: number | undefined, dropReason: DropReason): void {
    if (this.#wire.cut || this.closeEmitted) return;
    this.#wire.cutByServer();
    this.#lost('drop', dropReason);
    if (this.#wire.silent) return void (this.#unheardCut = { kind, dropReason });
    // An unread RST is on the bot's host already: writes fail until the process reads it.
    if (kind === 'rstUnread') this.#unreadReset = { kind, dropReason };
    const heardInMs = noticeMs ?? this.#host.latencyMs();
    this.#host.timers.setTimeout(() => this.#heardCut(kind, dropReason), heardInMs);
  }

  /**
   * A write into an RST not read yet: the syscall fails (`write ECONNRESET`, nothing written),
   * Node destroys the socket, ws is CLOSING from then on (later sends get 428) and its `close`
   * follows: the cut is heard at once.
   */
  #failedWrite(): Error {
    const reset = this.#unreadReset!;
    this.#unreadReset = undefined;
    this.#writeFailed = true;
    this.#host.timers.setTimeout(() => this.#heardCut(reset.kind, reset.dropReason), 0);
    return writeResetError();
  }

  /** ws emits `close`: queries still listening reject with the bare close code; Baileys ends the socket. */
  #heardCut(kind: CutKind, dropReason: DropReason): void {
    this.#unreadReset = undefined;
    if (this.closeEmitted) return;
    for (const query of this.#queries) if (!query.detached) query.reject(closeCodeOf[kind]);
    this.#cancelConnect();
    // Baileys' own close listener is gone once its `end()` began: `end()` then finishes with its own error.
    this.#finishClose(this.state === 'closing' ? this.#endError : dropError(dropReason));
  }

  /** A stream error (or stream end) from the server: it arrives one latency later and Baileys ends the socket. */
  #serverEnds(error: Error, dropReason: DropReason, cause: SocketCause): void {
    if (this.closeEmitted) return;
    this.#fromServer(() => this.#endedByServer(error, dropReason, cause));
  }

  /** The server's stream error arrived: Baileys ends the socket with it. */
  #endedByServer(error: Error, dropReason: DropReason, cause: SocketCause): void {
    if (this.state !== 'open') return;
    this.#lost(cause, dropReason);
    this.#beginEnd(error, cause);
  }

  /** The link goes silent; the keep-alive will notice unless it comes back first. */
  #silence(resumeAt: number | 'heal' | 'never'): void {
    if (this.closeEmitted) return;
    this.#resumeAt = laterResume(this.#wire.silent ? this.#resumeAt : undefined, resumeAt);
    if (this.#wire.silent) return this.#scheduleResume();
    this.#wire.silence();
    this.record.silentAt = this.#host.now();
    delete this.record.resumedAt;
    if (this.state === 'open') this.#scheduleKeepAlive();
    this.#scheduleResume();
  }

  #scheduleResume(): void {
    this.#clearTimer(this.#resumeTimer);
    this.#resumeTimer = undefined;
    const at = this.#resumeAt;
    if (typeof at !== 'number') return;
    this.#resumeTimer = this.#host.timers.setTimeout(() => this.#resume(), Math.max(0, at - this.#host.now()));
  }

  /** A silent link comes back: stalled frames arrive, and a pending close handshake completes. */
  #resume(): void {
    if (!this.#wire.silent || this.closeEmitted) return;
    const cut = this.#unheardCut;
    if (cut !== undefined) {
      this.#unheardCut = undefined;
      this.#host.timers.setTimeout(() => this.#heardCut(cut.kind, cut.dropReason), this.#host.latencyMs());
    }
    this.#clearTimer(this.#resumeTimer);
    this.#resumeTimer = undefined;
    this.#resumeAt = undefined;
    this.#wire.resume();
    this.#sendBufferFull = false;
    this.record.resumedAt = this.#host.now();
    this.#cancelKeepAlive();
    // Stalled answers, pongs and acks arrive one latency from now.
    this.#lastReceivedAt = this.#host.now() + this.#host.latencyMs();
    if (this.state === 'closing') this.#scheduleClose(2 * this.#host.latencyMs());
  }

  #scheduleKeepAlive(): void {
    const now = this.#host.now();
    const endsAt = keepAliveEndsAt({
      openedAt: this.record.openedAt ?? now,
      silentAt: now,
      lastReceivedAt: this.#lastReceivedAt,
      keepAliveIntervalMs: this.#timings.keepAliveIntervalMs,
      roundTripMs: Math.min(2 * this.#host.latencyMs(), this.#timings.keepAliveIntervalMs),
    });
    this.#keepAliveTimer = this.#host.timers.setTimeout(() => {
      this.#keepAliveTimer = undefined;
      this.#lost('silent');
      this.#beginEnd(dropError('connectionLost'), 'silent');
    }, endsAt - now);
  }

  // ---- ending --------------------------------------------------------------------------------

  /**
   * Baileys' `end(error)`: the socket is closing from now on (sends get 428), queries in flight
   * no longer hear a close (their listeners are removed: they wait out their timeout), and ws's
   * close handshake runs. `close` is emitted when it ends.
   */
  #beginEnd(error: Error | undefined, cause: SocketCause): void {
    if (this.state === 'closing' || this.closeEmitted) return;
    this.record.cause ??= cause;
    this.record.state = 'closing';
    this.#endError = error;
    this.#cancelKeepAlive();
    for (const query of this.#queries) query.detached = true;
    if (this.#connectTimer !== undefined || this.record.openedAt === undefined) {
      // ws aborts an opening handshake at once.
      this.#cancelConnect();
      return this.#scheduleClose(0);
    }
    // A cut connection closes when the bot hears the cut (see #heardCut), unless a silent link keeps it from hearing it.
    if (this.#wire.cut && this.#unheardCut === undefined) return;
    this.#scheduleClose(this.#wire.silent ? wsCloseTimeoutMs : 2 * this.#host.latencyMs());
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
    const now = this.#host.now();
    this.record.state = 'closed';
    this.record.closeEmittedAt = now;
    if (error !== undefined) this.record.closeError = errorRecord(error);
    this.#cancelConnect();
    this.#cancelKeepAlive();
    this.#clearTimer(this.#resumeTimer);
    this.#clearTimer(this.#flushTimer);
    this.#wire.destroy();
    this.#emit('connection.update', closeUpdate(error, now));
    this.#emitter.destroy();
    // Receipted messages (emitted, a listener may have thrown) are the server's no more: rc14's
    // `ev.destroy()` drops what its buffer held. Never receipted ones come again at the next login.
    const held = [...this.#offlinePending, ...this.#upsertBuffer];
    const unemitted = held.filter((m) => !this.#receipted.has(m.id));
    const unreceipted = [...this.#unreceipted.values(), ...unemitted];
    this.#unreceipted.clear();
    this.#offlinePending = [];
    this.#upsertBuffer = [];
    this.#host.closed(this, unreceipted);
    this.#resolveEnd?.();
  }

  /** The promise `end()` returns: resolved once `close` was emitted. */
  #closing(): Promise<void> {
    this.#endPromise = new Promise<void>((resolve) => (this.#resolveEnd = resolve));
    return this.#endPromise;
  }

  /** Records that the connection was lost (or refused) now, and why; the first cause stays. */
  #lost(cause: SocketCause, dropReason?: DropReason): void {
    this.record.diedAt ??= this.#host.now();
    this.record.cause ??= cause;
    if (dropReason !== undefined) this.record.dropReason ??= dropReason;
  }

  // ---- sending -------------------------------------------------------------------------------

  /** Runs a send's steps, recording how it settles. */
  #track<T>(attempt: AttemptRecord, steps: () => Promise<T>): Promise<T> {
    this.#pendingSends.add(attempt);
    return steps().then(
      (value) => {
        this.#settled(attempt, true, undefined);
        return value;
      },
      (error: unknown) => {
        this.#settled(attempt, false, error);
        throw error;
      },
    );
  }

  #settled(attempt: AttemptRecord, ok: boolean, error: unknown): void {
    this.#pendingSends.delete(attempt);
    attempt.settledAt = this.#host.now();
    attempt.result = ok ? 'ok' : 'rejected';
    if (!ok) attempt.error = errorRecord(error);
  }

  #settleRejected(attempt: AttemptRecord, error: Boom | TypeError): Promise<never> {
    attempt.result = 'rejected';
    attempt.settledAt = this.#host.now();
    attempt.error = errorRecord(error);
    return Promise.reject(error);
  }

  /** `media_conn` (once per socket: a failure stays cached), then the upload over HTTPS. */
  async #mediaPhase(attempt: AttemptRecord): Promise<void> {
    this.#mediaConn ??= this.#askMediaConn(attempt);
    await this.#mediaConn;
    const upload = this.#host.ask('media', { stage: 'upload' });
    if (upload === 'hang') return this.#uploadUnanswered(attempt);
    if (upload === 'fail') {
      await this.#sleep(2 * this.#host.latencyMs());
      throw mediaUploadFailedError();
    }
    // The upload goes to a media host over its own HTTPS connection, not over this socket.
    await this.#sleep(2 * this.#host.latencyMs());
  }

  /**
   * The media host took the upload and never answers. rc14 passes no timeout to it
   * (`uploadWithNodeHttp`, `Utils/messages-media.js`: `timeout: mediaUploadTimeoutMs`, unset by
   * default), so the send never settles, not even when this socket closes; it never reached
   * `relayMessage`, so it wrote nothing.
   */
  #uploadUnanswered(attempt: AttemptRecord): Promise<never> {
    attempt.uploadUnanswered = true;
    return new Promise<never>(() => {});
  }

  async #askMediaConn(attempt: AttemptRecord): Promise<void> {
    const answered = await this.#query('media_conn', attempt);
    if (!answered) throw mediaConnUnansweredError();
    if (this.#host.ask('media', { stage: 'mediaConn' }) === 'fail') throw mediaConnError();
  }

  /** The usync queries `relayMessage` runs before the write, unless the chat's device list is known. */
  async #usyncPhase(attempt: AttemptRecord, chatJid: string): Promise<void> {
    if (this.#host.options.deviceListCache && this.#knownChats.has(chatJid)) return;
    await this.#query('usync', attempt); // the devices
    await this.#query('usync', attempt); // the LID mapping
    if (this.#host.options.deviceListCache) this.#knownChats.add(chatJid);
  }

  /**
   * One query: 428 unless open (`sendRawMessage`); else it resolves true when answered, false
   * when it waited out `defaultQueryTimeoutMs` (rc14's `waitForMessage` turns its timeout into
   * `undefined`), and rejects with the bare close code if the server cut the connection meanwhile.
   */
  #query(kind: QueryKind, attempt: AttemptRecord): Promise<boolean> {
    if (!this.#wsOpen) return Promise.reject(connectionClosedError());
    // The query cannot be written behind a full buffer: `sendRawMessage`'s write timeout.
    if (this.#sendBufferFull) return this.#sleep(this.#timings.connectTimeoutMs).then(() => Promise.reject(timedOutError()));
    if (this.#unreadReset !== undefined) return Promise.reject(this.#failedWrite());
    return new Promise<boolean>((resolve, reject) => {
      const query = new PendingQuery(this.#queries, this.#host.timers, attempt, resolve, reject);
      this.#queries.add(query);
      query.timer = this.#host.timers.setTimeout(() => query.resolve(false), this.#timings.defaultQueryTimeoutMs);
      if (this.#host.ask('query', { kind }) === 'stall') {
        attempt.queriesStalled = (attempt.queriesStalled ?? 0) + 1;
        return;
      }
      this.#wire.send('toServer', () => this.#fromServer(() => {
        // After `end()` began, Baileys no longer reads frames: the answer is never processed.
        if (this.#queries.has(query) && !query.detached) query.resolve(true);
      }));
    });
  }

  /**
   * The write: 428 unless open. Blocked behind a full send buffer it waits `connectTimeoutMs`
   * (`sendRawMessage`'s write timeout) and fails 408, never written. A frame larger than the
   * buffer written into a silent link is written (it arrives if the link comes back) but fails
   * 408 the same way, and fills the buffer for every write after it.
   */
  async #write(attempt: AttemptRecord, text: string | undefined): Promise<void> {
    if (!this.#wsOpen) throw connectionClosedError();
    if (this.#unreadReset !== undefined) throw this.#failedWrite();
    if (this.#sendBufferFull || this.#host.ask('write', { chatJid: attempt.chatJid }) === 'stuck') {
      await this.#sleep(this.#timings.connectTimeoutMs);
      throw timedOutError();
    }
    this.#markWritten(attempt);
    if (this.#wire.silent && (text?.length ?? 0) >= this.#host.options.sendBufferBytes) {
      this.#sendBufferFull = true;
      this.#frameToServer(attempt, text, 'text');
      await this.#sleep(this.#timings.connectTimeoutMs);
      throw timedOutError();
    }
  }

  #markWritten(attempt: AttemptRecord): void {
    attempt.written = true;
    attempt.writtenAt = this.#host.now();
  }

  /** The written frame travels to the server, which may nack it; its ack keeps the keep-alive content. */
  #frameToServer(attempt: AttemptRecord, text: string | undefined, kind: FrameKind): void {
    const host = this.#host;
    this.#wire.send('toServer', () => {
      attempt.reachedServer = true;
      const nack = host.ask('serverMessage', { chatJid: attempt.chatJid });
      if (nack !== undefined) attempt.nacked = true;
      host.server.receiveMessage(
        { chatJid: attempt.chatJid, messageId: attempt.messageId!, text, kind, generation: this.generation, attemptSeq: attempt.seq },
        host.now(),
        nack !== undefined,
      );
      this.#fromServer(() => undefined); // the server's ack
      if (nack !== undefined) host.timers.setTimeout(() => this.#fromServer(() => this.#emit('messages.update', nackUpdate(attempt))), nack.nackAfterMs);
    });
  }

  /** rc14 echoes every write as an `append` upsert `fromMe` (`emitOwnEvents`), after its event buffer's delay. */
  #echo(message: WAMessage): void {
    this.#host.timers.setTimeout(() => {
      if (this.state === 'connecting') this.#heldEchoes.push(message);
      else if (!this.closeEmitted) this.#emitEcho(message);
    }, this.#host.options.echoMs);
  }

  #emitEcho(message: WAMessage): void {
    this.#emit('messages.upsert', { messages: [message], type: 'append' });
  }

  // ---- inbound -------------------------------------------------------------------------------

  /** A frame from the server: arrives one latency later (stalls while silent), and counts as heard. */
  #fromServer(arrive: () => void): void {
    this.#wire.send('toBot', () => {
      if (this.closeEmitted) return;
      this.#lastReceivedAt = this.#host.now();
      arrive();
    });
  }

  /** An inbound frame arrived: it joins the event buffer, flushed as one upsert. */
  #arrived(message: QueuedInbound): void {
    if (this.state !== 'open') return;
    this.#upsertBuffer.push(message);
    this.#flushTimer ??= this.#host.timers.setTimeout(() => this.#flush('notify'), this.#host.options.inboundFlushMs);
  }

  /** Offline messages pushed at login; a socket that closes before emitting them hands them back (no receipt went out). */
  #deliverOffline(messages: readonly QueuedInbound[]): void {
    this.#offlinePending.push(...messages);
    this.#host.timers.setTimeout(() => {
      if (this.state !== 'open') return;
      this.#upsertBuffer.push(...this.#offlinePending);
      this.#offlinePending = [];
      this.#flush('append');
    }, this.#host.options.offlineDeliveryMs);
  }

  /**
   * Emits the buffered messages as one upsert, each receipted first: rc14's `handleMessage`
   * (`Socket/messages-recv.js`) sends the receipt, then `upsertMessage`, and the event buffer
   * emits. If a listener throws, rc14's buffer is not cleared: the same messages are emitted
   * again with the next flush on this socket, and never again once it closes (the server has
   * their receipts).
   */
  #flush(type: 'notify' | 'append'): void {
    this.#flushTimer = undefined;
    if (this.#upsertBuffer.length === 0 || this.state !== 'open') return;
    const batch = this.#upsertBuffer;
    for (const message of batch) this.#receipt(message);
    for (const message of batch) this.#host.hooks.onInboundEmitted(message, this.generation, type);
    const ok = this.#emit('messages.upsert', inboundUpsert(batch, type));
    if (ok) this.#upsertBuffer = [];
  }

  /** An inbound message's receipt, once per socket; until it reaches the server, a close hands it back. */
  #receipt(message: QueuedInbound): void {
    if (this.#receipted.has(message.id)) return;
    this.#receipted.add(message.id);
    this.#unreceipted.set(message.id, message);
    this.#wire.send('toServer', () => {
      const lost = this.#host.ask('receipt', { chatJid: message.chatJid }) === 'lost';
      if (!lost) this.#unreceipted.delete(message.id);
    });
  }

  // ---- small helpers -------------------------------------------------------------------------

  #emit(event: string, arg: unknown): boolean {
    return this.#emitter.emit(event, arg);
  }

  #sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.#host.timers.setTimeout(resolve, delayMs));
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

/** Of two ends of a silence, the later: `never` outlasts `heal`, which outlasts any time. */
function laterResume(a: number | 'heal' | 'never' | undefined, b: number | 'heal' | 'never'): number | 'heal' | 'never' {
  if (a === undefined) return b;
  if (a === 'never' || b === 'never') return 'never';
  if (a === 'heal' || b === 'heal') return 'heal';
  return Math.max(a, b);
}
