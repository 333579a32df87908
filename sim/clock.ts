/**
 * The virtual clock of a simulation run: one `@sinonjs/fake-timers` clock created with
 * `withGlobal` over a private object (the real globals are never touched), seen through counted
 * views. The send path gets one view, the fake network and the harness get their own, so the
 * `clean` property can count only the timers the send path created.
 *
 * The run loop fires one timer at a time and then yields a real macrotask (`setImmediate`), which
 * lets Node drain every queued promise continuation before the next timer fires. A fixed number of
 * microtask turns would starve long promise chains (docs/ARCHITECTURE.md, "Draining to
 * quiescence"). Several turns are queued per event-loop iteration: Node drains `process.nextTick`
 * callbacks and promise continuations between any two `setImmediate` callbacks of one check phase,
 * so each turn still starts on an empty queue, and the iterations in between (libuv's poll,
 * measured at two fifths of a run's wall time) are spared.
 */
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock, TimerHandle } from '../src/ports.js';
import { captureStack, type CapturedStack } from './sites.js';

/**
 * The process's own `setImmediate`, taken at load: the loop queues its turns with it, so a run's
 * watch on the global (see {@link VirtualClock.immediateQueued}) sees only other code's calls.
 */
const queueTurn = globalThis.setImmediate;

/**
 * Loop turns queued per event-loop iteration (1 = one per iteration). Turns left over when a run
 * ends return at once. A run fires about a hundred timers: 128 turns make most runs one
 * iteration, and measured against 32 (same process, interleaved) ran 4 to 9 % more runs per
 * second; 256 and more gained less, the unused turns costing what the iterations saved.
 */
const turnsPerIterationMax = 128;

/**
 * fake-timers bound to a private object: it fakes only what that object has (a `Date`), and
 * `createClock` never installs anything. Created once per process; timer ids inside it are
 * never shown to anyone (views hand out their own per-run handles).
 */
const privateTimers = FakeTimers.withGlobal({ Date } as unknown as typeof globalThis);

/**
 * Fake clocks of finished runs, reset and kept for the next run. `createClock` builds a fresh
 * `Date` subclass per clock, and V8 keeps every such class (and the clock its static `clock`
 * field points at, and through its timers the rest of the run) alive across minor GCs until
 * the next full GC: measured alone, about 3 KB promoted per run, and a path from each finished
 * run into the old generation. (The much larger promotion was V8's pretenuring: see
 * v8Tuning.ts.) Reused clocks never point at a finished run: `reset` drops their timers.
 * Bounded: clocks beyond the limit are left to the GC.
 */
const fakeClockPool: FakeTimers.Clock[] = [];
/** Enough for every run a process interleaves; more are simply not kept. */
const fakeClockPoolMax = 64;
/**
 * fake-timers reads `loopLimit` only in `runAll`/`runToLast`, which the simulator never calls
 * (its own `timersFiredMax` bounds a run), so pooled clocks share one value.
 */
const fakeClockLoopLimit = 100_000_001;

function acquireFakeClock(): FakeTimers.Clock {
  return (
    fakeClockPool.pop() ?? (privateTimers.createClock(0, fakeClockLoopLimit) as FakeTimers.Clock)
  );
}

function releaseFakeClock(fake: FakeTimers.Clock): void {
  fake.reset();
  if (fake.now !== 0 || fake.countTimers() !== 0)
    throw new Error('invariant: a reset fake clock is at 0 with no timers');
  if (fakeClockPool.length < fakeClockPoolMax) fakeClockPool.push(fake);
}

/** Largest delay fake-timers honours; a longer one would silently become 1 ms. */
export const timerDelayMsMax = 2 ** 31 - 1;

/** Why a run was cut short. Recorded in the history; the checkers judge it. */
export interface LoopLimitRecord {
  kind: 'LoopLimit';
  /** Which limit was hit. */
  limit: 'timersFired' | 'virtualTime' | 'pathTimersAlive' | 'attempts' | 'sockets';
  /** The limit's value. */
  max: number;
  /** Virtual time when it was hit, ms. */
  at: number;
  /** Timers fired by then (all views). */
  timersFired: number;
}

/** Hard limits of one run. */
export interface ClockLimits {
  /** Timers fired in all views before the run is cut with a `LoopLimit`. */
  timersFiredMax: number;
  /** Virtual time (ms since the run's epoch 0) at which the run is cut with a `LoopLimit`. */
  virtualTimeMsMax: number;
  /** Timers alive at once in the send path's view. */
  pathTimersAliveMax: number;
}

