/**
 * One key of the host's store, written in the background one write at a time: a change made while
 * a write is under way goes out with the next one, so the store sees at most one write per round
 * trip whatever the rate of changes. Reads and writes never throw: a failure is logged, and the
 * path goes on with what it has in memory (better than not starting, or losing a reply).
 */
import type { KeyValueStore, Logger } from './ports.js';

/** Options of {@link StoredValue}. */
interface StoredValueOptions {
  store: KeyValueStore;
  logger: Logger;
  /** The store key (a path that shares its store with others picks its own). */
  key: string;
  /** What the value holds, for the log lines of a failed read or write. */
  what: string;
  /** The value to write now, encoded (called once per write, so it sees every change so far). */
  encode(): string;
}

/** See the module comment. */
export class StoredValue {
  readonly #options: StoredValueOptions;
  /** The write under way, if any. */
  #writing: Promise<void> | undefined;
  /** A change came after the write under way took its copy. */
  #dirty = false;

  constructor(options: StoredValueOptions) {
    this.#options = options;
  }

  /** The stored text, or undefined when there is none or it cannot be read (logged). */
  async read(): Promise<string | undefined> {
    try {
      return await this.#options.store.get(this.#options.key);
    } catch (err) {
      this.#failed(err, 'could not be read; starting without them');
      return undefined;
    }
  }

  /** Logs that the stored text could not be decoded; the path starts without it. */
  unreadable(err: unknown): void {
    this.#failed(err, 'could not be read; starting without them');
  }

  /** Something changed: it is written soon (with whatever else changes meanwhile). */
  changed(): void {
    if (this.#writing !== undefined) {
      this.#dirty = true;
      return;
    }
    let write: Promise<void>;
    try {
      write = Promise.resolve(this.#options.store.set(this.#options.key, this.#options.encode()));
    } catch (err) {
      write = Promise.reject(err);
    }
    this.#writing = write.then(
      () => this.#written(),
      (err: unknown) => {
        this.#failed(err, 'could not be written');
        this.#written();
      },
    );
  }

  /** Resolves once every change so far was written (or its write failed, which is logged). */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  #written(): void {
    this.#writing = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.changed();
  }

  #failed(err: unknown, what: string): void {
    this.#options.logger.error(
      { key: this.#options.key, err: (err as Error)?.message },
      `${this.#options.what} ${what}`,
    );
  }
}
