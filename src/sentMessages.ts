/**
 * The messages the path wrote lately, by id, for Baileys' `getMessage`. When a recipient cannot
 * decrypt a message it asks for it again (a retry receipt); rc14 resends from the cache of the
 * socket that wrote it, and a newer socket has no such cache: it asks `getMessage`, and without
 * an answer the recipient never gets the message (`sendMessagesAgain`, `Socket/messages-recv.js`).
 * A retry receipt can come minutes later, after the bot's process restarted: so the newest
 * messages are also written to the host's store (one key, oldest first, Baileys' `BufferJSON`
 * encoding for media keys) and read back at start. Bounded: the last `remembered` messages, the
 * oldest forgotten first; of those the newest `persisted`.
 */
import { BufferJSON, type proto } from '@whiskeysockets/baileys';
import type { KeyValueStore, Logger } from './ports.js';
import { StoredValue } from './storedValue.js';

/** Where written messages outlive the process (absent: memory only). */
export interface SentMessagesStore {
  store: KeyValueStore;
  logger: Logger;
  /** The store key. */
  key: string;
  /** Of the messages remembered, the newest written to the store (a whole number >= 1). */
  persisted: number;
}

export class SentMessages {
  readonly #remembered: number;
  readonly #byId = new Map<string, proto.IMessage>();
  readonly #stored: { value: StoredValue; persisted: number } | undefined;
  /**
   * Each remembered message's JSON, made at its first write to the store: every write encodes
   * the newest `persisted` messages, and encoding all of them again each time (Baileys' replacer
   * is called for every value) made a run's writes quadratic in its replies.
   */
  readonly #encodedById = new Map<string, string>();

  /**
   * Remembers at most `remembered` messages (a whole number >= 1); `persist` keeps some across
   * restarts.
   */
  constructor(remembered: number, persist?: SentMessagesStore) {
    if (!(Number.isInteger(remembered) && remembered >= 1)) {
      throw new RangeError(`capacity must be a whole number >= 1 (got ${remembered})`);
    }
    this.#remembered = remembered;
    if (persist === undefined) return;
    const { store, logger, key, persisted } = persist;
    if (!(Number.isInteger(persisted) && persisted >= 1 && persisted <= remembered)) {
      throw new RangeError(
        `persisted must be a whole number from 1 to ${remembered} (got ${persisted})`,
      );
    }
    const encode = () => this.#encodeNewest(persisted);
    this.#stored = {
      value: new StoredValue({ store, logger, key, what: 'written messages', encode }),
      persisted,
    };
  }

  /** Reads what a previous process persisted. Never rejects (a failure is logged). */
  async load(): Promise<void> {
    if (this.#stored === undefined) return;
    const text = await this.#stored.value.read();
    if (text === undefined) return;
    try {
      const entries: unknown = JSON.parse(text, BufferJSON.reviver);
      if (!Array.isArray(entries)) throw new TypeError('not a JSON array');
      for (const entry of entries.slice(-this.#stored.persisted)) {
        if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'object')
          this.#keep(entry[0], entry[1]);
      }
    } catch (err) {
      this.#stored.value.unreadable(err);
    }
  }

  /** Remembers `message` as written with `id` (the newest copy wins), and persists it soon. */
  remember(id: string, message: proto.IMessage): void {
    this.#keep(id, message);
    this.#stored?.value.changed();
  }

  /** The message written with `id`, if still remembered. */
  get(id: string | null | undefined): proto.IMessage | undefined {
    return id === null || id === undefined ? undefined : this.#byId.get(id);
  }

  /** Messages remembered now. */
  get size(): number {
    return this.#byId.size;
  }

  /** Resolves once every message remembered so far was persisted (or its write failed, logged). */
  async flush(): Promise<void> {
    await this.#stored?.value.flush();
  }

  #keep(id: string, message: proto.IMessage): void {
    this.#byId.delete(id);
    this.#encodedById.delete(id);
    this.#byId.set(id, message);
    // A Map iterates in insertion order: its first entry is the oldest.
    if (this.#byId.size > this.#remembered) this.#forget(this.#byId.keys().next().value!);
  }

  #forget(id: string): void {
    this.#byId.delete(id);
    this.#encodedById.delete(id);
  }

  /**
   * `JSON.stringify` of the newest `persisted` entries `[id, message]` with Baileys' replacer,
   * joined from each entry's own JSON: the replacer looks at values only, never at keys, so an
   * entry encodes alike alone and inside the array.
   */
  #encodeNewest(persisted: number): string {
    const skip = Math.max(0, this.#byId.size - persisted);
    const parts: string[] = [];
    let index = 0;
    for (const [id, message] of this.#byId) {
      if (index++ < skip) continue;
      let encoded = this.#encodedById.get(id);
      if (encoded === undefined) {
        encoded = JSON.stringify([id, message], BufferJSON.replacer);
        this.#encodedById.set(id, encoded);
      }
      parts.push(encoded);
    }
    return `[${parts.join(',')}]`;
  }
}
