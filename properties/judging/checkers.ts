/**
 * Pure checkers: `History -> Violation[]`, one per property of DESIGN.md. The simulator records
 * facts; only these functions judge them. A violation names its property, the reply key, the
 * socket generation and the virtual time, so a reader can find it in the history.
 *
 * Checkers never trust what the send path says about itself (an error's name, a receipt):
 * ground truth is the server's log and the fake sockets' records. The one exception is the
 * seam's documented convention for "ambiguous" (`info`), which is exactly what they judge.
 */
import type { AttemptRecord, History, RequestRecord, VisibleRecord } from '../../sim/history.js';
import { isTerminalCode } from '../../src/baileysFacts.js';

/** Names of the seven properties (DESIGN.md, "Properties"). */
export type PropertyName = 'exactly-once' | 'live-socket' | 'liveness' | 'order' | 'bounded' | 'clean' | 'honest-outcome';

/** One broken property, located. */
export interface Violation {
  property: PropertyName;
  message: string;
  /** Virtual time the violation became visible, ms. */
  at: number;
  key?: string;
  generation?: number;
}

/** Stated limits of the `bounded` property. */
export interface BoundLimits {
  /** Send attempts (message frames) per logical reply. */
  attemptsPerReplyMax: number;
  /** Send-path timers alive at once (it must not grow with the number of pending replies). */
  pathTimersAliveMax: number;
  /**
   * Connection attempts within any sliding window of `connectWindowMs`, counted per series: a
   * working connection lost to the network starts a new series (see `connectSeries`).
   */
  connectsPerWindowMax: number;
  connectWindowMs: number;
}

/** Defaults: the reference uses at most 8 attempts and 2 timers; a storm is > 12 connects a minute in one series. */
export const defaultBoundLimits: Readonly<BoundLimits> = Object.freeze({
  attemptsPerReplyMax: 10,
  pathTimersAliveMax: 8,
  connectsPerWindowMax: 12,
  connectWindowMs: 60_000,
});

/** Every property name, in DESIGN.md's order. */
export const propertyNames: readonly PropertyName[] = [
  'exactly-once',
  'live-socket',
  'liveness',
  'order',
  'bounded',
  'clean',
  'honest-outcome',
];


/** Requests that put a visible message in the chat (composing does not). */
function messageRequests(history: History): RequestRecord[] {
  return history.requests.filter((r) => r.kind !== 'composing');
}

/** The recipient-visible copies of `key` in its chat. */
function visibleCopies(history: History, request: RequestRecord): VisibleRecord[] {
  return (history.server.visible[request.chat] ?? []).filter((v) => v.key === request.key);
}

/**
 * A reply reported sent that never became visible is a loss no send path could have repaired
 * when no frame of it reached the server, the write the path reported (the first attempt that
 * resolved) vanished into a blackhole (the path said "sent" long before a dead connection can be
 * noticed), and, after that socket was found dead, either no newer socket opened (the run ended
 * first) or the session ended for good (a terminal close, or reconnects given up, as the
 * liveness check reads them). Otherwise a later socket was a chance to resend, and the loss is
 * the path's. Attempts that failed before the reported one do not matter: they reached nobody.
 * (Judging by the first written attempt instead flagged the reference path three times in
 * 600,000 runs: a 515 restart or a drop failed attempt 1, attempt 2 resolved into a blackhole,
 * then a 440, a 401 or a last failed reconnect ended the session.)
 */
function lostBeyondRepair(history: History, request: RequestRecord): boolean {
  const written = history.attempts.filter((a) => a.kind === 'message' && a.key === request.key && a.written);
  if (written.some((a) => a.reachedServer)) return false;
  const reported = written.find((a) => a.result === 'ok');
  if (reported === undefined) return false;
  const socketOf = (generation: number) => history.sockets.find((s) => s.generation === generation);
  // The write the path reported was swallowed by a blackhole; later resends may have been cut.
  if (socketOf(reported.generation)?.blackholedAt === undefined) return false;
  let lastDeadAt = -1;
  for (const attempt of written) {
    const socket = socketOf(attempt.generation);
    if (socket?.blackholedAt === undefined) continue;
    if (socket.closeEmittedAt === undefined) return true; // still silently dead when the run ended
    lastDeadAt = Math.max(lastDeadAt, socket.closeEmittedAt);
  }
  if (!history.sockets.some((s) => s.openedAt !== undefined && s.openedAt >= lastDeadAt)) return true;
  return sessionEndedAfter(history, lastDeadAt);
}

