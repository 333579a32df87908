/**
 * The globals tripwire of a seam-mode run: a call of a global timer, clock or random source is
 * recorded with its virtual time and answered deterministically, and the globals are the
 * process's own again once the run is over, whatever happened in it.
 */
import nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { enterGlobals, globalUsesMax, type GlobalName } from '../../sim/globals.js';
import { fingerprint } from '../../sim/history.js';
import { simulate, SimulationBusyError } from '../../sim/simulate.js';
import type { TimelineEvent } from '../../sim/timeline.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { createSendPath as globalTimers } from '../fixtures/paths/globalTimers.js';
import { timelineOf } from './helpers.js';

const events: TimelineEvent[] = [
  { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 2000, do: 'drop', reason: 'connectionLost' },
  { at: 2500, do: 'reply', to: 'm1', key: 'r1' },
];

/** The globals a run may replace, as they are now. */
function currentGlobals() {
  return [
    globalThis.setTimeout,
    globalThis.setInterval,
    globalThis.setImmediate,
    globalThis.Date,
    Math.random,
    nodeCrypto.randomUUID,
    nodeCrypto.randomBytes,
    globalThis.crypto.randomUUID,
  ];
}

/** A path that calls `use` from its inbound handler and otherwise answers nothing. */
function callsOnInbound(use: () => unknown): SendPathFactory {
  return (env) => ({
    start() {
      const socket = env.makeSocket();
      socket.ev.on('messages.upsert', () => void use());
    },
    async stop() {},
  });
}

