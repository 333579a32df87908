/**
 * Specimen `busy-loop`.
 * BUG: the `messages.upsert` handler rate-limits the bot by busy-waiting: past a few messages it
 * spins until its window has passed (`while (clock.now() < until) {}`). In production that
 * freezes the whole process for the window (keep-alives, timers, every other chat); under a
 * virtual clock time never moves inside synchronous code, and the loop never ends.
 * RUNS FOREVER once it spins: only a watchdog-guarded run (a process with a wall-clock budget)
 * may execute it. It is a verdict specimen marked `hangs`, never in `specimens`.
 * Caught by: the campaign's watchdog (a run that makes no progress within its wall-clock budget).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { correctHandover, retryingSend, specimenPath } from './host.js';

/** Messages handled before the limiter starts waiting. */
const messagesBeforeLimit = 3;
/** The limiter's window. */
const windowMs = 1000;

/** The busy-loop specimen. */
export const busyLoop: SendPathFactory = (env) => {
  let handled = 0;
  return specimenPath(env, retryingSend, {
    handover: {
      textOf: (message) => {
        handled += 1;
        if (handled > messagesBeforeLimit) {
          const until = env.clock.now() + windowMs;
          while (env.clock.now() < until) {
            // spin until the window has passed
          }
        }
        return correctHandover.textOf(message);
      },
    },
  });
};

/** Loadable as a module file (`baileys-sim run ./properties/specimens/busyLoop.ts`). */
export default busyLoop;