/** A terminal close, or the last `maxAttempts` connects all failing, at or after `at`. */
function sessionEndedAfter(history: History, at: number): boolean {
  const closedAfter = history.sockets.filter((s) => s.closeEmittedAt !== undefined && s.closeEmittedAt >= at);
  if (closedAfter.some((s) => isTerminalCode(s.closeError?.statusCode))) return true;
  const tail = history.sockets.slice(-history.config.reconnect.maxAttempts);
  return (
    tail.length === history.config.reconnect.maxAttempts &&
    tail.every((s) => s.openedAt === undefined && s.closeEmittedAt !== undefined && s.closeEmittedAt >= at)
  );
}

/**
 * 1. Every logical reply is visible at most once, and exactly once if reported sent (unless it
 * was lost beyond repair in a blackhole: see {@link lostBeyondRepair}).
 */
export function checkExactlyOnce(history: History): Violation[] {
  const violations: Violation[] = [];
  for (const request of messageRequests(history)) {
    const copies = visibleCopies(history, request);
    if (copies.length > 1) {
      const second = copies[1]!;
      violations.push({
        property: 'exactly-once',
        key: request.key,
        generation: second.generation,
        at: second.at,
        message: `${request.key} is visible ${copies.length} times (ids ${copies.map((c) => c.messageId).join(', ')})`,
      });
    }
    if (request.outcome === 'ok' && copies.length === 0 && !lostBeyondRepair(history, request)) {
      violations.push({
        property: 'exactly-once',
        key: request.key,
        at: request.settledAt ?? history.endedAt,
        message: `${request.key} was reported sent but never became visible`,
      });
    }
  }
  return violations;
}

/** 2. No send on a socket after that socket's close was emitted to the path. */
export function checkLiveSocket(history: History): Violation[] {
  return history.attempts
    .filter((a) => a.closeEmittedBefore)
    .map((a) => ({
      property: 'live-socket' as const,
      key: a.key,
      generation: a.generation,
      at: a.at,
      message: `${a.kind} attempt #${a.seq}${a.key ? ` for ${a.key}` : ''} on socket ${a.generation} after its close was emitted`,
    }));
}

/** Longest single message attempt in the run: the slack the liveness bound allows. */
function longestAttemptMs(history: History): number {
  let longest = 0;
  for (const a of history.attempts) {
    const end = a.settledAt ?? history.endedAt;
    longest = Math.max(longest, end - a.at);
  }
  return longest;
}

/** Why a failed request was allowed to fail, or undefined if it gave up without cause. */
function failureJustification(history: History, request: RequestRecord): string | undefined {
  const settledAt = request.settledAt ?? history.endedAt;
  const calledAt = request.calledAt ?? request.requestedAt;
  if (settledAt - calledAt >= history.config.replyDeadlineMs) return 'deadline';
  if (history.stop.requestedAt !== undefined && history.stop.requestedAt <= settledAt) return 'stopped';
  const closedBefore = history.sockets.filter((s) => s.closeEmittedAt !== undefined && s.closeEmittedAt <= settledAt);
  if (closedBefore.some((s) => isTerminalCode(s.closeError?.statusCode))) return 'terminal close';
  // Out of reconnect attempts: the last maxAttempts sockets before the settle never opened.
  const recent = closedBefore.slice(-history.config.reconnect.maxAttempts);
  if (recent.length === history.config.reconnect.maxAttempts && recent.every((s) => s.openedAt === undefined)) {
    return 'reconnect attempts exhausted';
  }
  return undefined;
}

