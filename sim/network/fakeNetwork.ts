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
import { baileysErrorShapes, eventBufferFlushMs, socketTimingsOf } from '../../src/baileysFacts.js';
import type { SocketConfig, SocketFactory, SocketLike } from '../../src/ports.js';
import type { VirtualClock } from '../clock.js';
import { builtInFaults, type FaultEvent, type FaultRegistry } from '../faults/index.js';
import type { CutKind, FaultEventBase, FaultLink, FaultTarget } from '../faults/fault.js';
import type { ConnectVerdict, RuleStages } from '../faults/ruleStages.js';
import type { AttemptRecord, UnmodelledRecord } from '../history.js';
import { factKinds, type FactKind } from '../journal.js';
import type { DropReason } from '../../src/dropFacts.js';
import { dropError } from './baileysErrors.js';
import { FakeSocket } from './fakeSocket.js';
import { pathSocketHooksOf, type NewAttempt, type SocketHost } from './socketHost.js';
import type { SocketNetworkOptions } from './socketHost.js';
import { defaultMemberJidOf } from '../chatJids.js';
import { socketSurface, type FakeSocketSurface, type SocketStubs } from './socketSurface.js';
import type { QueuedInbound, ReceiptForBot, ServerModel } from './server.js';
import { socketBehaviourOf } from './socketBehaviour.js';

/** Fake network behaviour knobs. */
export interface NetworkOptions extends SocketNetworkOptions {
  /** One-way latency when no `latency` event applies, ms. */
  baseLatencyMs: number;
  /**
   * A socket opening while another is open replaces it: the older one dies with
   * `Stream Errored (conflict)` 440, as WhatsApp does to a second session of the same device.
   */
  replaceOnConcurrentOpen: boolean;
  /** Send attempts per run; beyond it the run ends with a `LoopLimit` (a retry storm). */
  attemptsMax: number;
  /** Sockets per run; beyond it the run ends with a `LoopLimit` (a reconnect storm). */
  socketsMax: number;
  /**
   * From a message becoming visible to its recipient's delivery receipt leaving their phone, ms
   * (undefined: the recipient sends none, like the loopback test server's recipients).
   */
  deliveryReceiptMs: number | undefined;
  /** From a message becoming visible to its read receipt, ms (undefined: never read). */
  readReceiptMs: number | undefined;
}

/** Defaults: a fast, healthy network. */
export const defaultNetworkOptions: Readonly<NetworkOptions> = Object.freeze({
  connectDelayMs: 50,
  baseLatencyMs: 10,
  inboundFlushMs: 30,
  offlineDeliveryMs: eventBufferFlushMs,
  echoMs: eventBufferFlushMs,
  sendBufferBytes: 3_000_000,
  deviceListCache: true,
  replaceOnConcurrentOpen: true,
  attemptsMax: 100_000,
  socketsMax: 10_000,
  deliveryReceiptMs: 250,
  readReceiptMs: 2000,
});

/** Deliveries recorded per retry receipt (pushes beyond it are not). */
const retryDeliveriesMax = 100;

/** What the harness wants to hear from the network. */
export interface NetworkHooks {
  /** `messages.upsert` was emitted for an inbound message on socket `generation`. */
  onInboundEmitted(message: QueuedInbound, generation: number, type: 'notify' | 'append'): void;
  /** A fact of `kind` was recorded now (journal.ts): the order facts of one instant are told in. */
  note?(kind: FactKind, id: number): void;
}

/** Connect verdicts by precedence: a connect that gets no answer cannot be refused either. */
const connectPrecedence: readonly ConnectVerdict['kind'][] = [
  'hang',
  'refuse',
  'upgradeRejected',
  'loginFailure',
  'slowLogin',
];

/** The rules of every stage, in the order added. */
type Rules = { [S in keyof RuleStages]: RuleStages[S][] };

