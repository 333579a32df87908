/**
 * Specimen `logs-out-on-stop`.
 * BUG: stop() calls `logout()` on the socket before ending it, as bots do that mean "disconnect"
 * by it. rc14's `logout()` removes the companion device from the account: the session the bot
 * was given is unlinked, every later login fails 401, and someone must pair the bot again by
 * hand. Everything else is the reference's (the shared host).
 * Caught by: keeps-session (a logout() on a session nobody ended from outside).
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { SendPathFactory, SocketLike } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

type LoggingOut = SocketLike & Pick<WASocket, 'logout'>;

/** The logs-out-on-stop specimen. */
export const logsOutOnStop: SendPathFactory = (env) => {
  let latest: LoggingOut | undefined;
  const path = specimenPath(env, retryingSend, {
    wrapFactory: (makeSocket) => (config) => (latest = makeSocket(config) as LoggingOut),
  });
  return {
    start: (onMessage) => path.start(onMessage),
    async stop() {
      await latest?.logout().catch(() => undefined);
      await path.stop();
    },
  };
};
