/**
 * Specimen `captured-socket`.
 * BUG: the reply closure keeps the socket that was live when the message arrived and sends on
 * it, retrying a few times. After a reconnect that socket is dead: every attempt gets 428 and
 * the reply is lost, while a healthy replacement socket sits unused.
 * Caught by: live-socket (sends on a socket whose close was emitted), exactly-once (never visible).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sleep, specimenPath, type SpecimenSend } from './host.js';

const attemptsMax = 3;
const retryDelayMs = 1000;

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const captured = ctx.capturedAtInbound;
  if (!captured) throw new Error('not connected');
  const messageId = ctx.env.messageIds();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await captured.socket.sendMessage(chatJid, content, { messageId });
    } catch (err) {
      if (attempt >= attemptsMax) throw err;
      await sleep(ctx.env, retryDelayMs);
    }
  }
};

/** The captured-socket specimen. */
export const capturedSocket: SendPathFactory = (env) => specimenPath(env, send);
