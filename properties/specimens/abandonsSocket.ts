/**
 * Specimen `abandons-socket`.
 * BUG: "connect if not connected": a reply that finds no live socket opens one of its own, next
 * to the connection the supervisor is re-establishing, sends on it, and keeps it for good. Two
 * sessions of one device: WhatsApp ends one of them (440), and the abandoned socket is never
 * ended.
 * Caught by: one-socket (two sockets connecting or open at once).
 */
import type { SendPathFactory, SimEnv, SocketLike } from '../../src/ports.js';
import { specimenPath, type SpecimenSend } from './host.js';

/** Opens a socket and resolves once it is open; rejects if it closes first. */
function connectNow(env: SimEnv): Promise<SocketLike> {
  const socket = env.makeSocket();
  return new Promise((resolve, reject) => {
    socket.ev.on('connection.update', (update) => {
      if (update.connection === 'open') resolve(socket);
      else if (update.connection === 'close')
        reject(update.lastDisconnect?.error ?? new Error('connection closed'));
    });
  });
}

const send: SpecimenSend = async (ctx, chatJid, content) => {
  const socket = ctx.supervisor.current()?.socket ?? (await connectNow(ctx.env));
  return socket.sendMessage(chatJid, content, { messageId: ctx.env.messageIds() });
};

/** The abandons-socket specimen. */
export const abandonsSocket: SendPathFactory = (env) => specimenPath(env, send);
