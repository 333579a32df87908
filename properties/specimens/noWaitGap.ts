/**
 * Specimen `no-wait-gap`.
 * BUG: with `maxAttempts = 1` the send helper makes zero waits: if no socket is live at the
 * moment the reply is ready, it fails at once, although a reconnect is a second away.
 * Caught by: liveness (a reply given up before its deadline with no terminal cause).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { specimenPath, type SpecimenSend } from './host.js';

/** The bot's send helper shares the reconnect policy's attempt count. */
const maxAttempts = 1;

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const messageId = ctx.env.messageIds();
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  // Waits between attempts only: with maxAttempts = 1 this loop body never runs.
  for (let attempt = 1; attempt < maxAttempts; attempt += 1) {
    if (ctx.supervisor.current()) break;
    await ctx.supervisor.whenLive(0, deadlineAt);
  }
  const live = ctx.supervisor.current();
  if (!live) throw new Error('no active WhatsApp connection');
  return live.socket.sendMessage(chatJid, content, { messageId });
};

/** The no-wait-gap specimen. */
export const noWaitGap: SendPathFactory = (env) => specimenPath(env, send);
