/**
 * Specimen `listener-per-reply`.
 * BUG: each reply watches for a close while it is in flight, with a `connection.update`
 * listener on the live socket that it never removes. A socket that carries 500 replies holds
 * 500 listeners, each keeping its reply's closure alive, and every close runs them all.
 * Caught by: bounded (listeners alive at once per socket and event).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath, type SpecimenSend } from './host.js';

const send: SpecimenSend = async (ctx, chatJid, content) => {
  let closedMidway = false;
  ctx.supervisor.current()?.socket.ev.on('connection.update', (update) => {
    if (update.connection === 'close') closedMidway = true;
  });
  const sent = await retryingSend(ctx, chatJid, content);
  if (closedMidway) ctx.env.logger.warn({}, 'the connection closed while a reply was in flight');
  return sent;
};

/** The listener-per-reply specimen. */
export const listenerPerReply: SendPathFactory = (env) => specimenPath(env, send);
