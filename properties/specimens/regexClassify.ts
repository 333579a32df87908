/**
 * Specimen `regex-classify`.
 * BUG: errors are classified by matching their message text. `Connection Closed` and
 * `Timed Out` match and are retried; `Connection was lost` or `Connection Terminated` (a send
 * in flight when the socket died — it may have been delivered) do not match and are reported
 * as a plain failure, so the caller believes the reply was not sent.
 * Caught by: honest-outcome (definite failure, yet visible), liveness (gave up too early).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sendWithRetry, specimenPath, type SpecimenSend } from './host.js';

const retryable = /closed|timed out/i;

const send: SpecimenSend = (ctx, chatJid, content) =>
  sendWithRetry(ctx, chatJid, content, {
    attemptsMax: 6,
    next: (err, live) => {
      const text = (err as Error).message;
      if (!retryable.test(text)) throw new Error(`send failed: ${text}`);
      return /closed/i.test(text) ? live.generation : live.generation - 1;
    },
  });

/** The regex-classify specimen. */
export const regexClassify: SendPathFactory = (env) => specimenPath(env, send);
