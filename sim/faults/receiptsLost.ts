/**
 * `receiptsLost`: until `untilAt` (or `heal`), the receipts the bot sends for inbound messages
 * never reach the server, so it still counts those messages as undelivered and delivers them
 * again at the next login (`append`, same id): the bot sees one message twice and must answer it
 * once. (A connection that drops before a receipt got through does the same.)
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({ at: atSchema, do: z.literal('receiptsLost'), untilAt: atSchema });

/** `receiptsLost`: receipts sent before `untilAt` are lost; those messages are delivered again. */
export type ReceiptsLostEvent = z.infer<typeof schema>;

/** A generated window of lost receipts, and when the connection drops after it began. */
export interface ReceiptsLostStep {
  do: 'receiptsLost';
  forMs: number;
  dropAfterMs: number;
}

/** The `receiptsLost` fault. */
export const receiptsLost = defineFault<'receiptsLost', ReceiptsLostEvent, ReceiptsLostStep>({
  kind: 'receiptsLost',
  summary:
    'receipts the bot sends before untilAt never reach the server: those inbound messages are ' +
    'delivered again at the next login',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    target.addRules({ receipt: () => (target.now() < event.untilAt ? 'lost' : undefined) });
  },
  describe: (event) => `receiptsLost until ${event.untilAt} ms`,
  draw: { shape: 'band', tone: 'slow', label: () => 'receipts', untilAt: (event) => event.untilAt },
  coverage: {
    // Often on: redelivery needs lost receipts, an inbound in their window and a reconnect.
    swarm: {
      receiptsLost: fc.oneof(
        { weight: 1, arbitrary: fc.constant(false) },
        { weight: 3, arbitrary: fc.constant(true) },
      ),
    },
    kindOf: () => 'receiptsLost',
    // It matters when a message it covered was delivered again.
    mattered: (event, history) =>
      history.inbound.some(
        (m) =>
          m.deliveries.length > 1 &&
          m.deliveries[0]!.at >= event.at &&
          m.deliveries[0]!.at < event.untilAt,
      ),
  },
  generate: {
    step: fc.record({
      do: fc.constant('receiptsLost' as const),
      forMs: fc.integer({ min: 0, max: 60_000 }),
      dropAfterMs: fc.integer({ min: 0, max: 20_000 }),
    }),
    stepWeight: 2,
    sceneWeight: 3,
    sceneAnchor: 'inbound',
    toEvent: (step, at) => ({ at, do: 'receiptsLost', untilAt: at + step.forMs }),
    // Lost receipts show only when the connection goes before they get through.
    companions: (step, at) => [
      { at: at + step.dropAfterMs, do: 'drop', reason: 'connectionReset' },
    ],
  },
});
