/**
 * Specimen `no-inbound-dedupe`.
 * BUG: every message `messages.upsert` carries is handed to the bot, with no memory of ids
 * already handed over. When a connection drops before the server got the receipt, WhatsApp
 * delivers the message again on the next connection (same id, as `append`), and the bot answers
 * it twice.
 * Caught by: inbound-handover (the same message handed to the bot twice).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The no-inbound-dedupe specimen. */
export const noInboundDedupe: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { handover: { dedupe: false } });
