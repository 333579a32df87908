/**
 * A send path as written: a module that imports `makeWASocket` itself, sleeps with `setTimeout`
 * and keeps its socket in a module-level variable, put under the harness through the smallest
 * adapter, its entry:
 *
 * ```ts
 * export async function start({ onMessage }) { ... }   // connect; hand each message to onMessage
 * export async function stop() { ... }                  // end the socket, clear the timers
 * export function reset() { ... }                       // optional: module state back to fresh
 * ```
 *
 * `onMessage` takes `{ chatJid, id, text, reply(text) }` (and, optionally, `sendMedia(media)` and
 * `sendComposing()`), as the seam's `InboundMessage`. Such a module runs with Baileys and the
 * globals intercepted (`sim/intercept/`): it is loaded once per process, and its state is reset
 * before every run by its own `reset()` (without one, state left by a run leaks into the next,
 * and the determinism re-runs report it).
 */
import type { AsWrittenModule } from '../../src/asWritten.js';
import type { InboundMessage, SendPath, SendPathFactory } from '../../src/ports.js';
import { baileysBridge } from '../../sim/intercept/baileysBridge.js';
import { withSocketStubs, type SocketStubs } from '../../sim/network/socketSurface.js';

/** The exports of an as-written module the harness uses (the public contract: src/asWritten.ts). */
type AsWrittenEntry = AsWrittenModule;

/**
 * A seam factory whose sockets carry `socketStubs` (the module's answers for unmodelled socket
 * members); the factory itself when there are none.
 */
export function seamFactoryWithStubs(
  factory: SendPathFactory,
  socketStubs: SocketStubs | undefined,
): SendPathFactory {
  if (socketStubs === undefined) return factory;
  return (env) =>
    factory({
      ...env,
      makeSocket: (config) => withSocketStubs(env.makeSocket(config), socketStubs),
    });
}

/** Whether a module's exports make an as-written entry (a `start` and a `stop` function). */
export function isAsWrittenEntry(exports: Record<string, unknown>): boolean {
  return typeof exports['start'] === 'function' && typeof exports['stop'] === 'function';
}

/** The entry's functions, taken from a module's exports (see {@link isAsWrittenEntry}). */
export function asWrittenEntryOf(exports: Record<string, unknown>): AsWrittenEntry {
  const reset = exports['reset'];
  return {
    start: exports['start'] as AsWrittenEntry['start'],
    stop: exports['stop'] as AsWrittenEntry['stop'],
    ...(typeof reset === 'function' ? { reset: reset as () => unknown } : {}),
  };
}

/**
 * An entry's `reset()` threw (or rejected): the module cannot be put back as a fresh import has
 * it, which is the module's fault, not a finding of the run (see construction.ts). The cause is
 * what `reset()` threw.
 */
export class EntryResetError extends Error {
  override readonly name = 'EntryResetError';
  constructor(cause: unknown) {
    const thrown = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`reset() threw: ${thrown}`, { cause });
  }
}

/**
 * A `SendPathFactory` over an entry. The factory ignores its ports but the store: an as-written
 * module reaches Baileys, time and randomness itself, and interception points those at the run's.
 * Each run, and each restart of the bot in it, first calls `reset()` (the process's memory is
 * gone), then `start()`; `stop()` is the entry's.
 */
export function asWrittenFactory(
  entry: AsWrittenEntry,
  socketStubs?: SocketStubs,
): SendPathFactory {
  return (env): SendPath => ({
    async start(onMessage) {
      baileysBridge().socketStubs = socketStubs;
      try {
        await entry.reset?.();
      } catch (error) {
        throw new EntryResetError(error);
      }
      await entry.start({ onMessage, store: env.store });
    },
    async stop() {
      await entry.stop();
    },
  });
}
