/**
 * The fake network and its drop-in `makeWASocket`. Each `makeSocket()` call is a new connection
 * (a new {@link FakeSocket} with generation 1, 2, ...), shaped like Baileys 7.0.0-rc14's socket
 * for the members a send path uses (`SocketLike`): `ev.on/off` with `connection.update` and
 * `messages.upsert`, `sendMessage`, `sendPresenceUpdate`, `end`. Errors are the Boom objects
 * Baileys builds (see baileysErrors.ts). All time is the run's virtual clock (the network's own
 * view: none of these timers count as the send path's); all chance is the network's seeded stream.
 */
import type {
  AnyMessageContent,
  BaileysEventMap,
  MiscMessageGenerationOptions,
  WAMessage,
  WAPresence,
} from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import { keepAliveGraceMs, socketTimingsOf } from '../src/baileysFacts.js';
import type { SocketConfig, SocketFactory, SocketLike, TimerHandle } from '../src/ports.js';
import {
  connectionClosedError,
  connectRefusedError,
  dropError,
  handshakeTimedOutError,
  timedOutError,
  type DropReason,
} from './baileysErrors.js';
import type { ClockView, VirtualClock } from './clock.js';
import { errorRecord, type AttemptRecord, type SocketCause, type SocketRecord, type SocketState, type SocketTimings } from './history.js';
import type { RandomStream } from './random.js';
import { parseReplyKey, type FrameKind, type QueuedInbound, type ServerModel } from './server.js';

/** Fake network behaviour knobs. */
export interface NetworkOptions {
  /** From `makeSocket()` to `open` (or refusal), on top of the current latency, ms. */
  connectDelayMs: number;
  /** One-way latency when no `latency` event applies, ms. */
  baseLatencyMs: number;
  /** A drop's close notice is drawn in [0, noticeMsMax] unless the event fixes `noticeMs`. */
  noticeMsMax: number;
  /** Chance that a frame in flight when its connection dies still reaches the server. */
  inflightReachChance: number;
  /**
   * A socket opening while another is open replaces it: the older one dies with
   * `Stream Errored (conflict)` 440, as WhatsApp does to a second session of the same device.
   */
  replaceOnConcurrentOpen: boolean;
  /** Send attempts per run; beyond it the run ends with a `LoopLimit` (a retry storm). */
  attemptsMax: number;
  /** Sockets per run; beyond it the run ends with a `LoopLimit` (a reconnect storm). */
  socketsMax: number;
}

/** Defaults: a fast, healthy network. */
export const defaultNetworkOptions: Readonly<NetworkOptions> = Object.freeze({
  connectDelayMs: 50,
  baseLatencyMs: 10,
  noticeMsMax: 300,
  inflightReachChance: 0.5,
  replaceOnConcurrentOpen: true,
  attemptsMax: 100_000,
  socketsMax: 10_000,
});


/** What the harness wants to hear from the network. */
export interface NetworkHooks {
  /** A listener of the path threw. */
  onThrown(where: 'listener', error: unknown): void;
  /** `messages.upsert` was emitted for an inbound message on socket `generation`. */
  onInboundEmitted(message: QueuedInbound, generation: number): void;
}

type Listener = (arg: never) => void;

interface InFlight {
  readonly attempt: AttemptRecord;
  readonly resolve: (value: WAMessage | undefined) => void;
  readonly reject: (error: unknown) => void;
  /** Message content for the server (absent for presence). */
  readonly text: string | undefined;
  readonly frameKind: FrameKind | undefined;
  /** Pending arrival at the server. */
  arriveTimer: TimerHandle | undefined;
  /** Pending settle of a slow ack (408). Absent: the send resolves on arrival. */
  settleTimer: TimerHandle | undefined;
}

/** The fake network of one run: connections, latency, refusals, slow acks. */
export class FakeNetwork {
  readonly #clock: VirtualClock;
  readonly #timers: ClockView;
  readonly #random: RandomStream;
  readonly #fakeIds: () => string;
  readonly #options: NetworkOptions;
  readonly #chatNames: ReadonlyMap<string, string>;
  readonly server: ServerModel;
  readonly hooks: NetworkHooks;
  /** Every socket made, in generation order. */
  readonly sockets: FakeSocket[] = [];
  /** Every send attempt, in call order. */
  readonly attempts: AttemptRecord[] = [];
  /** Virtual times of every `makeSocket` call. */
  readonly connectTimes: number[] = [];
  #refuseUntilAt = -1;
  #blackholeUntilAt = -1;
  #latencyMs: number;
  readonly #slowAcks: { chatJid: string | undefined; delayMs: number }[] = [];

