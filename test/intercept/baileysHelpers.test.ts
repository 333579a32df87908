/**
 * The Baileys helpers bots call in their first lines, as an audit answers them: the auth state in
 * memory (fresh per run, shared within one, never on disk), rc14's cacheable key store without a
 * timer, the version fetchers offline with rc14's own version; and a module's `socketStubs`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONNECTION_CONFIG, makeCacheableSignalKeyStore } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSendPath } from '../../properties/paths/loadSendPath.js';
import { baileysBridge } from '../../sim/intercept/baileysBridge.js';
import {
  cacheableSignalKeyStore,
  MapCache,
  SimulatedAuthStates,
} from '../../sim/intercept/baileysHelpers.js';
import { ScriptedNetwork } from '../../sim/intercept/scriptedNetwork.js';
import { simulatedAccount } from '../../sim/network/socketChannel.js';
import { socketStubsIssues } from '../../sim/network/socketSurface.js';

describe('useMultiFileAuthState in memory', () => {
  it('gives each run a fresh paired state per folder, shared by the calls of one run', () => {
    // Arrange
    const states = new SimulatedAuthStates();
    // Act
    states.beginRun();
    const first = states.forFolder('auth');
    first.state.creds.me!.name = 'changed by run 1';
    const again = states.forFolder('auth');
    const other = states.forFolder('other');
    states.endRun();
    states.beginRun();
    const nextRun = states.forFolder('auth');
    // Assert
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(nextRun.state.creds.me).toEqual(simulatedAccount);
    expect(nextRun.state.creds).toMatchObject({ registered: true, accountSyncCounter: 1 });
  });

  it('keeps a state for the process outside runs (a module that calls it while it loads)', () => {
    // Arrange
    const states = new SimulatedAuthStates();
    // Act
    const atLoad = states.forFolder('auth');
    states.beginRun();
    const inRun = states.forFolder('auth');
    states.endRun();
    // Assert
    expect(states.forFolder('auth')).toBe(atLoad);
    expect(inRun).not.toBe(atLoad);
  });

  it(
    'answers null for keys never set, as rc14 does for a missing file, and deletes a key ' +
      'set to null',
    async () => {
      // Arrange
      const { state } = new SimulatedAuthStates().forFolder('auth');
      // Act
      await state.keys.set({ session: { a: new Uint8Array([1]), b: new Uint8Array([2]) } });
      await state.keys.set({ session: { b: null } });
      const got = await state.keys.get('session', ['a', 'b', 'c']);
      // Assert
      expect(got).toEqual({ a: new Uint8Array([1]), b: null, c: null });
    },
  );

  it('refuses a folder that is not a string with a line naming the argument', () => {
    // Arrange
    const states = new SimulatedAuthStates();
    // Act
    const act = () => states.forFolder(42);
    // Assert
    expect(act).toThrow('useMultiFileAuthState(folder): folder must be a string (got number)');
  });
});

describe('makeCacheableSignalKeyStore and the version fetchers, intercepted', () => {
  let run: ScriptedNetwork | undefined;
  afterEach(() => run?.close());

  it(
    "run rc14's cacheable store over a Map: the same answers, and no timer on the run's " +
      "clock (rc14's cache keeps one)",
    async () => {
      // Arrange
      run = new ScriptedNetwork();
      const { state } = await baileysBridge().useMultiFileAuthState('auth');
      // Act
      const intercepted = cacheableSignalKeyStore(makeCacheableSignalKeyStore, state.keys);
      await intercepted.set({
        'pre-key': { 1: { public: Buffer.from('p'), private: Buffer.from('q') } },
      });
      const got = await intercepted.get('pre-key', ['1', '2']);
      const timersOfOurs = run.pathTimers.stats.created + run.libraryTimers.stats.created;
      makeCacheableSignalKeyStore(state.keys);
      const timersOfRc14 = run.libraryTimers.stats.created;
      // Assert: rc14's own keeps one, Baileys' (on the library view), never the code under test's.
      expect(got).toEqual({ 1: { public: Buffer.from('p'), private: Buffer.from('q') } });
      expect(timersOfOurs).toBe(0);
      expect(timersOfRc14).toBe(1);
      expect(run.pathTimers.stats.created).toBe(0);
    },
  );

  it("answer the version offline with rc14's own, without calling fetch", async () => {
    // Arrange
    const fetchBefore = globalThis.fetch;
    let fetched = 0;
    globalThis.fetch = (() => {
      fetched += 1;
      throw new Error('no network in a test');
    }) as typeof fetch;
    try {
      // Act
      const answer = await baileysBridge().fetchLatestVersion();
      // Assert
      expect(answer).toEqual({ version: DEFAULT_CONNECTION_CONFIG.version, isLatest: true });
      expect(fetched).toBe(0);
    } finally {
      globalThis.fetch = fetchBefore;
    }
  });

  it("the Map cache gets, deletes and flushes as rc14's cache interface says", () => {
    // Arrange
    const cache = new MapCache();
    // Act
    cache.set('a', 1);
    const deleted = [cache.del('a'), cache.del('a')];
    cache.set('b', 2);
    const before = cache.get('b');
    cache.flushAll();
    // Assert
    expect(deleted).toEqual([1, 0]);
    expect(before).toBe(2);
    expect(cache.get('b')).toBeUndefined();
  });
});

describe('socketStubs', () => {
  it('are validated member by member, each problem one line', () => {
    // Arrange
    const stubs = {
      fetchBlocklist: async () => [],
      sendMessage: async () => undefined,
      fetchBlockList: async () => [],
      updateProfileStatus: 'x',
    };
    // Act
    const issues = socketStubsIssues(stubs);
    // Assert
    expect(issues).toEqual([
      'socketStubs.sendMessage: modelled by the simulated socket; only unmodelled ' +
        'methods can be stubbed',
      "socketStubs.fetchBlockList: not a function of Baileys 7.0.0-rc14's socket",
      'socketStubs.updateProfileStatus: must be a function (got string)',
    ]);
    expect(socketStubsIssues([])).toEqual(['socketStubs: must be an object of functions']);
  });

  it(
    'a module exporting bad stubs does not load; ' + 'the error names the module and the member',
    async () => {
      // Arrange
      const dir = mkdtempSync(join(tmpdir(), 'bsim-stubs-'));
      writeFileSync(
        join(dir, 'path.mjs'),
        'export const createSendPath = () => ({ start() {}, async stop() {} });\n' +
          'export const socketStubs = { sendMessage: () => 1 };\n',
      );
      // Act
      const loading = loadSendPath('./path.mjs', dir);
      // Assert
      await expect(loading).rejects.toThrow(
        './path.mjs: socketStubs.sendMessage: modelled by the simulated socket; only ' +
          'unmodelled methods can be stubbed',
      );
    },
  );

  it("a seam module's stubs answer on every socket its factory makes", async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'bsim-stubs-'));
    writeFileSync(
      join(dir, 'path.mjs'),
      'export let answer;\n' +
        'export const createSendPath = (env) => ({ async start() { answer = await ' +
        'env.makeSocket().fetchBlocklist(); }, async stop() {} });\n' +
        'export const socketStubs = { fetchBlocklist: async () => ["+1555"] };\n',
    );
    const path = await loadSendPath('./path.mjs', dir);
    // Act
    const sendPath = path.factory({ makeSocket: () => ({}) as never } as never);
    await sendPath.start(() => undefined);
    const module = (await import(join(dir, 'path.mjs'))) as { answer: unknown };
    // Assert
    expect(module.answer).toEqual(['+1555']);
  });
});
