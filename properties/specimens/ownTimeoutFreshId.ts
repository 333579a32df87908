/**
 * Specimen `own-timeout-fresh-id`.
 * BUG: each send races a timeout of the path's own, shorter than rc14's 60 s query timeout, and a
 * send that loses the race is tried again as a new message, under a new id. rc14's own timeouts
 * (408) come only before a write, so a new id after one of them duplicates nothing; this timeout
 * does not. A send whose pre-write query is answered late, or not at all until
 * `defaultQueryTimeoutMs`, is still under way when the path gives up on it: it writes afterwards,
 * and so does the retry. Everything else is right: a reply written on a socket that closed
 * before the write was confirmed is resent under the id it was written with.
 * Caught by: exactly-once (two visible copies of one reply, under two ids).
 */
import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { baileysDefaults, confirmWindowMs } from '../../src/baileysFacts.js';
import type { SendPathFactory, SimEnv, SocketLike } from '../../src/ports.js';
import { resendingPath } from './host.js';

/** The path's own send timeout: a common choice, well under rc14's 60 s query timeout. */
const ownSendTimeoutMs = 10_000;

/** Thrown when a send outlasts {@link ownSendTimeoutMs}. */
class OwnTimeoutError extends Error {
  override readonly name = 'OwnTimeoutError';
}

/**
 * A send that rejects after {@link ownSendTimeoutMs} on the path's clock; the timer is cleared
 * either way.
 */
function sendWithOwnTimeout(
  env: SimEnv,
  socket: SocketLike,
  chatJid: string,
  content: AnyMessageContent,
  options: { messageId: string } | undefined,
): Promise<unknown> {
  const sending = socket.sendMessage(chatJid, content, options);
  sending.catch(() => undefined); // a send that lost the race settles later: nobody listens
  let timer: unknown;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = env.clock.setTimeout(
      () => reject(new OwnTimeoutError(`send took longer than ${ownSendTimeoutMs} ms`)),
      ownSendTimeoutMs,
    );
  });
  return Promise.race([sending, timeout]).finally(() => env.clock.clearTimeout(timer));
}

/** The own-timeout-fresh-id specimen. */
export const ownTimeoutFreshId: SendPathFactory = (env) =>
  resendingPath(env, {
    heldMs: confirmWindowMs(baileysDefaults.keepAliveIntervalMs),
    ids: 'stable',
    attempt: {
      sendVia: (socket, chatJid, content, options) =>
        sendWithOwnTimeout(env, socket, chatJid, content, options),
      renewIdAfter: (err) => err instanceof OwnTimeoutError,
    },
  });
