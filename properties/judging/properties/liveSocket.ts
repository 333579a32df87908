/** live-socket: a path never sends on a socket whose close it has already been told of. */
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'live-socket';

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const a of index.history.attempts) {
    if (!a.closeEmittedBefore) continue;
    violations.push({
      property,
      key: a.key,
      generation: a.generation,
      at: a.at,
      message:
        `${a.kind} attempt #${a.seq}${a.key ? ` for ${a.key}` : ''} on socket ` +
        `${a.generation} after its close was emitted`,
    });
  }
  return violations;
}

/** Property 2, live-socket. */
export const liveSocket: Checker<typeof property> = {
  name: property,
  meaning: 'A reply is never sent on a socket whose close the path had already been told of.',
  fix:
    'Look up the current socket at every attempt (after every await) instead of using the one ' +
    'captured when the message arrived, and forget a socket once its close is emitted.',
  definition:
    'No send (message or presence) on a socket after that socket emitted connection.update close ' +
    'to the path. Excused: a send in the gap between the connection dying and the close notice: ' +
    "rc14 rejects it with 428 Connection Closed once it is closing (up to ws's 30 s close " +
    'timeout on a silent link), or, before it noticed the loss, writes it into the dead link; ' +
    'the path cannot foresee either.',
  check,
  judges: (index) => index.history.attempts.length > 0,
};