const noRules = (): Rules => ({
  connect: [],
  query: [],
  keyFetch: [],
  media: [],
  write: [],
  serverMessage: [],
  decrypt: [],
  recipient: [],
  receipt: [],
});

/** The fake network of one run: connections, latency, and the faults' rules. */
export class FakeNetwork {
  readonly #clock: VirtualClock;
  readonly #fakeIds: () => string;
  readonly #options: NetworkOptions;
  readonly #chatNames: ReadonlyMap<string, string>;
  readonly #groupMembers: ReadonlyMap<string, readonly string[]>;
  readonly #host: SocketHost;
  #rules: Rules = noRules();
  /** Sockets silenced until the next `heal`. */
  #silencedUntilHeal = new Set<FakeSocket>();
  #latencyMs: number;
  /** Retry receipts scheduled or sent that no socket answered yet: their aftermath is unfolding. */
  #retriesUnanswered = 0;
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
  /** The first call of an rc14 socket member the fake does not model, if any (socketSurface.ts). */
  unmodelled: UnmodelledRecord | undefined;
  /** The bot's own answers for unmodelled members, given to every socket made from now on. */
  socketStubs: SocketStubs | undefined;

  /** A network on `clock`, drawing ids for id-less sends from `fakeIds`. */
  constructor(args: {
    clock: VirtualClock;
    fakeIds: () => string;
    server: ServerModel;
    /** Timeline chat name per JID. */
    chatNames: ReadonlyMap<string, string>;
    /** Member JIDs per group chat JID (their phones send a group's receipts). */
    groupMembers?: ReadonlyMap<string, readonly string[]>;
    hooks: NetworkHooks;
    options?: Partial<NetworkOptions>;
  }) {
    this.#clock = args.clock;
    this.#fakeIds = args.fakeIds;
    this.server = args.server;
    this.#chatNames = args.chatNames;
    this.#groupMembers = args.groupMembers ?? new Map();
    this.hooks = args.hooks;
    this.#options = { ...defaultNetworkOptions, ...args.options };
    this.#latencyMs = this.#options.baseLatencyMs;
    this.#host = this.#makeHost();
    this.target = this.#makeTarget();
  }

