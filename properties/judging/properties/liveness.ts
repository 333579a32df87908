/**
 * liveness: every reply settles in time, gives up only with cause, and is delivered once the
 * network healed for good if its deadline left a correct path time to reconnect and send.
 */
import type { History, RequestRecord, SocketRecord } from '../../../sim/history.js';
import {
  connectWatchdogMs,
  keepAliveDetectionMsMax,
  socketTimingsOf,
  wsCloseTimeoutMs,
} from '../../../src/baileysFacts.js';
import type { Checker, Violation } from '../checker.js';
import { isChatRefusal, isMediaRefusal, type HistoryIndex } from '../historyIndex.js';
import { restartStopRequestedBetween } from '../restarts.js';
import { errorInWords } from '../../../src/errorWords.js';
import { ms } from '../words.js';

const property = 'liveness';

/** Room for the connect itself and the send after the reconnect. */
const healSlackMs = 10_000;

/**
 * Longest single attempt (message or presence) in the run: the slack the settle bound allows.
 * A send whose upload the media host never answered does not count: rc14 never settles it, so
 * a path must stop waiting for it by itself.
 */
function longestAttemptMs(history: History): number {
  let longest = 0;
  for (const a of history.attempts) {
    if (a.uploadUnanswered === true) continue;
    const end = a.settledAt ?? history.endedAt;
    longest = Math.max(longest, end - a.at);
  }
  return longest;
}

/**
 * Longest a connect may hang before it is given up: ws ends an unanswered upgrade after
 * `connectTimeoutMs`, and a path gives up on one rc14 leaves `connecting` for ever (an HTTP error
 * on the upgrade) within {@link connectWatchdogMs} of it: twice `connectTimeoutMs`, the handshake
 * and the login. From the path's own timings as each socket recorded them (the largest, should
 * the path change them between sockets); Baileys' defaults when the run made no socket.
 */
function connectGiveUpMsOf(history: History): number {
  let longest = 0;
  for (const s of history.sockets) longest = Math.max(longest, connectWatchdogMs(s.timings));
  return longest > 0 ? longest : connectWatchdogMs(socketTimingsOf(undefined));
}

/**
 * When the path hears the close of a socket whose link went silent and never came back: its
 * close if it was emitted, else the latest rc14 emits it, from the socket's own timings: the
 * keep-alive notices a silent link at most two intervals + 5 s after its last frame (no later
 * than the silence began), and `end()` then waits ws's 30 s close timeout for a peer that
 * answers nothing. Undefined for a socket that never went silent, or whose link resumed before
 * the keep-alive gave up on it.
 */
function silentCloseHeardAt(socket: SocketRecord): number | undefined {
  if (socket.silentAt === undefined) return undefined;
  const resumedInTime =
    socket.resumedAt !== undefined &&
    (socket.diedAt === undefined || socket.resumedAt < socket.diedAt);
  if (resumedInTime) return undefined;
  return (
    socket.closeEmittedAt ??
    socket.silentAt + keepAliveDetectionMsMax(socket.timings.keepAliveIntervalMs) + wsCloseTimeoutMs
  );
}

/**
 * Until when sends begun before the heal were still held by the faults before it: a query sent
 * then waits out its `defaultQueryTimeoutMs` even after the heal (rc14 never resends it), a
 * write stuck behind a full buffer its `connectTimeoutMs`, and an upload the media host never
 * answered until the path gives it up, a reply's deadline after it began at the latest (rc14
 * never settles it). Their chats' later replies wait behind them, as a per-chat order requires.
 * A query left unanswered counts from the moment it was sent, not from its timeout: a run may
 * end before the timeout fires, with the send still held (until the run's end, at least).
 */
function heldPastHealUntil(history: History, healAt: number): number {
  let until = -Infinity;
  for (const a of history.attempts) {
    if (a.at > healAt) continue;
    const stuckWrite = a.result === 'rejected' && a.error?.statusCode === 408;
    const queryHeld = a.queryTimeouts > 0 || (a.queriesStalled ?? 0) > 0;
    const heldUntil = a.settledAt ?? history.endedAt;
    if (queryHeld || stuckWrite) until = Math.max(until, heldUntil);
    else if (a.uploadUnanswered === true)
      until = Math.max(until, Math.min(heldUntil, a.at + history.config.replyDeadlineMs));
  }
  return until;
}

