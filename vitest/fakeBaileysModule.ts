/**
 * `fakeBaileysModule(original)`: Baileys as a vitest mock factory returns it. Every export of the
 * real module passes through, except `makeWASocket` (named and default), which opens a socket on
 * the fake network of the open `whatsapp` session. The module imports nothing, so a mock factory
 * can load it while Baileys itself is being mocked.
 *
 * A test's `vi.mock` factory for `@whiskeysockets/baileys` imports `fakeBaileysModule` from
 * `baileys-sim/vitest` dynamically and returns `fakeBaileysModule(await importOriginal())`
 * (docs/audit-as-written.md has the whole test).
 */

/** The process's interception bridge (see `sim/intercept/baileysBridge.ts`), read when a socket is made. */
const bridgeKey = Symbol.for('baileys-sim.intercept.baileys');

interface Bridge {
  makeWASocket(config: unknown, outsideRun: () => never): unknown;
}

/** A `makeWASocket` that answers only inside a `whatsapp` session. */
function sessionMakeWASocket(config?: unknown): unknown {
  const bridge = (globalThis as unknown as Record<symbol, Bridge | undefined>)[bridgeKey];
  const outside = (): never => {
    throw new Error('baileys-sim: makeWASocket was called with no whatsapp session open; call whatsapp.begin() first (e.g. in beforeEach)');
  };
  return bridge === undefined ? outside() : bridge.makeWASocket(config, outside);
}

/** The mocked module: `original`'s exports, with `makeWASocket` and `default` on the fake network. */
export function fakeBaileysModule<T extends object>(original: T): Omit<T, 'default' | 'makeWASocket'> & { default: typeof sessionMakeWASocket; makeWASocket: typeof sessionMakeWASocket } {
  if (typeof original !== 'object' || original === null) {
    throw new TypeError('fakeBaileysModule(original): pass the real module, e.g. fakeBaileysModule(await importOriginal())');
  }
  return { ...original, default: sessionMakeWASocket, makeWASocket: sessionMakeWASocket };
}