describe('the globals tripwire', () => {
  it(
    'records a global setTimeout backoff at ' + 'its virtual time, and the timer never fires',
    async () => {
      // Arrange
      const before = currentGlobals();
      // Act
      const history = await simulate(timelineOf(events), globalTimers);
      // Assert
      expect(history.globalsUsed?.[0]?.name).toBe('setTimeout');
      expect(history.globalsUsed?.some((use) => use.name === 'setTimeout' && use.at >= 2000)).toBe(
        true,
      );
      expect(history.connects.count).toBe(1);
      expect(currentGlobals()).toEqual(before);
    },
  );

  it('records nothing for the reference path, which uses its ports only', async () => {
    const history = await simulate(timelineOf(events), referenceSendPath);
    expect(history.globalsUsed).toBeUndefined();
  });

  it.each<[GlobalName, () => unknown]>([
    ['setInterval', () => setInterval(() => undefined, 10)],
    ['Date.now', () => Date.now()],
    ['new Date()', () => new Date()],
    ['Date()', () => Date()],
    ['Math.random', () => Math.random()],
    ['crypto.randomUUID', () => nodeCrypto.randomUUID()],
    ['crypto.randomUUID', () => globalThis.crypto.randomUUID()],
    ['crypto.randomBytes', () => nodeCrypto.randomBytes(8)],
    ['crypto.getRandomValues', () => globalThis.crypto.getRandomValues(new Uint8Array(4))],
  ])('names %s and when it was called', async (name, use) => {
    const history = await simulate(timelineOf(events), callsOnInbound(use));
    expect(history.globalsUsed).toEqual([{ at: history.inbound[0]!.emittedAt, name }]);
  });

  it(
    'answers time and randomness deterministically: ' + 'the same run gives the same history',
    async () => {
      // Arrange: a path that logs what the globals answered.
      const values: SendPathFactory = (env) =>
        callsOnInbound(() =>
          env.logger.info(
            {
              now: Date.now(),
              date: new Date().getTime(),
              random: Math.random(),
              uuid: nodeCrypto.randomUUID(),
            },
            'globals',
          ),
        )(env);
      // Act
      const first = await simulate(timelineOf(events), values);
      const second = await simulate(timelineOf(events), values);
      // Assert
      expect(fingerprint(second)).toBe(fingerprint(first));
      const at = first.inbound[0]!.emittedAt;
      expect(first.logs[0]?.obj).toMatchObject({
        now: at,
        date: at,
        uuid: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
      });
    },
  );

  it('leaves dates with arguments, instanceof and clearTimeout as they are', async () => {
    // Arrange
    let seen: unknown[] = [];
    const path = callsOnInbound(() => {
      const handle = setTimeout(() => undefined, 5);
      clearTimeout(handle);
      const date = new Date(86_400_000);
      seen = [date.toISOString(), date instanceof Date, handle.unref() === handle];
    });
    // Act
    const history = await simulate(timelineOf(events), path);
    // Assert
    expect(seen).toEqual(['1970-01-02T00:00:00.000Z', true, true]);
    expect(history.globalsUsed).toEqual([
      { at: history.inbound[0]!.emittedAt, name: 'setTimeout' },
    ]);
  });

  it(
    'lets a chain of setImmediate callbacks see virtual time as with one loop turn per ' +
      'event-loop iteration',
    async () => {
      // Arrange: inbound messages 1 ms apart keep timers firing while the chain runs; under
      // 'untouched' the loop takes one event-loop iteration per turn, the order to match.
      const chained: SendPathFactory = (env) => ({
        start() {
          const socket = env.makeSocket();
          let started = false;
          socket.ev.on('messages.upsert', () => {
            if (started) return;
            started = true;
            const link = (left: number): void => {
              env.logger.info({ at: env.clock.now(), left }, 'link');
              if (left > 0) setImmediate(() => link(left - 1));
            };
            setImmediate(() => link(8));
          });
        },
        async stop() {},
      });
      const burst: TimelineEvent[] = [
        ...Array.from({ length: 40 }, (_, i): TimelineEvent => ({
          at: 10_000 + i,
          do: 'inbound',
          chat: 'c1',
          msg: `m${i}`,
        })),
        // keeps the run going until the chain is over
        { at: 10_500, do: 'reply', to: 'm0', key: 'r1' },
      ];
      // Act
      const watched = await simulate(timelineOf(burst), chained);
      const untouched = await simulate(timelineOf(burst), chained, { globals: 'untouched' });
      // Assert
      const times = (history: typeof watched) =>
        history.logs.map((log) => (log.obj as { at: number }).at);
      expect(times(watched)).toHaveLength(9);
      expect(times(watched)).toEqual(times(untouched));
      expect(fingerprint(watched)).toBe(fingerprint(untouched));
    },
  );

  it(`keeps the first ${globalUsesMax} uses`, async () => {
    const history = await simulate(
      timelineOf(events),
      callsOnInbound(() => Array.from({ length: 50 }, () => Math.random())),
    );
    expect(history.globalsUsed).toHaveLength(globalUsesMax);
  });

  it("leaves the globals alone with globals: 'untouched'", async () => {
    // Arrange
    let seen: unknown;
    const path = callsOnInbound(() => (seen = globalThis.setTimeout));
    // Act
    const history = await simulate(timelineOf(events), path, { globals: 'untouched' });
    // Assert
    expect(history.globalsUsed).toBeUndefined();
    expect(seen).toBe(globalThis.setTimeout);
  });

  it('runs one tripwire run at a time', async () => {
    // Act
    const [first, second] = await Promise.allSettled([
      simulate(timelineOf(events), referenceSendPath, { captureUnhandledRejections: false }),
      simulate(timelineOf(events), referenceSendPath, { captureUnhandledRejections: false }),
    ]);
    // Assert
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && second.reason).toBeInstanceOf(SimulationBusyError);
  });

  it('puts the globals back when the run throws', () => {
    // Arrange
    const before = currentGlobals();
    const run = {
      now: () => 0,
      draw: () => 0.5,
      record: () => undefined,
      intercept: () => () => undefined,
      watchImmediates: () => undefined,
      immediateQueued: () => undefined,
    };
    // Act
    const restore = enterGlobals('tripwire', run);
    const during = currentGlobals();
    try {
      throw new Error('the run broke');
    } catch {
      // what a run's finally does
    } finally {
      restore();
    }
    // Assert
    expect(during.every((value, i) => value !== before[i])).toBe(true);
    expect(currentGlobals()).toEqual(before);
  });

  it('refuses an unknown mode in one line naming the option', async () => {
    await expect(
      simulate(timelineOf(events), referenceSendPath, { globals: 'fake' as never }),
    ).rejects.toThrow(
      "simulate option globals must be 'tripwire', 'untouched' or 'intercept', got \"fake\"",
    );
  });
});
