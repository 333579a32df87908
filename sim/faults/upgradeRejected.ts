/**
 * `upgradeRejected`: until `untilAt`, the server answers the WebSocket upgrade with an HTTP error
 * (`status`, e.g. 503 from a load balancer). ws reports `unexpected-response`, Baileys listens for
 * it and does nothing else (`Socket/Client/websocket.js`): the socket stays `connecting` for
 * ever, with no `close` and no timeout (the response ended the request, so ws's handshake
 * timeout never fires). Sends on it are rejected 428. Only a path that gives up on a connect
 * that never completes gets a connection again.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { upgradeRejectionStatus } from '../network/server.js';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('upgradeRejected'),
  untilAt: atSchema,
  status: z.int().min(400).max(599),
});

/** `upgradeRejected`: connects until `untilAt` get HTTP `status` and stay `connecting` for ever. */
export type UpgradeRejectedEvent = z.infer<typeof schema>;

/** A generated window of rejected upgrades, and how late the logins after it are answered. */
export interface UpgradeRejectedStep {
  do: 'upgradeRejected';
  forMs: number;
  /** The logins after the window are answered this late for a minute (a `slowLogin` companion). */
  slowLoginMs?: number | undefined;
}

/** How long the logins after a window of rejected upgrades with a slow-login companion are slow. */
const slowLoginWindowMs = 60_000;

/** The `upgradeRejected` fault. */
export const upgradeRejected = defineFault<
  'upgradeRejected',
  UpgradeRejectedEvent,
  UpgradeRejectedStep
>({
  kind: 'upgradeRejected',
  summary:
    'connects until untilAt get an HTTP error on the upgrade: the socket stays connecting for ' +
    'ever (no close, no timeout)',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'status'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    const verdict = { kind: 'upgradeRejected', status: event.status } as const;
    target.addRules({ connect: (at) => (at < event.untilAt ? verdict : undefined) });
  },
  describe: (event) => `upgradeRejected ${event.status} until ${event.untilAt} ms`,
  draw: {
    shape: 'band',
    tone: 'fault',
    label: (event) => `HTTP ${event.status}`,
    untilAt: (event) => event.untilAt,
  },
  coverage: { swarm: { upgradeRejected: fc.boolean() }, kindOf: () => 'upgradeRejected' },
  generate: {
    step: fc.record({
      do: fc.constant('upgradeRejected' as const),
      forMs: fc.integer({ min: 0, max: 20_000 }),
      // A server shedding load answers the logins it lets through late: half the windows.
      slowLoginMs: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined, freq: 2 }),
    }),
    stepWeight: 1,
    sceneWeight: 1,
    toEvent: (step, at) => ({
      at,
      do: 'upgradeRejected',
      untilAt: at + step.forMs,
      status: upgradeRejectionStatus,
    }),
    companions: (step, at) => {
      if (step.slowLoginMs === undefined) return [];
      const from = at + step.forMs;
      return [
        { at: from, do: 'slowLogin', untilAt: from + slowLoginWindowMs, delayMs: step.slowLoginMs },
      ];
    },
  },
});
