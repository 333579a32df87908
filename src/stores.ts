/**
 * {@link KeyValueStore}s for production hosts: `fileStore(dir)` keeps each key in a file of its
 * own, written atomically, so what a send path persists survives a restart (or a crash) of the
 * process; `memoryStore()` lives as long as the process (tests, or a host that needs no
 * persistence).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyValueStore } from './ports.js';

/** Longest key a store accepts (it names a file: 255 bytes is the common file-name limit). */
export const storeKeyLengthMax = 200;

/** A store in memory: gone with the process. */
export function memoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(checkedKey(key)),
    set: async (key, value) => void values.set(checkedKey(key), checkedValue(key, value)),
    delete: async (key) => void values.delete(checkedKey(key)),
  };
}

/**
 * A store in directory `dir` (created on the first write): one file per key, named by the key
 * URI-encoded. A write goes to a temporary file first and is renamed over the old one, so a crash
 * leaves the old value or the new one, never half of either; writes of one key are made in the
 * order they were called.
 */
export function fileStore(dir: string): KeyValueStore {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new TypeError(
      `fileStore(dir): dir must be a non-empty path (got ${JSON.stringify(dir)})`,
    );
  /** The last write of each key still under way: the next one of that key waits for it. */
  const writing = new Map<string, Promise<void>>();
  let temporaries = 0;
  const fileOf = (key: string): string => join(dir, `${encodeURIComponent(checkedKey(key))}.txt`);
  const inOrder = (key: string, write: () => Promise<void>): Promise<void> => {
    const previous = writing.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    writing.set(key, next);
    const forget = (): void => void (writing.get(key) === next && writing.delete(key));
    next.then(forget, forget);
    return next;
  };
  return {
    async get(key) {
      const file = fileOf(key);
      await writing.get(key)?.catch(() => undefined);
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async set(key, value) {
      const file = fileOf(key);
      const text = checkedValue(key, value);
      return inOrder(key, async () => {
        await mkdir(dir, { recursive: true });
        const temporary = `${file}.${process.pid}.${(temporaries += 1)}.tmp`;
        await writeFile(temporary, text, 'utf8');
        await rename(temporary, file);
      });
    },
    async delete(key) {
      const file = fileOf(key);
      return inOrder(key, () => rm(file, { force: true }));
    },
  };
}

function checkedKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > storeKeyLengthMax) {
    throw new TypeError(
      `store key must be a string of 1 to ${storeKeyLengthMax} characters (got ` +
        `${typeof key === 'string' ? `${key.length} characters` : typeof key})`,
    );
  }
  return key;
}

function checkedValue(key: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new TypeError(
      `store.set(${JSON.stringify(key)}): value must be a string (got ${typeof value})`,
    );
  return value;
}
