/**
 * `stuckWrites`: until `untilAt` (or `heal`), the socket's send buffer is full — a large frame
 * (a big media or newsletter message) is stuck in a link that stopped moving — so every write
 * waits `connectTimeoutMs` and fails with 408 `Timed Out` (`sendRawMessage`'s write timeout,
 * `Socket/socket.js`), its frame never written. The only 408 `Timed Out` rc14 gives a send
 * (measured: `write-stalled` in test/fidelity).
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({ at: atSchema, do: z.literal('stuckWrites'), untilAt: atSchema });

/** `stuckWrites`: writes until `untilAt` wait `connectTimeoutMs` and fail 408 `Timed Out`. */
export type StuckWritesEvent = z.infer<typeof schema>;

/** A generated window of stuck writes. */
export interface StuckWritesStep {
  do: 'stuckWrites';
  forMs: number;
}

/** The `stuckWrites` fault. */
export const stuckWrites = defineFault<'stuckWrites', StuckWritesEvent, StuckWritesStep>({
  kind: 'stuckWrites',
  summary:
    "writes until untilAt are stuck behind a full send buffer: 408 'Timed Out' after " +
    'connectTimeoutMs, never written',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    target.addRules({ write: () => (target.now() < event.untilAt ? 'stuck' : undefined) });
  },
  describe: (event) => `stuckWrites until ${event.untilAt} ms`,
  draw: { shape: 'band', tone: 'slow', label: () => 'stuck', untilAt: (event) => event.untilAt },
  coverage: {
    // Three runs in four: only liveness can tell a path that waits for a newer socket after a
    // 408 on a healthy one (rc14 never writes a stuck frame), and only near a heal.
    swarm: {
      stuckWrites: fc.oneof(
        { weight: 1, arbitrary: fc.constant(false) },
        { weight: 3, arbitrary: fc.constant(true) },
      ),
    },
    kindOf: () => 'stuckWrites',
  },
  generate: {
    step: fc.record({
      do: fc.constant('stuckWrites' as const),
      forMs: fc.integer({ min: 0, max: 60_000 }),
    }),
    stepWeight: 1,
    sceneWeight: 4,
    toEvent: (step, at) => ({ at, do: 'stuckWrites', untilAt: at + step.forMs }),
  },
});
