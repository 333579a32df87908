/**
 * Specimen `memory-only-dedupe`.
 * BUG: the ids of the messages handed to the bot are remembered in memory only. Within one
 * process every redelivery is recognised; after a restart the memory is empty, and WhatsApp
 * delivers again, at the new process's first login, every message whose receipt it never got:
 * the bot answers them a second time.
 * Caught by: inbound-handover (a message handed to the bot before a restart and again after it).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The memory-only-dedupe specimen. */
export const memoryOnlyDedupe: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { handover: { persist: false } });
