import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HandedIds } from '../../src/handedIds.js';
import { SentMessages } from '../../src/sentMessages.js';
import type { KeyValueStore, Logger } from '../../src/ports.js';
import { fileStore, memoryStore, storeKeyLengthMax } from '../../src/stores.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baileys-sim-store-'));
  dirs.push(dir);
  return join(dir, 'state');
}

const errors: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (_obj, msg) => void errors.push(msg ?? ''),
};

describe('fileStore', () => {
  it('keeps a value across store instances (a restarted process), in a file per key', async () => {
    // Arrange
    const dir = await freshDir();
    await fileStore(dir).set('reference/handed ids', '["a"]');
    // Act
    const read = await fileStore(dir).get('reference/handed ids');
    // Assert
    expect(read).toBe('["a"]');
    expect(await readdir(dir)).toEqual([`${encodeURIComponent('reference/handed ids')}.txt`]);
  });

  it('writes one key in call order, leaving no temporary file', async () => {
    // Arrange
    const dir = await freshDir();
    const store = fileStore(dir);
    // Act
    await Promise.all(['1', '2', '3', '4'].map((v) => store.set('k', v)));
    // Assert
    expect(await store.get('k')).toBe('4');
    expect(await readdir(dir)).toEqual(['k.txt']);
  });

  it('answers undefined for a key never set or deleted', async () => {
    // Arrange
    const store = fileStore(await freshDir());
    await store.set('k', 'v');
    // Act
    await store.delete('k');
    // Assert
    expect(await store.get('k')).toBeUndefined();
    expect(await store.get('never')).toBeUndefined();
  });

  it('refuses a key too long to name a file, naming the bound', async () => {
    // Act
    const store = fileStore(await freshDir());
    // Assert
    await expect(store.set('k'.repeat(storeKeyLengthMax + 1), 'v')).rejects.toThrow(
      `store key must be a string of 1 to ${storeKeyLengthMax} characters (got ` +
        `${storeKeyLengthMax + 1} characters)`,
    );
  });
});

describe('memoryStore', () => {
  it('stores, replaces and deletes', async () => {
    // Arrange
    const store = memoryStore();
    // Act
    await store.set('k', 'a');
    await store.set('k', 'b');
    const before = await store.get('k');
    await store.delete('k');
    // Assert
    expect(before).toBe('b');
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('HandedIds', () => {
  const options = (store: KeyValueStore) => ({
    store,
    logger,
    key: 'ids',
    remembered: 5,
    persisted: 3,
  });

  it('recognises after a restart the newest ids handed before it', async () => {
    // Arrange
    const store = memoryStore();
    const before = new HandedIds(options(store));
    await before.load();
    for (const id of ['a', 'b', 'c', 'd']) before.add(id);
    await before.flush();
    // Act
    const after = new HandedIds(options(store));
    await after.load();
    // Assert: the newest three were kept
    expect(['a', 'b', 'c', 'd'].map((id) => after.add(id))).toEqual([true, false, false, false]);
  });

  it('writes at most once per store round trip, the newest ids last', async () => {
    // Arrange
    const writes: string[] = [];
    const store: KeyValueStore = {
      ...memoryStore(),
      set: async (_key, value) => void writes.push(value),
    };
    const ids = new HandedIds(options(store));
    // Act
    for (const id of ['a', 'b', 'c']) ids.add(id);
    await ids.flush();
    // Assert
    expect(writes).toEqual(['["a"]', '["a","b","c"]']);
  });

  it('starts empty, and logs, when the store cannot be read or holds something else', async () => {
    // Arrange
    errors.length = 0;
    const broken: KeyValueStore = { ...memoryStore(), get: async () => 'not json' };
    const ids = new HandedIds(options(broken));
    // Act
    await ids.load();
    // Assert
    expect(ids.add('a')).toBe(true);
    expect(errors).toEqual(['handed message ids could not be read; starting without them']);
  });

  it('keeps handing over, and logs, when a write fails', async () => {
    // Arrange
    errors.length = 0;
    const failing: KeyValueStore = {
      ...memoryStore(),
      set: async () => Promise.reject(new Error('disk full')),
    };
    const ids = new HandedIds(options(failing));
    // Act
    const added = ids.add('a');
    await ids.flush();
    // Assert
    expect(added).toBe(true);
    expect(ids.add('a')).toBe(false);
    expect(errors).toEqual(['handed message ids could not be written']);
  });
});

describe('SentMessages kept in a store', () => {
  const persist = (store: KeyValueStore, persisted = 2) => ({
    store,
    logger,
    key: 'written',
    persisted,
  });

  it(
    'answers after a restart with what the ' + 'previous process wrote, media keys included',
    async () => {
      // Arrange
      const store = memoryStore();
      const before = new SentMessages(10, persist(store));
      const media = { imageMessage: { mediaKey: new Uint8Array([1, 2, 3]), caption: 'look' } };
      before.remember('A', { conversation: 'first' });
      before.remember('B', media);
      await before.flush();
      const after = new SentMessages(10, persist(store));
      // Act
      await after.load();
      // Assert
      expect(after.get('A')).toEqual({ conversation: 'first' });
      expect(after.get('B')?.imageMessage?.caption).toBe('look');
      expect([...(after.get('B')?.imageMessage?.mediaKey ?? [])]).toEqual([1, 2, 3]);
    },
  );

  it('persists only the newest `persisted` of the messages it remembers', async () => {
    // Arrange
    const store = memoryStore();
    const before = new SentMessages(10, persist(store, 2));
    for (const id of ['A', 'B', 'C']) before.remember(id, { conversation: id });
    await before.flush();
    const after = new SentMessages(10, persist(store, 2));
    // Act
    await after.load();
    // Assert
    expect([after.get('A'), after.get('B'), after.get('C')]).toEqual([
      undefined,
      { conversation: 'B' },
      { conversation: 'C' },
    ]);
  });

  it('starts empty, and logs, when the stored value is not what it wrote', async () => {
    // Arrange
    errors.length = 0;
    const broken: KeyValueStore = { ...memoryStore(), get: async () => '{"not":"a list"}' };
    const sent = new SentMessages(10, persist(broken));
    // Act
    await sent.load();
    // Assert
    expect(sent.size).toBe(0);
    expect(errors).toEqual(['written messages could not be read; starting without them']);
  });
});
