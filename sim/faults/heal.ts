/**
 * `heal`: the network gets well: refusals and blackholes end (for new connections), latency goes
 * back to its base, links silenced until a heal speak again, every other rule (stuck writes,
 * stalled or refused queries...) is removed. A silently dead socket stays dead until the keep-alive
 * ends it. After a heal with no fault behind it, liveness expects every reply to get
 * through.
 */
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault, type FaultStepBase } from './fault.js';

const schema = z.strictObject({ at: atSchema, do: z.literal('heal') });

/**
 * `heal`: clears refusals, blackholes (for new connections), extra latency and every other rule.
 */
export type HealEvent = z.infer<typeof schema>;

/** The `heal` event (a network event, not a fault). */
export const heal = defineFault<'heal', HealEvent, FaultStepBase<'heal'>>({
  kind: 'heal',
  summary:
    'the network gets well: no refusals, no blackhole for new connections, base latency, ' +
    'no fault rule left',
  isFault: false,
  schema,
  keyOrder: ['at', 'do'],
  apply: (_event, target) => target.heal(),
  describe: () => 'heal',
  draw: { shape: 'tick', tone: 'heal', label: () => 'heal' },
});
