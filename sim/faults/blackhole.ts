/**
 * `blackhole`: from `at` to `untilAt` (or `heal`) the network carries nothing. Every open socket's
 * link goes silent: its writes still resolve but their frames stall, as does everything the server
 * sends. If the link comes back before Baileys' keep-alive notices, the stalled frames arrive and
 * the socket lives on; otherwise Baileys ends the socket, ws waits its 30 s close timeout for a
 * close frame (cut short if the link comes back), and `close` (408 `Connection was lost`) comes
 * then: what stalled is lost. A connect during it hangs until its `connectTimeoutMs` (408).
 */
import fc from 'fast-check';
import { z } from 'zod';
import {
  baileysDefaults,
  keepAliveDetectionMsMax,
  wsCloseTimeoutMs,
} from '../../src/baileysFacts.js';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({ at: atSchema, do: z.literal('blackhole'), untilAt: atSchema });

/** `blackhole`: from `at` to `untilAt` the network silently eats frames both ways. */
export type BlackholeEvent = z.infer<typeof schema>;

/** A generated blackhole, `forMs` long. */
export interface BlackholeStep {
  do: 'blackhole';
  forMs: number;
}

/**
 * How long after a blackhole (from its end) a send path may still be recovering: Baileys'
 * keep-alive needs up to two intervals + 5 s (default settings) to end a silent socket, ws then
 * waits its close timeout, and a connect made during it hangs for a whole `connectTimeoutMs`.
 */
export const blackholeAftermathMs =
  keepAliveDetectionMsMax(baileysDefaults.keepAliveIntervalMs) +
  wsCloseTimeoutMs +
  baileysDefaults.connectTimeoutMs;

/** The `blackhole` fault. */
export const blackhole = defineFault<'blackhole', BlackholeEvent, BlackholeStep>({
  kind: 'blackhole',
  summary:
    'the network goes silent until untilAt: writes resolve and stall; the keep-alive ends a ' +
    "socket silent too long (408 'Connection was lost' after ws's 30 s close timeout); connects " +
    'hang',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    target.addRules({ connect: (at) => (at < event.untilAt ? { kind: 'hang' } : undefined) });
    for (const link of target.openLinks()) link.silence(event.untilAt);
  },
  // A reply that vanished into a blackhole is only found out later: give the path that time.
  aftermathUntil: (event) => event.untilAt + blackholeAftermathMs,
  describe: (event) => `blackhole until ${event.untilAt} ms`,
  draw: { shape: 'tick', tone: 'fault', label: () => 'blackhole' },
  coverage: { swarm: { blackhole: fc.boolean() }, kindOf: () => 'blackhole' },
  generate: {
    // Shorter than Baileys' keep-alive takes to notice (the frames arrive late); as long as it
    // takes to notice and close (35 to 95 s after the last frame heard: what a send path must
    // hold its writes for); sometimes long enough that reconnects hang into it too.
    step: fc.record({
      do: fc.constant('blackhole' as const),
      forMs: fc.oneof(
        { withCrossShrink: true },
        { weight: 2, arbitrary: fc.integer({ min: 0, max: 30_000 }) },
        { weight: 2, arbitrary: fc.integer({ min: 30_000, max: 100_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 120_000 }) },
      ),
    }),
    stepWeight: 1,
    sceneWeight: 2,
    toEvent: (step, at) => ({ at, do: 'blackhole', untilAt: at + step.forMs }),
  },
});
