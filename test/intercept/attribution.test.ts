/**
 * Timers and sockets are attributed: in a run audited as written, a timer Baileys or one of its
 * dependencies makes (the cache of `makeCacheableSignalKeyStore`) runs on the clock but is not
 * the path's, while every timer the bot makes (itself, through Baileys' `delay`, or through a
 * library it calls) is; and a run simulated with creation sites names where the path made each
 * socket and each timer it left pending.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { delay, makeCacheableSignalKeyStore } from '@whiskeysockets/baileys';
import pTimeout from 'p-timeout';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAll } from '../../properties/judging/checkers.js';
import { fingerprint } from '../../sim/history.js';
import { simulate, type SimulateOptions } from '../../sim/simulate.js';
import { captureStack, siteFramesMax, siteOf, type CapturedStack } from '../../sim/sites.js';
import { parseTimeline } from '../../sim/timeline.js';
import type { SendPathFactory, SocketLike } from '../../src/ports.js';

const timeline = parseTimeline({
  format: 'baileys-sim/timeline@1',
  seed: 7,
  config: {
    reconnect: { initialMs: 1000, maxMs: 5000, factor: 2, jitter: 0, maxAttempts: 3 },
    replyDeadlineMs: 30_000,
  },
  events: [{ at: 1000, do: 'stop' }],
});

/** A signal key store as bots hand one to makeCacheableSignalKeyStore. */
const memoryKeys = { get: async () => ({}), set: async () => undefined };
const silentLogger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
} as never;

/** A path that connects in start(), runs `onStart` there, and ends its socket in stop(). */
function pathThat(onStart: () => void): SendPathFactory {
  return (env) => {
    let socket: SocketLike | undefined;
    return {
      start() {
        socket = env.makeSocket({});
        onStart();
      },
      async stop() {
        await socket?.end(undefined);
      },
    };
  };
}

const intercepted: SimulateOptions = { globals: 'intercept' };

/**
 * `test/intercept/attribution.test.ts:line:column` of `call` on the line of this file marked `//
 * site: <mark>`.
 */
function siteInThisFile(mark: string, call: string): string {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.endsWith(`// site: ${mark}`));
  return `test/intercept/attribution.test.ts:${index + 1}:${lines[index]!.indexOf(call) + 1}`;
}

describe('whose a timer is, in a run audited as written', () => {
  it("gives makeCacheableSignalKeyStore's cache timer to Baileys, not to the path", async () => {
    // Act
    const history = await simulate(
      timeline,
      pathThat(() => void makeCacheableSignalKeyStore(memoryKeys as never, silentLogger)),
      intercepted,
    );
    // Assert
    expect(history.timers.path).toMatchObject({ created: 0, aliveAtEnd: 0 });
    expect(history.timers.library).toMatchObject({ created: 1, aliveAtEnd: 1 });
    expect(
      checkAll(history).filter((v) => v.property === 'clean' || v.property === 'bounded'),
    ).toEqual([]);
  });

  it('keeps a key store made at every connect out of the path’s timers alive at once', async () => {
    // Act: twelve stores, as a bot that builds one per reconnect would leave behind.
    const history = await simulate(
      timeline,
      pathThat(() => {
        for (let i = 0; i < 12; i++) makeCacheableSignalKeyStore(memoryKeys as never, silentLogger);
      }),
      intercepted,
    );
    // Assert
    expect(history.timers.path.aliveMax).toBe(0);
    expect(history.timers.library?.aliveMax).toBe(12);
    expect(checkAll(history).filter((v) => v.property === 'bounded')).toEqual([]);
  });

  it(
    "counts the bot's own timers: made itself, through Baileys' delay, or through a " +
      'library it calls',
    async () => {
      // Act
      const history = await simulate(
        timeline,
        pathThat(() => {
          setTimeout(() => undefined, 60_000);
          void delay(60_000);
          void pTimeout(new Promise(() => undefined), { milliseconds: 60_000 }).catch(
            () => undefined,
          );
        }),
        intercepted,
      );
      // Assert
      expect(history.timers.path).toMatchObject({ created: 3, aliveAtEnd: 3 });
      expect(history.timers.library).toBeUndefined();
      expect(
        checkAll(history)
          .filter((v) => v.property === 'clean')
          .map((v) => v.message),
      ).toEqual([
        'a 60,000 ms timer created at 0 ms, still pending after stop()',
        'a 60,000 ms timer created at 0 ms, still pending after stop()',
        'a 60,000 ms timer created at 0 ms, still pending after stop()',
      ]);
    },
  );

  describe('a library continuation with no Baileys or user frame in reach', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsim-attribution-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /**
     * A package at `node_modules/<name>` whose `deep()` makes a timer below more frames than a
     * capture keeps.
     */
    const deepTimerPackage = async (name: string): Promise<{ deep(): void }> => {
      const packageDir = join(dir, 'node_modules', name);
      mkdirSync(packageDir, { recursive: true });
      const source =
        `export function deep(n = ${siteFramesMax + 4}) { if (n === 0) { setTimeout(() => ` +
        `undefined, 60000); return; } deep(n - 1); }\n`;
      writeFileSync(join(packageDir, 'index.mjs'), source);
      return (await import(pathToFileURL(join(packageDir, 'index.mjs')).href)) as { deep(): void };
    };

    it('gives it to Baileys when the library is one Baileys depends on', async () => {
      // Arrange
      const { deep } = await deepTimerPackage('p-timeout');
      // Act
      const history = await simulate(
        timeline,
        pathThat(() => deep()),
        intercepted,
      );
      // Assert
      expect(history.timers).toMatchObject({ path: { created: 0 }, library: { created: 1 } });
    });

    it("leaves it the path's when Baileys does not depend on the library", async () => {
      // Arrange
      const { deep } = await deepTimerPackage('bot-own-retry');
      // Act
      const history = await simulate(
        timeline,
        pathThat(() => deep()),
        intercepted,
      );
      // Assert
      expect(history.timers.path.created).toBe(1);
      expect(history.timers.library).toBeUndefined();
    });
  });
});

