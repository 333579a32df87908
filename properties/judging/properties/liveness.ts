/**
 * liveness: every reply settles in time, gives up only with cause, and is delivered once the
 * network healed for good if its deadline left a correct path time to reconnect and send.
 */
import type { History, RequestRecord } from '../../../sim/history.js';
import { baileysDefaults } from '../../../src/baileysFacts.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'liveness';

/** Room for the connect itself and the send after the reconnect. */
const healSlackMs = 10_000;

/** Longest single attempt (message or presence) in the run: the slack the settle bound allows. */
function longestAttemptMs(history: History): number {
  let longest = 0;
  for (const a of history.attempts) {
    const end = a.settledAt ?? history.endedAt;
    longest = Math.max(longest, end - a.at);
  }
  return longest;
}

/**
 * Longest a connect may hang before ws gives up on it: the path's own `connectTimeoutMs`, as
 * each socket recorded it (the largest, should the path change it between sockets); Baileys'
 * default when the run made no socket.
 */
function connectTimeoutMsOf(history: History): number {
  let longest = 0;
  for (const s of history.sockets) longest = Math.max(longest, s.timings.connectTimeoutMs);
  return longest > 0 ? longest : baileysDefaults.connectTimeoutMs;
}

/**
 * When the network was healed for good (a `heal` with no fault after it), and by when a correct
 * path has certainly reconnected: the longest backoff, a connect that hung past the heal (for
 * the path's own connect timeout), and any silently dead socket the keep-alive had yet to end.
 * Undefined when no such heal exists or a silent socket was never ended.
 */
export function healedFor(history: History): { at: number; by: number } | undefined {
  const last = history.networkEvents.at(-1);
  if (last?.do !== 'heal') return undefined;
  let from = last.at;
  for (const socket of history.sockets) {
    if (socket.blackholedAt === undefined) continue;
    if (socket.closeEmittedAt === undefined) return undefined;
    from = Math.max(from, socket.closeEmittedAt);
  }
  const { maxMs, jitter } = history.config.reconnect;
  return { at: last.at, by: from + Math.ceil(maxMs * (1 + jitter)) + connectTimeoutMsOf(history) + healSlackMs };
}

/** Why a failed request was allowed to fail, or undefined if it gave up without cause. */
function failureJustification(index: HistoryIndex, request: RequestRecord): string | undefined {
  const { history } = index;
  const settledAt = request.settledAt ?? history.endedAt;
  const calledAt = request.calledAt ?? request.requestedAt;
  if (settledAt - calledAt >= history.config.replyDeadlineMs) return 'deadline';
  if (history.stop.requestedAt !== undefined && history.stop.requestedAt <= settledAt) return 'stopped';
  if (index.terminalCloseBy(settledAt)) return 'terminal close';
  if (index.reconnectsExhaustedBy(settledAt)) return 'reconnect attempts exhausted';
  return undefined;
}

function violation(request: RequestRecord, at: number, message: string): Violation<typeof property> {
  return { property, key: request.key, at, message };
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const { history } = index;
  const { replyDeadlineMs } = history.config;
  const violations: Violation<typeof property>[] = [];
  const boundMs = replyDeadlineMs + longestAttemptMs(history);
  const healed = healedFor(history);
  for (const request of index.messageRequests) {
    const { key, calledAt } = request;
    if (calledAt === undefined) continue; // its inbound never reached the bot: nothing was asked
    if (request.outcome === 'pending') {
      violations.push(violation(request, history.endedAt, `${key} never settled (requested at ${calledAt})`));
      continue;
    }
    const settledAt = request.settledAt ?? history.endedAt;
    if (settledAt - calledAt > boundMs) {
      violations.push(violation(request, settledAt, `${key} settled after ${settledAt - calledAt} ms, beyond ${boundMs} ms`));
    }
    if (request.outcome === 'ok') continue;
    const why = failureJustification(index, request);
    if (why === undefined) {
      const error = `${request.error?.name ?? 'error'}: ${request.error?.message ?? ''}`;
      violations.push(violation(request, settledAt, `${key} gave up after ${settledAt - calledAt} ms (${error}) with no deadline, terminal close or stop`));
    } else if (why === 'deadline' && healed !== undefined && calledAt + replyDeadlineMs >= healed.by) {
      violations.push(
        violation(
          request,
          settledAt,
          `${key} was not delivered although the network healed at ${healed.at} ms and its deadline ran to ${calledAt + replyDeadlineMs} ms (a correct path delivers by ${healed.by} ms)`,
        ),
      );
    }
  }
  return violations;
}

/** Property 3, liveness. */
export const liveness: Checker<typeof property> = {
  name: property,
  definition:
    'Every reply or media request the path was called with settles, within replyDeadlineMs plus the longest single attempt of the run. ' +
    'A request that does not end ok (fail or info) needs a cause: its deadline passed, stop() was requested before it settled, a socket closed with a terminal code ' +
    '(logged out, banned, replaced) before it settled, or, of the sockets closed before it settled, the last maxAttempts all never opened. ' +
    'A deadline failure is still a violation when the network healed for good (the last network event is a heal) and the deadline ran past ' +
    'the time a correct path has certainly reconnected: the heal (or the keep-alive ending the last silently dead socket, if later) plus the ' +
    'longest backoff, the path\'s connectTimeoutMs and 10 s for the connect and the send. Excused: a request whose inbound never reached the bot.',
  check,
};
