/**
 * The Baileys helpers almost every bot calls in its first lines, as an audited module meets them
 * (the stand-in of `baileysInterceptHooks.mjs`, and `fakeBaileysModule` of `baileys-sim/vitest`):
 *
 * - `useMultiFileAuthState(folder)` keeps the state in memory and writes nothing: rc14's reads and
 *   writes `folder` on disk (`Utils/use-multi-file-auth-state.js`), real I/O that finishes at a
 *   moment of the machine's, not of virtual time, and leaves files behind. Each run starts from
 *   a fresh state per folder, a paired session (`creds.me` the simulated account, `registered`),
 *   and calls for the same folder within a run share it, as the files would; `saveCreds()`
 *   resolves at once; `keys` answers `null` for what was never set, as rc14's missing file does.
 *   Called while the module is imported (top-level `await`), the state is the process's, one
 *   for every run.
 * - `makeCacheableSignalKeyStore(store, logger, cache?)` is rc14's own, given a `Map` cache when
 *   the bot passes none: rc14's default cache (`@cacheable/node-cache`, 5 min TTL) keeps a
 *   10-minute expiry timer (`checkperiod`) that would run on the run's clock and outlive
 *   `stop()` as if it were the bot's. The cache only spares store reads; what `get` returns is
 *   the same.
 * - `fetchLatestBaileysVersion()` and `fetchLatestWaWebVersion()` answer at once, offline, with
 *   rc14's own version (`DEFAULT_CONNECTION_CONFIG.version`, the one the simulated server speaks)
 *   and `isLatest: true`; rc14's go to GitHub and web.whatsapp.com (`Utils/generics.js`).
 */
import { createHash } from 'node:crypto';
import type {
  AuthenticationCreds,
  AuthenticationState,
  CacheStore,
  SignalDataSet,
  SignalDataTypeMap,
  SignalKeyStore,
  WAVersion,
} from '@whiskeysockets/baileys';
import { DEFAULT_CONNECTION_CONFIG } from '@whiskeysockets/baileys';
import { simulatedAccount } from '../network/socketChannel.js';

/** What `useMultiFileAuthState` resolves to. */
interface SimulatedAuthState {
  state: AuthenticationState;
  saveCreds: () => Promise<void>;
}

/** Folders one run may keep an auth state for (a limit on everything). */
const authFoldersMax = 100;
/** Keys one auth state may hold (a limit on everything). */
const authKeysMax = 100_000;

/** The digest of each label, made once per process: the labels are the few fixed ones below. */
const digestOfLabel = new Map<string, Buffer>();
const labelsMax = 16;

/**
 * Fixed bytes for a fixed label: the simulated session's keys are the same in every run and
 * process. A fresh copy each call (creds are the bot's to change).
 */
function bytes(label: string, length = 32): Buffer {
  let digest = digestOfLabel.get(label);
  if (digest === undefined) {
    if (digestOfLabel.size >= labelsMax) throw new Error(`invariant: auth label ${label} is new`);
    digest = createHash('sha512').update(`baileys-sim/auth/${label}`).digest();
    digestOfLabel.set(label, digest);
  }
  return Buffer.from(digest.subarray(0, length));
}

function keyPair(label: string): { private: Buffer; public: Buffer } {
  return { private: bytes(`${label}/private`), public: bytes(`${label}/public`) };
}

/**
 * The creds of the simulated paired session, fresh each call: rc14's `initAuthCreds()` shape with
 * fixed keys (the fake server checks none; rc14's draws them with curve25519, 28 ms a call), and
 * the pairing done: `me`, `registered`, one account sync.
 */
function pairedCreds(): AuthenticationCreds {
  return {
    noiseKey: keyPair('noise'),
    pairingEphemeralKeyPair: keyPair('pairing'),
    signedIdentityKey: keyPair('identity'),
    signedPreKey: {
      keyPair: keyPair('signed-pre-key'),
      signature: bytes('signature', 64),
      keyId: 1,
    },
    registrationId: 4242,
    advSecretKey: bytes('adv').toString('base64'),
    processedHistoryMessages: [],
    nextPreKeyId: 1,
    firstUnuploadedPreKeyId: 1,
    accountSyncCounter: 1,
    accountSettings: { unarchiveChats: false },
    registered: true,
    pairingCode: undefined,
    lastPropHash: undefined,
    routingInfo: undefined,
    me: { ...simulatedAccount },
  };
}

/** rc14's multi-file key store, in a `Map`: `null` for an id never set (a missing file). */
function memoryKeys(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) out[id] = (data.get(`${type}/${id}`) ?? null) as SignalDataTypeMap[T];
      return out;
    },
    async set(set: SignalDataSet) {
      for (const [type, entries] of Object.entries(set)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}/${id}`);
          else if (data.size < authKeysMax || data.has(`${type}/${id}`))
            data.set(`${type}/${id}`, value);
          else
            throw new RangeError(
              `baileys-sim: the in-memory auth state holds at most ${authKeysMax} keys`,
            );
        }
      }
    },
  };
}

/**
 * In-memory auth states by folder: one set per run, one for the process (see the module comment).
 */
export class SimulatedAuthStates {
  #process = new Map<string, SimulatedAuthState>();
  #run: Map<string, SimulatedAuthState> | undefined;

  /** A run begins: its folders start fresh. */
  beginRun(): void {
    this.#run = new Map();
  }

  /** The run ended: nothing of it is kept. */
  endRun(): void {
    this.#run = undefined;
  }

  /** The state of `folder` now (the run's during a run, the process's otherwise). */
  forFolder(folder: unknown): SimulatedAuthState {
    if (typeof folder !== 'string')
      throw new TypeError(
        `useMultiFileAuthState(folder): folder must be a string (got ${typeof folder})`,
      );
    const states = this.#run ?? this.#process;
    let state = states.get(folder);
    if (state === undefined) {
      if (states.size >= authFoldersMax)
        throw new RangeError(`baileys-sim: at most ${authFoldersMax} auth folders per run`);
      state = {
        state: { creds: pairedCreds(), keys: memoryKeys() },
        saveCreds: async () => undefined,
      };
      states.set(folder, state);
    }
    return state;
  }
}

/** A cache with rc14's cache interface in a `Map`, with no timer (see the module comment). */
export class MapCache implements CacheStore {
  readonly #entries = new Map<string, unknown>();

  get<T>(key: string): T | undefined {
    return this.#entries.get(key) as T | undefined;
  }

  set<T>(key: string, value: T): boolean {
    if (!this.#entries.has(key) && this.#entries.size >= authKeysMax)
      this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, value);
    return true;
  }

  del(key: string): number {
    return this.#entries.delete(key) ? 1 : 0;
  }

  flushAll(): void {
    this.#entries.clear();
  }
}

/** rc14's `makeCacheableSignalKeyStore`, as the stand-in passes it. */
export type CacheableStoreMaker = (
  store: SignalKeyStore,
  logger?: never,
  cache?: CacheStore,
) => SignalKeyStore;

/**
 * rc14's `makeCacheableSignalKeyStore` over a {@link MapCache} unless the bot gave its own cache.
 */
export function cacheableSignalKeyStore(
  real: CacheableStoreMaker,
  store: SignalKeyStore,
  logger?: unknown,
  cache?: CacheStore,
): SignalKeyStore {
  return real(store, logger as never, cache ?? new MapCache());
}

/** What rc14's version fetchers resolve to, offline: rc14's own version. */
export function latestVersion(): { version: WAVersion; isLatest: true } {
  return { version: [...DEFAULT_CONNECTION_CONFIG.version] as WAVersion, isLatest: true };
}
