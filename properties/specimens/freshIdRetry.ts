/**
 * Specimen `fresh-id-retry`.
 * BUG: each retry lets Baileys mint a new message id. After an ambiguous failure (a timeout
 * after the frame was written) the retry is a second message: the user sees the reply twice.
 * Caught by: exactly-once (duplicate visible copies).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { specimenPath, type SpecimenSend } from './host.js';

const attemptsMax = 5;

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  let afterGeneration = 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await ctx.supervisor.whenLive(afterGeneration, deadlineAt);
    try {
      // No messageId: every attempt is a brand-new message as far as WhatsApp is concerned.
      return await live.socket.sendMessage(chatJid, content);
    } catch (err) {
      if (attempt >= attemptsMax) throw err;
      afterGeneration = ctx.supervisor.isClosed(live.generation) ? live.generation : live.generation - 1;
    }
  }
};

/** The fresh-id-retry specimen. */
export const freshIdRetry: SendPathFactory = (env) => specimenPath(env, send);