/**
 * Defaults: far beyond any sane send path, small enough to end a runaway in well under a second.
 */
export const defaultClockLimits: Readonly<ClockLimits> = Object.freeze({
  timersFiredMax: 200_000,
  virtualTimeMsMax: 6 * 60 * 60 * 1000,
  pathTimersAliveMax: 50_000,
});

/** Timer counts of one view. */
export interface TimerStats {
  created: number;
  cleared: number;
  fired: number;
  /** Alive now (created, neither fired nor cleared). */
  alive: number;
  /** Most alive at once. */
  aliveMax: number;
}

/**
 * Where a timer came from, when someone asked: its first creation (an interval re-armed keeps
 * it), and the stack it was made from (sites.ts), for a leaked timer's report.
 */
export interface TimerOrigin {
  readonly createdAt: number;
  readonly delayMs: number;
  /** An interval: it is armed again after each firing. */
  readonly repeats: boolean;
  /** The call that made it (`setTimeout`, `setInterval`, `env.clock.setTimeout`). */
  readonly call: string;
  readonly stack?: CapturedStack;
}

/** A timer of a view still pending: what a leaked timer's report says about it. */
export interface PendingTimer {
  /** The view's handle: 1, 2, ... in the order the run made them. */
  readonly id: number;
  readonly createdAt: number;
  readonly delayMs: number;
  readonly origin?: TimerOrigin;
}

interface ViewTimer {
  readonly handle: number;
  readonly callback: () => void;
  fakeId: number;
  readonly createdAt: number;
  readonly delayMs: number;
  readonly origin: TimerOrigin | undefined;
}

/**
 * A counted `Clock` over the shared fake clock. Members are arrow properties so a send path may
 * destructure them (`const { setTimeout } = env.clock`).
 */
export class ClockView implements Clock {
  readonly #owner: VirtualClock;
  readonly #alive = new Map<number, ViewTimer>();
  #handleSeq = 0;
  /** Counts for the history. `alive` is kept in step with the live map. */
  readonly stats: TimerStats = { created: 0, cleared: 0, fired: 0, alive: 0, aliveMax: 0 };
  /** Called when a callback of this view throws; the timer still counts as fired. */
  onThrow: ((error: unknown) => void) | undefined;
  /**
   * Capture the stack of every `setTimeout` call (sites.ts), for a leaked timer's creation site.
   * Off by default: a capture costs microseconds, and runs are deterministic, so a failing run
   * is simulated again with it on to explain itself.
   */
  captureSites = false;

  /** A view of `owner`; `aliveMax` is this view's own limit on timers alive at once. */
  constructor(
    owner: VirtualClock,
    readonly name: string,
    private readonly aliveMax: number,
  ) {
    this.#owner = owner;
  }

  /** Virtual now, ms. */
  now = (): number => this.#owner.now();

  /** Schedules `callback` after `delayMs` virtual ms; returns a per-run numeric handle. */
  setTimeout = (callback: () => void, delayMs: number): TimerHandle => {
    if (!this.captureSites) return this.schedule(callback, delayMs, undefined);
    const origin = {
      createdAt: this.now(),
      delayMs,
      repeats: false,
      call: 'env.clock.setTimeout',
      stack: captureStack(this.setTimeout),
    };
    return this.schedule(callback, delayMs, origin);
  };