  /** A network on `clock` drawing chance from `random` and ids for id-less sends from `fakeIds`. */
  constructor(args: {
    clock: VirtualClock;
    random: RandomStream;
    fakeIds: () => string;
    server: ServerModel;
    chatNames: ReadonlyMap<string, string>;
    hooks: NetworkHooks;
    options?: Partial<NetworkOptions>;
  }) {
    this.#clock = args.clock;
    this.#timers = args.clock.network;
    this.#random = args.random;
    this.#fakeIds = args.fakeIds;
    this.server = args.server;
    this.#chatNames = args.chatNames;
    this.hooks = args.hooks;
    this.#options = { ...defaultNetworkOptions, ...args.options };
    this.#latencyMs = this.#options.baseLatencyMs;
  }

  /** The drop-in `makeWASocket` handed to the send path. */
  readonly makeSocket: SocketFactory = (config?: SocketConfig): SocketLike => {
    const generation = this.sockets.length + 1;
    this.connectTimes.push(this.#clock.now());
    const inert = generation > this.#options.socketsMax;
    if (inert) this.#clock.hitLimit('sockets', this.#options.socketsMax);
    const socket = new FakeSocket(this, generation, inert, socketTimingsOf(config));
    this.sockets.push(socket);
    return socket;
  };

  // ---- timeline controls -------------------------------------------------------------------

  /** `drop`: every connecting or open socket dies now; the path hears `close` after a notice delay. */
  drop(reason: DropReason, noticeMs: number | undefined): void {
    for (const socket of this.sockets) {
      if (socket.state === 'open' || socket.state === 'connecting') {
        socket.die('drop', dropError(reason), noticeMs ?? this.#drawNoticeMs(), reason);
      }
    }
  }

  /** `refuseConnects`: connects completing before `untilAt` are refused. */
  refuseConnects(untilAt: number): void {
    this.#refuseUntilAt = Math.max(this.#refuseUntilAt, untilAt);
  }

  /**
   * `blackhole`: every open socket goes silently dead now (its keep-alive ends it later), and
   * connects completing before `untilAt` hang until their handshake times out.
   */
  blackhole(untilAt: number): void {
    this.#blackholeUntilAt = Math.max(this.#blackholeUntilAt, untilAt);
    for (const socket of this.sockets) if (socket.state === 'open') socket.blackhole();
  }

  /** `slowAck`: the next send to `chatJid` (any chat if undefined) loses its response. */
  slowAck(chatJid: string | undefined, delayMs: number): void {
    this.#slowAcks.push({ chatJid, delayMs });
  }

  /** `latency`: one-way latency from now on. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** `heal`: no refusals, no blackhole for new connections, base latency, no pending slow acks. */
  heal(): void {
    this.#refuseUntilAt = -1;
    this.#blackholeUntilAt = -1;
    this.#latencyMs = this.#options.baseLatencyMs;
    this.#slowAcks.length = 0;
  }

  /** `inbound`: pushes the message on the live socket now, or queues it for the next one to open. */
  pushInbound(message: QueuedInbound): void {
    const live = this.liveSocket();
    if (live === undefined) this.server.queueInbound(message);
    else live.deliver(message);
  }

  /** The newest open socket the server can reach (a silently dead one is open but unreachable). */
  liveSocket(): FakeSocket | undefined {
    for (let i = this.sockets.length - 1; i >= 0; i--) {
      const socket = this.sockets[i]!;
      if (socket.state === 'open' && !socket.blackholed) return socket;
    }
    return undefined;
  }

  /**
   * Whether a blackhole's aftermath is still unfolding, so stopping now would cut a send path
   * off before it could recover what vanished: a silently dead socket not yet closed; or every
   * such close heard but the newest socket not open while the path may still reconnect
   * (`pathBusy`: it holds timers, or a connect is under way); or sends still on the wire on an
   * open one. Checking only "a newer socket opened" was not enough (found by a 100,000-run
   * campaign): the socket opened after the blackhole dropped 1 ms later, the run stopped while
   * the path's reconnect was scheduled, and the resends it still owed were counted as lost.
   * Always false in a run without blackholes.
   */
  blackholeUnsettled(pathBusy: boolean): boolean {
    let blackholed = false;
    for (const socket of this.sockets) {
      if (socket.record.blackholedAt === undefined) continue;
      if (socket.record.closeEmittedAt === undefined) return true;
      blackholed = true;
    }
    if (!blackholed) return false;
    const newest = this.sockets.at(-1)!;
    if (newest.state === 'open') return this.pendingAttempts() > 0;
    return pathBusy || newest.state === 'connecting';
  }

  /** Sends still pending on any socket. */
  pendingAttempts(): number {
    let n = 0;
    for (const socket of this.sockets) n += socket.inflightCount;
    return n;
  }

  // ---- for FakeSocket ----------------------------------------------------------------------

  /** @internal */ get timers(): ClockView {
    return this.#timers;
  }
  /** @internal */ get latencyMs(): number {
    return this.#latencyMs;
  }
  /** @internal */ get options(): Readonly<NetworkOptions> {
    return this.#options;
  }
  /** @internal */ now(): number {
    return this.#clock.now();
  }
  /** @internal */ isRefusing(): boolean {
    return this.#clock.now() < this.#refuseUntilAt;
  }
  /** @internal */ isBlackholing(): boolean {
    return this.#clock.now() < this.#blackholeUntilAt;
  }
  /** @internal */ chatName(jid: string): string {
    return this.#chatNames.get(jid) ?? jid;
  }
  /** @internal */ drawFakeId(): string {
    return this.#fakeIds();
  }
  /** @internal Decides, from the network stream, whether a frame in flight at a death arrives. */
  drawInflightReaches(): boolean {
    return this.#random.chance(this.#options.inflightReachChance);
  }
  /** @internal Takes the first slow ack that applies to a send to `chatJid`. */
  takeSlowAck(chatJid: string): number | undefined {
    const list = this.#slowAcks;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.chatJid === undefined || entry.chatJid === chatJid) {
        list.splice(i, 1);
        return entry.delayMs;
      }
    }
    return undefined;
  }
  /** @internal A new attempt record, or undefined once the attempts limit is hit. */
  newAttempt(fields: Omit<AttemptRecord, 'seq' | 'at' | 'result' | 'written' | 'reachedServer' | 'slowAck'>): AttemptRecord | undefined {
    if (this.attempts.length >= this.#options.attemptsMax) {
      this.#clock.hitLimit('attempts', this.#options.attemptsMax);
      return undefined;
    }
    const attempt: AttemptRecord = {
      seq: this.attempts.length + 1,
      at: this.#clock.now(),
      ...fields,
      result: 'pending',
      written: false,
      reachedServer: false,
      slowAck: false,
    };
    this.attempts.push(attempt);
    return attempt;
  }
  /** @internal A socket opened: replace older open ones, then deliver queued inbound soon. */
  socketOpened(opened: FakeSocket): void {
    if (this.#options.replaceOnConcurrentOpen) {
      // A silently dead socket never hears that it was replaced: its keep-alive ends it.
      for (const socket of this.sockets) {
        if (socket !== opened && socket.state === 'open' && !socket.blackholed) {
          socket.die('replaced', dropError('conflict'), this.#drawNoticeMs(), 'conflict');
        }
      }
    }
    // Offline delivery comes after the open handlers' own continuations, as on a real connect.
    this.#timers.setTimeout(() => this.#deliverQueued(), 0);
  }

  #deliverQueued(): void {
    if (this.server.queuedInbound === 0) return;
    const live = this.liveSocket();
    if (live === undefined) return;
    for (const message of this.server.takeQueuedInbound()) live.deliver(message);
  }

