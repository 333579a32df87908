/**
 * Specimen `stop-keeps-timers`.
 * BUG: stop() ends the socket and fails the waiting replies but clears none of the path's timers.
 * A reconnect that was waiting out its backoff when stop() came fires afterwards and connects a
 * bot that was stopped; a pending connect watchdog or deadline timer keeps the process alive.
 * The supervisor is the reference's; the specimen only drops its clearTimeout calls once stop()
 * began, the calls a stop() that forgets its timers never makes.
 * Caught by: clean (send-path timers alive after stop(), a socket made after it).
 */
import type { Clock, SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The stop-keeps-timers specimen. */
export const stopKeepsTimers: SendPathFactory = (env) => {
  let stopping = false;
  const clock: Clock = {
    now: () => env.clock.now(),
    setTimeout: (callback, delayMs) => env.clock.setTimeout(callback, delayMs),
    clearTimeout: (handle) => {
      if (!stopping) env.clock.clearTimeout(handle);
    },
  };
  const path = specimenPath({ ...env, clock }, retryingSend);
  return {
    start: (onMessage) => path.start(onMessage),
    async stop() {
      stopping = true;
      await path.stop();
    },
  };
};
