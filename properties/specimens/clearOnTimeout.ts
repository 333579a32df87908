/**
 * Specimen `clear-on-timeout`.
 * BUG: any send error, a 408 timeout included, is treated as "the connection is gone": the
 * reply waits for a newer socket. A timeout on a healthy socket therefore stalls the reply
 * until its deadline, and the reply is reported as a plain failure although the timed-out
 * frame had been written and is visible.
 * Caught by: honest-outcome (definite failure, yet visible), liveness (stalls past heal).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { specimenPath, type SpecimenSend } from './host.js';

const attemptsMax = 5;

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  const messageId = ctx.env.messageIds();
  let afterGeneration = 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await ctx.supervisor.whenLive(afterGeneration, deadlineAt);
    try {
      return await live.socket.sendMessage(chatJid, content, { messageId });
    } catch (err) {
      if (attempt >= attemptsMax) throw err;
      afterGeneration = live.generation; // "socket is dead" — even when it merely timed out
    }
  }
};

/** The clear-on-timeout specimen. */
export const clearOnTimeout: SendPathFactory = (env) => specimenPath(env, send);
