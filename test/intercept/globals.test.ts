/**
 * Interception of one run's globals: timers, `Date`, `performance.now`, `process.hrtime` on the
 * run's virtual clock; `Math.random` and crypto's random bytes seeded; every global and export
 * given back exactly when the run ends, also when it throws (a named import of a built-in keeps a
 * router that calls what the exports object holds); one interception at a time.
 */
import crypto, {
  createHash as createHashBinding,
  randomBytes as randomBytesBinding,
} from 'node:crypto';
import timers, { setTimeout as setTimeoutBinding } from 'node:timers';
import timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import { generateMessageIDV2 } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock.js';
import {
  installInterception,
  interceptionInstalled,
  InterceptionBusyError,
} from '../../sim/intercept/install.js';
import { simulate } from '../../sim/simulate.js';
import { parseTimeline } from '../../sim/timeline.js';
import type { SendPathFactory } from '../../src/ports.js';

/** Every global an interception replaces, as it is now. */
function snapshotGlobals() {
  return {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    Date: globalThis.Date,
    timersSetTimeout: timers.setTimeout,
    timersClearInterval: timers.clearInterval,
    promisesSetTimeout: timersPromises.setTimeout,
    performanceNowOwn: Object.getOwnPropertyDescriptor(performance, 'now'),
    hrtime: process.hrtime,
    random: Math.random,
    randomBytes: crypto.randomBytes,
    randomUUID: crypto.randomUUID,
    randomInt: crypto.randomInt,
    webGetRandomValuesOwn: Object.getOwnPropertyDescriptor(globalThis.crypto, 'getRandomValues'),
  };
}

/** Runs `body` with an interception on a fresh clock (seed `seed`), always undoing it. */
async function intercepted<T>(
  seed: number,
  body: (clock: VirtualClock) => Promise<T> | T,
): Promise<T> {
  const clock = new VirtualClock();
  const undo = installInterception({
    clock,
    seed,
    makeSocket: () => {
      throw new Error('no sockets here');
    },
  });
  try {
    return await body(clock);
  } finally {
    undo();
    clock.release();
  }
}