  /**
   * {@link setTimeout} for code that makes timers on the path's behalf (the intercepted globals),
   * with where the timer came from.
   */
  schedule(callback: () => void, delayMs: number, origin: TimerOrigin | undefined): TimerHandle {
    if (typeof callback !== 'function') {
      throw new TypeError(`${this.name} clock: setTimeout callback must be a function`);
    }
    const timer: ViewTimer = {
      handle: ++this.#handleSeq,
      callback,
      fakeId: 0,
      createdAt: this.now(),
      delayMs,
      origin,
    };
    if (this.#owner.released) return timer.handle; // the run is over: nothing fires any more
    const fake = this.#owner.fake;
    timer.fakeId = fake.setTimeout(fireViewTimerArgs, delayMs, this, timer) as unknown as number;
    this.#alive.set(timer.handle, timer);
    const stats = this.stats;
    stats.created++;
    stats.alive = this.#alive.size;
    if (stats.alive > stats.aliveMax) stats.aliveMax = stats.alive;
    if (stats.alive > this.aliveMax) this.#owner.hitLimit('pathTimersAlive', this.aliveMax);
    return timer.handle;
  }

  /** The first `max` timers still pending, in the order they were made. */
  pending(max: number): PendingTimer[] {
    const out: PendingTimer[] = [];
    for (const timer of this.#alive.values()) {
      if (out.length >= max) break;
      const { origin } = timer;
      out.push({
        id: timer.handle,
        createdAt: origin?.createdAt ?? timer.createdAt,
        delayMs: origin?.delayMs ?? timer.delayMs,
        ...(origin === undefined ? {} : { origin }),
      });
    }
    return out;
  }

  /** Cancels a timer of this view; any other handle is ignored, as Node ignores it. */
  clearTimeout = (handle: TimerHandle): void => {
    if (typeof handle !== 'number') return;
    const timer = this.#alive.get(handle);
    if (timer === undefined) return;
    this.#alive.delete(handle);
    if (!this.#owner.released) this.#owner.fake.clearTimeout(timer.fakeId);
    this.stats.cleared++;
    this.stats.alive = this.#alive.size;
  };

  /** @internal Runs a due timer (called by fake-timers through {@link fireViewTimer}). */
  fire(timer: ViewTimer): void {
    this.#alive.delete(timer.handle);
    this.stats.fired++;
    this.stats.alive = this.#alive.size;
    this.#owner.timersFired++;
    try {
      timer.callback();
    } catch (error) {
      // A throwing callback must not abort the run loop: it is a fact about the path to record.
      if (this.onThrow === undefined) throw error;
      this.onThrow(error);
    }
  }
}

/**
 * fake-timers passes the extra `setTimeout` arguments back: no closure per timer (and named
 * parameters, not a rest array: no array per firing either).
 */
function fireViewTimer(view: ClockView, timer: ViewTimer): void {
  view.fire(timer);
}
const fireViewTimerArgs = fireViewTimer as (...args: unknown[]) => void;

/** The run's virtual clock: the shared fake clock, the views, the limits and the run loop. */
export class VirtualClock {
  #fake: FakeTimers.Clock | undefined;
  /** Virtual time at {@link release}; `now()` stays there. */
  #releasedAt = 0;
  /** The send path's view (counted for `clean`). */
  readonly path: ClockView;
  /** The fake network's own timers (connects, latency, close notices). */
  readonly network: ClockView;
  /** The harness's timers (timeline events, the stop deadline). */
  readonly harness: ClockView;
  /**
   * Timers Baileys and its dependencies made through the intercepted globals in a module audited
   * as written (a signal key store's cache timer): they run, but they are not the path's.
   */
  readonly library: ClockView;
  /** Timers fired in all views. */
  timersFired = 0;
  /** Set once a limit is hit; the loop then stops at its next turn. */
  limit: LoopLimitRecord | undefined;
  readonly limits: Readonly<ClockLimits>;
  #watchesImmediates = false;
  #immediateQueued = false;
  #drainFirst = false;

  /** A clock at virtual time 0 with the given limits. */
  constructor(limits: Partial<ClockLimits> = {}) {
    this.limits = { ...defaultClockLimits, ...limits };
    const { timersFiredMax, virtualTimeMsMax, pathTimersAliveMax } = this.limits;
    assertLimit('timersFiredMax', timersFiredMax, 1, 100_000_000);
    assertLimit('virtualTimeMsMax', virtualTimeMsMax, 1, timerDelayMsMax);
    assertLimit('pathTimersAliveMax', pathTimersAliveMax, 1, 10_000_000);
    this.#fake = acquireFakeClock();
    this.path = new ClockView(this, 'path', pathTimersAliveMax);
    this.network = new ClockView(this, 'network', Number.MAX_SAFE_INTEGER);
    this.harness = new ClockView(this, 'harness', Number.MAX_SAFE_INTEGER);
    this.library = new ClockView(this, 'library', Number.MAX_SAFE_INTEGER);
    // The virtual-time limit is a raw timer outside every view: it does not keep a run alive.
    this.fake.setTimeout(() => this.hitLimit('virtualTime', virtualTimeMsMax), virtualTimeMsMax);
  }

  /**
   * @internal The fake-timers clock. Only views and the loop touch it, and only before {@link
   * release}.
   */
  get fake(): FakeTimers.Clock {
    if (this.#fake === undefined)
      throw new Error('invariant: the fake clock of a released run was used');
    return this.#fake;
  }

  /** True once {@link release} ran: timers set later never fire. */
  get released(): boolean {
    return this.#fake === undefined;
  }

  /**
   * Ends the clock's life: time stops at its current value, timers still pending are dropped, and
   * the fake clock goes back to the pool for another run. Call once the run's history is taken;
   * later calls do nothing. Views stay readable; `setTimeout` on them schedules nothing.
   */
  release(): void {
    const fake = this.#fake;
    if (fake === undefined) return;
    this.#releasedAt = fake.now;
    this.#fake = undefined;
    releaseFakeClock(fake);
  }

  /** Virtual now, ms since the run began. */
  now(): number {
    return this.#fake === undefined ? this.#releasedAt : this.#fake.now;
  }

  /** Timers alive in the counted views (the virtual-time sentinel excluded). */
  timersAlive(): number {
    return (
      this.path.stats.alive +
      this.network.stats.alive +
      this.harness.stats.alive +
      this.library.stats.alive
    );
  }

  /** Records the first limit hit; the run loop ends at its next turn. */
  hitLimit(limit: LoopLimitRecord['limit'], max: number): void {
    if (this.limit !== undefined) return;
    this.limit = { kind: 'LoopLimit', limit, max, at: this.now(), timersFired: this.timersFired };
  }

  /**
   * Fires timers in time order, one per macrotask, until `isDone()` holds, nothing can happen any
   * more, or a limit is hit. `isDone` is called after every drain, so it sees every continuation
   * of the last timer (and may start new work, e.g. call the path's `stop()`). When no counted
   * timer is left the loop drains once more before it gives up, so work started by `isDone` can
   * still schedule timers. Resolves; rejects only if the engine itself is broken.
   */
  run(isDone: () => boolean): Promise<void> {
    const timersFiredMax = this.limits.timersFiredMax;
    const turnsPerIteration = this.#watchesImmediates ? turnsPerIterationMax : 1;
    let idleTurns = 0;
    let finished = false;
    /** Turns of the newest batch still queued; older batches' turns return at once. */
    let queued = 0;
    let batch = 0;
    return new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        finished = true;
        resolve();
      };
      // One turn: the last timer's continuations have drained; decide, then fire the next timer.
      const step = (): void => {
        if (this.limit !== undefined || isDone()) return finish();
        if (this.#drainFirst) {
          // isDone started work (a stop()): its continuations run before the next timer fires.
          this.#drainFirst = false;
          return next();
        }
        if (this.timersAlive() === 0) {
          // One more full drain: a continuation may still create a timer. Then it is quiescent.
          if (++idleTurns > 1) return finish();
          return next();
        }
        idleTurns = 0;
        if (this.timersFired >= timersFiredMax) {
          this.hitLimit('timersFired', timersFiredMax);
          return finish();
        }
        this.fake.next();
        next();
      };
      // Another code's setImmediate queued meanwhile runs in the next iteration: so must the next
      // turn, after it, as when every turn had an iteration of its own.
      const next = (): void => {
        if (queued > 0 && !this.#immediateQueued) return;
        this.#immediateQueued = false;
        const mine = ++batch;
        queued = turnsPerIteration;
        const turn = (): void => {
          if (finished || mine !== batch) return;
          queued--;
          try {
            step();
          } catch (error) {
            finished = true;
            reject(error);
          }
        };
        for (let i = 0; i < turnsPerIteration; i++) queueTurn(turn);
      };
      // Drain first: work queued before the loop (a path's start()) settles before any timer.
      next();
    });
  }

  /**
   * Asks the loop to drain once more before it fires the next timer: for work `isDone` started
   * outside any timer (the harness's `stop()` once everything settled), whose continuations
   * happen at this instant, not after the next timer.
   */
  drainFirst(): void {
    this.#drainFirst = true;
  }

  /**
   * Called by the run's watch on the global `setImmediate` (sim/globals.ts) when code of the run
   * queues a callback with it: the loop's next turn then waits for that callback, as it would if
   * the loop took one event-loop iteration per turn.
   */
  immediateQueued(): void {
    this.#immediateQueued = true;
  }

  /**
   * Whether someone reports every global `setImmediate` call of the run through
   * {@link immediateQueued}; only then does the loop queue several turns per iteration.
   */
  watchImmediates(): void {
    this.#watchesImmediates = true;
  }
}

/** One macrotask yield: every queued promise continuation has run when it resolves. */
export function drain(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function assertLimit(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new RangeError(`clock limit ${name} must be an integer in [${lo}, ${hi}], got ${value}`);
  }
}
