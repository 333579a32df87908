/** clean: after stop() the path leaves nothing behind and never threw where no one could catch it. */
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'clean';

function check(index: HistoryIndex): Violation<typeof property>[] {
  const { history } = index;
  const violations: Violation<typeof property>[] = [];
  const at = history.stop.completedAt ?? history.endedAt;
  const add = (message: string, when = at): void => void violations.push({ property, at: when, message });
  if (history.stop.result !== 'completed') add(`stop() ${history.stop.result}${history.stop.error ? `: ${history.stop.error.message}` : ''}`);
  if (history.stop.pathTimersAlive > 0) add(`${history.stop.pathTimersAlive} send-path timer(s) alive after stop()`);
  if (history.stop.pendingAttempts > 0) add(`${history.stop.pendingAttempts} send(s) still pending after stop()`);
  // Only requests the harness actually made count; one whose inbound never arrived was never asked.
  const unsettled = history.requests.filter((r) => r.calledAt !== undefined && r.outcome === 'pending').length;
  if (unsettled > 0) add(`${unsettled} request(s) never settled after stop()`);
  for (const u of history.unhandledRejections) add(`unhandled rejection: ${u.error.name}: ${u.error.message}`, u.at);
  for (const t of history.thrown) add(`thrown in ${t.where}: ${t.error.name}: ${t.error.message}`, t.at);
  return violations;
}

/** Property 6, clean. */
export const clean: Checker<typeof property> = {
  name: property,
  definition:
    'The path\'s stop() completes (it neither rejects nor hangs, and the run reaches it), and afterwards the path holds no timers, no pending sends and no unsettled ' +
    'requests (composing included); and at no time in the run does the path leave an unhandled rejection or throw from a timer, a listener, ' +
    'onMessage, start, stop or a request method. Excused: a request whose inbound never reached the bot, which was never asked.',
  check,
};
