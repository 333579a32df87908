/**
 * `latency`: one-way network latency from now on. Widens every in-flight window (a frame written
 * just before a drop is more likely to be cut) and slows connects.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema, timelineLimits } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('latency'),
  ms: z.int().min(0).max(timelineLimits.latencyMsMax),
});

/** `latency`: one-way network latency from now on, ms. */
export type LatencyEvent = z.infer<typeof schema>;

/** A generated latency change. */
export interface LatencyStep {
  do: 'latency';
  ms: number;
}

/** The `latency` fault. */
export const latency = defineFault<'latency', LatencyEvent, LatencyStep>({
  kind: 'latency',
  summary: 'one-way network latency from now on (ms)',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'ms'],
  apply: (event, target) => target.setLatencyMs(event.ms),
  describe: (event) => `latency ${event.ms} ms`,
  draw: { shape: 'tick', tone: 'slow', label: () => 'latency' },
  coverage: { swarm: { latency: fc.boolean() }, kindOf: () => 'latency' },
  generate: {
    step: fc.record({ do: fc.constant('latency' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
    stepWeight: 1,
    sceneWeight: 1,
    toEvent: (step, at) => ({ at, do: 'latency', ms: step.ms }),
  },
});
