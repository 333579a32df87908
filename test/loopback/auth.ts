/**
 * A logged-in, in-memory Baileys auth state for the loopback server.
 *
 * `creds.me` is set, so `validateConnection` sends a *login* ClientPayload (`generateLoginNode`,
 * `passive: true`, `username` + `device`) instead of a registration (QR pairing) payload.
 * `accountSyncCounter: 1` makes rc14 treat the connect as a reconnection with existing sync data
 * (`Socket/chats.js`): it skips the 20 s "AwaitingInitialSync" buffer, so `messages.upsert`
 * is flushed right after the server's `<ib><offline/></ib>`.
 *
 * The key store is a plain in-memory map; Baileys wraps it with `addTransactionCapability`
 * itself (`Socket/socket.js`), so nothing here owns a timer.
 */
import {
  BufferJSON,
  initAuthCreds,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';

/** The simulated bot account: phone-number user part and device id (a linked companion). */
export const BOT_USER = '15550000001';
const BOT_DEVICE = 7;

function makeMemoryKeyStore(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = data.get(`${type}/${id}`);
        if (value !== undefined && value !== null) out[id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    set(set: SignalDataSet) {
      for (const [type, entries] of Object.entries(set)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}/${id}`);
          else data.set(`${type}/${id}`, value);
        }
      }
    },
    clear() {
      data.clear();
    },
  };
}

let baseCreds: string | undefined;
/**
 * `initAuthCreds()` made once per process and copied (with Baileys' own Buffer-preserving JSON,
 * as its auth-state stores do): generating them signs a pre-key with the pure-JS curve25519, and
 * dozens of concurrent loopback scenarios each doing so delay each other's logins on a loaded
 * machine. The loopback server never checks these keys.
 */
function freshCreds(): AuthenticationCreds {
  baseCreds ??= JSON.stringify(initAuthCreds(), BufferJSON.replacer);
  return JSON.parse(baseCreds, BufferJSON.reviver) as AuthenticationCreds;
}

/** A fresh logged-in auth state: its own copy of the process's keys (see `freshCreds`). */
export function makeLoggedInAuthState(
  opts: { user?: string; device?: number; name?: string } = {},
): AuthenticationState {
  const user = opts.user ?? BOT_USER;
  const device = opts.device ?? BOT_DEVICE;
  const creds: AuthenticationCreds = {
    ...freshCreds(),
    me: { id: `${user}:${device}@s.whatsapp.net`, ...(opts.name ? { name: opts.name } : {}) },
    registered: true,
    accountSyncCounter: 1,
  };
  return { creds, keys: makeMemoryKeyStore() };
}
