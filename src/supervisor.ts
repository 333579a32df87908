/**
 * The supervisor is the only owner of the live Baileys socket. It connects through the
 * factory, hears every close, classifies it, and reconnects with backoff. Sends never hold a
 * socket: they ask the supervisor at each attempt (`current()` / `whenLive()`), so a reply
 * built on socket A goes out on socket B if A was replaced meanwhile.
 *
 * Every sender waiting for a live socket joins one shared wait: a bounded waiter list resolved
 * by the next `open`, with a single timer for the earliest waiter deadline, which also rings the
 * alarms attempts in flight race (a reply's deadline while Baileys holds its send). No sender
 * polls.
 *
 * A connect that never completes is given up: rc14 leaves a socket `connecting` for ever when
 * the WebSocket upgrade is answered with an HTTP error (ws reports `unexpected-response`, which
 * Baileys ignores, and its own `connectTimeoutMs` no longer applies), so the supervisor ends a
 * socket not open {@link connectWatchdogMs} after it was made and reconnects with backoff.
 */
import type { BaileysEventMap, ConnectionState } from '@whiskeysockets/baileys';
import {
  ConnectStuckError,
  LiveWaitTimeoutError,
  SendPathStoppedError,
  TerminalConnectionError,
  WaitersFullError,
  type SendPathError,
  type TerminalReason,
} from './errors.js';
import type {
  Clock,
  Logger,
  Random,
  SocketConfig,
  SocketFactory,
  SocketLike,
  TimerHandle,
} from './ports.js';
import { connectWatchdogMs, socketTimingsOf, terminalCloseReasons } from './baileysFacts.js';
import { computeBackoff, type ReconnectPolicy } from './reconnectPolicy.js';
import { classifyClose, statusCodeOf, type CloseClass } from './sendErrors.js';
import { invariant } from './invariant.js';

/** A socket that has emitted `open` and not yet `close`, with its generation (1, 2, ...). */
export interface LiveSocket {
  socket: SocketLike;
  generation: number;
}

/** Resolves once a socket's close is heard; `release()` once the attempt racing it settled. */
export interface CloseSignal {
  readonly closed: Promise<'closed'>;
  release(): void;
}

/** The signal of a socket whose close was already heard: shared, it holds nothing. */
const closedSignal: CloseSignal = Object.freeze({
  closed: Promise.resolve('closed' as const),
  release: () => undefined,
});

/** A signal registered with the supervisor's close hearers until it is heard or released. */
class HeardCloseSignal implements CloseSignal {
  readonly closed: Promise<'closed'>;
  #resolve: ((value: 'closed') => void) | undefined;
  readonly #hearers: Set<HeardCloseSignal>;

