/**
 * Specimen `per-reply-poll`.
 * BUG: every pending reply runs its own backoff loop polling for a live socket, with no bound
 * on the loops, their timers or their attempts. During an outage the number of live timers
 * grows with the number of pending replies, and a reply whose connection never returns polls
 * forever.
 * Caught by: bounded (live timers and attempts grow with load).
 */
import { computeBackoff } from '../../src/reconnectPolicy.js';
import type { SendPathFactory } from '../../src/ports.js';
import { sleep, specimenPath, type SpecimenSend } from './host.js';

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const messageId = ctx.env.messageIds();
  const policy = {
    ...ctx.env.config.reconnect,
    maxMs: Math.min(ctx.env.config.reconnect.maxMs, 5000),
  };
  for (let poll = 1; ; poll += 1) {
    const live = ctx.supervisor.current();
    if (live) {
      try {
        return await live.socket.sendMessage(chatJid, content, { messageId });
      } catch {
        // fall through to the next poll
      }
    }
    if (ctx.supervisor.state === 'stopped') throw new Error('stopped');
    await sleep(ctx.env, computeBackoff(policy, Math.min(poll, 20), ctx.env.random));
  }
};

/** The per-reply-poll specimen. */
export const perReplyPoll: SendPathFactory = (env) => specimenPath(env, send);