  /** The drop-in `makeWASocket` handed to the send path. */
  readonly makeSocket = (config?: SocketConfig): FakeSocketSurface => {
    const generation = this.sockets.length + 1;
    this.connectTimes.push(this.#clock.now());
    const inert = generation > this.#options.socketsMax;
    if (inert) this.#clock.hitLimit('sockets', this.#options.socketsMax);
    const hooks = pathSocketHooksOf(config);
    const timings = socketTimingsOf(config);
    const behaviour = socketBehaviourOf(config);
    const socket = new FakeSocket(
      this.#host,
      generation,
      inert,
      timings,
      config?.auth,
      hooks,
      behaviour,
    );
    this.sockets.push(socket);
    return socketSurface(socket, config, this.socketStubs);
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
    if (module === undefined)
      throw new Error(`FakeNetwork.apply: "${event.do}" is not a network event`);
    module.apply(event, this.target);
  }

  /**
   * `inbound`: the server takes the message from its sender now (its send time), and pushes it to
   * the live socket now, or holds it for the next login.
   */
  pushInbound(sent: Omit<QueuedInbound, 'sentAt'>): void {
    const message: QueuedInbound = { ...sent, sentAt: this.#clock.now() };
    const live = this.liveSocket();
    if (live === undefined) this.server.queueInbound(message);
    else live.control.deliver(message);
  }

  /**
   * The newest open socket whose link carries frames now (a silent one is open but unreachable).
   */
  liveSocket(): FakeSocket | undefined {
    for (let i = this.sockets.length - 1; i >= 0; i--) {
      const socket = this.sockets[i]!;
      if (socket.state === 'open' && !socket.silent) return socket;
    }
    return undefined;
  }

  /**
   * Whether the aftermath of a lost write is still unfolding, so stopping now would cut a send path
   * off before it could recover what vanished. A write is lost in a link that went silent, or in
   * the latency window before the bot heard the server cut the connection. Unsettled while a socket
   * that went silent is not closed yet; or while the newest socket is not open and the path may
   * still reconnect (`pathBusy`: it holds timers, or a connect or a close is under way); or while
   * sends are under way on an open one. "A newer socket opened" is not enough: one opened after the
   * loss may drop a moment later while the path's reconnect is scheduled, and the resends it still
   * owes would be counted as lost. A recipient's retry receipt on its way or not yet answered by a
   * socket is unsettled the same way: rc14 answers it only on a socket that gets it. Always false
   * in a run that lost no write and has no retry receipt pending.
   */
  lossUnsettled(pathBusy: boolean): boolean {
    let silenced = false;
    for (const socket of this.sockets) {
      if (socket.record.silentAt === undefined || socket.record.resumedAt !== undefined) continue;
      if (socket.record.closeEmittedAt === undefined) return true;
      silenced = true;
    }
    const retrying = this.#retriesUnanswered > 0;
    if (!silenced && !retrying && !this.#lostWrite()) return false;
    const newest = this.sockets.at(-1);
    if (newest === undefined) return false;
    // A recipient's retry receipt on its way, or waiting for a socket to answer it; sends under
    // way, hung uploads included: a path that gives up on one (at a deadline) may then resend.
    if (newest.state === 'open') return retrying || this.pendingAttempts() > 0;
    // A socket closing (its end() under way) will emit its close, and the path will react to it.
    return pathBusy || newest.state === 'connecting' || newest.state === 'closing';
  }

  /**
   * Whether a write's frame was lost: written on a socket whose close was heard, never at the
   * server.
   */
  #lostWrite(): boolean {
    return this.attempts.some(
      (a) => a.written && !a.reachedServer && this.sockets[a.generation - 1]?.closeEmitted === true,
    );
  }

  /** Sends still pending on any socket. */
  pendingAttempts(): number {
    let n = 0;
    for (const socket of this.sockets) n += socket.inflightCount;
    return n;
  }

  /**
   * The JID of a chat named so far, read from the live map: a scripted network names its chats
   * as its holder writes to them, after this network was made.
   */
  #jidOf(chat: string): string | undefined {
    for (const [jid, name] of this.#chatNames) if (name === chat) return jid;
    return undefined;
  }

  #makeTarget(): FaultTarget {
    const links = (states: readonly string[]): FaultLink[] =>
      this.sockets
        .filter((s) => states.includes(s.state))
        .map((socket) => new SocketLink(socket, this.#silencedUntilHeal));
    return {
      now: () => this.#clock.now(),
      jidOf: (chat) => this.#jidOf(chat),
      connectingOrOpenLinks: () => links(['open', 'connecting']),
      openLinks: () => links(['open']),
      session: this.server.session,
      addRules: (rules) => {
        for (const [stage, rule] of Object.entries(rules) as [keyof RuleStages, unknown][]) {
          (this.#rules[stage] as unknown[]).push(rule);
        }
      },
      setLatencyMs: (ms) => void (this.#latencyMs = ms),
      heal: () => {
        this.#rules = noRules();
        this.#latencyMs = this.#options.baseLatencyMs;
        for (const socket of this.#silencedUntilHeal) socket.control.resume();
        this.#silencedUntilHeal.clear();
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
      rules: this.#makeRuleAnswers(),
      chatName: (jid) => this.#chatNames.get(jid) ?? jid,
      drawFakeId: () => this.#fakeIds(),
      newAttempt: (fields) => this.#newAttempt(fields),
      loggingIn: (generation) => this.#loggingIn(this.sockets[generation - 1]!),
      opened: (generation) => this.#opened(this.sockets[generation - 1]!),
      closed: (_generation, unreceipted, unanswered) => {
        // Not receipted: the server delivers them again at the next login (ahead of newer ones).
        for (const message of unreceipted) this.server.queueInbound(message);
        for (const receipt of unanswered) this.server.queueReceipt(receipt);
      },
      recipientGot: (message) => this.#recipientGot(message),
      requestResend: (message, retryAfterMs) => this.#requestResend(message, retryAfterMs),
      attemptSeqOf: (messageId) => this.#attemptSeqOf(messageId),
      retryAnswered: (receipt, generation, outcome) => {
        receipt.retry!.answer = { at: clock.now(), generation, outcome };
        this.#retriesUnanswered -= 1;
      },
      server: this.server,
      hooks: this.hooks,
      chatJids: () => this.#chatNames.keys(),
      unmodelled: (method, generation) => {
        this.unmodelled ??= { method, at: this.#clock.now(), generation };
      },
    };
  }

  /**
   * Each hook of {@link RuleStages} answered by the rules added to it: the first answer counts;
   * `connect` by precedence, then the session.
   */
  #makeRuleAnswers(): RuleStages {
    const first = <S extends keyof RuleStages>(stage: S): RuleStages[S] => {
      const answer = (arg: unknown): unknown => {
        for (const rule of this.#rules[stage]) {
          const found = (rule as (arg: unknown) => unknown)(arg);
          if (found !== undefined) return found;
        }
        return undefined;
      };
      return answer as RuleStages[S];
    };
    return {
      connect: (at) => this.#connectVerdict(at),
      query: first('query'),
      keyFetch: first('keyFetch'),
      media: first('media'),
      write: first('write'),
      serverMessage: first('serverMessage'),
      decrypt: first('decrypt'),
      recipient: first('recipient'),
      receipt: first('receipt'),
    };
  }

  /**
   * The rules' verdict of highest precedence, then the session: a logged-out device fails its
   * login.
   */
  #connectVerdict(at: number): ConnectVerdict | undefined {
    const verdicts = this.#rules.connect.map((rule) => rule(at)).filter((v) => v !== undefined);
    for (const kind of connectPrecedence) {
      const found = verdicts.find((v) => v.kind === kind);
      if (found !== undefined) return found;
    }
    const session = this.server.session;
    const gone = session.loggedOutAt !== undefined || session.unlinkedAt !== undefined;
    // The device is gone: every login fails with the logged-out code.
    if (gone) return { kind: 'loginFailure', reason: baileysErrorShapes.loggedOut.statusCode };
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
      queryTimeouts: 0,
    };
    this.attempts.push(attempt);
    this.hooks.note?.(factKinds.attemptMade, attempt.seq);
    return attempt;
  }

  /**
   * A socket's login is answered: WhatsApp ends any older session of the device (440, a stream
   * error on an open, reachable socket: a silent one never hears it), sent with that answer.
   */
  #loggingIn(opening: FakeSocket): number {
    if (!this.#options.replaceOnConcurrentOpen) return 0;
    let replaced = 0;
    for (const socket of this.sockets) {
      if (socket === opening || socket.state !== 'open' || socket.silent) continue;
      socket.control.replaced();
      replaced += 1;
    }
    return replaced;
  }

  /** A socket logged in: WhatsApp takes the session back, and delivers what it held for the bot. */
  #opened(opened: FakeSocket): void {
    delete this.server.session.replacedAt;
    const queued = this.server.takeQueuedInbound();
    const receipts = this.server.takeQueuedReceipts();
    for (const receipt of receipts) this.#recordRetryDelivery(receipt, opened.generation);
    if (queued.length > 0 || receipts.length > 0) opened.control.deliverOffline(queued, receipts);
  }

  /**
   * A message became visible: the recipient's phone sends its delivery and read receipts (a
   * group's from its first member), later if a `recipient` rule says the phone is away.
   */
  #recipientGot(message: { chatJid: string; messageId: string }): void {
    const { deliveryReceiptMs, readReceiptMs } = this.#options;
    if (deliveryReceiptMs === undefined && readReceiptMs === undefined) return;
    const now = this.#clock.now();
    const away = this.#host.rules.recipient({ chatJid: message.chatJid, at: now });
    const backAt = away?.backAt ?? now;
    const send = (type: 'delivery' | 'read', afterMs: number | undefined): void => {
      if (afterMs === undefined) return;
      const receipt = this.#receiptFor(type, message);
      this.#clock.network.setTimeout(() => this.#pushReceipt(receipt), backAt - now + afterMs);
    };
    send('delivery', deliveryReceiptMs);
    send('read', readReceiptMs);
  }

  /** A receipt from `message`'s recipient (a group's: from its member). */
  #receiptFor(type: ReceiptForBot['type'], message: { chatJid: string; messageId: string }) {
    const participantJid = this.#memberOf(message.chatJid);
    if (participantJid === undefined) return { type, ...message };
    return { type, ...message, participantJid };
  }

  /** The recipient could not decrypt a message: its retry receipt leaves `retryAfterMs` later. */
  #requestResend(message: { chatJid: string; messageId: string }, retryAfterMs: number): void {
    this.#retriesUnanswered += 1;
    this.#clock.network.setTimeout(() => {
      const retry = this.server.retryRequest(message.chatJid, message.messageId, this.#clock.now());
      this.#pushReceipt({ ...this.#receiptFor('retry', message), retry });
    }, retryAfterMs);
  }

