/**
 * The queries of one socket waiting for their answer, their timeout or a close: rc14's
 * `waitForMessage` (`Socket/socket.js`) listens for the answer's tag and for ws's `close` and
 * `error`, and Baileys' `end()` removes those listeners, so a query in flight then only times out.
 */
import type { TimerHandle } from '../../src/ports.js';
import type { ClockView } from '../clock.js';
import type { AttemptRecord } from '../history.js';

/** Most queries in flight on one socket (a limit on everything; the attempts limit is lower). */
const queriesInFlightMax = 1_000_000;

/**
 * A query waiting for its answer, its timeout or a close. Settling it leaves its socket's
 * queries and cancels its timeout; a timeout counts on the attempt that asked.
 */
export class PendingQuery {
  /** Its `defaultQueryTimeoutMs` (or own) timeout, set once it is in flight. */
  timer: TimerHandle | undefined = undefined;
  /** Baileys' `end()` removed the close listeners: a close no longer rejects it. */
  detached = false;
  readonly #queries: QueriesInFlight;
  readonly #timers: ClockView;
  /** The path's send that asked; none for rc14's own resends. */
  readonly #attempt: AttemptRecord | undefined;
  readonly #resolve: (answered: boolean) => void;
  readonly #reject: (reason: unknown) => void;

  /** A query of `queries` (not yet in it: see {@link QueriesInFlight.add}). */
  constructor(
    queries: QueriesInFlight,
    timers: ClockView,
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

  /** Answered (true) or timed out (false). */
  resolve(answered: boolean): void {
    this.#leave();
    if (!answered && this.#attempt !== undefined) this.#attempt.queryTimeouts += 1;
    this.#resolve(answered);
  }

  /** Refused, or a close heard while it listened. */
  reject(reason: unknown): void {
    this.#leave();
    this.#reject(reason);
  }

  #leave(): void {
    if (this.timer !== undefined) this.#timers.clearTimeout(this.timer);
    this.#queries.delete(this);
  }
}

/** One socket's queries in flight. */
export class QueriesInFlight {
  readonly #queries = new Set<PendingQuery>();

  /** `query` is in flight from now on. */
  add(query: PendingQuery): void {
    if (this.#queries.size >= queriesInFlightMax) {
      throw new Error(`socket: more than ${queriesInFlightMax} queries in flight`);
    }
    this.#queries.add(query);
  }

  /** Whether `query` still waits. */
  has(query: PendingQuery): boolean {
    return this.#queries.has(query);
  }

  /** `query` settled. */
  delete(query: PendingQuery): void {
    this.#queries.delete(query);
  }

  /** Baileys' `end()` began: no query hears a close any more. */
  detachAll(): void {
    for (const query of this.#queries) query.detached = true;
  }

  /** ws emitted `close` with `code`: every query still listening rejects with it, bare. */
  rejectListening(code: number): void {
    for (const query of this.#queries) if (!query.detached) query.reject(code);
  }
}
