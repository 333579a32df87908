/**
 * terminal-respected: once the session ended from outside (logged out, banned, replaced by
 * another session), the path connects no more.
 */
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';
import { errorInWords } from '../../../src/errorWords.js';
import { ms } from '../words.js';

const property = 'terminal-respected';

/** What reconnecting after each terminal code does in production. */
const harmByCode: Readonly<Record<number, string>> = {
  401: 'the device was removed: every login fails (401 Connection Failure), and the path hammers WhatsApp with a logged-out session',
  403: 'the account is banned: reconnecting only repeats the refusal',
  440: 'another session of this device is live: a reconnect replaces it, and the two fight (conflict ping-pong)',
};

function check(index: HistoryIndex): Violation<typeof property>[] {
  const terminal = index.firstOutsideTerminalClose;
  if (terminal === undefined) return [];
  const heardAt = terminal.closeEmittedAt!;
  // Sockets made later than the terminal one, once the path had heard of its close.
  const next = index.history.sockets.find((s) => s.generation > terminal.generation && s.createdAt >= heardAt);
  if (next === undefined) return [];
  const code = terminal.closeError!.statusCode!;
  return [
    {
      property,
      generation: next.generation,
      at: next.createdAt,
      message:
        `socket ${next.generation} was connected at ${ms(next.createdAt)} after socket ${terminal.generation} closed at ${ms(heardAt)}: ` +
        `${errorInWords(terminal.closeError!)}, a terminal close the path did not cause; ${harmByCode[code] ?? 'the session is over'}`,
    },
  ];
}

/** Property 9, terminal-respected. */
export const terminalRespected: Checker<typeof property> = {
  name: property,
  meaning:
    'After a logout (401), a ban (403) or a takeover by another session (440) ' +
    'from outside, the path connects no more.',
  fix:
    'On close, read lastDisconnect\'s status code and stop reconnecting for ' +
    'DisconnectReason.loggedOut, forbidden and connectionReplaced.',
  definition:
    'No connect (makeSocket) follows a terminal close the path did not cause: once a socket cut from outside (a stream error: 401 device removed, ' +
    '440 another session took over) or refused at login (401 after a logout, 403) has emitted its close, the path makes no newer socket. ' +
    'Excused: a 440 the path provoked itself by opening a second socket (WhatsApp replaced its own older one; one-socket judges that), and ' +
    'sockets made before the terminal close was emitted (the path could not know yet).',
  check,
  judges: (index) => index.firstOutsideTerminalClose !== undefined,
};
