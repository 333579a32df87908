/**
 * bounded: attempts per reply, live timers, connection attempts and listeners per socket stay
 * under stated limits, and the run goes quiet (it never hits the simulator's loop limit).
 */
import type { AttemptRecord, History } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import { queryRefusalCodes } from '../../../src/baileysFacts.js';
import { isChatRefusal, type HistoryIndex } from '../historyIndex.js';
import { restartStarts } from '../restarts.js';
import type { BoundLimits } from '../boundLimits.js';

const property = 'bounded';

/**
 * A reconnect storm: more than `connectsPerWindowMax` connection attempts within
 * `connectWindowMs` in one *series*. A series starts at the run's first connect and again at the
 * first connect after a working connection was lost to the network (a drop or a silent link of a
 * socket that had opened): a fresh backoff begins there, as it should. Counting every connect
 * of the run instead flagged the reference path (found by a 60,000-run campaign): four drops and
 * two refusal windows in 31 s gave 13 well backed-off connects. Closes the path caused itself
 * (`end()`, a second socket replacing the first) start no series, so a path that ends and
 * reopens sockets in a loop is still one series, and a storm.
 */
function connectStorm(
  history: History,
  limits: BoundLimits,
): { at: number; message: string } | undefined {
  for (const series of connectSeries(history)) {
    for (let end = limits.connectsPerWindowMax; end < series.length; end += 1) {
      const first = series[end - limits.connectsPerWindowMax]!;
      const last = series[end]!;
      if (last - first < limits.connectWindowMs) {
        return {
          at: last,
          message:
            `${limits.connectsPerWindowMax + 1} connection attempts within ${last - first} ` +
            `ms with no working connection lost between them (limit ` +
            `${limits.connectsPerWindowMax} per ${limits.connectWindowMs} ms): a reconnect ` +
            `storm`,
        };
      }
    }
  }
  return undefined;
}

/**
 * Connect times cut into series (see {@link connectStorm}); each series in time order. A restarted
 * bot starts a series of its own.
 */
export function connectSeries(history: History): number[][] {
  const lostAt = history.sockets
    .filter((s) => s.openedAt !== undefined && (s.cause === 'drop' || s.cause === 'silent'))
    .map((s) => s.closeEmittedAt ?? s.diedAt ?? Infinity)
    .concat(restartStarts(history))
    .sort((a, b) => a - b);
  const all: number[][] = [];
  let lost = 0;
  for (const at of history.connects.at) {
    let fresh = all.length === 0;
    // The path can only react to a loss it heard of: a connect at or after the close notice.
    while (lost < lostAt.length && lostAt[lost]! <= at) {
      fresh = true;
      lost += 1;
    }
    if (fresh) all.push([at]);
    else all[all.length - 1]!.push(at);
  }
  return all;
}

/**
 * Listener leaks: an event whose listeners on one socket were ever more than the limit at once.
 * The counts cover the socket's whole life; `added` and `removed` tell a leak (added, never
 * removed) from a burst. Churn alone (a listener added and removed per reply) is no leak.
 */
function listenerLeaks(history: History, limits: BoundLimits): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const socket of history.sockets) {
    for (const [event, count] of Object.entries(socket.listeners)) {
      if (count.aliveMax <= limits.listenersAliveMax) continue;
      violations.push({
        property,
        generation: socket.generation,
        at: socket.closeEmittedAt ?? history.endedAt,
        message:
          `socket ${socket.generation} held ${count.aliveMax} '${event}' listeners at once ` +
          `(` +
          `${count.added} added, ${count.removed} removed; limit ` +
          `${limits.listenersAliveMax}` +
          `)`,
      });
    }
  }
  return violations;
}

