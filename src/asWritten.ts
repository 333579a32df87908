/**
 * The contract of a send path audited as written: a bot's own WhatsApp module, which imports
 * `makeWASocket` from `@whiskeysockets/baileys` itself and uses the global timers, puts itself
 * under the harness with three exports (docs/audit-as-written.md):
 *
 * ```ts
 * // AsWrittenHost is this module's type, imported from the package root
 * // connect; hand each message the bot answers to onMessage
 * export async function start({ onMessage }: AsWrittenHost) { ... }
 * // end the socket, clear the timers, settle the replies
 * export async function stop() { ... }
 * // module-level state back as a fresh import has it
 * export function reset() { ... }
 * ```
 *
 * `npx baileys-sim audit ./src/whatsapp.ts` runs such a module with Baileys, timers, `Date` and
 * randomness intercepted per run; from a script, call `interceptBaileysImports()` (from
 * `baileys-sim/properties`) before `loadSendPath()`. Types only: nothing here runs.
 */

import type { KeyValueStore } from './ports.js';

/** A message the bot answers, as its module hands it to the harness. */
export interface AsWrittenMessage {
  /** The chat's JID (`msg.key.remoteJid`). */
  chatJid: string;
  /** The message's id (`msg.key.id`): the harness tells messages apart by it. */
  id: string;
  /** Its text (or caption). */
  text: string;
  /**
   * Sends `text` as the bot's reply in that chat, the way the bot sends replies. Resolves when the
   * bot considers it sent; rejects when it gave up (with `ambiguous: true` on the error when it
   * may have been sent anyway).
   */
  reply(text: string): Promise<unknown>;
}

/** What the harness hands an as-written module's `start()`. */
export interface AsWrittenHost {
  /**
   * Hand each inbound message the bot would answer to this, once: not its own echoes, not reactions
   * or status broadcasts.
   */
  onMessage(message: AsWrittenMessage): void;
  /**
   * A store that outlives the module's state: a restart of the bot (`stop()`, `reset()`,
   * `start()`) keeps what was stored, as a file or a database would. Keep the ids handed to
   * `onMessage` there, or a message WhatsApp delivers again after a restart is answered twice.
   * The harness always passes one; a test of your own that calls `start()` may leave it out.
   */
  store?: KeyValueStore;
}

/**
 * The exports that make a module auditable as written. `reset()` is optional, but without it
 * module-level state left by one run leaks into the next (the determinism re-runs report it).
 */
export interface AsWrittenModule {
  /** Connects, and hands every message the bot answers to `host.onMessage`. */
  start(host: AsWrittenHost): unknown;
  /** Ends the socket, clears the timers, settles the replies under way. */
  stop(): unknown;
  /** Puts module-level state back as a fresh import has it (called before every run). */
  reset?(): unknown;
}

/**
 * The module's own answers for members of rc14's socket the simulated socket does not model,
 * exported as `socketStubs` (e.g. `{ fetchBlocklist: async () => [] }`): each becomes that member
 * of every simulated socket, called with the bot's arguments. Without one, a call of an unmodelled
 * member ends the audit with one line naming it (exit 3): a limit of the harness, not the bot's
 * bug.
 */
export type SocketStubs = Readonly<Record<string, (...args: never[]) => unknown>>;
