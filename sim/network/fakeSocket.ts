/**
 * One fake connection: the drop-in for the socket Baileys 7.0.0-rc14's `makeWASocket` returns,
 * for the members a send path uses (`SocketLike`): `ev.on/off` with `connection.update` and
 * `messages.upsert`, `sendMessage`, `sendPresenceUpdate`, `end`. It is a small state machine
 * (connecting, open, dead, ended) with a send pipeline (write, arrival after the latency,
 * settle), and reaches its network only through a {@link SocketHost}. Errors are the Boom
 * objects Baileys builds (see baileysErrors.ts); message shapes are in messageShapes.ts; when
 * the keep-alive ends a silent socket is keepAlive.ts.
 */
import type {
  AnyMessageContent,
  BaileysEventMap,
  MiscMessageGenerationOptions,
  WAMessage,
  WAPresence,
} from '@whiskeysockets/baileys';
import { socketTimingsOf } from '../../src/baileysFacts.js';
import type { SocketLike, TimerHandle } from '../../src/ports.js';
import { connectionClosedError, connectRefusedError, dropError, handshakeTimedOutError, timedOutError, type DropReason } from './baileysErrors.js';
import type { ClockView } from '../clock.js';
import type { ConnectVerdict, SendFacts, SendVerdict } from '../faults/fault.js';
import { errorRecord, type AttemptRecord, type SocketCause, type SocketRecord, type SocketState, type SocketTimings } from '../history.js';
import { keepAliveEndsAt } from './keepAlive.js';
import { closeUpdate, describeContent, inboundUpsert, sentWaMessage } from './messageShapes.js';
import { parseReplyKey, type FrameKind, type QueuedInbound, type ServerModel } from './server.js';

/** The fields of a new attempt record the socket knows; the network adds order, time and results. */
export type NewAttempt = Omit<AttemptRecord, 'seq' | 'at' | 'result' | 'written' | 'reachedServer' | 'slowAck'>;

/** What a socket needs from its network. */
export interface SocketHost {
  /** The network's timer view (never counted as the send path's). */
  readonly timers: ClockView;
  readonly options: Readonly<{ connectDelayMs: number }>;
  now(): number;
  /** One-way latency now, ms. */
  latencyMs(): number;
  /** How a connect completing now ends, if a fault decides it (undefined: it opens). */
  connectVerdict(): ConnectVerdict | undefined;
  /** What a fault does to a message frame written now, if anything. */
  sendVerdict(send: SendFacts): SendVerdict | undefined;
  /** Timeline chat name of a JID (the JID itself for a chat the timeline does not know). */
  chatName(jid: string): string;
  /** A message id for a send that brought none, from the network's seeded stream. */
  drawFakeId(): string;
  /** Whether a frame in flight when its connection dies still reaches the server. */
  drawInflightReaches(): boolean;
  /** A new attempt record, or undefined once the run's attempts limit is hit. */
  newAttempt(fields: NewAttempt): AttemptRecord | undefined;
  /** This socket opened. */
  socketOpened(socket: FakeSocket): void;
  readonly server: ServerModel;
  readonly hooks: {
    onThrown(where: 'listener', error: unknown): void;
    onInboundEmitted(message: QueuedInbound, generation: number): void;
  };
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

/** One fake connection. Members are arrow properties: a path may pass `sock.sendMessage` around. */
export class FakeSocket implements SocketLike {
  readonly #net: SocketHost;
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
    net: SocketHost,
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
    this.#connectTimer = net.timers.setTimeout(() => this.#finishConnect(), net.options.connectDelayMs + net.latencyMs());
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
    const fields: NewAttempt = {
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
    const slowAckMs = net.sendVerdict({ chatJid: jid, kind: 'message' })?.responseLostMs;
    return new Promise<WAMessage | undefined>((resolve, reject) => {
      const flight: InFlight = { attempt, resolve, reject, text, frameKind: kind, arriveTimer: undefined, settleTimer: undefined };
      this.#inflight.add(flight);
      flight.arriveTimer = net.timers.setTimeout(() => this.#arrive(flight), net.latencyMs());
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
      flight.arriveTimer = net.timers.setTimeout(() => this.#arrive(flight), net.latencyMs());
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

  /** Network side: the connection dies now (drop, replacement, keep-alive); `close` reaches the path after `noticeMs`. */
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
   * Network side: the network went silent under this open socket: from now on frames vanish both
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

  /** Network side: emits `messages.upsert` for an inbound message. */
  deliver(message: QueuedInbound): void {
    const net = this.#net;
    this.#lastReceivedAt = net.now();
    net.hooks.onInboundEmitted(message, this.generation);
    this.#emit('messages.upsert', inboundUpsert(message, net.now()));
  }

  #finishConnect(): void {
    const net = this.#net;
    this.#connectTimer = undefined;
    // No answer comes, not even a refusal: the handshake hangs until ws times it out.
    const verdict = net.connectVerdict();
    if (verdict === 'hang') {
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
    if (verdict === 'refuse') {
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
      flight.resolve(attempt.kind === 'message' ? this.#sentMessage(flight) : undefined);
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

  /** When Baileys' keep-alive ends this socket, silent since `silentAt` (see keepAlive.ts). */
  #keepAliveEndsAt(silentAt: number): number {
    return keepAliveEndsAt({
      openedAt: this.record.openedAt ?? silentAt,
      silentAt,
      lastReceivedAt: this.#lastReceivedAt,
      keepAliveIntervalMs: this.#timings.keepAliveIntervalMs,
      roundTripMs: 2 * this.#net.latencyMs(),
    });
  }

  #sentMessage(flight: InFlight): WAMessage {
    const { attempt } = flight;
    return sentWaMessage({ chatJid: attempt.chatJid, messageId: attempt.messageId!, text: flight.text, kind: flight.frameKind ?? 'other', at: attempt.at });
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
}
