/**
 * keeps-session: the path never logs out the session it was given. rc14's `logout()` removes the
 * companion device from the account (`remove-companion-device`, `Socket/socket.js`): the session is
 * unlinked, every later login fails 401, and someone must pair the bot again by hand. Stopping a
 * bot is `end()`; `logout()` in a shutdown, or on a close it could have recovered from, throws
 * the session away.
 */
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'keeps-session';

function check(index: HistoryIndex): Violation<typeof property>[] {
  const { history } = index;
  const violations: Violation<typeof property>[] = [];
  const unlinkedAt = history.server.session.unlinkedAt;
  for (const socket of history.sockets) {
    const at = socket.logoutCalledAt;
    // Already gone from outside (401, 403, 440): the path's logout() can unlink nothing more.
    if (at === undefined || index.outsideTerminalCloseBy(at)) continue;
    const effect =
      unlinkedAt !== undefined && unlinkedAt >= at
        ? `the server removed the companion device at ${unlinkedAt} ms: every later login ` +
          `fails 401 until the bot is paired again`
        : 'it was refused (the socket was not open), but a logout on an open socket ' +
          'removes the companion device';
    violations.push({
      property,
      generation: socket.generation,
      at,
      message:
        `logout() called on socket ${socket.generation} at ${at} ms; ${effect}. Stop with ` +
        `end(), not logout()`,
    });
  }
  return violations;
}

/** Property 12, keeps-session. */
export const keepsSession: Checker<typeof property> = {
  name: property,
  meaning: 'The path never logs out (unlinks) the WhatsApp session it was given.',
  fix:
    'Stop with sock.end(), never sock.logout(): a logout removes the device and someone ' +
    'must pair the bot again.',
  definition:
    "The path never calls logout() on a socket: rc14's logout() removes the companion device " +
    'from the account (remove-companion-device), so the session is unlinked, every later login ' +
    'fails 401, and the bot must be paired again by hand; stopping is end(). A call that rc14 ' +
    'refuses (428, the socket not open) counts too: the same call on an open socket unlinks. ' +
    'Excused: a logout() after the session already ended from outside (a 401, 403 or 440 close ' +
    'the path did not cause), which can unlink nothing more.',
  check,
  judges: ({ history }) => history.sockets.some((socket) => socket.openedAt !== undefined),
};
