/**
 * Specimen `dedupe-by-text`.
 * BUG: redeliveries are told apart by what a message says, not by its id: the handover
 * remembers chat + text of every message handed to the bot and skips a message whose chat and
 * text it has seen. A redelivered copy is skipped as it should be, but so is a user's second
 * "hi" in the same chat: the bot never answers it.
 * Caught by: inbound-handover (a delivered message never reached the bot).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { correctHandover, retryingSend, specimenPath } from './host.js';

/** The dedupe-by-text specimen. */
export const dedupeByText: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, {
    handover: {
      dedupeKeyOf: (message) =>
        `${message.key?.remoteJid ?? ''}\u0000${correctHandover.textOf(message)}`,
    },
  });
