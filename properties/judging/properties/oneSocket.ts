/**
 * one-socket: a path has at most one socket connecting or open at any time; it ends the old
 * one before it opens the next.
 */
import type { SocketRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';
import { socketSite } from '../words.js';

const property = 'one-socket';

/**
 * Until when a socket counts as connecting or open: the first of the path calling `end()`, the
 * connection being lost under it (cut, refused, or found silent by the keep-alive: Baileys is
 * closing it then) and its close being emitted. Infinity when none of them happened.
 */
function liveUntil(socket: SocketRecord): number {
  return Math.min(
    socket.endCalledAt ?? Infinity,
    socket.diedAt ?? Infinity,
    socket.closeEmittedAt ?? Infinity,
  );
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  // Sockets come in creation order: a new one overlaps an older one exactly when the latest
  // "live until" among the older ones is past its creation.
  let longest: SocketRecord | undefined;
  for (const socket of index.history.sockets) {
    if (longest !== undefined && liveUntil(longest) > socket.createdAt) {
      violations.push({
        property,
        generation: socket.generation,
        at: socket.createdAt,
        message:
          `socket ${socket.generation} was created at ${socket.createdAt} ms` +
          `${socketSite(index.history, socket.generation)} ` +
          `while socket ${longest.generation} (created at ${longest.createdAt} ms) ` +
          `was still ` +
          (longest.openedAt !== undefined && longest.openedAt <= socket.createdAt
            ? 'open'
            : 'connecting') +
          `: end() the old socket before opening a new one`,
      });
    }
    if (longest === undefined || liveUntil(socket) > liveUntil(longest)) longest = socket;
  }
  return violations;
}

/** Property 10, one-socket. */
export const oneSocket: Checker<typeof property> = {
  name: property,
  meaning: 'At most one socket is connecting or open at a time.',
  fix:
    'end() the old socket and remove its listeners before makeWASocket opens the next ' +
    'one, and never start a reconnect while one is under way.',
  definition:
    'At most one socket of the path is connecting or open at any time: a socket counts from its ' +
    'makeSocket call until the path calls end() on it, its connection is lost (cut, refused, or ' +
    'found silent by the keep-alive, when Baileys starts closing it) or its close is emitted, ' +
    'whichever comes first; a socket created before the older one got there is a violation ' +
    '(WhatsApp answers the second session of a device with 440 on the first, and a stuck connect ' +
    'left behind may open later). Excused: a socket created at the very virtual time the older ' +
    'one was ended. A property of its own rather than part of clean: it holds at every moment of ' +
    'the run, stop() or not.',
  check,
  judges: ({ history }) => history.sockets.length >= 2,
};