/**
 * 3. Every reply settles within its deadline (+ one attempt), gives up only with cause (deadline,
 * terminal close, stop, reconnects exhausted), and — once the network healed for good — is
 * delivered if its deadline left a correct path time to reconnect and send.
 */
export function checkLiveness(history: History): Violation[] {
  const violations: Violation[] = [];
  const boundMs = history.config.replyDeadlineMs + longestAttemptMs(history);
  const healed = healedFor(history);
  for (const request of messageRequests(history)) {
    const calledAt = request.calledAt ?? request.requestedAt;
    const base = { property: 'liveness' as const, key: request.key };
    if (request.calledAt === undefined) continue; // its inbound never reached the bot: nothing was asked
    if (request.outcome === 'pending') {
      violations.push({ ...base, at: history.endedAt, message: `${request.key} never settled (requested at ${calledAt})` });
      continue;
    }
    const settledAt = request.settledAt ?? history.endedAt;
    if (settledAt - calledAt > boundMs) {
      violations.push({ ...base, at: settledAt, message: `${request.key} settled after ${settledAt - calledAt} ms, beyond ${boundMs} ms` });
    }
    if (request.outcome === 'ok') continue;
    const why = failureJustification(history, request);
    if (why === undefined) {
      violations.push({
        ...base,
        at: settledAt,
        message: `${request.key} gave up after ${settledAt - calledAt} ms (${request.error?.name ?? 'error'}: ${request.error?.message ?? ''}) with no deadline, terminal close or stop`,
      });
    } else if (why === 'deadline' && healed !== undefined && calledAt + history.config.replyDeadlineMs >= healed.by) {
      violations.push({
        ...base,
        at: settledAt,
        message: `${request.key} was not delivered although the network healed at ${healed.at} ms and its deadline ran to ${calledAt + history.config.replyDeadlineMs} ms (a correct path delivers by ${healed.by} ms)`,
      });
    }
  }
  return violations;
}

/** Longest a connect that began before a heal may hang (Baileys' connectTimeoutMs default). */
const connectTimeoutMs = 20_000;
/** Room for the connect itself and the send after the reconnect. */
const healSlackMs = 10_000;

/**
 * When the network was healed for good (a `heal` with no fault after it), and by when a correct
 * path has certainly reconnected: the longest backoff, a connect that hung past the heal, and
 * any silently dead socket the keep-alive had yet to end. Undefined when no such heal exists
 * or a silent socket was never ended.
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
  return { at: last.at, by: from + Math.ceil(maxMs * (1 + jitter)) + connectTimeoutMs + healSlackMs };
}

/** 4. Replies to one chat become visible in the order they were requested. */
export function checkOrder(history: History): Violation[] {
  const violations: Violation[] = [];
  const requestRank = new Map<string, number>();
  // The order the path was asked in: call order (several calls can share a virtual time).
  for (const r of messageRequests(history)) if (r.callSeq !== undefined) requestRank.set(r.key, r.callSeq);
  for (const [chat, visible] of Object.entries(history.server.visible)) {
    let latest: VisibleRecord | undefined;
    for (const record of visible) {
      const rank = record.key === undefined ? undefined : requestRank.get(record.key);
      if (rank === undefined) continue;
      const latestRank = latest?.key === undefined ? -1 : (requestRank.get(latest.key) ?? -1);
      if (rank < latestRank) {
        violations.push({
          property: 'order',
          key: record.key,
          generation: record.generation,
          at: record.at,
          message: `in chat ${chat}, ${record.key} became visible after ${latest?.key}, which was requested later`,
        });
      } else {
        latest = record;
      }
    }
  }
  return violations;
}

