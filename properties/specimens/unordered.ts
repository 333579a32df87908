/**
 * Specimen `unordered`.
 * BUG: each reply runs its own retry loop, with no per-chat queue, and spreads retries with a
 * little random delay "to avoid a thundering herd". Two replies to one chat that both hit a
 * reconnect gap retry in random order: the second answer can arrive before the first.
 * Caught by: order (per-chat request order broken).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sleep, specimenPath, type SpecimenSend } from './host.js';

const attemptsMax = 8;
const spreadMsMax = 1500;

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
      afterGeneration = ctx.supervisor.isClosed(live.generation) ? live.generation : live.generation - 1;
      await sleep(ctx.env, Math.floor(ctx.env.random() * spreadMsMax));
    }
  }
};

/** The unordered specimen. */
export const unordered: SendPathFactory = (env) => specimenPath(env, send);
