/**
 * What the process's globals are while a seam-mode run executes. A send path must reach time,
 * timers and randomness through its `SimEnv` ports; one that calls the global ones instead is
 * not simulated but only looks so (a global `setTimeout` backoff fires in wall time, between or
 * after runs, or never in the run's virtual hours). The modes:
 *
 * - `'tripwire'` (the default): for the run, `setTimeout`, `setInterval`, `Date.now`, `Date()` and
 *   `new Date()` without arguments, `Math.random`, `randomUUID` / `getRandomValues` of
 *   `globalThis.crypto` and `randomUUID` / `randomBytes` of `node:crypto`'s module object are
 *   replaced. A call is recorded
 *   ({@link GlobalUse}: its name and virtual time) and answered with a placeholder that keeps the
 *   run deterministic, so the run's failure replays: a timer that never fires, the virtual time
 *   as the date, draws from the run's own `globals` stream. They are put back when the run ends,
 *   also when it throws.
 * - `'untouched'`: the globals stay as they are (a host that needs them during a run).
 * - `'intercept'`: the globals are faked on purpose, for a path audited as written: timers and
 *   `Date` run on the run's virtual clock, randomness on its seed, and an intercepted Baileys
 *   import's `makeWASocket` on its fake network (see `intercept/`).
 *
 * In both modes that change globals, `setImmediate` is watched: a call queues its callback as
 * always and tells the run loop, which queues several turns per event-loop iteration, to run its
 * next turn after that callback (sim/clock.ts); under `'untouched'` the loop takes one iteration
 * per turn instead. `setImmediate` of `node:timers` or `node:timers/promises` imported by name is
 * not seen: its callback may run a few virtual timers later than in production.
 * Left alone on purpose: `queueMicrotask` and `process.nextTick` (drained before every turn;
 * neither reads the time),
 * `performance.now` and `process.hrtime` (hosts measure with them; what they change in a history
 * the determinism re-run finds), and `node:crypto` functions imported by name into an ES module
 * (an ES module binding of a built-in is updated only by `syncBuiltinESMExports`, about 60 µs a
 * call: too dear twice per run; the determinism re-run finds their effect too).
 *
 * Every call made while the run executes counts, whoever makes it: the run owns the thread then
 * (simulations run one at a time per thread). A host that calls these globals between two turns
 * of a run (a test runner's own timers captured at load time are not affected) should pass
 * `'untouched'`.
 *
 * A new mode (one that fakes the globals on purpose) is one more entry of {@link globalsModes}
 * and one more case in {@link enterGlobals}.
 */
import nodeCrypto from 'node:crypto';
import { promisify } from 'node:util';
import { uuidV4Of } from './random.js';

/** The modes of `SimulateOptions.globals`. */
export const globalsModes = ['tripwire', 'untouched', 'intercept'] as const;

/** One mode of {@link globalsModes}. */
export type GlobalsMode = (typeof globalsModes)[number];

/** The globals the tripwire watches, as a use names them. */
export type GlobalName =
  | 'setTimeout'
  | 'setInterval'
  | 'Date.now'
  | 'Date()'
  | 'new Date()'
  | 'Math.random'
  | 'crypto.randomUUID'
  | 'crypto.randomBytes'
  | 'crypto.getRandomValues';

/** One call of a watched global during a run. */
export interface GlobalUse {
  /** Virtual time of the call, ms. */
  at: number;
  name: GlobalName;
}

/** Uses recorded per run; later ones are not (the first is what a reader needs). */
export const globalUsesMax = 20;

/** What a mode needs from the run it serves. */
interface GlobalsRun {
  /** The run's virtual time, ms. */
  now(): number;
  /** A uniform draw in [0, 1) from the run's own seeded stream. */
  draw(): number;
  /** Records a call of a watched global. */
  record(name: GlobalName): void;
  /** Installs the run's interception (mode `'intercept'`); returns what undoes it. */
  intercept(): () => void;
  /** From now on every call of the global `setImmediate` is reported to {@link immediateQueued}. */
  watchImmediates(): void;
  /** Code of the run called the global `setImmediate`. */
  immediateQueued(): void;
}

/** True while a tripwire is set: globals are the process's, so one run at a time may hold them. */
let tripwireSet = false;

/** Whether a run holds the process's globals now (a second one must wait). */
export function globalsHeld(): boolean {
  return tripwireSet;
}

/** Checks a `globals` option; the message names the option. */
export function checkGlobalsMode(mode: unknown): GlobalsMode {
  if (mode === undefined) return 'tripwire';
  if (!(globalsModes as readonly unknown[]).includes(mode)) {
    const names = globalsModes.map((m) => `'${m}'`);
    throw new RangeError(
      `simulate option globals must be ${names.slice(0, -1).join(', ')} or ` +
        `${names.at(-1)}` +
        `, got ${JSON.stringify(mode)}`,
    );
  }
  return mode as GlobalsMode;
}

/**
 * Sets the process's globals up for a run in `mode`; returns the function that puts them back
 * (call it in a `finally`). Throws if another run holds them.
 */
export function enterGlobals(mode: GlobalsMode, run: GlobalsRun): () => void {
  switch (mode) {
    case 'untouched':
      return () => undefined;
    case 'tripwire':
      return withImmediatesWatched(run, setTripwire(run));
    case 'intercept':
      return withImmediatesWatched(run, run.intercept());
  }
}

/**
 * Wraps the global `setImmediate` for the run (see the module comment); returns what undoes it
 * and then `undoFirst`. A host that froze the global keeps it, and the loop one turn per iteration.
 */
