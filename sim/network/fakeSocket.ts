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
 *   written in the order they were called: sendLock.ts), writes, and resolves right after the
 *   write with a `proto.WebMessageInfo`. The frame reaches the server one latency later, or
 *   stalls in a silent link, or is lost if the server cut the connection. An unanswered query
 *   waits out `defaultQueryTimeoutMs`; a network close during a query rejects with the bare
 *   close code; a write into a reset not read yet fails with `write ECONNRESET`. A media upload
 *   the host never answers leaves the send pending for good. Each write is echoed as
 *   `messages.upsert` `append` `fromMe` (unless `emitOwnEvents: false`).
 * - The server may cut the connection (heard one latency later: 428), end it with a stream error
 *   (Baileys ends the socket at once), or go silent: the keep-alive notices (keepAlive.ts) and
 *   Baileys ends the socket, but ws waits its 30 s close timeout for a close frame that never
 *   comes before `close` (408) is emitted; sends in between get 428. A silent link that comes
 *   back delivers what stalled.
 * - Inbound messages are receipted, then upserted (`notify` live, `append` when delivered offline
 *   at login), stamped with their send time; one whose receipt never reached the server is
 *   redelivered at the next login. `end()` resolves at the close only for its first caller.
 *
 * The socket is made of three parts, along rc14's own files: the connection (connection.ts:
 * `Socket/socket.js`, over its link.ts: the login in login.ts, the keep-alive in keepAlive.ts,
 * the close in close.ts, which share connectionShared.ts; `query` and the write gates in
 * connection.ts itself), the send pipeline (sendPipeline.ts: `Socket/messages-send.js`) and the
 * inbound part (inbound.ts: `Socket/messages-recv.js`), each with its own state. It reaches its
 * network only through a {@link SocketHost} (socketHost.ts), whose `rules` are the faults' hooks
 * (`sim/faults/ruleStages.ts`); the network reaches it through {@link FakeSocket.control}. What a
 * bot holds is not this class but its surface (`socketSurface.ts`: rc14's members, `ws`, `user`,
 * `logout` and the modelled queries), which reaches the connection through
 * {@link FakeSocket.channel}.
 */
import type { SocketLike } from '../../src/ports.js';
import { socketTimingsOf } from '../../src/baileysFacts.js';
import type { SocketConfig } from '../../src/ports.js';
import type { CutKind } from '../faults/fault.js';
import type { SocketCause, SocketRecord, SocketState, SocketTimings } from '../history.js';
import { dropError, type DropReason } from './baileysErrors.js';
import { Connection } from './connection.js';
import { FakeEmitter } from './emitter.js';
import { Inbound } from './inbound.js';
import { SendPipeline } from './sendPipeline.js';
import type { QueuedInbound, ReceiptForBot } from './server.js';
import { socketBehaviourOf, type SocketBehaviour } from './socketBehaviour.js';
import type { SocketChannel } from './socketChannel.js';
import { fakeEv, type FakeEv } from './socketEv.js';
import type { PathSocketHooks, SocketHost } from './socketHost.js';

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

/**
 * One fake connection, made of its three parts. Members are arrow properties: a path may pass
 * `sock.sendMessage` around.
 */
export class FakeSocket implements SocketLike {
  readonly #host: SocketHost;
  readonly #connection: Connection;
  readonly #pipeline: SendPipeline;
  readonly #inbound: Inbound;
  #channel: SocketChannel | undefined;
  /** The history's record of this socket (updated in place). */
  readonly record: SocketRecord;
  /** What the network does to this socket. */
  readonly control: SocketControl;
  /** Baileys' event emitter (socketEv.ts); emission is synchronous, like Baileys'. */
  readonly ev: FakeEv;
  /** Baileys `sendMessage` (sendPipeline.ts). */
  readonly sendMessage: SendPipeline['sendMessage'];
  /** Baileys `sendPresenceUpdate` (sendPipeline.ts). */
  readonly sendPresenceUpdate: SendPipeline['sendPresenceUpdate'];
  /** Baileys `end(error)` (close.ts): single-use; resolves once `close` was emitted. */
  readonly end: Connection['end'];

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
    this.record = {
      generation,
      createdAt: host.now(),
      state: 'connecting',
      endCalls: 0,
      refused: false,
      timings: { ...timings },
      listeners: {},
    };
    const emitter = new FakeEmitter(this.record.listeners);
    const { markOnlineOnConnect, emitOwnEvents } = behaviour;
    const record = this.record;
    const handBack = (): ReturnType<Inbound['handBack']> => this.#inbound.handBack();
    const connection = new Connection({
      host,
      generation,
      record,
      timings,
      markOnlineOnConnect,
      auth,
      emitter,
      handBack,
    });
    const { cachedGroupMetadata, getMessage } = hooks;
    const pipeline = new SendPipeline({
      host,
      generation,
      connection,
      emitOwnEvents,
      cachedGroupMetadata,
    });
    this.#connection = connection;
    this.#pipeline = pipeline;
    this.#inbound = new Inbound({ host, generation, connection, pipeline, getMessage });
    this.ev = fakeEv(emitter, () => this.channel);
    this.sendMessage = pipeline.sendMessage;
    this.sendPresenceUpdate = pipeline.sendPresenceUpdate;
    this.end = connection.end;
    this.control = this.#makeControl();
    if (!inert) connection.start();
  }

  /** The socket's state now. */
  get state(): SocketState {
    return this.record.state;
  }

  /** Whether `close` has been emitted to the path. */
  get closeEmitted(): boolean {
    return this.#connection.closeEmitted;
  }

  /** Whether the link is silent now (frames stall both ways). */
  get silent(): boolean {
    return this.#connection.silent;
  }

  /** Sends still pending on this socket (hung uploads included). */
  get inflightCount(): number {
    return this.#pipeline.inflightCount;
  }

  /** What the bot's surface of this socket reaches (see socketChannel.ts), made on first use. */
  get channel(): SocketChannel {
    return (this.#channel ??= this.#makeChannel());
  }

  #makeControl(): SocketControl {
    const connection = this.#connection;
    const inbound = this.#inbound;
    return {
      cut: (kind, noticeMs, dropReason) => connection.cut(kind, noticeMs, dropReason),
      streamError: (error, dropReason, cause) => connection.serverEnds(error, dropReason, cause),
      replaced: () => connection.endedByServer(dropError('conflict'), 'conflict', 'replaced'),
      silence: (resumeAt) => connection.silence(resumeAt),
      resume: () => connection.resume(),
      deliver: (message) => inbound.deliver(message),
      deliverReceipt: (receipt) => inbound.deliverReceipt(receipt),
      deliverOffline: (messages, receipts) => inbound.deliverOffline(messages, receipts ?? []),
    };
  }

  #makeChannel(): SocketChannel {
    const host = this.#host;
    const connection = this.#connection;
    return {
      generation: this.generation,
      record: this.record,
      timings: connection.timings,
      timers: host.timers,
      server: host.server,
      now: () => host.now(),
      state: () => this.state,
      wsReleased: () => connection.wsReleased(),
      sendNode: (atServer) => connection.sendNode(atServer),
      query: (kind, timeoutMs) => connection.query(kind, undefined, '', { timeoutMs }),
      lidLookup: (jid) => this.#pipeline.lidLookup(jid),
      endByBaileys: (error) => connection.beginEnd(error, 'end'),
      closeWs: () => connection.closeWs(),
      attachWs: (ws) => connection.attachWs(ws),
      chatName: (jid) => host.chatName(jid),
      chatJids: () => host.chatJids(),
      unmodelled: (method) => host.unmodelled(method, this.generation),
    };
  }
}
