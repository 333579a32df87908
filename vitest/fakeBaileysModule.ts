/**
 * `fakeBaileysModule(original)`: Baileys as a vitest mock factory returns it. Every export of the
 * real module passes through, except `makeWASocket` (named and default), which opens a socket on
 * the fake network of the open `whatsapp` session, and the helpers that touch the disk or the
 * network, answered as an audit answers them (`sim/intercept/baileysHelpers.ts`):
 * `useMultiFileAuthState` in memory (fresh each session), `makeCacheableSignalKeyStore` with a
 * timer-free cache, `fetchLatestBaileysVersion` and `fetchLatestWaWebVersion` offline with rc14's
 * version. The module imports nothing, so a mock factory can load it while Baileys itself is
 * being mocked.
 *
 * A test's `vi.mock` factory for `@whiskeysockets/baileys` imports `fakeBaileysModule` from
 * `baileys-sim/vitest` dynamically and returns `fakeBaileysModule(await importOriginal())`
 * (docs/audit-as-written.md has the whole test).
 */

/**
 * The process's interception bridge (see `sim/intercept/baileysBridge.ts`), read when a socket is
 * made.
 */
const bridgeKey = Symbol.for('baileys-sim.intercept.baileys');

interface Bridge {
  makeWASocket(config: unknown, outsideRun: () => never): unknown;
  useMultiFileAuthState(folder: unknown): Promise<unknown>;
  makeCacheableSignalKeyStore(
    real: unknown,
    store: unknown,
    logger?: unknown,
    cache?: unknown,
  ): unknown;
  fetchLatestVersion(): Promise<unknown>;
}

/** The process's bridge, or an error naming the remedy when no session ever opened one. */
function bridgeOf(what: string): Bridge {
  const bridge = (globalThis as unknown as Record<symbol, Bridge | undefined>)[bridgeKey];
  if (bridge === undefined)
    throw new Error(
      `baileys-sim: ${what} was called with no whatsapp session open; call ` +
        `whatsapp.begin() first (e.g. in beforeEach)`,
    );
  return bridge;
}

/** A `makeWASocket` that answers only inside a `whatsapp` session. */
function sessionMakeWASocket(config?: unknown): unknown {
  const bridge = (globalThis as unknown as Record<symbol, Bridge | undefined>)[bridgeKey];
  const outside = (): never => {
    throw new Error(
      'baileys-sim: makeWASocket was called with no whatsapp session open; call ' +
        'whatsapp.begin() first (e.g. in beforeEach)',
    );
  };
  return bridge === undefined ? outside() : bridge.makeWASocket(config, outside);
}

/** The names {@link fakeBaileysModule} replaces. */
type Replaced =
  | 'default'
  | 'makeWASocket'
  | 'useMultiFileAuthState'
  | 'makeCacheableSignalKeyStore'
  | 'fetchLatestBaileysVersion'
  | 'fetchLatestWaWebVersion';

/**
 * The mocked module: `original`'s exports, with `makeWASocket` and `default` on the fake network
 * and the disk and network helpers answered in memory and offline (see the module comment).
 */
export function fakeBaileysModule<T extends object>(
  original: T,
): Omit<T, Replaced> & {
  default: typeof sessionMakeWASocket;
  makeWASocket: typeof sessionMakeWASocket;
} & Pick<T, Extract<keyof T, Replaced>> {
  if (typeof original !== 'object' || original === null) {
    throw new TypeError(
      'fakeBaileysModule(original): pass the real module, e.g. fakeBaileysModule(await ' +
        'importOriginal())',
    );
  }
  const realCacheable = (original as Record<string, unknown>)['makeCacheableSignalKeyStore'];
  const helpers = {
    useMultiFileAuthState: (folder: unknown) =>
      bridgeOf('useMultiFileAuthState').useMultiFileAuthState(folder),
    makeCacheableSignalKeyStore: (store: unknown, logger?: unknown, cache?: unknown) =>
      bridgeOf('makeCacheableSignalKeyStore').makeCacheableSignalKeyStore(
        realCacheable,
        store,
        logger,
        cache,
      ),
    fetchLatestBaileysVersion: () => bridgeOf('fetchLatestBaileysVersion').fetchLatestVersion(),
    fetchLatestWaWebVersion: () => bridgeOf('fetchLatestWaWebVersion').fetchLatestVersion(),
  };
  return {
    ...original,
    ...helpers,
    default: sessionMakeWASocket,
    makeWASocket: sessionMakeWASocket,
  } as never;
}
