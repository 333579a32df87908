/**
 * The fake network of one run and its drop-in `makeWASocket`. Each `makeSocket()` call is a new
 * connection (a new {@link FakeSocket}, generation 1, 2, ...). Faults act on the network through
 * {@link FakeNetwork.target} (the `FaultTarget` of `sim/faults/`): they cut or silence links and
 * add rules consulted when a connect completes or a message is written; `heal` removes the rules.
 * Sockets reach the network only through the {@link SocketHost} it hands each of them.
 *
 * All time is the run's virtual clock (the network's own timer view: none of these timers count
 * as the send path's); all chance is the network's seeded stream.
 */
import { socketTimingsOf } from '../../src/baileysFacts.js';
import type { SocketConfig, SocketFactory, SocketLike } from '../../src/ports.js';
import type { VirtualClock } from '../clock.js';
import { builtInFaults, type FaultEvent, type FaultRegistry } from '../faults/index.js';
import type { ConnectVerdict, FaultEventBase, FaultLink, FaultTarget, SendFacts, SendVerdict } from '../faults/fault.js';
import type { AttemptRecord } from '../history.js';
import type { RandomStream } from '../random.js';
import { dropError } from './baileysErrors.js';
import { FakeSocket, type NewAttempt, type SocketHost } from './fakeSocket.js';
import type { QueuedInbound, ServerModel } from './server.js';

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

/** Connect verdicts by precedence: a connect that gets no answer cannot be refused either. */
const connectPrecedence: readonly ConnectVerdict[] = ['hang', 'refuse'];

/** The fake network of one run: connections, latency, and the faults' rules. */
export class FakeNetwork {
  readonly #clock: VirtualClock;
  readonly #random: RandomStream;
  readonly #fakeIds: () => string;
  readonly #options: NetworkOptions;
  readonly #chatNames: ReadonlyMap<string, string>;
  readonly #jidsByChat: ReadonlyMap<string, string>;
  readonly #host: SocketHost;
  #connectRules: ((at: number) => ConnectVerdict | undefined)[] = [];
  #sendRules: ((send: SendFacts) => SendVerdict | undefined)[] = [];
  #latencyMs: number;
  readonly server: ServerModel;
  readonly hooks: NetworkHooks;
  /** Every socket made, in generation order. */
  readonly sockets: FakeSocket[] = [];
  /** Every send attempt, in call order. */
  readonly attempts: AttemptRecord[] = [];
  /** Virtual times of every `makeSocket` call. */
  readonly connectTimes: number[] = [];
  /** What faults act on (see `sim/faults/fault.ts`). */
  readonly target: FaultTarget;

  /** A network on `clock` drawing chance from `random` and ids for id-less sends from `fakeIds`. */
  constructor(args: {
    clock: VirtualClock;
    random: RandomStream;
    fakeIds: () => string;
    server: ServerModel;
    /** Timeline chat name per JID. */
    chatNames: ReadonlyMap<string, string>;
    hooks: NetworkHooks;
    options?: Partial<NetworkOptions>;
  }) {
    this.#clock = args.clock;
    this.#random = args.random;
    this.#fakeIds = args.fakeIds;
    this.server = args.server;
    this.#chatNames = args.chatNames;
    this.#jidsByChat = new Map([...args.chatNames].map(([jid, chat]) => [chat, jid]));
    this.hooks = args.hooks;
    this.#options = { ...defaultNetworkOptions, ...args.options };
    this.#latencyMs = this.#options.baseLatencyMs;
    this.#host = this.#makeHost();
    this.target = this.#makeTarget();
  }