  #drawNoticeMs(): number {
    return this.#random.int(0, this.#options.noticeMsMax);
  }
}


/** The `connection.update` `close` payload Baileys emits from `end(error)`. */
function closeUpdate(error: Error | undefined, now: number): BaileysEventMap['connection.update'] {
  return { connection: 'close', lastDisconnect: { error, date: new Date(now) } };
}

/** One fake connection. Members are arrow properties: a path may pass `sock.sendMessage` around. */
export class FakeSocket implements SocketLike {
  readonly #net: FakeNetwork;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #inflight = new Set<InFlight>();
  readonly #timings: SocketTimings;
  #connectTimer: TimerHandle | undefined;
  #noticeTimer: TimerHandle | undefined;
  /** Set only while silently dead: when Baileys' keep-alive check would end the socket. */
  #keepAliveTimer: TimerHandle | undefined;
  /** Last frame from the server besides keep-alive pongs (an inbound message, a send's ack). */
  #lastReceivedAt = 0;
  #endPromise: Promise<void> | undefined;
  #closeEmitted = false;
  /** The history's record of this socket (updated in place). */
  readonly record: SocketRecord;

  /** Starts connecting at once; `inert` sockets (over the sockets limit) never progress. */
  constructor(
    net: FakeNetwork,
    /** 1, 2, ... in creation order. */
    readonly generation: number,
    inert: boolean,
    timings: SocketTimings = socketTimingsOf(undefined),
  ) {
    this.#net = net;
    this.#timings = timings;
    this.record = { generation, createdAt: net.now(), state: 'connecting', endCalls: 0, refused: false, timings: { ...timings } };
    if (inert) return;
    // Baileys emits `connecting` from process.nextTick after makeWASocket returns.
    queueMicrotask(() => {
      if (this.state === 'connecting') {
        this.#emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
      }
    });
    this.#connectTimer = net.timers.setTimeout(() => this.#finishConnect(), net.options.connectDelayMs + net.latencyMs);
  }

