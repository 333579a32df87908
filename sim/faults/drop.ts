/**
 * `drop`: the connection ends from outside, now. How, by `reason` (the close error each gives is
 * in `src/dropFacts.ts`, built by `network/baileysErrors.ts`):
 * - `connectionClosed`, `connectionReset`, `wsClose`: the server closes the TCP connection (FIN,
 *   RST) or the WebSocket; the bot hears it one latency later (or `noticeMs`): writes in between
 *   resolve and are lost, a send still in its pre-write query rejects with the bare close code;
 * - `connectionResetUnread`: the server resets the TCP connection, and the RST reaches the bot's
 *   host at once but its process reads it only one latency (or `noticeMs`) later: a write in
 *   between (a send's first query, or its frame) fails with a plain `Error('write ECONNRESET')`,
 *   nothing written, and the close (428) follows at once;
 * - `streamEnd` and the stream errors (`restartRequired` 515, `conflict` 440, `loggedOut` 401,
 *   `serviceUnavailable` 503, `unknownStreamError` 500): the server sends the error on an open
 *   socket and Baileys ends it at once. `loggedOut` removes the linked device for good: every
 *   later login fails with 401. `conflict` means another session of the device took over;
 * - `connectionLost`: the link goes silent for good (a NAT or a mobile network lost it): writes
 *   resolve and vanish until Baileys' keep-alive notices, and `close` comes ws's close timeout
 *   later.
 */
import fc from 'fast-check';
import { z } from 'zod';
import {
  baileysDefaults,
  keepAliveDetectionMsMax,
  wsCloseTimeoutMs,
} from '../../src/baileysFacts.js';
import { dropReasons, streamErrorReasons, type DropReason } from '../../src/dropFacts.js';
import { dropError } from '../network/baileysErrors.js';
import { atSchema, timelineLimits } from '../timelineAtoms.js';
import { defineFault, type CutKind } from './fault.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('drop'),
  reason: z.enum(dropReasons as [DropReason, ...DropReason[]]),
  noticeMs: z.int().min(0).max(timelineLimits.noticeMsMax).optional(),
});

/** `drop`: the connection ends from outside now, for `reason`. */
export type DropEvent = z.infer<typeof schema>;

/** A generated drop: the reason, and a fixed notice delay for a cut or none (one latency). */
export interface DropStep {
  do: 'drop';
  reason: DropReason;
  noticeMs: number | undefined;
}

/**
 * Closes after which a path must not reconnect: the device was logged out, or another session took
 * over.
 */
const terminalReasons: ReadonlySet<DropReason> = new Set<DropReason>(['conflict', 'loggedOut']);

const cutKinds: Partial<Record<DropReason, CutKind>> = {
  connectionClosed: 'fin',
  connectionReset: 'rst',
  connectionResetUnread: 'rstUnread',
  wsClose: 'wsClose',
};

/** Generated unread windows of a reset are the generated notice delay (0-300 ms) times this. */
const unreadWindowScale = 5;

/**
 * How long after a silent drop a path may still be recovering: the keep-alive, ws's close timeout,
 * a reconnect.
 */
const silentAftermathMs =
  keepAliveDetectionMsMax(baileysDefaults.keepAliveIntervalMs) +
  wsCloseTimeoutMs +
  baileysDefaults.connectTimeoutMs;

/** The `drop` fault. */
export const drop = defineFault<'drop', DropEvent, DropStep>({
  kind: 'drop',
  summary:
    'the connection ends from outside: a TCP or WebSocket close (428; a reset not read yet fails ' +
    'writes with write ECONNRESET first), a stream error (515, 440, 401, 503, 500), or a link ' +
    'gone silent for good (408 after the keep-alive and ws close timeout)',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'reason', 'noticeMs'],
  check: (event) =>
    event.noticeMs !== undefined && cutKinds[event.reason] === undefined
      ? [
          `noticeMs: only a connectionClosed, connectionReset, connectionResetUnread or ` +
            `wsClose drop is heard late (this is ${event.reason})`,
        ]
      : [],
  apply(event, target) {
    const cut = cutKinds[event.reason];
    if (event.reason === 'loggedOut') target.session.loggedOutAt ??= target.now();
    if (event.reason === 'conflict') target.session.replacedAt = target.now();
    if (cut !== undefined) {
      for (const link of target.connectingOrOpenLinks()) link.cut(cut, event.noticeMs);
    } else if (streamErrorReasons.has(event.reason)) {
      // A stream error needs a logged-in stream; a login in progress meets the session's new state.
      for (const link of target.openLinks())
        link.streamError(dropError(event.reason), event.reason);
    } else {
      for (const link of target.connectingOrOpenLinks()) link.silence('never');
    }
  },
  aftermathUntil: (event) =>
    event.reason === 'connectionLost' ? event.at + silentAftermathMs : event.at,
  describe: (event) =>
    `drop ${event.reason}` +
    `${event.noticeMs === undefined ? '' : ` (heard after ${event.noticeMs} ms)`}`,
  draw: { shape: 'tick', tone: 'fault', label: (event) => event.reason },
  coverage: {
    swarm: {
      drop: fc.boolean(),
      // Half the runs, as the other kinds: a terminal close ends the run's interesting part, but
      // what a path does after one (reconnecting into a logout or a conflict) needs runs to show.
      terminal: fc.boolean(),
      restart: fc.boolean(),
      // Three runs in four: a silent link loses replies only with activity in the half minute
      // after it, on a socket still open, so fewer runs left its losses too rare to find.
      silentDrop: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
    },
    kindOf(event) {
      if (terminalReasons.has(event.reason)) return 'terminal';
      if (event.reason === 'connectionLost') return 'silentDrop';
      return event.reason === 'restartRequired' ? 'restart' : 'drop';
    },
  },
  generate: {
    step: fc.record({
      do: fc.constant('drop' as const),
      // A link gone silent (the commonest loss on mobile and NAT'd hosts) half the time: it is
      // the one drop whose loss shows only after the keep-alive and ws's close timeout. A
      // terminal close a fifth of the time, as when every reason was as likely: what a path
      // does after one (reconnecting into a logout or a conflict) needs runs to show.
      reason: fc.oneof(
        { withCrossShrink: true },
        {
          weight: 3,
          arbitrary: fc.constantFrom<DropReason>(
            ...dropReasons.filter((r) => r !== 'connectionLost' && !terminalReasons.has(r)),
          ),
        },
        { weight: 2, arbitrary: fc.constantFrom<DropReason>(...terminalReasons) },
        { weight: 5, arbitrary: fc.constant<DropReason>('connectionLost') },
      ),
      noticeMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined, freq: 3 }),
    }),
    stepWeight: 3,
    sceneWeight: 6,
    toEvent: (step, at) => {
      // An RST stays unread while the bot's process is busy: up to 1.5 s, so sends meet it.
      if (step.reason === 'connectionResetUnread') {
        return {
          at,
          do: 'drop',
          reason: step.reason,
          noticeMs: unreadWindowScale * (step.noticeMs ?? 60),
        };
      }
      return step.noticeMs === undefined || cutKinds[step.reason] === undefined
        ? { at, do: 'drop', reason: step.reason }
        : { at, do: 'drop', reason: step.reason, noticeMs: step.noticeMs };
    },
  },
});