/** The attempt that broke a reply's limit: 429 refusals and the other attempts counted apart. */
function attemptsOver(
  attempts: readonly AttemptRecord[],
  limits: BoundLimits,
): { attempt: AttemptRecord; message: string } | undefined {
  // Neither limit can be broken by fewer attempts than the smaller one: most replies stop here.
  const fewest = Math.min(limits.attemptsPerReplyMax, limits.rateLimitedAttemptsPerReplyMax);
  if (attempts.length <= fewest) return undefined;
  const rateLimited: AttemptRecord[] = [];
  const others: AttemptRecord[] = [];
  for (const attempt of attempts) (isRateLimited(attempt) ? rateLimited : others).push(attempt);
  if (others.length > limits.attemptsPerReplyMax) {
    const limit = limits.attemptsPerReplyMax;
    const besides =
      rateLimited.length > 0 ? `, besides ${rateLimited.length} refused with 429` : '';
    return {
      attempt: others[limit]!,
      message: `made ${others.length} attempts (limit ${limit}${besides})`,
    };
  }
  if (rateLimited.length > limits.rateLimitedAttemptsPerReplyMax) {
    const limit = limits.rateLimitedAttemptsPerReplyMax;
    const message =
      `made ${rateLimited.length} attempts the server refused with 429, rate-overlimit ` +
      `(limit ${limit}): back off longer between them`;
    return { attempt: rateLimited[limit]!, message };
  }
  return undefined;
}

/** A send the server refused before the write with 429 (`rate-overlimit`). */
function isRateLimited(attempt: AttemptRecord): boolean {
  return isChatRefusal(attempt) && attempt.error?.data === queryRefusalCodes.rateOverlimit;
}

function check(index: HistoryIndex, limits: BoundLimits): Violation<typeof property>[] {
  const { history } = index;
  const violations: Violation<typeof property>[] = [];
  if (history.limit) {
    violations.push({
      property,
      at: history.limit.at,
      message:
        `LoopLimit: the run hit its ${history.limit.limit} limit (${history.limit.max}); ` +
        `the send path never goes quiet`,
    });
  }
  // forEach, not for-of: no entry pair allocated per reply.
  index.messageAttemptsByKey.forEach((attempts, key) => {
    const over = attemptsOver(attempts, limits);
    if (!over) return;
    const { attempt, message } = over;
    violations.push({
      property,
      key,
      generation: attempt.generation,
      at: attempt.at,
      message: `${key} ${message}`,
    });
  });
  if (history.timers.path.aliveMax > limits.pathTimersAliveMax) {
    violations.push({
      property,
      at: history.endedAt,
      message:
        `the send path held ${history.timers.path.aliveMax} timers at once (limit ` +
        `${limits.pathTimersAliveMax})`,
    });
  }
  const storm = connectStorm(history, limits);
  if (storm) violations.push({ property, at: storm.at, message: storm.message });
  violations.push(...listenerLeaks(history, limits));
  return violations;
}

/** Property 5, bounded. */
export const bounded: Checker<typeof property> = {
  name: property,
  meaning:
    "The path's work stays bounded: attempts per reply, timers alive at once, " +
    'listeners per socket and connects a minute.',
  fix:
    'Cap the attempts per reply, share one timer instead of one per reply, remove ' +
    'every listener you add, and back off between reconnects.',
  definition:
    "The run never hits the simulator's loop limit (a path that never goes quiet); no reply " +
    'takes more than attemptsPerReplyMax message attempts (default 10), sends the server refused ' +
    'with 429 counted apart up to rateLimitedAttemptsPerReplyMax (default 12); the path never ' +
    'holds more than pathTimersAliveMax timers at once (default 8); and no series of connects ' +
    'holds more than connectsPerWindowMax (default 12) within connectWindowMs (default 60 s). A ' +
    'series starts at the first connect and again at the first connect after a socket that had ' +
    'opened was lost to the network (a drop, or a silent link the keep-alive ended) and the path ' +
    'was told so, or a restart started a new path; and no socket ever holds more than ' +
    'listenersAliveMax (default 8) listeners of one event at once (on minus off, over the ' +
    "socket's life). Excused: a fresh burst of connects after such a loss (closes the path " +
    'caused itself, end() or a replacing socket, start no series); listeners added and removed ' +
    'again, however many.',
  check,
  // Something to bound: a connect, a timer or a send.
  judges: ({ history }) =>
    history.connects.count > 0 || history.timers.path.created > 0 || history.attempts.length > 0,
};