describe('creation sites', () => {
  const leaky: SendPathFactory = (env) => ({
    start() {
      env.makeSocket({}); // site: socket
      env.clock.setTimeout(() => undefined, 30_000); // site: timer
    },
    async stop() {},
  });

  it("names the path's own line for a socket and a timer it left behind", async () => {
    // Act
    const history = await simulate(timeline, leaky, { creationSites: true });
    // Assert
    const socketSite = siteInThisFile('socket', 'makeSocket');
    const timerSite = siteInThisFile('timer', 'setTimeout');
    expect(history.sites?.sockets[1]).toEqual({ at: socketSite, call: 'env.makeSocket' });
    expect(history.sites?.timers[history.timers.path.pending![0]!.id]).toEqual({
      at: timerSite,
      call: 'env.clock.setTimeout',
    });
    const messages = checkAll(history)
      .filter((v) => v.property === 'clean')
      .map((v) => v.message);
    expect(messages).toEqual([
      `a 30,000 ms timer created at 0 ms in ${timerSite}, still pending after stop()`,
      `socket 1, made at 0 ms by ${socketSite} (env.makeSocket), was neither ended nor ` +
        `closed when stop() resolved (open when the run ended)`,
    ]);
  });

  it('names the sites of a run audited as written too', async () => {
    // Arrange
    const path = pathThat(() => setInterval(() => undefined, 5000)); // site: interval
    // Act
    const history = await simulate(timeline, path, { ...intercepted, creationSites: true });
    // Assert
    const [pending] = history.timers.path.pending!;
    expect(pending).toMatchObject({ delayMs: 5000, repeats: true });
    expect(history.sites?.timers[pending!.id]).toEqual({
      at: siteInThisFile('interval', 'setInterval'),
      call: 'setInterval',
    });
  });

  it(
    "names a site in this package's own files by its place in the package when the working " +
      'directory is elsewhere',
    () => {
      // Arrange
      const made = function made(): CapturedStack {
        return captureStack(made);
      };
      const stack = made(); // site: elsewhere
      // A directory that holds no checkout of this repository, wherever the checkout lives.
      const elsewhere = fileURLToPath(
        new URL('../../../a-directory-beside-the-package', import.meta.url),
      );
      // Act
      const site = siteOf(stack, 'setTimeout', elsewhere);
      // Assert
      expect(site).toEqual({
        at: `baileys-sim/${siteInThisFile('elsewhere', 'made')}`,
        call: 'setTimeout',
      });
    },
  );

  it('leaves the history the same run: same fingerprint with sites or without', async () => {
    // Act
    const plain = await simulate(timeline, leaky);
    const sited = await simulate(timeline, leaky, { creationSites: true });
    // Assert
    expect(plain.sites).toBeUndefined();
    expect(sited.sites).toBeDefined();
    expect(fingerprint(sited)).toBe(fingerprint(plain));
  });
});
