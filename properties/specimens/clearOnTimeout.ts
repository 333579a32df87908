/**
 * Specimen `clear-on-timeout`.
 * BUG: any send error, a 408 timeout included, is treated as "the connection is gone": the
 * reply waits for a newer socket. A timeout on a healthy socket therefore stalls the reply
 * until its deadline, and the reply is reported as a plain failure although the timed-out
 * frame had been written and is visible.
 * Caught by: honest-outcome (definite failure, yet visible), liveness (stalls past heal).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sendWithRetry, specimenPath, type SpecimenSend } from './host.js';

const send: SpecimenSend = (ctx, chatJid, content) =>
  sendWithRetry(ctx, chatJid, content, {
    attemptsMax: 5,
    next: (_err, live) => live.generation, // "socket is dead" — even when it merely timed out
  });

/** The clear-on-timeout specimen. */
export const clearOnTimeout: SendPathFactory = (env) => specimenPath(env, send);
