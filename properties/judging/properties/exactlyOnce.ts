/**
 * exactly-once: no reply is shown twice, and a reply reported sent is shown. Judged on the
 * server's visible log, never on what the path says about itself.
 */
import type { RequestRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'exactly-once';

/**
 * Why a reply reported sent that never became visible is no fault of the path, or undefined.
 *
 * `nacked`: the server refused the message (`messages.update` status ERROR after the send
 * resolved); the recipient never sees it and no resend can change that.
 *
 * `lost on the wire`: every frame of it that was written was lost (written, never reached the
 * server: written into a silent link that never came back, or in the latency window before a
 * FIN or RST was heard), and after the last such loss was heard (its socket's close emitted)
 * either no newer socket opened before the run ended or the session ended for good (a close
 * from outside with a terminal code, or the last `maxAttempts` connects all failing, as the
 * liveness check reads them). A loss never heard before the run ended (its socket's close not
 * yet emitted) is beyond repair too. Otherwise a later socket was a chance to resend, and the
 * loss is the path's. Attempts that were never written do not matter: they reached nobody. A
 * reply reported sent with no written frame at all is not excused: the path reported a send
 * that never happened.
 */
function lossExcuse(index: HistoryIndex, request: RequestRecord): 'nacked' | 'lost on the wire' | undefined {
  const attempts = index.messageAttemptsByKey.get(request.key) ?? [];
  if (attempts.some((a) => a.nacked === true)) return 'nacked';
  let lastHeardAt = -Infinity;
  let written = 0;
  for (const attempt of attempts) {
    if (!attempt.written) continue;
    if (attempt.reachedServer) return undefined;
    written += 1;
    const heardAt = index.socketOf(attempt.generation)?.closeEmittedAt;
    if (heardAt === undefined) return 'lost on the wire'; // the path never heard of this loss
    lastHeardAt = Math.max(lastHeardAt, heardAt);
  }
  if (written === 0) return undefined;
  if (!index.openedAtOrAfter(lastHeardAt)) return 'lost on the wire';
  const sessionOver = index.outsideTerminalCloseAtOrAfter(lastHeardAt) || index.lastConnectsFailedSince(lastHeardAt);
  return sessionOver ? 'lost on the wire' : undefined;
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
    if (request.outcome === 'ok' && copies.length === 0 && lossExcuse(index, request) === undefined) {
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
    'Ambiguous (info) and failed requests may be absent. Excused, for a reply reported sent that never became visible: the server nacked it ' +
    '(messages.update status ERROR: the recipient never sees it); or it had at least one written frame, every written frame was lost on the wire ' +
    '(written, never reached the server), and after the last such loss was heard (its socket\'s close emitted; a loss never heard before the run ' +
    'ended counts as beyond repair) either no newer socket opened before the run ended or the session ended for good (a close from outside ' +
    'with a terminal code, 401, 403 or 440, or the last maxAttempts connects all failing).',
  check,
  judges: (index) => index.messageRequests.some((r) => r.calledAt !== undefined),
};
