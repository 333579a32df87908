/** order: replies to one chat become visible in the order the path was asked to send them. */
import type { VisibleRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';
import { pathOfSocket, restartsOf } from '../restarts.js';

const property = 'order';

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  const requestRank = new Map<string, number>();
  // The order the path was asked in: call order (several calls can share a virtual time). A reply
  // the server nacked, or its recipient could not decrypt, is out of it: its first copy never
  // showed, and a resend shows it late.
  for (const r of index.messageRequests) {
    const attempts = index.messageAttemptsByKey.get(r.key) ?? [];
    const unseen = attempts.some((a) => a.nacked === true || a.undecryptable === true);
    if (r.callSeq !== undefined && !unseen) requestRank.set(r.key, r.callSeq);
  }
  for (const [chat, visible] of Object.entries(index.history.server.visible)) {
    let latest: VisibleRecord | undefined;
    let latestRank = -1;
    for (const record of visible) {
      const rank = record.key === undefined ? undefined : requestRank.get(record.key);
      if (rank === undefined || arrivedAfterRestartStop(index, record)) continue;
      if (rank < latestRank) {
        violations.push({
          property,
          key: record.key,
          generation: record.generation,
          at: record.at,
          message:
            `in chat ${chat}, ${record.key} became visible after ${latest?.key}, which was ` +
            `requested later`,
        });
      } else {
        latest = record;
        latestRank = rank;
      }
    }
  }
  return violations;
}

/**
 * `record`'s frame reached the server after a restart stopped the path that wrote it: a frame
 * held in a link gone silent, delivered when the link came back. The path that wrote it was gone,
 * the new one knew nothing of it: neither could place it in the chat's order.
 */
function arrivedAfterRestartStop(index: HistoryIndex, record: VisibleRecord): boolean {
  const socket = index.socketOf(record.generation);
  if (socket === undefined) return false;
  const stopAt = restartsOf(index.history)[pathOfSocket(index.history, socket)]?.stopRequestedAt;
  return stopAt !== undefined && record.at > stopAt;
}

/** Property 4, order. */
export const order: Checker<typeof property> = {
  name: property,
  meaning: 'In each chat, replies appear in the order the bot asked for them.',
  fix:
    "Send each chat's replies one at a time through a queue per chat, and put a " +
    "resend ahead of that chat's later replies.",
  definition:
    'In each chat, replies become visible in the order the path was called with them (call ' +
    'order, not timeline order: several calls can share a virtual time, and a late inbound ' +
    "delays its replies' calls). Excused: gaps, where an earlier reply failed or was lost and is " +
    'not visible; a reply the server nacked (messages.update status ERROR: that copy never ' +
    'showed) or its recipient could not decrypt (a retry receipt followed), which a resend may ' +
    'show late; a copy that reached the server after a restart stopped the path that wrote it ' +
    '(held in a silent link until it came back). Only an earlier-called reply becoming visible ' +
    'after a later-called one is a violation.',
  check,
  // Two replies called in one chat: an order to keep.
  judges: (index) =>
    [...index.calledMessageRequestsByChat.values()].some((called) => called.length >= 2),
};