  /** A receipt for the bot: to the live socket now, or held for the next login. */
  #pushReceipt(receipt: ReceiptForBot): void {
    const live = this.liveSocket();
    if (live === undefined) return this.server.queueReceipt(receipt);
    this.#recordRetryDelivery(receipt, live.generation);
    live.control.deliverReceipt(receipt);
  }

  #recordRetryDelivery(receipt: ReceiptForBot, generation: number): void {
    const deliveries = receipt.retry?.deliveries;
    if (deliveries === undefined || deliveries.length >= retryDeliveriesMax) return;
    deliveries.push({ at: this.#clock.now(), generation });
  }

  /** The member who answers for a group chat (its first known one); undefined for a 1:1 chat. */
  #memberOf(chatJid: string): string | undefined {
    if (!chatJid.endsWith('@g.us')) return undefined;
    return this.#groupMembers.get(chatJid)?.[0] ?? defaultMemberJidOf(chatJid);
  }

  /** The newest send attempt that carried `messageId` (0 for none). */
  #attemptSeqOf(messageId: string): number {
    for (let i = this.attempts.length - 1; i >= 0; i -= 1) {
      if (this.attempts[i]!.messageId === messageId) return this.attempts[i]!.seq;
    }
    return 0;
  }
}

/** The drop reason each way of cutting a connection records. */
const dropReasonOfCut: Readonly<Record<CutKind, DropReason>> = {
  fin: 'connectionClosed',
  rst: 'connectionReset',
  rstUnread: 'connectionResetUnread',
  wsClose: 'wsClose',
};

/** One socket as a fault sees it; a link silenced until `heal` joins the network's set of them. */
class SocketLink implements FaultLink {
  readonly open: boolean;
  readonly #socket: FakeSocket;
  readonly #silencedUntilHeal: Set<FakeSocket>;

  constructor(socket: FakeSocket, silencedUntilHeal: Set<FakeSocket>) {
    this.open = socket.state === 'open';
    this.#socket = socket;
    this.#silencedUntilHeal = silencedUntilHeal;
  }

  cut(kind: CutKind, noticeMs: number | undefined): void {
    this.#socket.control.cut(kind, noticeMs, dropReasonOfCut[kind]);
  }

  streamError(error: Error, dropReason: DropReason): void {
    this.#socket.control.streamError(error, dropReason, 'drop');
  }

  silence(resumeAt: number | 'heal' | 'never'): void {
    if (resumeAt !== 'never') this.#silencedUntilHeal.add(this.#socket);
    this.#socket.control.silence(resumeAt);
  }
}