  constructor(hearers: Set<HeardCloseSignal>) {
    this.#hearers = hearers;
    this.closed = new Promise<'closed'>((resolve) => (this.#resolve = resolve));
  }

  hear(): void {
    this.#resolve?.('closed');
  }

  release(): void {
    this.#hearers.delete(this);
  }
}

/** Rings once at its time ({@link Supervisor.alarm}); `release()` once its attempt settled. */
export interface Alarm {
  readonly rang: Promise<'alarm'>;
  release(): void;
}

/** An alarm served by the supervisor's one timer until it rings or is released. */
class TimedAlarm implements Alarm {
  readonly rang: Promise<'alarm'>;
  #ring: ((value: 'alarm') => void) | undefined;
  readonly #alarms: Set<TimedAlarm>;

  constructor(
    readonly at: number,
    alarms: Set<TimedAlarm>,
  ) {
    this.#alarms = alarms;
    this.rang = new Promise<'alarm'>((resolve) => (this.#ring = resolve));
  }

  ring(): void {
    this.#alarms.delete(this);
    this.#ring?.('alarm');
  }

  release(): void {
    this.#alarms.delete(this);
  }
}

/** The alarm of a time already past: shared, it holds nothing. */
const rungAlarm: Alarm = Object.freeze({
  rang: Promise.resolve('alarm' as const),
  release: () => undefined,
});

/** Where the supervisor is in its life. */
export type SupervisorState = 'idle' | 'connecting' | 'open' | 'backoff' | 'terminal' | 'stopped';

/** Inbound messages from whichever socket is current. */
export type UpsertListener = (
  upsert: BaileysEventMap['messages.upsert'],
  generation: number,
) => void;

/** Hears every close of the current socket, with how the supervisor classified it. */
export type CloseListener = (generation: number, kind: CloseClass) => void;

/** Construction options; ports come from the host. */
export interface SupervisorOptions {
  makeSocket: SocketFactory;
  clock: Clock;
  random: Random;
  logger: Logger;
  policy: ReconnectPolicy;
  socketConfig?: SocketConfig;
  /** Upper bound on concurrent `whenLive` waiters (default 10,000). */
  maxWaiters?: number;
  onUpsert?: UpsertListener;
  /** Called once per close of the current socket, before reconnect or terminal handling. */
  onClose?: CloseListener;
}

interface Waiter {
  afterGeneration: number;
  deadlineAt: number;
  resolve: (live: LiveSocket) => void;
  reject: (err: SendPathError) => void;
}

/** Owns the connection. See the module comment. */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #maxWaiters: number;
  #state: SupervisorState = 'idle';
  #generation = 0;
  /** Highest generation whose close the supervisor has heard (or caused). */
  #closedThrough = 0;
  #socket: SocketLike | undefined;
  #live: LiveSocket | undefined;
  #reconnectAttempt = 0;
  #reconnectTimer: TimerHandle | undefined;
  #watchdogTimer: TimerHandle | undefined;
  #waiters: Waiter[] = [];
  /** Hearers of the live socket's close ({@link closeSignal}), each an attempt in flight on it. */
  readonly #closeHearers = new Set<HeardCloseSignal>();
  /** Alarms attempts in flight race ({@link alarm}), rung by the waiter timer. */
  readonly #alarms = new Set<TimedAlarm>();
  #waiterTimer: TimerHandle | undefined;
  #waiterTimerAt = Infinity;
  #terminalError: TerminalConnectionError | undefined;
  #detach: (() => void) | undefined;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#maxWaiters = options.maxWaiters ?? 10_000;
  }

  /** Current life stage. */
  get state(): SupervisorState {
    return this.#state;
  }

  /** Generation of the newest socket created so far (0 before the first connect). */
  get generation(): number {
    return this.#generation;
  }

  /** Number of senders currently waiting for a live socket. */
  get waiterCount(): number {
    return this.#waiters.length;
  }

  /** Opens the first connection. Idempotent while running. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /** The live socket now, or undefined during a gap. */
  current(): LiveSocket | undefined {
    return this.#live;
  }

  /** True once the close of `generation` has been heard: a send on it failed in flight. */
  isClosed(generation: number): boolean {
    return generation <= this.#closedThrough;
  }

  /**
   * A signal that resolves once the close of `generation` is heard (at once if it was), for an
   * attempt in flight on it to race; `release()` when the attempt settled. At most `maxWaiters`
   * at once (one per attempt in flight; the outbox holds fewer).
   */
  closeSignal(generation: number): CloseSignal {
    if (this.isClosed(generation)) return closedSignal;
    if (this.#closeHearers.size >= this.#maxWaiters) throw new WaitersFullError(this.#maxWaiters);
    const signal = new HeardCloseSignal(this.#closeHearers);
    this.#closeHearers.add(signal);
    return signal;
  }

  /**
   * An alarm that rings at `at` (clock time), at once if that is past, for an attempt in flight
   * to race; `release()` when the attempt settled. Served by the one timer of the shared wait;
   * at most `maxWaiters` at once; none rings after `stop()`.
   */
  alarm(at: number): Alarm {
    if (this.#state === 'stopped')
      return { rang: new Promise<'alarm'>(() => {}), release: () => {} };
    if (this.#options.clock.now() >= at) return rungAlarm;
    if (this.#alarms.size >= this.#maxWaiters) throw new WaitersFullError(this.#maxWaiters);
    const alarm = new TimedAlarm(at, this.#alarms);
    this.#alarms.add(alarm);
    if (at < this.#waiterTimerAt) this.#armWaiterTimer();
    return alarm;
  }

  /**
   * Ends the live socket `generation`, if it still is, with `error`: a send it holds must never
   * be written (rc14 writes nothing after the close). Its close then reconnects as any other.
   */
  restart(generation: number, error: Error): void {
    const live = this.#live;
    if (live === undefined || live.generation !== generation) return;
    this.#options.logger.warn({ generation, reason: error.name }, 'ending the socket');
    live.socket.end(error).catch(() => undefined);
  }

  /**
   * Resolves with a live socket newer than `afterGeneration`, waiting (shared) if there is none.
   * Rejects at `deadlineAt` (clock time) with {@link LiveWaitTimeoutError}, at a terminal close
   * with {@link TerminalConnectionError}, and at `stop()` with {@link SendPathStoppedError}.
   */
  whenLive(afterGeneration: number, deadlineAt: number): Promise<LiveSocket> {
    const settled = this.#settledError();
    if (settled) return Promise.reject(settled);
    const live = this.#live;
    if (live && live.generation > afterGeneration) return Promise.resolve(live);
    if (this.#options.clock.now() >= deadlineAt)
      return Promise.reject(new LiveWaitTimeoutError(deadlineAt));
    if (this.#waiters.length >= this.#maxWaiters)
      return Promise.reject(new WaitersFullError(this.#maxWaiters));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ afterGeneration, deadlineAt, resolve, reject });
      // Only an earlier deadline moves the single timer; avoids a scan per waiter.
      if (deadlineAt < this.#waiterTimerAt) this.#armWaiterTimer();
    });
  }

  /** Cancels everything: no timers, no waiters, the socket ended. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const socket = this.#socket;
    this.#state = 'stopped';
    this.#live = undefined;
    this.#closedThrough = this.#generation;
    this.#hearClose();
    this.#clearReconnectTimer();
    this.#clearWatchdog();
    this.#alarms.clear();
    // Built only for a waiter to receive: an error's stack capture is most of a stop's cost.
    if (this.#waiters.length > 0) this.#rejectWaiters(new SendPathStoppedError());
    else this.#armWaiterTimer();
    if (socket) {
      // The outbox does not wait on in-flight sends (real Baileys may hold them 60 s after end()).
      await socket.end(undefined);
      this.#detach?.();
    }
  }

  /** Tells every attempt in flight that its socket closed (there is one live socket at a time). */
  #hearClose(): void {
    const hearers = [...this.#closeHearers];
    this.#closeHearers.clear();
    for (const signal of hearers) signal.hear();
  }

  #settledError(): SendPathError | undefined {
    if (this.#state === 'stopped') return new SendPathStoppedError();
    return this.#terminalError;
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    invariant(this.#socket === undefined, 'one socket at a time: a connect follows a close');
    invariant(this.#closedThrough === this.#generation, 'a connect follows the last close');
    const generation = ++this.#generation;
    const socket = this.#options.makeSocket(this.#options.socketConfig);
    this.#socket = socket;
    this.#state = 'connecting';
    const onUpdate = (update: Partial<ConnectionState>): void => this.#onUpdate(generation, update);
    const onUpsert = (upsert: BaileysEventMap['messages.upsert']): void => {
      if (generation === this.#generation) this.#options.onUpsert?.(upsert, generation);
    };
    socket.ev.on('connection.update', onUpdate);
    socket.ev.on('messages.upsert', onUpsert);
    this.#detach = () => {
      socket.ev.off('connection.update', onUpdate);
      socket.ev.off('messages.upsert', onUpsert);
    };
    this.#options.logger.debug({ generation }, 'connecting');
    const watchdogMs = connectWatchdogMs(socketTimingsOf(this.#options.socketConfig));
    this.#watchdogTimer = this.#options.clock.setTimeout(
      () => this.#connectStuck(generation, socket),
      watchdogMs,
    );
  }

  /**
   * The socket never opened: end it; its `close` then reconnects with backoff like any failed
   * connect.
   */
  #connectStuck(generation: number, socket: SocketLike): void {
    this.#watchdogTimer = undefined;
    if (generation !== this.#generation || this.#state !== 'connecting') return;
    this.#options.logger.warn({ generation }, 'connect never completed; ending the socket');
    socket.end(new ConnectStuckError()).catch(() => undefined);
  }

  #clearWatchdog(): void {
    if (this.#watchdogTimer === undefined) return;
    this.#options.clock.clearTimeout(this.#watchdogTimer);
    this.#watchdogTimer = undefined;
  }

  #onUpdate(generation: number, update: Partial<ConnectionState>): void {
    // A stale socket's late events must never touch the current state.
    if (generation !== this.#generation || this.#state === 'stopped') return;
    if (update.connection === 'open') this.#onOpen(generation);
    else if (update.connection === 'close') this.#onClose(generation, update.lastDisconnect?.error);
  }

  #onOpen(generation: number): void {
    const socket = this.#socket;
    invariant(socket !== undefined, 'a socket opens only while it is the current one');
    this.#clearWatchdog();
    this.#state = 'open';
    this.#reconnectAttempt = 0;
    const live: LiveSocket = { socket, generation };
    this.#live = live;
    this.#options.logger.info({ generation }, 'connection open');
    const ready = this.#waiters.filter((w) => generation > w.afterGeneration);
    this.#waiters = this.#waiters.filter((w) => generation <= w.afterGeneration);
    this.#armWaiterTimer();
    for (const waiter of ready) waiter.resolve(live);
  }

  #onClose(generation: number, error: Error | undefined): void {
    this.#clearWatchdog();
    this.#detach?.();
    this.#detach = undefined;
    this.#live = undefined;
    this.#socket = undefined;
    invariant(generation > this.#closedThrough, "each socket's close is heard once, in order");
    this.#closedThrough = generation;
    this.#hearClose();
    const code = statusCodeOf(error);
    const kind = classifyClose(code);
    this.#options.logger.warn({ generation, statusCode: code, kind }, 'connection closed');
    this.#options.onClose?.(generation, kind);
    if (kind === 'terminal') {
      return this.#terminate(terminalCloseReasons[code ?? 0] ?? 'loggedOut', code);
    }
    if (this.#reconnectAttempt >= this.#options.policy.maxAttempts) {
      return this.#terminate('reconnectGaveUp', code);
    }
    // A 515 asks for a restart at once; another one before any connection opened is a failing
    // login, not a restart: it backs off, or the reconnects become a storm.
    const restartNow = kind === 'restartNow' && this.#reconnectAttempt === 0;
    this.#reconnectAttempt += 1;
    invariant(
      this.#reconnectAttempt <= this.#options.policy.maxAttempts,
      'reconnect attempts stay within the policy',
    );
    this.#scheduleReconnect(restartNow ? 0 : this.#backoffMs());
  }

  #backoffMs(): number {
    return computeBackoff(this.#options.policy, this.#reconnectAttempt, this.#options.random);
  }

  #scheduleReconnect(delayMs: number): void {
    this.#state = 'backoff';
    this.#options.logger.info({ attempt: this.#reconnectAttempt, delayMs }, 'reconnect scheduled');
    // Even a restart-now reconnect goes through a timer so close handling finishes first.
    this.#reconnectTimer = this.#options.clock.setTimeout(() => this.#connect(), delayMs);
  }

  #terminate(reason: TerminalReason, code: number | undefined): void {
    this.#state = 'terminal';
    this.#terminalError = new TerminalConnectionError(reason, code);
    this.#options.logger.error(
      { reason, statusCode: code },
      'connection terminal; not reconnecting',
    );
    this.#rejectWaiters(this.#terminalError);
  }

  #clearReconnectTimer(): void {
    if (this.#reconnectTimer === undefined) return;
    this.#options.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  #rejectWaiters(err: SendPathError): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#armWaiterTimer();
    for (const waiter of waiters) waiter.reject(err);
  }

  /**
   * Keeps exactly one timer, for the earliest waiter deadline or alarm (none when there is
   * neither).
   */
  #armWaiterTimer(): void {
    let earliest = this.#waiters.reduce((min, w) => Math.min(min, w.deadlineAt), Infinity);
    for (const alarm of this.#alarms) earliest = Math.min(earliest, alarm.at);
    if (earliest === this.#waiterTimerAt) return;
    if (this.#waiterTimer !== undefined) this.#options.clock.clearTimeout(this.#waiterTimer);
    this.#waiterTimer = undefined;
    this.#waiterTimerAt = earliest;
    if (earliest === Infinity) return;
    const delayMs = Math.max(0, earliest - this.#options.clock.now());
    this.#waiterTimer = this.#options.clock.setTimeout(() => this.#expireWaiters(), delayMs);
  }

  #expireWaiters(): void {
    this.#waiterTimer = undefined;
    this.#waiterTimerAt = Infinity;
    const now = this.#options.clock.now();
    const expired = this.#waiters.filter((w) => w.deadlineAt <= now);
    this.#waiters = this.#waiters.filter((w) => w.deadlineAt > now);
    const due = [...this.#alarms].filter((alarm) => alarm.at <= now);
    for (const alarm of due) this.#alarms.delete(alarm);
    this.#armWaiterTimer();
    for (const waiter of expired) waiter.reject(new LiveWaitTimeoutError(waiter.deadlineAt));
    for (const alarm of due) alarm.ring();
  }
}