function withImmediatesWatched(run: GlobalsRun, undoFirst: () => void): () => void {
  const saved: Saved[] = [];
  try {
    const original = globalThis.setImmediate;
    const watched = function (
      this: unknown,
      ...args: Parameters<typeof setImmediate>
    ): NodeJS.Immediate {
      run.immediateQueued();
      return original.apply(this, args);
    };
    const promised = (original as unknown as Record<symbol, unknown>)[promisify.custom];
    if (typeof promised === 'function') {
      Object.defineProperty(watched, promisify.custom, {
        value: function (this: unknown, ...args: unknown[]): unknown {
          run.immediateQueued();
          return promised.apply(this, args);
        },
      });
    }
    replace(saved, globalThis, 'setImmediate', watched);
  } catch (error) {
    restore(saved);
    undoFirst();
    throw error;
  }
  if (saved.length > 0) run.watchImmediates();
  return () => {
    try {
      restore(saved);
    } finally {
      undoFirst();
    }
  };
}

/** A property of an object, saved to be put back exactly as it was. */
interface Saved {
  target: object;
  key: PropertyKey;
  descriptor: PropertyDescriptor | undefined;
}

/**
 * Replaces `target[key]` (own or inherited) for the run; a property the host froze is left as it
 * is.
 */
function replace(saved: Saved[], target: object, key: PropertyKey, value: unknown): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor !== undefined && !descriptor.configurable) return;
  saved.push({ target, key, descriptor });
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: descriptor?.enumerable ?? false,
  });
}

function restore(saved: readonly Saved[]): void {
  for (let i = saved.length - 1; i >= 0; i--) {
    const { target, key, descriptor } = saved[i]!;
    if (descriptor === undefined) delete (target as Record<PropertyKey, unknown>)[key];
    else Object.defineProperty(target, key, descriptor);
  }
}

function setTripwire(run: GlobalsRun): () => void {
  if (tripwireSet) throw new Error('invariant: one run at a time holds the globals');
  tripwireSet = true;
  const saved: Saved[] = [];
  try {
    replace(saved, globalThis, 'setTimeout', inertTimer(run, 'setTimeout'));
    replace(saved, globalThis, 'setInterval', inertTimer(run, 'setInterval'));
    replace(saved, globalThis, 'Date', virtualDate(run, globalThis.Date));
    replace(saved, Math, 'random', () => {
      run.record('Math.random');
      return run.draw();
    });
    for (const target of cryptoTargets()) {
      replace(saved, target, 'randomUUID', () => {
        run.record('crypto.randomUUID');
        return uuidOf(run);
      });
      if (target === nodeCrypto) replace(saved, target, 'randomBytes', randomBytesOf(run));
      // node:crypto's own getRandomValues is a getter the host cannot replace: the web one only.
      replace(saved, target, 'getRandomValues', <T extends ArrayBufferView | null>(array: T): T => {
        run.record('crypto.getRandomValues');
        if (array !== null)
          fillBytes(run, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
        return array;
      });
    }
  } catch (error) {
    restore(saved);
    tripwireSet = false;
    throw error;
  }
  return () => {
    restore(saved);
    tripwireSet = false;
  };
}

/** `node:crypto`'s module object and the web `crypto`, when the host has one. */
function cryptoTargets(): object[] {
  const web = (globalThis as { crypto?: object }).crypto;
  return web === undefined ? [nodeCrypto] : [nodeCrypto, web];
}

/** A handle with the methods code calls on a Node timer; `clearTimeout` ignores it. */
function inertHandle(): object {
  const handle = {
    ref: () => handle,
    unref: () => handle,
    hasRef: () => false,
    refresh: () => handle,
    close: () => handle,
    [Symbol.toPrimitive]: () => 0,
  };
  return handle;
}

/** A timer function that records its call and never fires (nor does its promisified form). */
function inertTimer(
  run: GlobalsRun,
  name: 'setTimeout' | 'setInterval',
): (...args: unknown[]) => object {
  const timer = (): object => {
    run.record(name);
    return inertHandle();
  };
  Object.defineProperty(timer, promisify.custom, {
    value: () => {
      run.record(name);
      return new Promise(() => undefined);
    },
  });
  return timer;
}

/**
 * `Date` as it is, except that the current time (`Date.now()`, `Date()`, `new Date()`) is the
 * run's virtual time, recorded. A proxy, so `instanceof Date` and `Date.prototype` are unchanged.
 */
function virtualDate(run: GlobalsRun, RealDate: DateConstructor): DateConstructor {
  const now = (): number => {
    run.record('Date.now');
    return run.now();
  };
  return new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (args.length > 0) return Reflect.construct(target, args, newTarget) as object;
      run.record('new Date()');
      return Reflect.construct(target, [run.now()], newTarget) as object;
    },
    apply() {
      run.record('Date()');
      return new RealDate(run.now()).toString();
    },
    get(target, key, receiver) {
      return key === 'now' ? now : Reflect.get(target, key, receiver);
    },
  });
}

function fillBytes(run: GlobalsRun, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(run.draw() * 256);
}

/** A version-4 UUID made of the run's draws. */
function uuidOf(run: GlobalsRun): string {
  const bytes = new Uint8Array(16);
  fillBytes(run, bytes);
  return uuidV4Of(bytes);
}

/** `randomBytes(size[, callback])` over the run's draws; the callback, if any, in a microtask. */
function randomBytesOf(
  run: GlobalsRun,
): (size: number, callback?: (error: Error | null, bytes: Buffer) => void) => Buffer | undefined {
  return (size, callback) => {
    run.record('crypto.randomBytes');
    const bytes = Buffer.alloc(size);
    fillBytes(run, bytes);
    if (typeof callback !== 'function') return bytes;
    queueMicrotask(() => callback(null, bytes));
    return undefined;
  };
}
