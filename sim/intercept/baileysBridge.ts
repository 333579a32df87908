/**
 * Where an intercepted `import makeWASocket from '@whiskeysockets/baileys'` lands. The module
 * hook (`properties/paths/baileysInterceptHooks.mjs`) gives such an import a stand-in module:
 * Baileys' every export, except `makeWASocket` (named and default), which calls this bridge.
 * The bridge answers by the process's state:
 * - during an intercepted run, with the run's fake socket (rc14's behaviour, the fake network);
 * - at any other time, with an error naming when it was called: while the module was being
 *   imported (a module connects in `start()`), or outside an intercepted run (code left running
 *   after a run, or a module on the seam that reaches around `env.makeSocket`). A process that
 *   intercepts Baileys is an audit: nothing in it may open a real connection to WhatsApp.
 *
 * The stand-in's `useMultiFileAuthState`, `makeCacheableSignalKeyStore`,
 * `fetchLatestBaileysVersion` and `fetchLatestWaWebVersion` call the bridge too, which answers them
 * in memory and offline at any time (baileysHelpers.ts), with a fresh auth state per run.
 *
 * The hook redirects Baileys only while the shared `redirect` flag is up (during an import for
 * interception and during intercepted runs): any other import gets the real module.
 *
 * The state lives on `globalThis` under a registered symbol, so every copy of this module in a
 * process (a test runner may load the sources and the build side by side) shares one.
 */
import type { SocketConfig, SocketFactory } from '../../src/ports.js';
import type {
  AuthenticationState,
  CacheStore,
  SignalKeyStore,
  WAVersion,
} from '@whiskeysockets/baileys';
import { withSocketStubs, type SocketStubs } from '../network/socketSurface.js';
import {
  cacheableSignalKeyStore,
  latestVersion,
  SimulatedAuthStates,
  type CacheableStoreMaker,
} from './baileysHelpers.js';

const bridgeKey = Symbol.for('baileys-sim.intercept.baileys');

type State =
  | { mode: 'idle' }
  | { mode: 'loading'; module: string }
  | { mode: 'run'; makeSocket: SocketFactory };

/** The process's bridge; see the module comment. */
class BaileysBridge {
  /** One Int32: 1 while Baileys imports are redirected. Shared with the hooks thread. */
  readonly redirectBuffer = new SharedArrayBuffer(4);
  readonly #redirect = new Int32Array(this.redirectBuffer);
  #state: State = { mode: 'idle' };
  /** Hook registrations made (by the loader): a process registers the hook once. */
  hookRegistered = false;
  /**
   * The audited module's own answers for unmodelled socket members (its `socketStubs` export), set
   * by its entry when a run starts and cleared when the run ends.
   */
  socketStubs: SocketStubs | undefined;
  readonly #auth = new SimulatedAuthStates();

  /**
   * What a stand-in `makeWASocket(config)` returns now (see the module comment). `outsideRun`
   * answers a call outside a run instead of the default error (the drop-in names its own remedy).
   */
  makeWASocket(config: SocketConfig | undefined, outsideRun?: () => never): unknown {
    const state = this.#state;
    if (state.mode === 'run') return withSocketStubs(state.makeSocket(config), this.socketStubs);
    if (state.mode === 'loading') {
      throw new Error(
        `baileys-sim: ${state.module} called makeWASocket while it was being imported; ` +
          `open the connection in start() instead`,
      );
    }
    if (outsideRun !== undefined) return outsideRun();
    throw new Error(
      'baileys-sim: makeWASocket was called outside an intercepted run: by code still ' +
        'running after its run ended, or by a send path on the seam that calls Baileys ' +
        'itself instead of env.makeSocket (audit it with --intercept)',
    );
  }

  /**
   * The stand-in's `useMultiFileAuthState(folder)`: in memory, fresh each run (baileysHelpers.ts).
   */
  async useMultiFileAuthState(
    folder: unknown,
  ): Promise<{ state: AuthenticationState; saveCreds: () => Promise<void> }> {
    return this.#auth.forFolder(folder);
  }

  /**
   * The stand-in's `makeCacheableSignalKeyStore`: rc14's (`real`) over a timer-free cache unless
   * the bot gave one.
   */
  makeCacheableSignalKeyStore(
    real: CacheableStoreMaker,
    store: SignalKeyStore,
    logger?: unknown,
    cache?: CacheStore,
  ): SignalKeyStore {
    return cacheableSignalKeyStore(real, store, logger, cache);
  }

  /**
   * The stand-in's `fetchLatestBaileysVersion` and `fetchLatestWaWebVersion`: rc14's own version,
   * offline.
   */
  async fetchLatestVersion(): Promise<{ version: WAVersion; isLatest: true }> {
    return latestVersion();
  }

  /** Whether Baileys imports are redirected now. */
  get redirecting(): boolean {
    return Atomics.load(this.#redirect, 0) === 1;
  }

  /** Redirects Baileys imports while `module` is imported; the returned function ends it. */
  beginLoading(module: string): () => void {
    return this.#enter({ mode: 'loading', module });
  }

  /**
   * Sends `makeWASocket` to `makeSocket` (a run's fake factory) until the returned function is
   * called.
   */
  beginRun(makeSocket: SocketFactory): () => void {
    const end = this.#enter({ mode: 'run', makeSocket });
    this.#auth.beginRun();
    return () => {
      this.#auth.endRun();
      this.socketStubs = undefined;
      end();
    };
  }

  #enter(state: State): () => void {
    if (this.#state.mode !== 'idle')
      throw new Error(`invariant: Baileys interception already in use (${this.#state.mode})`);
    this.#state = state;
    Atomics.store(this.#redirect, 0, 1);
    return () => {
      this.#state = { mode: 'idle' };
      Atomics.store(this.#redirect, 0, 0);
    };
  }
}

/** The process's one bridge. */
export function baileysBridge(): BaileysBridge {
  const holder = globalThis as unknown as Record<symbol, BaileysBridge | undefined>;
  holder[bridgeKey] ??= new BaileysBridge();
  return holder[bridgeKey];
}