  /** The socket's state now. */
  get state(): SocketState {
    return this.record.state;
  }

  /** Whether `close` has been emitted to the path. */
  get closeEmitted(): boolean {
    return this.#closeEmitted;
  }

  /** Whether the socket went silently dead (a blackhole): open to the path, unreachable. */
  get blackholed(): boolean {
    return this.record.blackholedAt !== undefined;
  }

  /** Sends still pending on this socket. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Baileys' event emitter subset: `on` / `off`; emission is synchronous, like Baileys'. */
  readonly ev: SocketLike['ev'] = {
    on: (event: string, listener: Listener): void => {
      const list = this.#listeners.get(event);
      if (list === undefined) this.#listeners.set(event, [listener]);
      else list.push(listener);
    },
    off: (event: string, listener: Listener): void => {
      const list = this.#listeners.get(event);
      if (list === undefined) return;
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    },
  } as SocketLike['ev'];

  /**
   * Baileys `sendMessage`: 428 before the write when not open; otherwise the frame is written,
   * reaches the server after the latency, and the promise resolves then with a PENDING WAMessage
   * (or, under a slow ack, rejects with 408 after the ack delay).
   */
  readonly sendMessage = (
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined> => {
    const net = this.#net;
    const { text, kind } = describeContent(content);
    // Baileys draws the id in generateWAMessage, before the open check: so does the fake.
    const messageId = typeof options?.messageId === 'string' ? options.messageId : net.drawFakeId();
    const fields: Parameters<FakeNetwork['newAttempt']>[0] = {
      kind: 'message',
      generation: this.generation,
      chat: net.chatName(jid),
      chatJid: jid,
      messageId,
      socketState: this.state,
      closeEmittedBefore: this.#closeEmitted,
    };
    const key = parseReplyKey(text);
    if (key !== undefined) fields.key = key;
    const attempt = net.newAttempt(fields);
    // Over the attempts limit: the run is over; a promise that never settles stops a retry loop.
    if (attempt === undefined) return new Promise<never>(() => {});
    if (this.state !== 'open') return this.#rejectPreWrite(attempt);
    attempt.written = true;
    const slowAckMs = net.takeSlowAck(jid);
    return new Promise<WAMessage | undefined>((resolve, reject) => {
      const flight: InFlight = { attempt, resolve, reject, text, frameKind: kind, arriveTimer: undefined, settleTimer: undefined };
      this.#inflight.add(flight);
      flight.arriveTimer = net.timers.setTimeout(() => this.#arrive(flight), net.latencyMs);
      if (slowAckMs !== undefined) {
        attempt.slowAck = true;
        flight.settleTimer = net.timers.setTimeout(() => this.#settle(flight, false, timedOutError()), slowAckMs);
      }
    });
  };

  /** Baileys `sendPresenceUpdate`: 428 when not open; otherwise reaches the server after the latency. */
  readonly sendPresenceUpdate = (type: WAPresence, toJid?: string): Promise<void> => {
    const net = this.#net;
    const chatJid = toJid ?? '';
    const attempt = net.newAttempt({
      kind: 'presence',
      generation: this.generation,
      chat: net.chatName(chatJid),
      chatJid,
      presence: type,
      socketState: this.state,
      closeEmittedBefore: this.#closeEmitted,
    });
    if (attempt === undefined) return new Promise<never>(() => {});
    if (this.state !== 'open') return this.#rejectPreWrite(attempt) as Promise<never>;
    attempt.written = true;
    return new Promise<void>((resolve, reject) => {
      const flight: InFlight = {
        attempt,
        resolve: () => resolve(),
        reject,
        text: type,
        frameKind: undefined,
        arriveTimer: undefined,
        settleTimer: undefined,
      };
      this.#inflight.add(flight);
      flight.arriveTimer = net.timers.setTimeout(() => this.#arrive(flight), net.latencyMs);
    });
  };

  /**
   * Baileys `end(error)`: single-use. Emits `close` with `lastDisconnect.error = error` (undefined
   * stays undefined, as in Baileys) one network step later (Baileys awaits the websocket close
   * first), rejects sends still in flight right after, and removes every listener. Later calls
   * return the same promise and do nothing.
   */
  readonly end = (error: Error | undefined): Promise<void> => {
    const net = this.#net;
    this.record.endCalls++;
    if (this.record.endCalledAt === undefined) this.record.endCalledAt = net.now();
    if (this.#endPromise !== undefined) return this.#endPromise;
    if (this.#closeEmitted) return (this.#endPromise = Promise.resolve());
    if (this.state !== 'dead') this.#setState('ended', 'end');
    this.#cancelConnect();
    this.#cancelKeepAlive();
    // The path's end() overtakes a pending close notice: its error is the one the path hears.
    if (this.#noticeTimer !== undefined) {
      net.timers.clearTimeout(this.#noticeTimer);
      this.#noticeTimer = undefined;
    }
    this.#cutFramesInFlight();
    this.#endPromise = new Promise<void>((resolve) => {
      net.timers.setTimeout(() => {
        this.#emitClose(error);
        resolve();
      }, 0);
    });
    return this.#endPromise;
  };

  /** @internal The connection dies now (drop, replacement, keep-alive); `close` reaches the path after `noticeMs`. */
  die(cause: SocketCause, error: Error, noticeMs: number, dropReason?: DropReason): void {
    const net = this.#net;
    this.#setState('dead', cause);
    this.record.diedAt = net.now();
    if (dropReason !== undefined) this.record.dropReason = dropReason;
    this.#cancelConnect();
    this.#cancelKeepAlive();
    this.#cutFramesInFlight();
    this.#noticeTimer = net.timers.setTimeout(() => {
      this.#noticeTimer = undefined;
      this.#emitClose(error);
    }, noticeMs);
  }

  /**
   * @internal The network went silent under this open socket: from now on frames vanish both
   * ways, and Baileys' keep-alive ends the socket with 408 `Connection was lost` at the first
   * check that finds more than interval + 5 s since the last frame from the server.
   */
  blackhole(): void {
    const net = this.#net;
    if (this.blackholed || this.state !== 'open') return;
    const now = net.now();
    this.record.blackholedAt = now;
    this.#keepAliveTimer = net.timers.setTimeout(() => {
      this.#keepAliveTimer = undefined;
      // Baileys' end() emits close at once; no notice delay.
      this.die('blackhole', dropError('connectionLost'), 0);
    }, this.#keepAliveEndsAt(now) - now);
  }

  /** @internal Emits `messages.upsert` for an inbound message. */
  deliver(message: QueuedInbound): void {
    const net = this.#net;
    this.#lastReceivedAt = net.now();
    net.hooks.onInboundEmitted(message, this.generation);
    const upsert: BaileysEventMap['messages.upsert'] = {
      messages: [
        {
          key: { remoteJid: message.chatJid, id: message.id, fromMe: false },
          message: { conversation: message.text },
          messageTimestamp: Math.floor(net.now() / 1000),
        },
      ],
      type: 'notify',
    };
    this.#emit('messages.upsert', upsert);
  }

  #finishConnect(): void {
    const net = this.#net;
    this.#connectTimer = undefined;
    // No answer comes, not even a refusal: the handshake hangs until ws times it out.
    if (net.isBlackholing()) {
      this.record.blackholedAt = net.now();
      const timeoutAt = this.record.createdAt + this.#timings.connectTimeoutMs;
      this.#connectTimer = net.timers.setTimeout(() => {
        this.#connectTimer = undefined;
        this.#setState('dead', 'blackhole');
        this.record.diedAt = net.now();
        this.#emitClose(handshakeTimedOutError());
      }, Math.max(0, timeoutAt - net.now()));
      return;
    }
    if (net.isRefusing()) {
      this.#setState('dead', 'refused');
      this.record.refused = true;
      this.record.diedAt = net.now();
      // The refusal is the connect itself failing: Baileys ends the socket on the ws 'error' at once.
      this.#emitClose(connectRefusedError());
      return;
    }
    this.record.state = 'open';
    this.record.openedAt = net.now();
    this.#lastReceivedAt = net.now();
    net.socketOpened(this);
    this.#emit('connection.update', { connection: 'open' });
  }

  #arrive(flight: InFlight): void {
    flight.arriveTimer = undefined;
    // Into a blackhole the frame vanishes; the send still resolves (Baileys resolves on write).
    if (!this.blackholed) {
      this.#reachServer(flight);
      // The server's ack: a frame from the server, which keeps the keep-alive satisfied.
      if (flight.attempt.kind === 'message') this.#lastReceivedAt = this.#net.now();
    }
    if (flight.attempt.slowAck) return;
    this.#settle(flight, true, undefined);
  }

  #reachServer(flight: InFlight): void {
    const net = this.#net;
    const attempt = flight.attempt;
    attempt.reachedServer = true;
    if (attempt.kind === 'presence') {
      net.server.receivePresence(attempt.chatJid, attempt.presence ?? '', this.generation, attempt.seq, net.now());
    } else {
      net.server.receiveMessage(
        {
          chatJid: attempt.chatJid,
          messageId: attempt.messageId!,
          text: flight.text,
          kind: flight.frameKind ?? 'other',
          generation: this.generation,
          attemptSeq: attempt.seq,
        },
        net.now(),
      );
    }
  }

  #settle(flight: InFlight, ok: boolean, error: unknown): void {
    const net = this.#net;
    if (!this.#inflight.delete(flight)) return;
    if (flight.settleTimer !== undefined) {
      net.timers.clearTimeout(flight.settleTimer);
      flight.settleTimer = undefined;
    }
    const attempt = flight.attempt;
    attempt.settledAt = net.now();
    if (ok) {
      attempt.result = 'ok';
      flight.resolve(attempt.kind === 'message' ? this.#waMessage(flight) : undefined);
    } else {
      attempt.result = 'rejected';
      attempt.error = errorRecord(error);
      flight.reject(error);
    }
  }

  /** Frames still on the wire when the connection goes: each arrives or not (network stream). */
  #cutFramesInFlight(): void {
    const net = this.#net;
    for (const flight of this.#inflight) {
      if (flight.arriveTimer !== undefined) {
        net.timers.clearTimeout(flight.arriveTimer);
        flight.arriveTimer = undefined;
        if (!this.blackholed && net.drawInflightReaches()) this.#reachServer(flight);
      }
      // A slow ack's own 408 no longer comes: the send fails when the close is emitted.
      if (flight.settleTimer !== undefined) {
        net.timers.clearTimeout(flight.settleTimer);
        flight.settleTimer = undefined;
      }
    }
  }

  /** Emits `close` once, then fails every send still in flight with the close error. */
  #emitClose(error: Error | undefined): void {
    if (this.#closeEmitted) return;
    const net = this.#net;
    this.#closeEmitted = true;
    this.record.closeEmittedAt = net.now();
    if (error !== undefined) this.record.closeError = errorRecord(error);
    this.#cancelConnect();
    this.#cancelKeepAlive();
    this.#emit('connection.update', closeUpdate(error, net.now()));
    if (this.#inflight.size > 0) {
      const failure = error ?? connectionClosedError();
      for (const flight of [...this.#inflight]) {
        if (flight.arriveTimer !== undefined) {
          net.timers.clearTimeout(flight.arriveTimer);
          flight.arriveTimer = undefined;
        }
        this.#settle(flight, false, failure);
      }
    }
    this.#listeners.clear();
  }

  #rejectPreWrite(attempt: AttemptRecord): Promise<never> {
    const error = connectionClosedError();
    attempt.result = 'rejected';
    attempt.settledAt = this.#net.now();
    attempt.error = errorRecord(error);
    return Promise.reject(error);
  }

  #cancelConnect(): void {
    if (this.#connectTimer !== undefined) {
      this.#net.timers.clearTimeout(this.#connectTimer);
      this.#connectTimer = undefined;
    }
  }

  #cancelKeepAlive(): void {
    if (this.#keepAliveTimer !== undefined) {
      this.#net.timers.clearTimeout(this.#keepAliveTimer);
      this.#keepAliveTimer = undefined;
    }
  }

  /**
   * When Baileys' keep-alive ends this socket, silent since `silentAt`. Checks run every interval
   * from the open; each healthy check is answered by a pong two latencies later, so the last frame
   * heard is the later of the last pong back before `silentAt` and the last other frame. The
   * socket ends at the first check more than interval + 5 s after that frame.
   */
  #keepAliveEndsAt(silentAt: number): number {
    const intervalMs = this.#timings.keepAliveIntervalMs;
    const openedAt = this.record.openedAt ?? silentAt;
    const roundTripMs = 2 * this.#net.latencyMs;
    let lastHeardAt = this.#lastReceivedAt;
    const lastTickAt = openedAt + Math.floor((silentAt - openedAt) / intervalMs) * intervalMs;
    // At most two checks back: a pong slower than an interval is not worth modelling further.
    for (let tickAt = lastTickAt; tickAt > openedAt && tickAt >= lastTickAt - intervalMs; tickAt -= intervalMs) {
      if (tickAt + roundTripMs <= silentAt) {
        lastHeardAt = Math.max(lastHeardAt, tickAt + roundTripMs);
        break;
      }
    }
    const firstStaleTick = Math.floor((lastHeardAt + intervalMs + keepAliveGraceMs - openedAt) / intervalMs) + 1;
    const firstTickFromNow = Math.ceil((silentAt - openedAt) / intervalMs);
    return openedAt + Math.max(1, firstStaleTick, firstTickFromNow) * intervalMs;
  }

  #setState(state: SocketState, cause: SocketCause): void {
    this.record.state = state;
    if (this.record.cause === undefined) this.record.cause = cause;
  }

  #emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): void {
    const list = this.#listeners.get(event);
    if (list === undefined || list.length === 0) return;
    // Copy when several: a listener may remove itself (or another) while we iterate.
    const snapshot = list.length === 1 ? list : list.slice();
    for (const listener of snapshot) {
      try {
        (listener as (arg: BaileysEventMap[T]) => void)(arg);
      } catch (error) {
        this.#net.hooks.onThrown('listener', error);
      }
    }
  }

  #waMessage(flight: InFlight): WAMessage {
    const attempt = flight.attempt;
    const text = flight.text;
    let message: proto.IMessage;
    switch (flight.frameKind) {
      case 'text':
        message = { extendedTextMessage: { text: text ?? '' } };
        break;
      case 'image':
        message = { imageMessage: text === undefined ? {} : { caption: text } };
        break;
      case 'document':
        message = { documentMessage: text === undefined ? {} : { caption: text } };
        break;
      default:
        message = {};
    }
    return {
      key: { remoteJid: attempt.chatJid, fromMe: true, id: attempt.messageId! },
      message,
      messageTimestamp: Math.floor(attempt.at / 1000),
      status: proto.WebMessageInfo.Status.PENDING,
    };
  }
}

/** Text (or caption) and kind of a `sendMessage` content argument. */
function describeContent(content: unknown): { text: string | undefined; kind: FrameKind } {
  if (typeof content !== 'object' || content === null) return { text: undefined, kind: 'other' };
  const c = content as Record<string, unknown>;
  if (typeof c['text'] === 'string') return { text: c['text'], kind: 'text' };
  const caption = typeof c['caption'] === 'string' ? c['caption'] : undefined;
  if ('image' in c) return { text: caption, kind: 'image' };
  if ('document' in c) return { text: caption, kind: 'document' };
  return { text: caption, kind: 'other' };
}
