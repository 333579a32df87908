/**
 * `slowLogin`: until `untilAt`, the server answers logins `delayMs` late (WhatsApp under load):
 * the WebSocket is open and the Noise handshake done, but `<success>` comes later, so the socket
 * stays `connecting` meanwhile. rc14's `sendRawMessage` checks only that the WebSocket is open
 * (`ws.isOpen`, `Socket/socket.js`): a send made then runs its queries, which the server answers,
 * and is written before `open`. A path that counts on a 428 before `open` sends for real.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

/** Longest login delay a timeline may ask for, ms. */
const delayMsMax = 60_000;

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('slowLogin'),
  untilAt: atSchema,
  delayMs: z.int().min(1).max(delayMsMax),
});

/** `slowLogin`: logins until `untilAt` are answered `delayMs` late. */
export type SlowLoginEvent = z.infer<typeof schema>;

/** A generated window of slow logins. */
export interface SlowLoginStep {
  do: 'slowLogin';
  forMs: number;
  delayMs: number;
}

/** The `slowLogin` fault. */
export const slowLogin = defineFault<'slowLogin', SlowLoginEvent, SlowLoginStep>({
  kind: 'slowLogin',
  summary:
    'logins until untilAt are answered delayMs late: the socket stays connecting with its ' +
    'WebSocket open, and a send then is written before open',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'delayMs'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    target.addRules({
      connect: (at) =>
        at < event.untilAt ? { kind: 'slowLogin', delayMs: event.delayMs } : undefined,
    });
  },
  describe: (event) => `slowLogin +${event.delayMs} ms until ${event.untilAt} ms`,
  draw: {
    shape: 'band',
    tone: 'slow',
    label: () => 'slow login',
    untilAt: (event) => event.untilAt,
  },
  coverage: { swarm: { slowLogin: fc.boolean() }, kindOf: () => 'slowLogin' },
  generate: {
    step: fc.record({
      do: fc.constant('slowLogin' as const),
      forMs: fc.integer({ min: 0, max: 20_000 }),
      delayMs: fc.integer({ min: 1, max: 10_000 }),
    }),
    // It matters only when the path connects: generated as the companion of a window of
    // rejected upgrades (upgradeRejected.ts), the logins after it slow, and never on its own.
    stepWeight: 0,
    sceneWeight: 0,
    toEvent: (step, at) => ({
      at,
      do: 'slowLogin',
      untilAt: at + step.forMs,
      delayMs: step.delayMs,
    }),
  },
});