/**
 * When the network was healed for good (a `heal` with no fault after it), and by when a correct
 * path has certainly reconnected: from the heal, or if later from the close of the last silent
 * socket ({@link silentCloseHeardAt}) or the end of the last send held past the heal by a fault
 * before it ({@link heldPastHealUntil}), the longest backoff, a connect that hangs
 * past the heal (until it is given up: {@link connectGiveUpMsOf}; one that never completes, as
 * after an HTTP 503 on the upgrade, is the path's to give up on by then) and 10 s for the connect
 * and the send. Undefined when no such heal exists.
 */
export function healedFor(history: History): { at: number; by: number } | undefined {
  const last = history.networkEvents.at(-1);
  if (last?.do !== 'heal') return undefined;
  let from = Math.max(last.at, heldPastHealUntil(history, last.at));
  for (const socket of history.sockets)
    from = Math.max(from, silentCloseHeardAt(socket) ?? -Infinity);
  const { maxMs, jitter } = history.config.reconnect;
  return {
    at: last.at,
    by: from + Math.ceil(maxMs * (1 + jitter)) + connectGiveUpMsOf(history) + healSlackMs,
  };
}

/**
 * The server refused a media request: an attempt of it was an rc14 media refusal ({@link
 * isMediaRefusal}).
 */
function mediaRefused(index: HistoryIndex, request: RequestRecord): boolean {
  return (
    request.kind === 'sendMedia' &&
    (index.messageAttemptsByKey.get(request.key) ?? []).some(isMediaRefusal)
  );
}

/**
 * The server refused the request's chat ({@link isChatRefusal}: not in the group, or over the
 * rate limit) on its last attempt before it settled: a path may give up then.
 */
function chatRefused(index: HistoryIndex, request: RequestRecord, settledAt: number): boolean {
  const attempts = index.messageAttemptsByKey.get(request.key) ?? [];
  const last = attempts.filter((a) => a.at <= settledAt).at(-1);
  return last !== undefined && isChatRefusal(last);
}

/** Why a failed request was allowed to fail, or undefined if it gave up without cause. */
function failureJustification(index: HistoryIndex, request: RequestRecord): string | undefined {
  const { history } = index;
  const settledAt = request.settledAt ?? history.endedAt;
  const calledAt = request.calledAt ?? request.requestedAt;
  // Every other cause first: a deadline failure alone is still judged against the heal.
  // The harness's own stop once everything settled ('settled') may share the instant of the last
  // settle, but comes after it: only a stop that could have cut the request short excuses it.
  const { stop } = history;
  if (stop.requestedAt !== undefined && stop.reason !== 'settled' && stop.requestedAt <= settledAt)
    return 'stopped';
  // A restart stopped the path it was called on before it settled.
  if (restartStopRequestedBetween(history, calledAt, settledAt)) return 'stopped for a restart';
  if (index.outsideTerminalCloseBy(settledAt)) return 'terminal close';
  if (index.reconnectsExhaustedBy(settledAt)) return 'reconnect attempts exhausted';
  if (mediaRefused(index, request)) return 'media refused';
  if (chatRefused(index, request, settledAt)) return 'chat refused';
  if (settledAt - calledAt >= history.config.replyDeadlineMs) return 'deadline';
  return undefined;
}

