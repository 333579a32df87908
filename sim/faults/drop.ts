/**
 * `drop`: the live connection dies now, for a reason that decides the close error the path
 * hears (`connectionLost` 408, `connectionClosed` 428, `restartRequired` 515, `conflict` 440,
 * `loggedOut` 401), after a notice delay (`noticeMs`, drawn from the network stream if absent):
 * a real socket dies before `connection.update` `close` reaches the app.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { dropError, dropReasons, type DropReason } from '../network/baileysErrors.js';
import { atSchema, timelineLimits } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('drop'),
  reason: z.enum(dropReasons as [DropReason, ...DropReason[]]),
  noticeMs: z.int().min(0).max(timelineLimits.noticeMsMax).optional(),
});

/** `drop`: the connection dies now; the path hears `close` after `noticeMs` (drawn if absent). */
export type DropEvent = z.infer<typeof schema>;

/** A generated drop: the reason, and a fixed notice delay or none (then drawn per run). */
export interface DropStep {
  do: 'drop';
  reason: DropReason;
  noticeMs: number | undefined;
}

/** The `drop` fault. */
export const drop = defineFault<'drop', DropEvent, DropStep>({
  kind: 'drop',
  summary: 'the live connection dies; the path hears close (408, 428, 515, 440 or 401 by reason) after a notice delay',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'reason', 'noticeMs'],
  apply(event, target) {
    for (const link of target.connectingOrOpenLinks()) {
      link.die(dropError(event.reason), event.noticeMs ?? target.drawNoticeMs(), event.reason);
    }
  },
  describe: (event) => `drop ${event.reason}${event.noticeMs === undefined ? '' : ` (close heard after ${event.noticeMs} ms)`}`,
  draw: { shape: 'tick', tone: 'fault', label: (event) => event.reason },
  coverage: {
    swarm: {
      drop: fc.boolean(),
      // Rarer: a terminal close ends the run's interesting part.
      terminal: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      restart: fc.boolean(),
    },
    kindOf(event) {
      if (event.reason === 'conflict' || event.reason === 'loggedOut') return 'terminal';
      return event.reason === 'restartRequired' ? 'restart' : 'drop';
    },
  },
  generate: {
    step: fc.record({
      do: fc.constant('drop' as const),
      reason: fc.constantFrom<DropReason>(...dropReasons),
      noticeMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
    }),
    stepWeight: 3,
    sceneWeight: 4,
    toEvent: (step, at) =>
      step.noticeMs === undefined ? { at, do: 'drop', reason: step.reason } : { at, do: 'drop', reason: step.reason, noticeMs: step.noticeMs },
  },
});
