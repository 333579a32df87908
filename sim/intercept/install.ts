/**
 * Interception for one run: the process's global timers, `Date` and randomness on the run's
 * virtual clock and seed, and `makeWASocket` from an intercepted Baileys import on the run's
 * fake network. Installed when the run starts and undone when it ends, also when it throws:
 * between runs the process is as it was (a named import of a replaced built-in export keeps a
 * router that calls what the exports object holds: builtinBindings.ts). One run at a time per
 * process: the globals are shared, so a second interception while one is installed is refused.
 */
import type { SocketFactory } from '../../src/ports.js';
import type { VirtualClock } from '../clock.js';
import { baileysBridge } from './baileysBridge.js';
import { syncBindingsOfRoutes } from './builtinBindings.js';
import { patchGlobalTimers } from './globalTimers.js';
import { Patches } from './patches.js';
import { patchRandomness } from './seededRandomness.js';

/** What an intercepted run hands the interception. */
interface InterceptedRun {
  /**
   * The run's clock: global timers go through its send-path view (Baileys' own through its library
   * view), `Date` is its fake-timers `Date`.
   */
  clock: VirtualClock;
  /** The timeline's seed: `Math.random` and crypto's random bytes derive from it. */
  seed: number;
  /** The run's fake `makeWASocket`. */
  makeSocket: SocketFactory;
}

/** An intercepted run was started while another one is installed in this process. */
export class InterceptionBusyError extends Error {
  override readonly name = 'InterceptionBusyError';
  constructor() {
    super(
      'baileys-sim: an intercepted run is already in progress in this process; ' +
        'intercepted runs go one at a time (they replace globals)',
    );
  }
}

let installed = false;

/** True while an interception is installed in this process. */
export function interceptionInstalled(): boolean {
  return installed;
}

/** Installs the interception of `run`; the returned function undoes all of it (idempotent). */
export function installInterception(run: InterceptedRun): () => void {
  if (installed) throw new InterceptionBusyError();
  installed = true;
  const patches = new Patches();
  let endBridge: (() => void) | undefined;
  let undone = false;
  const undo = (): void => {
    if (undone) return;
    undone = true;
    try {
      endBridge?.();
      patches.restore();
    } finally {
      installed = false;
    }
  };
  try {
    patchGlobalTimers(
      patches,
      { path: run.clock.path, library: run.clock.library },
      run.clock.fake.Date,
    );
    patchRandomness(patches, run.seed);
    // Named imports of built-ins (Baileys' `randomBytes` of the crypto module, a path's
    // `setTimeout` of node:timers) reach the patches through their routers once synced.
    syncBindingsOfRoutes();
    endBridge = baileysBridge().beginRun(run.makeSocket);
  } catch (error) {
    undo();
    throw error;
  }
  return undo;
}
