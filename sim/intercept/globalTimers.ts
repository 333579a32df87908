/**
 * The global timers of Node, run on a run's virtual clock: `setTimeout`, `clearTimeout`,
 * `setInterval`, `clearInterval` on `globalThis` and in `node:timers`, `setTimeout` of
 * `node:timers/promises` (and so `util.promisify(setTimeout)`), `Date`, `performance.now()` and
 * `process.hrtime`. Every timer the path makes goes through the send path's counted view of the
 * clock, so it is one of the path's timers to the run loop and to the checkers (`clean`,
 * `bounded`), exactly as a timer made through `env.clock` is. A timer Baileys or one of its
 * dependencies makes (the cache timer of `makeCacheableSignalKeyStore`) is not the path's: the
 * stack at the call says whose it is (sites.ts: the first frame in Baileys or in the user's code
 * decides), and Baileys' go through the clock's `library` view, which runs them and counts them
 * apart. `Date` is the run's fake-timers `Date` (virtual time
 * from the epoch: 1970-01-01 at the start of the run, as the fake server's message timestamps).
 *
 * Left real on purpose: `setImmediate`, `queueMicrotask` and `process.nextTick`, which the run
 * loop itself drains with (they run at once in virtual time, in a fixed order), and the
 * `setInterval` async iterator of `node:timers/promises`.
 *
 * Why not fake-timers' own `install`: it makes a clock of its own, whose timers neither the run
 * loop nor the checkers would see; here the globals are routed into the run's fake-timers clock.
 */
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ClockView, TimerOrigin } from '../clock.js';
import { ownerOfCall } from '../sites.js';
import { routeBuiltinExport, type RoutedFunction } from './builtinBindings.js';
import { Patches } from './patches.js';

/**
 * Node's largest timer delay; a longer (or a non-positive, or NaN) one becomes 1 ms, as in Node.
 */
const nodeTimerDelayMsMax = 2 ** 31 - 1;

/**
 * Node's delay rule (`lib/internal/timers.js`, `Timeout`): coerce to a number, 1 ms unless in [1,
 * 2^31 - 1].
 */
function nodeDelayMs(delay: unknown): number {
  const ms = Number(delay);
  return ms >= 1 && ms <= nodeTimerDelayMsMax ? ms : 1;
}

/**
 * A timer as the path sees it: Node's `Timeout` surface (`ref`, `unref`, `hasRef`, `refresh`,
 * `close`, a number through `Symbol.toPrimitive`), backed by a handle of a clock view: the
 * path's, or the library's for a timer Baileys made.
 */
class VirtualTimeout {
  readonly #owner: GlobalTimers;
  readonly #view: ClockView;
  readonly id: number;
  readonly #callback: (...args: unknown[]) => void;
  readonly #args: unknown[];
  readonly #origin: TimerOrigin;
  #handle: unknown;
  #active = false;
  #refed = true;

  constructor(
    owner: GlobalTimers,
    view: ClockView,
    id: number,
    callback: (...args: unknown[]) => void,
    args: unknown[],
    origin: TimerOrigin,
  ) {
    this.#owner = owner;
    this.#view = view;
    this.id = id;
    this.#callback = callback;
    this.#args = args;
    this.#origin = origin;
  }

  /** @internal Schedules the next firing on its view. */
  arm(): void {
    this.#active = true;
    this.#handle = this.#view.schedule(() => this.#fire(), this.#origin.delayMs, this.#origin);
  }

  /** @internal Cancels it; a no-op once fired (a timeout) or cleared. */
  disarm(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#view.clearTimeout(this.#handle);
    this.#owner.forget(this);
  }

  #fire(): void {
    if (!this.#origin.repeats) {
      this.#active = false;
      this.#owner.forget(this);
    }
    try {
      this.#callback.apply(this, this.#args);
    } finally {
      // Node re-arms an interval after its callback, unless the callback cleared it.
      if (this.#origin.repeats && this.#active) this.arm();
    }
  }

  ref(): this {
    this.#refed = true;
    return this;
  }

  unref(): this {
    this.#refed = false;
    return this;
  }

  hasRef(): boolean {
    return this.#refed;
  }

  /** Restarts the timer with its delay from now, as Node's `refresh()`. */
  refresh(): this {
    if (this.#active) {
      this.#view.clearTimeout(this.#handle);
      this.arm();
    }
    return this;
  }

  close(): this {
    this.disarm();
    return this;
  }

  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/**
 * The clock views the globals' timers go to: the path's, and Baileys' own (see the module comment).
 */
interface TimerViews {
  readonly path: ClockView;
  readonly library: ClockView;
}

/** The timers of one run (ids, live timeouts); see the module comment. */
class GlobalTimers {
  readonly #views: TimerViews;
  readonly #live = new Map<number, VirtualTimeout>();
  #ids = 0;

  constructor(views: TimerViews) {
    this.#views = views;
  }