/** 5. Attempts per reply, live timers and connection attempts stay under the stated limits. */
export function checkBounded(history: History, limits: BoundLimits = defaultBoundLimits): Violation[] {
  const violations: Violation[] = [];
  if (history.limit) {
    violations.push({
      property: 'bounded',
      at: history.limit.at,
      message: `LoopLimit: the run hit its ${history.limit.limit} limit (${history.limit.max}); the send path never goes quiet`,
    });
  }
  const attemptsByKey = new Map<string, AttemptRecord[]>();
  for (const a of history.attempts) {
    if (a.kind !== 'message' || a.key === undefined) continue;
    attemptsByKey.set(a.key, [...(attemptsByKey.get(a.key) ?? []), a]);
  }
  for (const [key, attempts] of attemptsByKey) {
    if (attempts.length > limits.attemptsPerReplyMax) {
      const over = attempts[limits.attemptsPerReplyMax]!;
      violations.push({
        property: 'bounded',
        key,
        generation: over.generation,
        at: over.at,
        message: `${key} made ${attempts.length} attempts (limit ${limits.attemptsPerReplyMax})`,
      });
    }
  }
  if (history.timers.path.aliveMax > limits.pathTimersAliveMax) {
    violations.push({
      property: 'bounded',
      at: history.endedAt,
      message: `the send path held ${history.timers.path.aliveMax} timers at once (limit ${limits.pathTimersAliveMax})`,
    });
  }
  const storm = connectStorm(history, limits);
  if (storm) violations.push({ property: 'bounded', at: storm.at, message: storm.message });
  return violations;
}

/**
 * A reconnect storm: more than `connectsPerWindowMax` connection attempts within
 * `connectWindowMs` in one *series*. A series starts at the run's first connect and again at the
 * first connect after a working connection was lost to the network (a drop or a blackhole of a
 * socket that had opened): a fresh backoff begins there, as it should. Counting every connect
 * of the run instead flagged the reference path (found by a 60,000-run campaign): four drops and
 * two refusal windows in 31 s gave 13 well backed-off connects. Closes the path caused itself
 * (`end()`, a second socket replacing the first) start no series, so a path that ends and
 * reopens sockets in a loop is still one series, and a storm.
 */
function connectStorm(history: History, limits: BoundLimits): { at: number; message: string } | undefined {
  for (const series of connectSeries(history)) {
    for (let end = limits.connectsPerWindowMax; end < series.length; end += 1) {
      const first = series[end - limits.connectsPerWindowMax]!;
      const last = series[end]!;
      if (last - first < limits.connectWindowMs) {
        return {
          at: last,
          message: `${limits.connectsPerWindowMax + 1} connection attempts within ${last - first} ms with no working connection lost between them (limit ${limits.connectsPerWindowMax} per ${limits.connectWindowMs} ms): a reconnect storm`,
        };
      }
    }
  }
  return undefined;
}

/** Connect times cut into series (see {@link connectStorm}); each series in time order. */
export function connectSeries(history: History): number[][] {
  const lostAt = history.sockets
    .filter((s) => s.openedAt !== undefined && (s.cause === 'drop' || s.cause === 'blackhole'))
    .map((s) => s.closeEmittedAt ?? s.diedAt ?? Infinity)
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

/** 6. After stop(): no path timers, no pending sends or requests, nothing thrown or unhandled. */
export function checkClean(history: History): Violation[] {
  const violations: Violation[] = [];
  const at = history.stop.completedAt ?? history.endedAt;
  const add = (message: string, when = at): void => void violations.push({ property: 'clean', at: when, message });
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

/** 7. A definite failure must not be visible (the caller would resend it). */
export function checkHonestOutcome(history: History): Violation[] {
  return messageRequests(history)
    .filter((r) => r.outcome === 'fail' && visibleCopies(history, r).length > 0)
    .map((r) => ({
      property: 'honest-outcome' as const,
      key: r.key,
      generation: visibleCopies(history, r)[0]!.generation,
      at: r.settledAt ?? history.endedAt,
      message: `${r.key} was reported as a definite failure (${r.error?.name ?? 'error'}) but is visible: report it as ambiguous`,
    }));
}

/** Runs every checker; violations in property order, then time. */
export function checkAll(history: History, limits: BoundLimits = defaultBoundLimits): Violation[] {
  return [
    ...checkExactlyOnce(history),
    ...checkLiveSocket(history),
    ...checkLiveness(history),
    ...checkOrder(history),
    ...checkBounded(history, limits),
    ...checkClean(history),
    ...checkHonestOutcome(history),
  ];
}
