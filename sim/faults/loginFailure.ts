/**
 * `loginFailure`: until `untilAt`, the server answers every login with `<failure reason>` instead
 * of `<success>` (`CB:failure`, `Socket/socket.js`): the socket closes with Boom `Connection
 * Failure` and the reason as its status code, before `open`. 401 is what a logged-out device
 * gets, 403 a banned one, 411 a multi-device mismatch, 500 a bad session, 503 an unavailable
 * service, 515 a restart request.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { loginFailureCodes } from '../network/server.js';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

/** The reasons a timeline may give a failed login (each becomes the close's status code). */
export const loginFailureReasons = Object.freeze(Object.values(loginFailureCodes));

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('loginFailure'),
  untilAt: atSchema,
  reason: z.literal(loginFailureReasons),
});

/** `loginFailure`: logins until `untilAt` fail with `Connection Failure` `reason`. */
export type LoginFailureEvent = z.infer<typeof schema>;

/** A generated login failure window. */
export interface LoginFailureStep {
  do: 'loginFailure';
  forMs: number;
  reason: (typeof loginFailureReasons)[number];
}

/** The `loginFailure` fault. */
export const loginFailure = defineFault<'loginFailure', LoginFailureEvent, LoginFailureStep>({
  kind: 'loginFailure',
  summary:
    "logins until untilAt are answered with <failure reason>: close 'Connection Failure' " +
    'with the reason as status code',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'reason'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    const verdict = { kind: 'loginFailure', reason: event.reason } as const;
    target.addRules({ connect: (at) => (at < event.untilAt ? verdict : undefined) });
  },
  describe: (event) => `loginFailure ${event.reason} until ${event.untilAt} ms`,
  draw: {
    shape: 'band',
    tone: 'fault',
    label: (event) => `login ${event.reason}`,
    untilAt: (event) => event.untilAt,
  },
  coverage: {
    // Rarer: a 401 or 403 at login ends the session.
    swarm: {
      loginFailure: fc.oneof(
        { weight: 3, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    },
    kindOf: () => 'loginFailure',
  },
  generate: {
    step: fc.record({
      do: fc.constant('loginFailure' as const),
      forMs: fc.integer({ min: 0, max: 30_000 }),
      // Mostly the reasons a reconnect can outlast.
      reason: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            loginFailureCodes.badSession,
            loginFailureCodes.unavailableService,
            loginFailureCodes.restartRequired,
            loginFailureCodes.multideviceMismatch,
          ),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(loginFailureCodes.loggedOut, loginFailureCodes.forbidden),
        },
      ),
    }),
    stepWeight: 1,
    sceneWeight: 1,
    toEvent: (step, at) => ({
      at,
      do: 'loginFailure',
      untilAt: at + step.forMs,
      reason: step.reason,
    }),
  },
});