/** Fires the clock's timers until none is left (at most `max`), as the run loop does. */
async function runTimers(clock: VirtualClock, max = 100): Promise<void> {
  for (let i = 0; i < max && clock.timersAlive() > 0; i += 1) {
    clock.fake.next();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const before = snapshotGlobals();

afterEach(() => {
  // Whatever a test did, the process is as it was.
  expect(interceptionInstalled()).toBe(false);
  expect(snapshotGlobals()).toEqual(before);
});

describe('timers and time on the virtual clock', () => {
  it(
    'fires global timeouts and intervals as ' + 'timers of the send path, in virtual time',
    async () => {
      // Arrange
      const seen: string[] = [];
      // Act
      const stats = await intercepted(1, async (clock) => {
        setTimeout((tag: string) => seen.push(`${tag}@${Date.now()}`), 1500, 'timeout');
        const interval = setInterval(() => {
          seen.push(`tick@${Date.now()}`);
          if (Date.now() >= 3000) clearInterval(interval);
        }, 1000);
        const cancelled = setTimeout(() => seen.push('never'), 500);
        clearTimeout(Number(cancelled));
        await runTimers(clock);
        return { ...clock.path.stats };
      });
      // Assert
      expect(seen).toEqual(['tick@1000', 'timeout@1500', 'tick@2000', 'tick@3000']);
      expect(stats).toMatchObject({ created: 5, cleared: 1, alive: 0 });
    },
  );

  it('gives timeouts the Node surface bots use: unref, hasRef, refresh, a number', async () => {
    // Act
    const result = await intercepted(1, async (clock) => {
      const fired: number[] = [];
      const timeout = setTimeout(() => fired.push(Date.now()), 1000);
      const chained = timeout.unref().ref();
      clock.fake.tick(600);
      timeout.refresh();
      await runTimers(clock);
      return {
        fired,
        chained: chained === timeout,
        hasRef: timeout.hasRef(),
        primitive: typeof +timeout,
      };
    });
    // Assert
    expect(result).toEqual({ fired: [1600], chained: true, hasRef: true, primitive: 'number' });
  });

  it(
    'runs timers/promises, util.promisify(setTimeout), Date, performance.now and hrtime on ' +
      'the clock',
    async () => {
      // Act
      const result = await intercepted(1, async (clock) => {
        const sleeps: unknown[] = [];
        void timersPromises
          .setTimeout(2000, 'slept')
          .then((value) => sleeps.push([value, Date.now()]));
        void promisify(setTimeout)(3000).then(() =>
          sleeps.push(['promisified', new Date().getTime()]),
        );
        const aborted = new AbortController();
        const cancelled = timersPromises
          .setTimeout(5000, 'late', { signal: aborted.signal })
          .catch((error: Error) => error.name);
        aborted.abort();
        await runTimers(clock);
        return {
          sleeps,
          cancelled: await cancelled,
          perf: performance.now(),
          hrtime: process.hrtime(),
          bigint: process.hrtime.bigint(),
          date: new Date().toISOString(),
        };
      });
      // Assert
      expect(result).toEqual({
        sleeps: [
          ['slept', 2000],
          ['promisified', 3000],
        ],
        cancelled: 'AbortError',
        perf: 3000,
        hrtime: [3, 0],
        bigint: 3_000_000_000n,
        date: '1970-01-01T00:00:03.000Z',
      });
    },
  );

  it('clears a timer made before the run for real', async () => {
    // Arrange
    let fired = false;
    const real = setTimeout(() => void (fired = true), 5);
    // Act
    await intercepted(1, () => clearTimeout(real));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Assert
    expect(fired).toBe(false);
  });
});

describe('seeded randomness', () => {
  const draw = () => ({
    math: [Math.random(), Math.random()],
    bytes: crypto.randomBytes(8).toString('hex'),
    uuid: crypto.randomUUID(),
    web: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4))).toString('hex'),
    int: crypto.randomInt(1000),
    baileysId: generateMessageIDV2(),
  });

  it('draws the same values for the same seed, and others for another seed', async () => {
    // Act
    const first = await intercepted(7, draw);
    const again = await intercepted(7, draw);
    const other = await intercepted(8, draw);
    // Assert
    expect(again).toEqual(first);
    expect(other.math).not.toEqual(first.math);
    expect(other.baileysId).not.toBe(first.baileysId);
    expect(first.uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(first.baileysId).toMatch(/^3EB0[0-9A-F]{18}$/);
  });

  it('reaches named imports of the built-ins (as Baileys imports randomBytes)', async () => {
    // Act
    const during = await intercepted(7, () => ({
      randomBytes: randomBytesBinding === crypto.randomBytes,
      setTimeout: setTimeoutBinding === globalThis.setTimeout,
    }));
    // Assert
    expect(during).toEqual({ randomBytes: true, setTimeout: true });
  });

  it('leaves named imports of the built-ins calling what the exports object holds', async () => {
    // Arrange: a run has routed the bindings; then another party replaces the export.
    await intercepted(7, draw);
    const calls: number[] = [];
    const spy = (size: number) => {
      calls.push(size);
      return Buffer.alloc(size, 1);
    };
    const original = crypto.randomBytes;
    // Act
    const real = [randomBytesBinding(8).toString('hex'), randomBytesBinding(8).toString('hex')];
    crypto.randomBytes = spy as typeof crypto.randomBytes;
    let spied: string;
    try {
      spied = randomBytesBinding(2).toString('hex');
    } finally {
      crypto.randomBytes = original;
    }
    // Assert
    expect(real[0]).not.toBe(real[1]);
    expect({ calls, spied }).toEqual({ calls: [2], spied: '0101' });
    expect(setTimeoutBinding.name).toBe(before.setTimeout.name);
    expect(promisify(setTimeoutBinding)).toBe(timersPromises.setTimeout);
  });

  it('leaves the named imports of exports it does not replace alone once routed', async () => {
    // Arrange: a first run routes the bindings; then another party replaces an export that
    // interception never touches, without syncing.
    await intercepted(7, draw);
    const original = crypto.createHash;
    const spy = ((...args: Parameters<typeof crypto.createHash>) =>
      original(...args)) as typeof crypto.createHash;
    // Act
    crypto.createHash = spy;
    let binding: unknown;
    try {
      await intercepted(8, draw);
      binding = createHashBinding;
    } finally {
      crypto.createHash = original;
    }
    // Assert: a later run did not sync every built-in binding again.
    expect(binding).toBe(original);
  });

  it("leaves Baileys' generateMessageIDV2 random again afterwards", async () => {
    // Arrange
    await intercepted(7, draw);
    // Act
    const ids = new Set(Array.from({ length: 5 }, () => generateMessageIDV2()));
    // Assert
    expect(ids.size).toBe(5);
  });
});

describe('one interception at a time, always undone', () => {
  it('refuses a second interception while one is installed', async () => {
    // Act
    const second = await intercepted(1, () => {
      try {
        installInterception({
          clock: new VirtualClock(),
          seed: 1,
          makeSocket: () => {
            throw new Error('unused');
          },
        });
        return 'installed';
      } catch (error) {
        return error;
      }
    });
    // Assert
    expect(second).toBeInstanceOf(InterceptionBusyError);
  });

  const timeline = parseTimeline({
    format: 'baileys-sim/timeline@1',
    seed: 3,
    config: {
      reconnect: { initialMs: 1000, maxMs: 5000, factor: 2, jitter: 0.5, maxAttempts: 3 },
      replyDeadlineMs: 30_000,
    },
    events: [
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 10, do: 'inbound', chat: 'c1', msg: 'm2' },
      { at: 20, do: 'reply', to: 'm1', key: 'r1' },
    ],
  });

  /**
   * A path that never connects and waits with the global setTimeout, reading Date and Math.random.
   */
  const sleepy: SendPathFactory = () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const draws: number[] = [];
    return {
      start() {
        timer = setTimeout(() => draws.push(Date.now() + Math.random()), 5000);
      },
      async stop() {
        clearTimeout(timer);
      },
    };
  };

  it(
    'gives every global back after an intercepted ' + 'run, and the run is the same twice',
    async () => {
      // Act
      const first = await simulate(timeline, sleepy, { globals: 'intercept' });
      const second = await simulate(timeline, sleepy, { globals: 'intercept' });
      // Assert
      expect(second).toEqual(first);
      expect(first.timers.path.created).toBe(1);
    },
  );

  it('gives every global back after an intercepted run that throws', async () => {
    // Act: a server queue limit of one message breaks the run when the second inbound arrives.
    const run = simulate(timeline, sleepy, { globals: 'intercept', inboundQueueMax: 1 });
    // Assert
    await expect(run).rejects.toThrow('server: inbound queue over its limit of 1');
  });
});
