/**
 * `refuseConnects`: until `untilAt`, every connect that completes is refused at once (nothing
 * listens: ECONNREFUSED, which Baileys reports as close 408 `WebSocket Error (connect
 * ECONNREFUSED …)`). The path must back off and try again, not give up or storm.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({ at: atSchema, do: z.literal('refuseConnects'), untilAt: atSchema });

/** `refuseConnects`: every connect that completes before `untilAt` is refused (ECONNREFUSED). */
export type RefuseConnectsEvent = z.infer<typeof schema>;

/** A generated refusal window, `forMs` long. */
export interface RefuseConnectsStep {
  do: 'refuseConnects';
  forMs: number;
}

/** The `refuseConnects` fault. */
export const refuseConnects = defineFault<
  'refuseConnects',
  RefuseConnectsEvent,
  RefuseConnectsStep
>({
  kind: 'refuseConnects',
  summary: 'connects completing before untilAt are refused (close 408 ECONNREFUSED)',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    target.addRules({ connect: (at) => (at < event.untilAt ? { kind: 'refuse' } : undefined) });
  },
  describe: (event) => `refuseConnects until ${event.untilAt} ms`,
  draw: {
    shape: 'band',
    tone: 'fault',
    label: () => 'refuseConnects',
    untilAt: (event) => event.untilAt,
  },
  coverage: { swarm: { refuseConnects: fc.boolean() }, kindOf: () => 'refuseConnects' },
  generate: {
    step: fc.record({
      do: fc.constant('refuseConnects' as const),
      forMs: fc.integer({ min: 0, max: 60_000 }),
    }),
    stepWeight: 1,
    sceneWeight: 2,
    toEvent: (step, at) => ({ at, do: 'refuseConnects', untilAt: at + step.forMs }),
  },
});
