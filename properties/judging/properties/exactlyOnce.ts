/**
 * exactly-once: no reply is shown twice, and a reply reported sent is shown. Judged on the
 * server's visible log, never on what the path says about itself.
 */
import type { RequestRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'exactly-once';

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
function lostBeyondRepair(index: HistoryIndex, request: RequestRecord): boolean {
  const attempts = index.messageAttemptsByKey.get(request.key) ?? [];
  if (attempts.some((a) => a.written && a.reachedServer)) return false;
  const reported = attempts.find((a) => a.written && a.result === 'ok');
  if (reported === undefined) return false;
  // The write the path reported was swallowed by a blackhole; later resends may have been cut.
  if (index.socketOf(reported.generation)?.blackholedAt === undefined) return false;
  let lastDeadAt = -1;
  for (const attempt of attempts) {
    if (!attempt.written) continue;
    const socket = index.socketOf(attempt.generation);
    if (socket?.blackholedAt === undefined) continue;
    if (socket.closeEmittedAt === undefined) return true; // still silently dead when the run ended
    lastDeadAt = Math.max(lastDeadAt, socket.closeEmittedAt);
  }
  if (!index.openedAtOrAfter(lastDeadAt)) return true;
  return index.terminalCloseAtOrAfter(lastDeadAt) || index.lastConnectsFailedSince(lastDeadAt);
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const request of index.messageRequests) {
    const copies = index.visibleCopies(request);
    if (copies.length > 1) {
      const second = copies[1]!;
      violations.push({
        property,
        key: request.key,
        generation: second.generation,
        at: second.at,
        message: `${request.key} is visible ${copies.length} times (ids ${copies.map((c) => c.messageId).join(', ')})`,
      });
    }
    if (request.outcome === 'ok' && copies.length === 0 && !lostBeyondRepair(index, request)) {
      violations.push({
        property,
        key: request.key,
        at: request.settledAt ?? index.history.endedAt,
        message: `${request.key} was reported sent but never became visible`,
      });
    }
  }
  return violations;
}

/** Property 1, exactly-once. */
export const exactlyOnce: Checker<typeof property> = {
  name: property,
  definition:
    'Every reply or media request is visible in its chat at most once, and exactly once if the path reported it sent (outcome ok). ' +
    'Ambiguous (info) and failed requests may be absent. Excused: a reply reported sent that never became visible when none of its ' +
    'frames reached the server, the write the path reported vanished into a blackhole, and after that socket was found dead either ' +
    'no newer socket opened before the run ended or the session ended for good (a terminal close, or the last maxAttempts connects all failing).',
  check,
};