  /**
   * A new timer, armed; `caller` is the global function the code called (left out of the
   * stack that says whose the timer is).
   */
  make(
    callback: unknown,
    delay: unknown,
    args: unknown[],
    repeat: boolean,
    caller: (...a: never[]) => unknown,
  ): VirtualTimeout {
    if (typeof callback !== 'function') {
      throw new TypeError(
        `The "callback" argument must be of type function. Received ` +
          `${callback === null ? 'null' : typeof callback}`,
      );
    }
    // The stack is kept only when the run records creation sites: a kept stack keeps its frames'
    // objects alive.
    const site = this.#views.path.captureSites;
    const { madeBy, stack } = ownerOfCall(caller, callback, site);
    const view = madeBy === 'baileys' ? this.#views.library : this.#views.path;
    const call = repeat ? 'setInterval' : 'setTimeout';
    const origin: TimerOrigin = site
      ? { createdAt: view.now(), delayMs: nodeDelayMs(delay), repeats: repeat, call, stack }
      : { createdAt: view.now(), delayMs: nodeDelayMs(delay), repeats: repeat, call };
    const timeout = new VirtualTimeout(
      this,
      view,
      ++this.#ids,
      callback as (...a: unknown[]) => void,
      args,
      origin,
    );
    this.#live.set(timeout.id, timeout);
    timeout.arm();
    return timeout;
  }

  /** The live timeout `handle` names (the object, or its number), if it is one of this run's. */
  find(handle: unknown): VirtualTimeout | undefined {
    if (handle instanceof VirtualTimeout) return handle;
    if (typeof handle === 'number' || typeof handle === 'string')
      return this.#live.get(Number(handle));
    return undefined;
  }

  forget(timeout: VirtualTimeout): void {
    this.#live.delete(timeout.id);
  }
}

/**
 * Puts the global timers, `Date`, `performance.now` and `process.hrtime` on `views` (the path's
 * view of the run's clock, and the library's for Baileys' own timers) and `fakeDate` (the run's
 * fake-timers `Date`), in `patches`. Named imports of `node:timers` follow through the routers
 * of builtinBindings.ts.
 */
export function patchGlobalTimers(
  patches: Patches,
  views: TimerViews,
  fakeDate: DateConstructor,
): void {
  const run = new GlobalTimers(views);
  const view = views.path;
  const realClearTimeout = globalThis.clearTimeout;
  const realClearInterval = globalThis.clearInterval;
  const setTimeoutFn = (callback: unknown, delay?: unknown, ...args: unknown[]): VirtualTimeout =>
    run.make(callback, delay, args, false, setTimeoutFn);
  const setIntervalFn = (callback: unknown, delay?: unknown, ...args: unknown[]): VirtualTimeout =>
    run.make(callback, delay, args, true, setIntervalFn);
  // A handle from before the run (a real Timeout) is still cleared for real.
  const clearTimeoutFn = (handle: unknown) => {
    const timeout = run.find(handle);
    if (timeout === undefined) realClearTimeout(handle as NodeJS.Timeout);
    else timeout.disarm();
  };
  const clearIntervalFn = (handle: unknown) => {
    const timeout = run.find(handle);
    if (timeout === undefined) realClearInterval(handle as NodeJS.Timeout);
    else timeout.disarm();
  };
  const sleep = (
    delay?: unknown,
    value?: unknown,
    options?: { signal?: AbortSignal },
  ): Promise<unknown> => virtualSleep(run, delay, value, options?.signal, sleep);
  Object.defineProperty(setTimeoutFn, promisify.custom, { value: sleep });
  const replacements = {
    setTimeout: setTimeoutFn,
    setInterval: setIntervalFn,
    clearTimeout: clearTimeoutFn,
    clearInterval: clearIntervalFn,
  };
  for (const [name, fn] of Object.entries(replacements))
    routeBuiltinExport(patches, timers, name, fn as RoutedFunction, globalThis);
  routeBuiltinExport(patches, timersPromises, 'setTimeout', sleep as RoutedFunction);
  patches.set(globalThis, 'Date', fakeDate);
  patches.set(performance, 'now', () => view.now());
  const hrtime = Object.assign(
    (previous?: [number, number]) => {
      const ns = Math.round(view.now() * 1e6);
      const now: [number, number] = [Math.floor(ns / 1e9), ns % 1e9];
      if (previous === undefined) return now;
      const diff = ns - (previous[0] * 1e9 + previous[1]);
      return [Math.floor(diff / 1e9), diff % 1e9];
    },
    { bigint: () => BigInt(Math.round(view.now() * 1e6)) },
  );
  routeBuiltinExport(patches, process, 'hrtime', hrtime as RoutedFunction);
}

/** `timers/promises` `setTimeout` on the virtual clock, with its `AbortSignal`. */
function virtualSleep(
  run: GlobalTimers,
  delay: unknown,
  value: unknown,
  signal: AbortSignal | undefined,
  caller: (...a: never[]) => unknown,
): Promise<unknown> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      timeout.disarm();
      reject(abortError(signal!));
    };
    const timeout = run.make(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      delay,
      [],
      false,
      caller,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}
