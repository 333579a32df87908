/**
 * Specimen `regex-classify`.
 * BUG: errors are classified by matching their message text. `Connection Closed` and
 * `Timed Out` match and are retried; `Connection was lost` or `Connection Terminated` (a send
 * in flight when the socket died — it may have been delivered) do not match and are reported
 * as a plain failure, so the caller believes the reply was not sent.
 * Caught by: honest-outcome (definite failure, yet visible), liveness (gave up too early).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { specimenPath, type SpecimenSend } from './host.js';

const attemptsMax = 6;
const retryable = /closed|timed out/i;

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  const messageId = ctx.env.messageIds();
  let afterGeneration = 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await ctx.supervisor.whenLive(afterGeneration, deadlineAt);
    try {
      return await live.socket.sendMessage(chatJid, content, { messageId });
    } catch (err) {
      const text = (err as Error).message;
      if (attempt >= attemptsMax || !retryable.test(text)) throw new Error(`send failed: ${text}`);
      afterGeneration = /closed/i.test(text) ? live.generation : live.generation - 1;
    }
  }
};

/** The regex-classify specimen. */
export const regexClassify: SendPathFactory = (env) => specimenPath(env, send);
