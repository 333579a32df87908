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

/** Options of {@link HandedIds}. */
export interface HandedIdsOptions {
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
  /** The write under way, if any. */
  #writing: Promise<void> | undefined;
  /** Ids were handed since the write under way took its copy. */
  #dirty = false;

  constructor(options: HandedIdsOptions) {
    if (!(Number.isInteger(options.persisted) && options.persisted >= 0 && options.persisted <= options.remembered)) {
      throw new RangeError(`persisted must be a whole number from 0 to remembered (${options.remembered}) (got ${options.persisted})`);
    }
    this.#options = options;
    this.#ids = new RecentIds(options.remembered);
  }

  /**
   * Reads the ids a previous process persisted. Never rejects: an unreadable store or value is
   * logged, and the path starts with an empty memory (it may then hand a redelivered message
   * over again, which is better than not starting).
   */
  async load(): Promise<void> {
    if (this.#options.persisted === 0) return;
    try {
      const text = await this.#options.store.get(this.#options.key);
      if (text === undefined) return;
      const ids: unknown = JSON.parse(text);
      if (!Array.isArray(ids)) throw new TypeError('not a JSON array');
      for (const id of ids.slice(-this.#options.persisted)) if (typeof id === 'string') this.#ids.add(id);
    } catch (err) {
      this.#options.logger.error({ key: this.#options.key, err: (err as Error)?.message }, 'handed message ids could not be read; starting without them');
    }
  }

  /** Remembers `id`; false if it was handed already. A new id is written to the store soon after. */
  add(id: string): boolean {
    if (!this.#ids.add(id)) return false;
    if (this.#options.persisted > 0) this.#persist();
    return true;
  }

  /** Resolves once every id added so far was written (or its write failed, which is logged). */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  #persist(): void {
    if (this.#writing !== undefined) {
      this.#dirty = true;
      return;
    }
    const value = JSON.stringify(this.#ids.newest(this.#options.persisted));
    let write: Promise<void>;
    try {
      write = Promise.resolve(this.#options.store.set(this.#options.key, value));
    } catch (err) {
      write = Promise.reject(err);
    }
    this.#writing = write.then(
      () => this.#written(),
      (err: unknown) => {
        this.#options.logger.error({ key: this.#options.key, err: (err as Error)?.message }, 'handed message ids could not be written');
        this.#written();
      },
    );
  }

  #written(): void {
    this.#writing = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#persist();
  }
}
