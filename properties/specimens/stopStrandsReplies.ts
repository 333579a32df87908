/**
 * Specimen `stop-strands-replies`.
 * BUG: a reply waits for the connection with a helper that only an `open` ends. stop() ends the
 * connection and returns; the replies still waiting (in a reconnect gap, or queued behind a
 * send in flight) are never settled, and their callers wait forever.
 * Caught by: clean (requests never settled after stop()), liveness (never settled).
 */
import type { SendPathFactory } from '../../src/ports.js';
import type { LiveSocket } from '../../src/supervisor.js';
import { specimenPath, type SpecimenContext, type SpecimenSend } from './host.js';

const attemptsMax = 8;

/**
 * A live socket newer than `generation`, whenever one opens. A stop or a terminal close ends the
 * wait for nobody.
 */
function untilOpen(ctx: SpecimenContext, generation: number): Promise<LiveSocket> {
  return new Promise((resolve) => {
    ctx.supervisor.whenLive(generation, Infinity).then(resolve, () => undefined);
  });
}

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const messageId = ctx.env.messageIds();
  let after = 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await untilOpen(ctx, after);
    try {
      return await live.socket.sendMessage(chatJid, content, { messageId });
    } catch (err) {
      if (attempt >= attemptsMax) throw err;
      after = ctx.supervisor.isClosed(live.generation) ? live.generation : live.generation - 1;
    }
  }
};

/** The stop-strands-replies specimen: its stop() does not wait for the replies it strands. */
export const stopStrandsReplies: SendPathFactory = (env) =>
  specimenPath(env, send, { stopAwaitsReplies: false });
