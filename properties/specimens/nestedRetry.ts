/**
 * Specimen `nested-retry`.
 * BUG: a generic `withRetry` wrapper (new attempt = new message) wraps a send helper that
 * already retries. An ambiguous failure inside makes the outer layer send the whole reply
 * again under a new id: duplicates, and up to outer × inner attempts per reply.
 * Caught by: exactly-once (duplicates), bounded (attempts per reply).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sleep, specimenPath, type SpecimenContext, type SpecimenSend } from './host.js';

const innerAttemptsMax = 3;
const outerAttemptsMax = 3;
const outerDelayMs = 500;

async function sendWithInnerRetry(ctx: SpecimenContext, chatJid: string, content: Parameters<SpecimenSend>[2]) {
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  const messageId = ctx.env.messageIds();
  let afterGeneration = 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await ctx.supervisor.whenLive(afterGeneration, deadlineAt);
    try {
      return await live.socket.sendMessage(chatJid, content, { messageId });
    } catch (err) {
      if (attempt >= innerAttemptsMax) throw err;
      afterGeneration = ctx.supervisor.isClosed(live.generation) ? live.generation : live.generation - 1;
    }
  }
}

const send: SpecimenSend = async (ctx, chatJid, content) => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sendWithInnerRetry(ctx, chatJid, content);
    } catch (err) {
      if (attempt >= outerAttemptsMax) throw err;
      await sleep(ctx.env, outerDelayMs);
    }
  }
};

/** The nested-retry specimen. */
export const nestedRetry: SendPathFactory = (env) => specimenPath(env, send);
