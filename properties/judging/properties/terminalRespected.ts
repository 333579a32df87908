/**
 * terminal-respected: once the session ended from outside (logged out, banned, replaced by
 * another session), the path connects no more.
 */
import type { History, SocketRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import { isOutsideTerminalClose, type HistoryIndex } from '../historyIndex.js';
import { pathOfSocket } from '../restarts.js';
import { errorInWords } from '../../../src/errorWords.js';
import { ms } from '../words.js';

const property = 'terminal-respected';

/** What reconnecting after each terminal code does in production. */
const harmByCode: Readonly<Record<number, string>> = {
  401:
    'the device was removed: every login fails (401 Connection Failure), and the path ' +
    'hammers WhatsApp with a logged-out session',
  403: 'the account is banned: reconnecting only repeats the refusal',
  440:
    'another session of this device is live: a reconnect replaces it, and the two fight ' +
    '(conflict ping-pong)',
};

/**
 * The first socket `path`'s own sockets after `terminal`, once its close was heard (a restarted
 * bot's new path cannot know).
 */
function connectAfter(history: History, terminal: SocketRecord): SocketRecord | undefined {
  const heardAt = terminal.closeEmittedAt!;
  const path = pathOfSocket(history, terminal);
  return history.sockets.find(
    (s) =>
      s.generation > terminal.generation &&
      s.createdAt >= heardAt &&
      pathOfSocket(history, s) === path,
  );
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const { history } = index;
  const terminals =
    history.restarts === undefined
      ? [index.firstOutsideTerminalClose]
      : history.sockets.filter(isOutsideTerminalClose);
  for (const terminal of terminals) {
    if (terminal === undefined) continue;
    const next = connectAfter(history, terminal);
    if (next === undefined) continue;
    const code = terminal.closeError!.statusCode!;
    return [
      {
        property,
        generation: next.generation,
        at: next.createdAt,
        message:
          `socket ${next.generation} was connected at ${ms(next.createdAt)} after socket ` +
          `${terminal.generation} closed ` +
          `at ${ms(terminal.closeEmittedAt!)}: ${errorInWords(terminal.closeError!)}, a ` +
          `terminal close the path did not ` +
          `cause; ${harmByCode[code] ?? 'the session is over'}`,
      },
    ];
  }
  return [];
}

/** Property 9, terminal-respected. */
export const terminalRespected: Checker<typeof property> = {
  name: property,
  meaning:
    'After a logout (401), a ban (403) or a takeover by another session (440) ' +
    'from outside, the path connects no more.',
  fix:
    "On close, read lastDisconnect's status code and stop reconnecting for " +
    'DisconnectReason.loggedOut, forbidden and connectionReplaced.',
  definition:
    'No connect (makeSocket) follows a terminal close the path did not cause: once a socket cut ' +
    'from outside (a stream error: 401 device removed, 440 another session took over) or refused ' +
    'at login (401 after a logout, 403) has emitted its close, the path makes no newer socket. ' +
    'Excused: the sockets of a path started by a later restart of the bot (a new process; its ' +
    'own first login meets the session as it is); a 440 the path provoked itself by opening a ' +
    'second socket (WhatsApp replaced its own older one; one-socket judges that), and sockets ' +
    'made before the terminal close was emitted (the path could not know yet).',
  check,
  judges: (index) => index.firstOutsideTerminalClose !== undefined,
};
