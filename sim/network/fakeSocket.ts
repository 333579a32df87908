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
 *   written in the order they were called: sendLock.ts), writes, and resolves right after the write
 *   with a `proto.WebMessageInfo`. The frame reaches the server one latency later, or stalls in a
 *   silent link, or is lost if the server cut the connection. An unanswered query waits out
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
 * through {@link FakeSocket.control}. What a bot holds is not this class but its surface
 * (`socketSurface.ts`: rc14's members, `ws`, `user`, `logout` and the modelled queries), which
 * reaches the connection through {@link FakeSocket.channel}.
 */
import type {
  AnyMessageContent,
  MiscMessageGenerationOptions,
  proto,
  WAMessage,
  WAMessageKey,
  WAPresence,
} from '@whiskeysockets/baileys';
import type { Boom } from '@hapi/boom';
import { socketTimingsOf, wsCloseTimeoutMs } from '../../src/baileysFacts.js';
import type { SocketConfig, SocketLike, TimerHandle } from '../../src/ports.js';
import type { ClockView } from '../clock.js';
import type { ConnectVerdict, CutKind, QueryKind, QueryRefusal } from '../faults/fault.js';
import type { RuleStages } from '../faults/fault.js';
import {
  errorRecord,
  type AttemptRecord,
  type SocketCause,
  type SocketRecord,
  type SocketState,
  type SocketTimings,
} from '../history.js';
import {
  allEncryptionsFailedError,
  connectionClosedError,
  connectRefusedError,
  dropError,
  groupMetadataMissingError,
  handshakeTimedOutError,
  loginFailureError,
  mediaConnError,
  mediaConnUnansweredError,
  mediaUploadFailedError,
  presenceWithoutJidError,
  queryRefusedError,
  timedOutError,
  writeResetError,
  type DropReason,
} from './baileysErrors.js';
import { FakeEmitter } from './emitter.js';
import { keepAliveEndsAt } from './keepAlive.js';
import {
  closeUpdate,
  describeContent,
  inboundUpsert,
  nackUpdate,
  sentWaMessage,
} from './messageShapes.js';
import { receiptUpdate } from './messageShapes.js';
import { ResendCache, resendOfMessage } from './resendCache.js';
import { parseReplyKey, type FrameKind, type QueuedInbound, type ServerModel } from './server.js';
import type { ReceiptForBot, RetryAnswer } from './server.js';
import { factKinds, type FactKind } from '../journal.js';
import { SendLock } from './sendLock.js';
import { socketBehaviourOf, type SocketBehaviour } from './socketBehaviour.js';
import { simulatedAccount, type SocketChannel, type WsEvents } from './socketChannel.js';
import { fakeEv, type FakeEv } from './socketSurface.js';
import { wsClosedBeforeEstablishedError } from './surfaceErrors.js';
import { Wire } from './wire.js';

/**
 * The fields of a new attempt record the socket knows; the network adds order, time and results.
 */
export type NewAttempt = Omit<
  AttemptRecord,
  'seq' | 'at' | 'result' | 'written' | 'reachedServer' | 'queryTimeouts'
>;

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

/**
 * The functions a path may pass in its socket config that rc14 calls back: `getMessage` (answers a
 * retry receipt for a message this socket does not remember) and `cachedGroupMetadata` (a group
 * send uses it instead of the group metadata query when it returns participants).
 */
export interface PathSocketHooks {
  getMessage?: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
  cachedGroupMetadata?: (jid: string) => Promise<unknown>;
}

/** The hooks of a path's socket config (a value that is not a function is left out). */
export function pathSocketHooksOf(
  config: { getMessage?: unknown; cachedGroupMetadata?: unknown } | undefined,
): PathSocketHooks {
  const hooks: PathSocketHooks = {};
  const { getMessage, cachedGroupMetadata } = config ?? {};
  if (typeof getMessage === 'function') {
    hooks.getMessage = getMessage as PathSocketHooks['getMessage'];
  }
  if (typeof cachedGroupMetadata === 'function') {
    hooks.cachedGroupMetadata = cachedGroupMetadata as PathSocketHooks['cachedGroupMetadata'];
  }
  return hooks;
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
  ask<S extends Exclude<keyof RuleStages, 'connect'>>(
    stage: S,
    arg: Parameters<RuleStages[S]>[0],
  ): ReturnType<RuleStages[S]>;
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
  /**
   * This socket emitted `close`; `unreceipted` are inbound messages the server must deliver
   * again, `unanswered` retry receipts it never acknowledged.
   */
  closed(socket: FakeSocket, unreceipted: QueuedInbound[], unanswered: ReceiptForBot[]): void;
  /** A message became visible to its recipient: their phone will send its receipts. */
  recipientGot(message: { chatJid: string; messageId: string }): void;
  /** The recipient could not decrypt a message: their retry receipt leaves `retryAfterMs` later. */
  requestResend(message: { chatJid: string; messageId: string }, retryAfterMs: number): void;
  /** The newest send attempt that carried `messageId` (0 for none). */
  attemptSeqOf(messageId: string): number;
  /** This socket's acknowledgement of a retry receipt reached the server: rc14 answered it so. */
  retryAnswered(receipt: ReceiptForBot, generation: number, answer: RetryAnswer): void;
  readonly server: ServerModel;
  readonly hooks: {
    onInboundEmitted(message: QueuedInbound, generation: number, type: 'notify' | 'append'): void;
    /** A fact of `kind` was recorded now (journal.ts). */
    note?(kind: FactKind, id: number): void;
  };
  /** The JIDs of the chats the run knows (the server's chats), for the surface's group queries. */
  chatJids(): Iterable<string>;
  /** The path called `method`, an rc14 socket member the fake does not model. */
  unmodelled(method: string, generation: number): void;
}

/**
 * The bare close codes a query in flight is rejected with, per way the server cut the connection.
 */
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
  /** The path's send that asked; none for rc14's own resends. */
  readonly #attempt: AttemptRecord | undefined;
  readonly #resolve: (answered: boolean) => void;
  readonly #reject: (reason: unknown) => void;

  constructor(
    queries: Set<PendingQuery>,
    timers: SocketHost['timers'],
    attempt: AttemptRecord | undefined,
    resolve: (answered: boolean) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#queries = queries;
    this.#timers = timers;
    this.#attempt = attempt;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  resolve(answered: boolean): void {
    this.#leave();
    if (!answered && this.#attempt !== undefined) this.#attempt.queryTimeouts += 1;
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

/** A message rc14 can write again: its text and kind, and the send attempt that wrote it first. */
type Resendable = { text: string | undefined; kind: FrameKind; attemptSeq: number };

/** What the network does to one socket (the methods a `FaultLink` calls, and inbound delivery). */
export interface SocketControl {
  cut(kind: CutKind, noticeMs: number | undefined, dropReason: DropReason): void;
  streamError(error: Error, dropReason: DropReason, cause: SocketCause): void;
  /** A newer session of the device logged in: its 440 arrives now, with that login's answer. */
  replaced(): void;
  silence(resumeAt: number | 'heal' | 'never'): void;
  resume(): void;
  deliver(message: QueuedInbound): void;
  /** A receipt from a recipient arrives live. */
  deliverReceipt(receipt: ReceiptForBot): void;
  deliverOffline(messages: readonly QueuedInbound[], receipts?: readonly ReceiptForBot[]): void;
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
  /** What this socket wrote lately and how often it resent it (resendCache.ts). */
  readonly #resends = new ResendCache();
  /** Retry receipts this socket received and has not acknowledged yet: a close hands them back. */
  readonly #unansweredRetries = new Set<ReceiptForBot>();
  readonly #hooks: PathSocketHooks;
  /** Offline messages the server pushed at login, not yet emitted: a close hands them back. */
  #offlinePending: QueuedInbound[] = [];
  /** Offline receipts the server pushed at login, not yet processed. */
  #offlineReceipts: ReceiptForBot[] = [];
  /** Inbound arrived, waiting for the next upsert flush (or re-emission after a throw). */
  #upsertBuffer: QueuedInbound[] = [];
  #flushTimer: TimerHandle | undefined;
  #mediaConn: Promise<void> | undefined;
  #connectTimer: TimerHandle | undefined;
  #keepAliveTimer: TimerHandle | undefined;
  #closeTimer: TimerHandle | undefined;
  #resumeTimer: TimerHandle | undefined;
  #resumeAt: number | 'heal' | 'never' | undefined;
  /**
   * A frame larger than the send buffer was written into the silent link: later writes wait behind
   * it until it resumes.
   */
  #sendBufferFull = false;
  /**
   * A cut the bot cannot hear yet because its link is silent: heard one latency after it resumes.
   */
  #unheardCut: { kind: CutKind; dropReason: DropReason } | undefined;
  /** An RST the process has not read yet: the next write fails. */
  #unreadReset: { kind: CutKind; dropReason: DropReason } | undefined;
  /** A write failed (an unread RST): ws is no longer OPEN, though `close` is still to come. */
  #writeFailed = false;
  /**
   * When the server accepts the upgrade (one latency after the connect), unless the connect fails
   * there.
   */
  readonly #upgradeAt: number;
  /**
   * Echoes of sends written before `open`: rc14's event buffer holds them until the login's
   * notifications.
   */
  #heldEchoes: WAMessage[] = [];
  /** The error `close` will carry once the close handshake ends. */
  #endError: Error | undefined;
  #endPromise: Promise<void> | undefined;
  #resolveEnd: (() => void) | undefined;
  /** Resolvers of the bot's `ws.close()` calls, settled when `close` is emitted. */
  #afterClose: (() => void)[] = [];
  /**
   * Last frame from the server besides keep-alive pongs (an inbound message, an answer, an ack).
   */
  #lastReceivedAt = 0;
  /**
   * The `auth` the path passed to `makeWASocket`, if any (rc14 emits `creds.update` at each login).
   */
  readonly #auth: SocketConfig['auth'] | undefined;
  #channel: SocketChannel | undefined;
  /** rc14's `ws` as the surface made it (absent until a bot reads `sock.ws`). */
  #ws: WsEvents | undefined;
  /** The bot called `ws.close()` on an open socket: ws is closing, Baileys' `end()` not begun. */
  #closingByWs = false;
  /**
   * rc14's client called `ws.close()` (Baileys' `end()`, or the bot): it holds no ws once closed.
   */
  #wsCloseCalled = false;
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
    auth?: SocketConfig['auth'],
    hooks: PathSocketHooks = {},
    behaviour: SocketBehaviour = socketBehaviourOf(undefined),
  ) {
    this.#host = host;
    this.#timings = timings;
    this.#auth = auth;
    this.#hooks = hooks;
    this.#behaviour = behaviour;
    this.#wire = new Wire(host.timers, () => host.latencyMs());
    this.record = {
      generation,
      createdAt: host.now(),
      state: 'connecting',
      endCalls: 0,
      refused: false,
      timings: { ...timings },
      listeners: {},
    };
    this.#upgradeAt = host.now() + host.latencyMs();
    this.#emitter = new FakeEmitter(this.record.listeners);
    this.ev = fakeEv(this.#emitter, () => this.channel);
    this.control = {
      cut: (kind, noticeMs, dropReason) => this.#cut(kind, noticeMs, dropReason),
      streamError: (error, dropReason, cause) => this.#serverEnds(error, dropReason, cause),
      replaced: () => this.#endedByServer(dropError('conflict'), 'conflict', 'replaced'),
      silence: (resumeAt) => this.#silence(resumeAt),
      resume: () => this.#resume(),
      deliver: (message) => this.#fromServer(() => this.#arrived(message)),
      deliverReceipt: (receipt) => {
        // Unacknowledged from the moment it is pushed: a close before it arrives hands it back.
        if (receipt.type === 'retry') this.#unansweredRetries.add(receipt);
        this.#fromServer(() => this.#receiptArrived(receipt));
      },
      deliverOffline: (messages, receipts) => this.#deliverOffline(messages, receipts ?? []),
    };
    if (inert) return;
    // Baileys emits `connecting` from process.nextTick after makeWASocket returns.
    queueMicrotask(() => {
      if (this.state === 'connecting')
        this.#emit('connection.update', {
          connection: 'connecting',
          receivedPendingNotifications: false,
          qr: undefined,
        });
    });
    this.#connectTimer = host.timers.setTimeout(
      () => this.#completeConnect(),
      host.options.connectDelayMs + host.latencyMs(),
    );
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

  /**
   * The upgrade was accepted: its time came, and the connect does not fail before the WebSocket
   * opens.
   */
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

  /** What the bot's surface of this socket reaches (see socketChannel.ts), made on first use. */
  get channel(): SocketChannel {
    return (this.#channel ??= this.#makeChannel());
  }

  /** Baileys' event emitter (socketSurface.ts `fakeEv`); emission is synchronous, like Baileys'. */
  readonly ev: FakeEv;

  /** Baileys `sendMessage`: see the module comment. */
  readonly sendMessage = (
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined> => {
    const { text, kind } = describeContent(content);
    // Baileys draws the id in generateWAMessage, before any check: so does the fake.
    const messageId =
      typeof options?.messageId === 'string' ? options.messageId : this.#host.drawFakeId();
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
        await this.#preWritePhase(attempt, jid);
        await this.#write(attempt, text);
        this.#frameToServer(attempt, text, kind);
        const writtenAt = this.#host.now();
        this.#resends.remember(messageId, { text, kind, attemptSeq: attempt.seq, writtenAt });
      });
      // rc14's sendMessage echoes the very message object it resolves to.
      const sent = sentWaMessage({
        chatJid: jid,
        messageId,
        text,
        kind,
        at: attempt.at,
      }) as WAMessage;
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
    if (!this.#wsOpen)
      return this.#settleRejected(attempt, connectionClosedError()) as Promise<never>;
    return this.#track(attempt, async () => {
      if (this.#unreadReset !== undefined) throw this.#failedWrite();
      this.#markWritten(attempt);
      this.#wire.send('toServer', () => {
        attempt.reachedServer = true;
        this.#host.server.receivePresence(
          chatJid,
          type,
          this.generation,
          attempt.seq,
          this.#host.now(),
        );
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
    if (this.record.endCalledAt === undefined)
      this.#host.hooks.note?.(factKinds.endCalled, this.generation);
    this.record.endCalledAt ??= this.#host.now();
    // Baileys' own end() began (a bot's ws.close() alone is not one: Baileys' `closed` is unset).
    const baileysEnding = this.state === 'closing' && !this.#closingByWs;
    if (this.#endPromise !== undefined || baileysEnding || this.closeEmitted)
      return Promise.resolve();
    const promise = this.#closing();
    // The bot's ws.close() left ws closing: Baileys' end() skips ws.close() and emits close at
    // once; the ws listeners it removes no longer hear ws's own close.
    if (this.#closingByWs) this.#endDuringWsClose(error);
    else this.#beginEnd(error, 'end');
    return promise;
  };

  // ---- the surface's channel (socketChannel.ts) -----------------------------------------------

  #makeChannel(): SocketChannel {
    const host = this.#host;
    return {
      generation: this.generation,
      record: this.record,
      timings: this.#timings,
      timers: host.timers,
      server: host.server,
      now: () => host.now(),
      state: () => this.state,
      wsReleased: () => this.closeEmitted && this.#wsCloseCalled,
      sendNode: (atServer) => this.#sendNode(atServer),
      query: (kind, timeoutMs) => this.#query(kind, undefined, '', { timeoutMs }),
      lidLookup: (jid) => this.#lidLookup(jid),
      endByBaileys: (error) => this.#beginEnd(error, 'end'),
      closeWs: () => this.#closeWs(),
      attachWs: (ws) => void (this.#ws = ws),
      chatName: (jid) => host.chatName(jid),
      chatJids: () => host.chatJids(),
      unmodelled: (method) => host.unmodelled(method, this.generation),
    };
  }

  /**
   * rc14's LID lookup for a user JID (`getLIDForPN`, a usync query) before a presence subscription
   * or a profile picture query: once per chat per socket with the device-list cache (as before a
   * send), every time without. Never fails: rc14's `buildTcTokenFromJid` catches.
   */
  async #lidLookup(jid: string): Promise<void> {
    const cache = this.#host.options.deviceListCache;
    if (cache && this.#knownChats.has(jid)) return;
    const answered = await this.#query('usync', undefined, jid).catch(() => false);
    if (answered && cache) this.#knownChats.add(jid);
  }

  /**
   * rc14's `sendNode`: 428 unless the WebSocket is open (or 408 behind a full buffer, or `write
   * ECONNRESET` into a reset not read yet); written now, `atServer` runs on arrival.
   */
  #sendNode(atServer: (() => void) | undefined): Promise<void> {
    if (!this.#wsOpen) return Promise.reject(connectionClosedError());
    if (this.#unreadReset !== undefined) return Promise.reject(this.#failedWrite());
    if (this.#sendBufferFull)
      return this.#sleep(this.#timings.connectTimeoutMs).then(() =>
        Promise.reject(timedOutError()),
      );
    this.#wire.send('toServer', () => atServer?.());
    return Promise.resolve();
  }

  /**
   * The bot's `ws.close()` (rc14's `WebSocketClient.close()`): on an open socket ws starts its
   * close handshake (sends get 428) and, when it ends, ws's `close` makes Baileys end the socket
   * with 428 `Connection Terminated`; on a connecting one ws aborts the handshake and its `error`
   * ends the socket at once. Resolves when the ws closed; a ws that closed by itself (a cut, a
   * refused connect) never emits `close` again, so the promise never settles, as rc14's does not.
   */
  #closeWs(): Promise<void> {
    if (this.closeEmitted)
      return this.#wsCloseCalled ? Promise.resolve() : new Promise<void>(() => {});
    const closed = new Promise<void>((resolve) => this.#afterClose.push(resolve));
    if (this.state === 'closing') return closed;
    this.#wsCloseCalled = true;
    this.record.cause ??= 'end';
    if (this.state === 'connecting') {
      this.record.state = 'closing';
      this.#cancelConnect();
      queueMicrotask(() => this.#finishClose(wsClosedBeforeEstablishedError()));
      return closed;
    }
    this.record.state = 'closing';
    this.#closingByWs = true;
    this.#endError = dropError('connectionClosed');
    this.#scheduleClose(this.#wire.silent ? wsCloseTimeoutMs : 2 * this.#host.latencyMs());
    return closed;
  }

  #endDuringWsClose(error: Error | undefined): void {
    this.#closingByWs = false;
    for (const query of this.#queries) query.detached = true;
    this.#ws?.endBegan();
    this.#finishClose(error);
  }

  // ---- connecting ---------------------------------------------------------------------------

  #completeConnect(): void {
    this.#connectTimer = undefined;
    // A link that went silent while connecting never answers the login.
    const verdict: ConnectVerdict | undefined = this.#wire.silent
      ? { kind: 'hang' }
      : this.#host.connectVerdict();
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
        return;
      }
      case 'refuse':
        this.record.refused = true;
        this.#lost('refused');
        return this.#refused(connectRefusedError());
      case 'upgradeRejected':
        // ws reports `unexpected-response`, Baileys listens for it and does nothing: no close,
        // ever.
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

  /**
   * The login was answered. When it ended an older session of the device, that session's 440
   * arrived with the answer and its close takes a round trip; this socket's `open` follows its
   * own login queries, which take longer (rc14 on loopback: the old close 10 ms before the new
   * `open`). Opens after the replaced sessions' closes.
   */
  #loggedIn(): void {
    if (this.#host.loggingIn(this) === 0) return this.#open();
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
    const creds = this.#auth?.creds;
    if (creds === undefined) return;
    const update = { me: { ...(creds.me ?? simulatedAccount), lid: simulatedAccount.lid } };
    if (creds.me !== undefined) Object.assign(creds, update);
    this.#emit('creds.update', update);
  }

  /**
   * ws's `error` on a refused connect reaches the bot's ws listeners; Baileys ends the socket with
   * it.
   */
  #refused(error: ReturnType<typeof connectRefusedError>): void {
    this.#ws?.emitEvent('error', error.data);
    this.#finishClose(error);
  }

  #open(): void {
    const now = this.#host.now();
    this.record.state = 'open';
    this.record.openedAt = now;
    this.#host.hooks.note?.(factKinds.socketOpened, this.generation);
    this.#lastReceivedAt = now;
    this.#ws?.emitEvent('open');
    // rc14 order: the offline notification, the login's `creds.update` (its `me`, with the LID the
    // server gave), then chats.js's presence inside the `open` emission (`CB:success`,
    // Socket/socket.js).
    this.#emit('connection.update', { receivedPendingNotifications: true });
    const held = this.#heldEchoes;
    this.#heldEchoes = [];
    for (const message of held) this.#emitEcho(message);
    this.#loginCredsUpdate();
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

  /**
   * ws emits `close`: queries still listening reject with the bare close code; Baileys ends the
   * socket.
   */
  #heardCut(kind: CutKind, dropReason: DropReason): void {
    this.#unreadReset = undefined;
    if (this.closeEmitted) return;
    this.#closingByWs = false;
    for (const query of this.#queries) if (!query.detached) query.reject(closeCodeOf[kind]);
    this.#ws?.emitEvent('close', closeCodeOf[kind]);
    this.#cancelConnect();
    // Baileys' own close listener is gone once its `end()` began: `end()` then finishes with its
    // own error.
    this.#finishClose(this.state === 'closing' ? this.#endError : dropError(dropReason));
  }

  /**
   * A stream error (or stream end) from the server: it arrives one latency later and Baileys ends
   * the socket.
   */
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
    this.#host.hooks.note?.(factKinds.linkSilent, this.generation);
    delete this.record.resumedAt;
    if (this.state === 'open') this.#scheduleKeepAlive();
    this.#scheduleResume();
  }

  #scheduleResume(): void {
    this.#clearTimer(this.#resumeTimer);
    this.#resumeTimer = undefined;
    const at = this.#resumeAt;
    if (typeof at !== 'number') return;
    this.#resumeTimer = this.#host.timers.setTimeout(
      () => this.#resume(),
      Math.max(0, at - this.#host.now()),
    );
  }

  /** A silent link comes back: stalled frames arrive, and a pending close handshake completes. */
  #resume(): void {
    if (!this.#wire.silent || this.closeEmitted) return;
    const cut = this.#unheardCut;
    if (cut !== undefined) {
      this.#unheardCut = undefined;
      this.#host.timers.setTimeout(
        () => this.#heardCut(cut.kind, cut.dropReason),
        this.#host.latencyMs(),
      );
    }
    this.#clearTimer(this.#resumeTimer);
    this.#resumeTimer = undefined;
    this.#resumeAt = undefined;
    this.#wire.resume();
    this.#sendBufferFull = false;
    this.record.resumedAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.linkResumed, this.generation);
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
    // Baileys' end() calls ws.close() and removes the ws listeners of close, open and message.
    this.#wsCloseCalled = true;
    this.#ws?.endBegan();
    this.#endError = error;
    this.#cancelKeepAlive();
    for (const query of this.#queries) query.detached = true;
    if (this.#connectTimer !== undefined || this.record.openedAt === undefined) {
      // ws aborts an opening handshake at once.
      this.#cancelConnect();
      return this.#scheduleClose(0);
    }
    // A cut connection closes when the bot hears the cut (see #heardCut), unless a silent link
    // keeps it from hearing it.
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
    if (this.#closingByWs) {
      // ws's own close after the bot's ws.close(): queries still listening get its code, then
      // Baileys ends.
      this.#closingByWs = false;
      for (const query of this.#queries) if (!query.detached) query.reject(closeCodeOf.wsClose);
      this.#ws?.emitEvent('close', closeCodeOf.wsClose);
      this.#ws?.endBegan();
    }
    const now = this.#host.now();
    this.record.state = 'closed';
    this.record.closeEmittedAt = now;
    this.#host.hooks.note?.(factKinds.closeEmitted, this.generation);
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
    const offlineRetries = this.#offlineReceipts.filter((r) => r.type === 'retry');
    const unanswered = [...this.#unansweredRetries, ...offlineRetries];
    this.#unreceipted.clear();
    this.#unansweredRetries.clear();
    this.#offlinePending = [];
    this.#offlineReceipts = [];
    this.#upsertBuffer = [];
    this.#host.closed(this, unreceipted, unanswered);
    this.#resolveEnd?.();
    for (const resolve of this.#afterClose.splice(0)) resolve();
  }

  /** The promise `end()` returns: resolved once `close` was emitted. */
  #closing(): Promise<void> {
    this.#endPromise = new Promise<void>((resolve) => (this.#resolveEnd = resolve));
    return this.#endPromise;
  }

  /** Records that the connection was lost (or refused) now, and why; the first cause stays. */
  #lost(cause: SocketCause, dropReason?: DropReason): void {
    if (this.record.diedAt === undefined)
      this.#host.hooks.note?.(factKinds.socketDied, this.generation);
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
    this.#host.hooks.note?.(factKinds.attemptSettled, attempt.seq);
    attempt.result = ok ? 'ok' : 'rejected';
    if (!ok) attempt.error = errorRecord(error);
  }

  #settleRejected(attempt: AttemptRecord, error: Boom | TypeError): Promise<never> {
    attempt.result = 'rejected';
    attempt.settledAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.attemptSettled, attempt.seq);
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
    const answered = await this.#query('media_conn', attempt, attempt.chatJid);
    if (!answered) throw mediaConnUnansweredError();
    if (this.#host.ask('media', { stage: 'mediaConn' }) === 'fail') throw mediaConnError();
  }

  /**
   * The queries `relayMessage` runs before the write. A group: its metadata (every send: rc14
   * has no metadata cache unless the path passes `cachedGroupMetadata`), then its participants'
   * devices. A contact: its devices, the key fetch of a device the bot has no session with, its
   * LID mapping. Device lists and mappings are known after the first send per chat per socket.
   */
  async #preWritePhase(attempt: AttemptRecord | undefined, chatJid: string): Promise<void> {
    const known = this.#host.options.deviceListCache && this.#knownChats.has(chatJid);
    if (chatJid.endsWith('@g.us')) {
      await this.#groupMetadataPhase(attempt, chatJid);
      if (!known) await this.#query('usync', attempt, chatJid); // the participants' devices
    } else {
      if (!known) await this.#query('usync', attempt, chatJid); // the devices
      await this.#keyFetchPhase(attempt, chatJid);
      if (!known) await this.#query('usync', attempt, chatJid); // the LID mapping
    }
    if (this.#host.options.deviceListCache) this.#knownChats.add(chatJid);
  }

  /** `groupMetadata` (`Socket/groups.js`): unanswered, `extractGroupMetadata` finds no group. */
  async #groupMetadataPhase(attempt: AttemptRecord | undefined, chatJid: string): Promise<void> {
    const cache = this.#hooks.cachedGroupMetadata;
    const cached = cache === undefined ? undefined : await cache(chatJid);
    if (Array.isArray((cached as { participants?: unknown } | undefined)?.participants)) return;
    if (!(await this.#query('group', attempt, chatJid))) throw groupMetadataMissingError();
  }

  /** `assertSessions` for a device with no session: its key fetch unanswered, nothing encrypts. */
  async #keyFetchPhase(attempt: AttemptRecord | undefined, chatJid: string): Promise<void> {
    if (this.#host.ask('keyFetch', { chatJid }) !== 'stall') return;
    await this.#query('key', attempt, chatJid, { forced: 'stall' });
    throw allEncryptionsFailedError();
  }

  /**
   * One query: 428 unless open (`sendRawMessage`); else it resolves true when answered, false
   * when it waited out `defaultQueryTimeoutMs` (rc14's `waitForMessage` turns its timeout into
   * `undefined`), rejects with the bare close code if the server cut the connection meanwhile,
   * and with rc14's Boom 500 when the server answered it with an error (`assertNodeErrorFree`).
   */
  #query(
    kind: QueryKind,
    attempt: AttemptRecord | undefined,
    chatJid: string,
    options: { timeoutMs?: number; forced?: 'stall' } = {},
  ): Promise<boolean> {
    if (!this.#wsOpen) return Promise.reject(connectionClosedError());
    // The query cannot be written behind a full buffer: `sendRawMessage`'s write timeout.
    if (this.#sendBufferFull)
      return this.#sleep(this.#timings.connectTimeoutMs).then(() =>
        Promise.reject(timedOutError()),
      );
    if (this.#unreadReset !== undefined) return Promise.reject(this.#failedWrite());
    return new Promise<boolean>((resolve, reject) => {
      const query = new PendingQuery(this.#queries, this.#host.timers, attempt, resolve, reject);
      this.#queries.add(query);
      const timeoutMs = options.timeoutMs ?? this.#timings.defaultQueryTimeoutMs;
      query.timer = this.#host.timers.setTimeout(() => query.resolve(false), timeoutMs);
      const answer = options.forced ?? this.#host.ask('query', { kind, chatJid });
      if (answer === 'stall') {
        if (attempt !== undefined) attempt.queriesStalled = (attempt.queriesStalled ?? 0) + 1;
        return;
      }
      this.#wire.send('toServer', () =>
        this.#fromServer(() => {
          // After `end()` began, Baileys no longer reads frames: the answer is never processed.
          if (!this.#queries.has(query) || query.detached) return;
          if (answer === undefined) query.resolve(true);
          else query.reject(queryRefusedError(answer as QueryRefusal));
        }),
      );
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
    this.#host.hooks.note?.(factKinds.attemptWritten, attempt.seq);
  }

  /**
   * The written frame travels to the server, which may nack it; its ack keeps the keep-alive
   * content. A frame that reached the recipient may fail to decrypt there (a retry receipt
   * follows); one that shows gets the recipient's delivery and read receipts.
   */
  #frameToServer(attempt: AttemptRecord, text: string | undefined, kind: FrameKind): void {
    const host = this.#host;
    this.#wire.send('toServer', () => {
      attempt.reachedServer = true;
      const { chatJid } = attempt;
      const messageId = attempt.messageId!;
      const nack = host.ask('serverMessage', { chatJid });
      if (nack !== undefined) attempt.nacked = true;
      const retry = nack === undefined ? host.ask('decrypt', { chatJid }) : undefined;
      if (retry !== undefined) attempt.undecryptable = true;
      const { generation } = this;
      const undecryptable = retry !== undefined;
      const attemptSeq = attempt.seq;
      const frame = { chatJid, messageId, text, kind, generation, attemptSeq, undecryptable };
      const duplicate = host.server.receiveMessage(frame, host.now(), nack !== undefined);
      this.#fromServer(() => undefined); // the server's ack
      if (nack !== undefined) {
        const update = nackUpdate(attempt, nack.code);
        const emit = (): void => void this.#emit('messages.update', update);
        host.timers.setTimeout(() => this.#fromServer(emit), nack.nackAfterMs);
      } else if (retry !== undefined)
        host.requestResend({ chatJid, messageId }, retry.retryAfterMs);
      else if (!duplicate) host.recipientGot({ chatJid, messageId });
    });
  }

  /** rc14's own resend, same id, answering a retry receipt (no nack: the server took the id). */
  #resendFrameToServer(chatJid: string, messageId: string, send: Resendable): void {
    const host = this.#host;
    this.#wire.send('toServer', () => {
      const retry = host.ask('decrypt', { chatJid });
      const { text, kind, attemptSeq } = send;
      const { generation } = this;
      const undecryptable = retry !== undefined;
      const frame = { chatJid, messageId, text, kind, generation, attemptSeq, undecryptable };
      const resend = { ...frame, retryResend: true };
      const duplicate = host.server.receiveMessage(resend, host.now(), false);
      this.#fromServer(() => undefined); // the server's ack
      if (retry !== undefined) host.requestResend({ chatJid, messageId }, retry.retryAfterMs);
      else if (!duplicate) host.recipientGot({ chatJid, messageId });
    });
  }

  /**
   * rc14 echoes every write as an `append` upsert `fromMe` (`emitOwnEvents`), after its event
   * buffer's delay.
   */
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

  /**
   * A frame from the server: arrives one latency later (stalls while silent), and counts as heard.
   */
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
    this.#flushTimer ??= this.#host.timers.setTimeout(
      () => this.#flush('notify'),
      this.#host.options.inboundFlushMs,
    );
  }

  /**
   * Offline messages and receipts pushed at login; a socket that closes before emitting the
   * messages hands them back (no receipt went out), and its unanswered retry receipts too.
   */
  #deliverOffline(messages: readonly QueuedInbound[], receipts: readonly ReceiptForBot[]): void {
    this.#offlinePending.push(...messages);
    this.#offlineReceipts.push(...receipts);
    this.#host.timers.setTimeout(() => {
      if (this.state !== 'open') return;
      const offlineReceipts = this.#offlineReceipts;
      this.#offlineReceipts = [];
      for (const receipt of offlineReceipts) this.#receiptArrived(receipt);
      if (this.#offlinePending.length === 0) return;
      this.#upsertBuffer.push(...this.#offlinePending);
      this.#offlinePending = [];
      this.#flush('append');
    }, this.#host.options.offlineDeliveryMs);
  }

  // ---- receipts from recipients --------------------------------------------------------------

  /**
   * A `<receipt>` arrived (`handleReceipt`, `Socket/messages-recv.js`): delivered and read ones
   * become `messages.update` (a group's `message-receipt.update`); a retry receipt is answered.
   * A socket whose `end()` began no longer reads frames: a retry receipt then waits for the next
   * login, unacknowledged.
   */
  #receiptArrived(receipt: ReceiptForBot): void {
    if (receipt.type !== 'retry') {
      if (this.state !== 'open') return;
      const update = receiptUpdate(receipt, this.#host.now());
      this.#emit(update.event, update.arg);
      return;
    }
    this.#unansweredRetries.add(receipt);
    if (this.state !== 'open') return;
    void this.#answerRetry(receipt).then((answer) => {
      if (answer === undefined || !this.#unansweredRetries.has(receipt)) return;
      // The acknowledgement (`sendMessageAck`, in `handleReceipt`'s finally) tells the server.
      this.#wire.send('toServer', () => {
        if (!this.#unansweredRetries.delete(receipt)) return;
        this.#host.retryAnswered(receipt, this.generation, answer);
      });
    });
  }

  /**
   * `handleReceipt` and `sendMessagesAgain`: the message from this socket's cache, else from the
   * path's `getMessage`; then a key fetch, the devices (never from the cache), and the write,
   * inside the send lock. Undefined when the socket closed first: the receipt stays unacknowledged.
   */
  async #answerRetry(receipt: ReceiptForBot): Promise<RetryAnswer | undefined> {
    const { chatJid, messageId } = receipt;
    if (!this.#resends.admitRetry(messageId)) return 'overLimit';
    const cached = this.#resends.take(messageId, this.#host.now());
    const message = cached ?? (await this.#askPathForMessage(receipt));
    if (message === undefined) return 'unavailable';
    if (this.#resends.admitResend(messageId) === 'overLimit') return 'overLimit';
    try {
      await this.#sendLock.run(async () => {
        await this.#query('key', undefined, chatJid); // assertSessions(participant, force)
        if (chatJid.endsWith('@g.us')) await this.#groupMetadataPhase(undefined, chatJid);
        await this.#query('usync', undefined, chatJid);
        if (!chatJid.endsWith('@g.us')) await this.#query('usync', undefined, chatJid);
        if (this.state !== 'open') throw connectionClosedError();
        if (this.#unreadReset !== undefined) throw this.#failedWrite();
        if (this.#sendBufferFull) throw timedOutError();
        this.#resendFrameToServer(chatJid, messageId, message);
        this.#resends.remember(messageId, { ...message, writtenAt: this.#host.now() });
      });
      return 'resent';
    } catch {
      // rc14 logs 'error in sending message again' and acknowledges, unless the socket is gone.
      return this.state === 'open' ? 'failed' : undefined;
    }
  }

  /** The path's `getMessage`, asked with rc14's key (`{ ...key, id }`); a throw is no message. */
  async #askPathForMessage(receipt: ReceiptForBot): Promise<Resendable | undefined> {
    const getMessage = this.#hooks.getMessage;
    if (getMessage === undefined) return undefined;
    const { chatJid: remoteJid, messageId: id } = receipt;
    const participant = receipt.participantJid ?? remoteJid;
    try {
      const found = resendOfMessage(await getMessage({ remoteJid, id, fromMe: true, participant }));
      if (found === undefined) return undefined;
      return { ...found, attemptSeq: this.#host.attemptSeqOf(id) };
    } catch {
      return undefined;
    }
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

  /**
   * An inbound message's receipt, once per socket; until it reaches the server, a close hands it
   * back.
   */
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
function laterResume(
  a: number | 'heal' | 'never' | undefined,
  b: number | 'heal' | 'never',
): number | 'heal' | 'never' {
  if (a === undefined) return b;
  if (a === 'never' || b === 'never') return 'never';
  if (a === 'heal' || b === 'heal') return 'heal';
  return Math.max(a, b);
}
