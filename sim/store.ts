/**
 * The simulator's {@link KeyValueStore}: it lives as long as one run, so what a send path stores
 * survives every restart in that run, and nothing leaks into the next run. Everything about it is
 * bounded (keys, key length, value length); a write past a bound rejects with a one-line error
 * naming the key and the bound, as a full disk would fail the write. Values are copied strings, so
 * nothing the path keeps a reference to can change what is stored.
 */
import type { KeyValueStore } from '../src/ports.js';

/** Bounds of one run's store. */
export const storeLimits = Object.freeze({
  keysMax: 1000,
  keyLengthMax: 256,
  /** Characters per value: 4 MB of UTF-16, far above what a bot keeps of its state. */
  valueLengthMax: 2_000_000,
});

/** What the store saw in a run (for the history). */
export interface StoreCounts {
  /** Successful `set` calls. */
  writes: number;
  /** Calls of any method rejected for a bound or a bad argument. */
  rejected: number;
}

/** One run's store. `port` is what the path gets as `env.store`. */
export class SimStore {
  readonly #values = new Map<string, string>();
  readonly counts: StoreCounts = { writes: 0, rejected: 0 };
  readonly port: KeyValueStore;

  constructor() {
    this.port = {
      get: (key) => this.#answer(() => this.#values.get(this.#checkedKey('get', key))),
      set: (key, value) => this.#answer(() => this.#set(key, value)),
      delete: (key) =>
        this.#answer(() => void this.#values.delete(this.#checkedKey('delete', key))),
    };
  }

  /** Keys stored now. */
  get size(): number {
    return this.#values.size;
  }

  #set(key: string, value: string): void {
    const checked = this.#checkedKey('set', key);
    if (typeof value !== 'string')
      throw new TypeError(
        `store.set(${JSON.stringify(checked)}): value must be a string (got ${typeof value})`,
      );
    if (value.length > storeLimits.valueLengthMax) {
      throw new RangeError(
        `store.set(${JSON.stringify(checked)}): value of ${value.length} characters is ` +
          `over the limit of ${storeLimits.valueLengthMax}`,
      );
    }
    if (!this.#values.has(checked) && this.#values.size >= storeLimits.keysMax) {
      throw new RangeError(
        `store.set(${JSON.stringify(checked)}): the store holds ${storeLimits.keysMax} ` +
          `keys already (the limit)`,
      );
    }
    this.#values.set(checked, value);
    this.counts.writes += 1;
  }

  #checkedKey(method: string, key: unknown): string {
    if (typeof key !== 'string' || key.length === 0 || key.length > storeLimits.keyLengthMax) {
      throw new TypeError(
        `store.${method}(): key must be a string of 1 to ${storeLimits.keyLengthMax} ` +
          `characters (got ${describeKey(key)})`,
      );
    }
    return key;
  }

  /** Runs `act` and answers asynchronously, as a real store does: a failure is a rejection. */
  #answer<T>(act: () => T): Promise<T> {
    try {
      return Promise.resolve(act());
    } catch (error) {
      this.counts.rejected += 1;
      return Promise.reject(error);
    }
  }
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return `${key.length} characters`;
  return key === null ? 'null' : typeof key;
}
