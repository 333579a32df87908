/**
 * `blackhole`: from `at` to `untilAt` the network silently eats frames in both directions. Every
 * socket open during it is silently dead for good: its sends still resolve, nothing reaches the
 * server, no inbound reaches it, and it ends with 408 `Connection was lost` when Baileys'
 * keep-alive would notice. A connect that would complete during it hangs until the socket's
 * `connectTimeoutMs` and fails with 408. Sockets opened after `untilAt` (or after `heal`) work.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { baileysDefaults, keepAliveDetectionMsMax } from '../../src/baileysFacts.js';
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
 * keep-alive needs up to two intervals + 5 s (default settings) to end a silently dead socket,
 * and a connect made during it hangs for a whole `connectTimeoutMs`.
 */
export const blackholeAftermathMs = keepAliveDetectionMsMax(baileysDefaults.keepAliveIntervalMs) + baileysDefaults.connectTimeoutMs;

/** The `blackhole` fault. */
export const blackhole = defineFault<'blackhole', BlackholeEvent, BlackholeStep>({
  kind: 'blackhole',
  summary: "the link goes silently dead until untilAt: writes resolve and vanish until the keep-alive ends the socket (408 'Connection was lost'); connects hang",
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt'],
  check: (event) => (event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : []),
  apply(event, target) {
    target.addConnectRule((at) => (at < event.untilAt ? 'hang' : undefined));
    for (const link of target.openLinks()) link.silence();
  },
  // A reply that vanished into a blackhole is only found out later: give the path that time.
  aftermathUntil: (event) => event.untilAt + blackholeAftermathMs,
  describe: (event) => `blackhole until ${event.untilAt} ms`,
  draw: { shape: 'tick', tone: 'fault', label: () => 'blackhole' },
  coverage: { swarm: { blackhole: fc.boolean() }, kindOf: () => 'blackhole' },
  generate: {
    // Mostly shorter than Baileys' keep-alive takes to notice (the reconnect lands after it),
    // sometimes long enough that reconnects hang into it too.
    step: fc.record({
      do: fc.constant('blackhole' as const),
      forMs: fc.oneof(
        { withCrossShrink: true },
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 30_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 120_000 }) },
      ),
    }),
    stepWeight: 1,
    sceneWeight: 2,
    toEvent: (step, at) => ({ at, do: 'blackhole', untilAt: at + step.forMs }),
  },
});