  /** The drop-in `makeWASocket` handed to the send path. */
  readonly makeSocket: SocketFactory = (config?: SocketConfig): SocketLike => {
    const generation = this.sockets.length + 1;
    this.connectTimes.push(this.#clock.now());
    const inert = generation > this.#options.socketsMax;
    if (inert) this.#clock.hitLimit('sockets', this.#options.socketsMax);
    const socket = new FakeSocket(this.#host, generation, inert, socketTimingsOf(config));
    this.sockets.push(socket);
    return socket;
  };

  /** Virtual time now, ms. */
  now(): number {
    return this.#clock.now();
  }

  /** Applies a network event (a fault or `heal`) now, with its module from `faults`. */
  apply(event: FaultEvent): void;
  apply(event: FaultEventBase, faults: FaultRegistry): void;
  apply(event: FaultEventBase, faults: FaultRegistry = builtInFaults): void {
    const module = faults.get(event.do);
    if (module === undefined) throw new Error(`FakeNetwork.apply: "${event.do}" is not a network event`);
    module.apply(event, this.target);
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
   * open one. "A newer socket opened" is not enough: one opened after the blackhole may drop a
   * moment later while the path's reconnect is scheduled, and the resends it still owes would
   * be counted as lost. Always false in a run without blackholes.
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

  #makeTarget(): FaultTarget {
    const links = (states: readonly string[]): FaultLink[] =>
      this.sockets.filter((s) => states.includes(s.state)).map((s) => ({
        die: (error, noticeMs, dropReason) => s.die('drop', error, noticeMs, dropReason),
        silence: () => s.blackhole(),
      }));
    return {
      now: () => this.#clock.now(),
      jidOf: (chat) => this.#jidsByChat.get(chat),
      drawNoticeMs: () => this.#drawNoticeMs(),
      connectingOrOpenLinks: () => links(['open', 'connecting']),
      openLinks: () => links(['open']),
      addConnectRule: (rule) => void this.#connectRules.push(rule),
      addSendRule: (rule) => void this.#sendRules.push(rule),
      setLatencyMs: (ms) => void (this.#latencyMs = ms),
      heal: () => {
        this.#connectRules = [];
        this.#sendRules = [];
        this.#latencyMs = this.#options.baseLatencyMs;
      },
    };
  }

  #makeHost(): SocketHost {
    const clock = this.#clock;
    return {
      timers: clock.network,
      options: this.#options,
      now: () => clock.now(),
      latencyMs: () => this.#latencyMs,
      connectVerdict: () => this.#connectVerdict(),
      sendVerdict: (send) => this.#sendVerdict(send),
      chatName: (jid) => this.#chatNames.get(jid) ?? jid,
      drawFakeId: () => this.#fakeIds(),
      drawInflightReaches: () => this.#random.chance(this.#options.inflightReachChance),
      newAttempt: (fields) => this.#newAttempt(fields),
      socketOpened: (socket) => this.#socketOpened(socket),
      server: this.server,
      hooks: this.hooks,
    };
  }

  #connectVerdict(): ConnectVerdict | undefined {
    const at = this.#clock.now();
    const verdicts = new Set(this.#connectRules.map((rule) => rule(at)));
    return connectPrecedence.find((verdict) => verdicts.has(verdict));
  }

  #sendVerdict(send: SendFacts): SendVerdict | undefined {
    for (const rule of this.#sendRules) {
      const verdict = rule(send);
      if (verdict !== undefined) return verdict;
    }
    return undefined;
  }

  /** A new attempt record, or undefined once the attempts limit is hit. */
  #newAttempt(fields: NewAttempt): AttemptRecord | undefined {
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

  /** A socket opened: replace older open ones, then deliver queued inbound soon. */
  #socketOpened(opened: FakeSocket): void {
    if (this.#options.replaceOnConcurrentOpen) {
      // A silently dead socket never hears that it was replaced: its keep-alive ends it.
      for (const socket of this.sockets) {
        if (socket !== opened && socket.state === 'open' && !socket.blackholed) {
          socket.die('replaced', dropError('conflict'), this.#drawNoticeMs(), 'conflict');
        }
      }
    }
    // Offline delivery comes after the open handlers' own continuations, as on a real connect.
    this.#clock.network.setTimeout(() => this.#deliverQueued(), 0);
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
