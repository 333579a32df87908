/**
 * Specimen `never-connects`.
 * BUG: a wrongly wired adapter: start() takes the bot's handler and returns, but the call that
 * opens the connection was lost. Nothing is ever sent or received, so no property of a single
 * run can fail: every run passes, vacuously.
 * Caught by: the campaign's vacuity verdict (no run gave the properties anything to judge).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The never-connects specimen. */
export const neverConnects: SendPathFactory = (env) => {
  const path = specimenPath(env, retryingSend);
  return { start: () => undefined, stop: () => path.stop() };
};
