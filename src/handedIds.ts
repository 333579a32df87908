/**
 * The ids of inbound messages already handed to the bot, remembered across restarts of the
 * process. WhatsApp delivers a message again, at the next login, when the bot's receipt never
 * reached it; after a restart that next login is a new process's, whose memory is empty. So the
 * newest ids are also written to the host's store (one key, a JSON array, oldest first) and read
 * back at start. One write at a time: ids handed while a write is under way go out with the next
 * one, so the store sees at most one write per store round trip, whatever the message rate.
 */
import type { KeyValueStore, Logger } from './ports.js';
import { RecentIds } from './recentIds.js';
import { StoredValue } from './storedValue.js';

/** Options of {@link HandedIds}. */
interface HandedIdsOptions {
  store: KeyValueStore;
  logger: Logger;
  /** The store key (a path that shares its store with others picks its own). */
  key: string;
  /** Ids remembered in memory (the oldest forgotten first). */
  remembered: number;
  /** Of those, the newest written to the store: what a restart can still recognise. */
  persisted: number;
}

/** See the module comment. */
export class HandedIds {
  readonly #options: HandedIdsOptions;
  readonly #ids: RecentIds;
  readonly #stored: StoredValue;

  constructor(options: HandedIdsOptions) {
    if (!(
      Number.isInteger(options.persisted) &&
      options.persisted >= 0 &&
      options.persisted <= options.remembered
    )) {
      throw new RangeError(
        `persisted must be a whole number from 0 to remembered (${options.remembered}) ` +
          `(got ${options.persisted})`,
      );
    }
    this.#options = options;
    this.#ids = new RecentIds(options.remembered);
    const { store, logger, key } = options;
    const encode = () => JSON.stringify(this.#ids.newest(options.persisted));
    this.#stored = new StoredValue({ store, logger, key, what: 'handed message ids', encode });
  }

  /**
   * Reads the ids a previous process persisted. Never rejects: an unreadable store or value is
   * logged, and the path starts with an empty memory (it may then hand a redelivered message
   * over again, which is better than not starting).
   */
  async load(): Promise<void> {
    if (this.#options.persisted === 0) return;
    const text = await this.#stored.read();
    if (text === undefined) return;
    try {
      const ids: unknown = JSON.parse(text);
      if (!Array.isArray(ids)) throw new TypeError('not a JSON array');
      for (const id of ids.slice(-this.#options.persisted))
        if (typeof id === 'string') this.#ids.add(id);
    } catch (err) {
      this.#stored.unreadable(err);
    }
  }

  /**
   * Remembers `id`; false if it was handed already. A new id is written to the store soon after.
   */
  add(id: string): boolean {
    if (!this.#ids.add(id)) return false;
    if (this.#options.persisted > 0) this.#stored.changed();
    return true;
  }

  /** Resolves once every id added so far was written (or its write failed, which is logged). */
  async flush(): Promise<void> {
    await this.#stored.flush();
  }
}