function violation(
  request: RequestRecord,
  at: number,
  message: string,
): Violation<typeof property> {
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
      // The path ended its own process: what it left unsettled is the exit's doing (clean's).
      if (history.exited !== undefined) continue;
      violations.push(
        violation(request, history.endedAt, `${key} never settled (called at ${ms(calledAt)})`),
      );
      continue;
    }
    const settledAt = request.settledAt ?? history.endedAt;
    if (settledAt - calledAt > boundMs) {
      violations.push(
        violation(
          request,
          settledAt,
          `${key} settled after ${settledAt - calledAt} ms, beyond ${boundMs} ms`,
        ),
      );
    }
    if (request.outcome === 'ok') continue;
    const why = failureJustification(index, request);
    if (why === undefined) {
      const error = request.error === undefined ? 'with no error' : errorInWords(request.error);
      const gaveUp = `${key} gave up after ${ms(settledAt - calledAt)}: ${error}`;
      violations.push(
        violation(
          request,
          settledAt,
          `${gaveUp}, with no deadline, terminal close or stop to excuse it`,
        ),
      );
    } else if (
      why === 'deadline' &&
      healed !== undefined &&
      calledAt + replyDeadlineMs >= healed.by
    ) {
      violations.push(
        violation(
          request,
          settledAt,
          `${key} was not delivered although the network healed at ${healed.at} ms and ` +
            `its deadline ran to ${calledAt + replyDeadlineMs} ms (a correct path delivers ` +
            `by ${healed.by} ms)`,
        ),
      );
    }
  }
  return violations;
}

/** Property 3, liveness. */
export const liveness: Checker<typeof property> = {
  name: property,
  meaning:
    'Every reply settles within its deadline, gives up only for a real cause (deadline, terminal ' +
    'close, stop(), reconnects exhausted), and is delivered once the network is back.',
  fix:
    "On a failed attempt, wait for the next open socket (bounded by the reply's deadline) and " +
    "try again instead of failing at once; decide by the error's status code, not its text.",
  definition:
    'Every reply or media request the path was called with settles, within replyDeadlineMs plus ' +
    'the longest single attempt of the run (not counting a media send whose upload the media ' +
    'host never answered: rc14 sets no upload timeout and never settles it, so the path must ' +
    'stop waiting by itself). A request that does not end ok (fail or info) needs a cause: its ' +
    'deadline passed, stop() was requested (by the timeline, or by the harness at its deadline) ' +
    'no later than it settled, the session ended from outside before it settled (a socket cut ' +
    'from outside or refused at login with a terminal code, 401, 403 or 440; not a 440 the path ' +
    'provoked by opening a second socket), a restart stopped the path after it was called and no ' +
    'later than it settled, of the sockets closed before it settled the last maxAttempts all ' +
    'never opened, or, for media, the server refused it (an attempt of it failed before any ' +
    "write with rc14's media failure: Boom 500, every upload host failed or media_conn answered " +
    'an error, or the TypeError of a media_conn never answered; rc14 caches a failed media_conn ' +
    "for the socket's life; or the media host never answered its upload), or its last attempt " +
    'was refused for its chat before any write (Boom 500 with data 403, forbidden: the bot is ' +
    'not in the group; or 429, rate-overlimit). A deadline failure is still a violation when the ' +
    'network healed for good (the last network event is a heal) and the deadline ran past the ' +
    'time a correct path has certainly reconnected, and no other cause applies: the heal, or the ' +
    'close of the last socket whose link went silent and never came back (its close, or if never ' +
    "emitted its silence plus two keep-alive intervals, 5 s and ws's 30 s close timeout, from " +
    "the socket's timings), or the settling of the last send begun before the heal that a fault " +
    'held past it (a pre-write query left unanswered waiting out defaultQueryTimeoutMs, a stuck ' +
    'write its connectTimeoutMs, an upload never answered until replyDeadlineMs after it began, ' +
    'when a path has given it up; one still held when the run ended counts until the end), ' +
    "whichever is latest, plus the longest backoff, twice the path's connectTimeoutMs (a hanging " +
    'connect: ws gives up on an unanswered upgrade after connectTimeoutMs, and a connect left ' +
    "connecting forever, as after an HTTP 503 on the upgrade, is the path's to give up on within " +
    'the handshake and login times) and 10 s for the connect and the send. Excused: a request ' +
    'whose inbound never reached the bot; a request still unsettled when the path ended its own ' +
    'process (clean reports the exit).',
  check,
  judges: (index) => index.messageRequests.some((r) => r.calledAt !== undefined),
};
