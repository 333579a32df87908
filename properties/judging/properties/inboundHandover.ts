/**
 * inbound-handover: every message a bot must answer that the server delivered to the path
 * reaches the bot exactly once, and the bot never gets the path's own messages back.
 */
import type { InboundDelivery, InboundRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';
import { pathAt, restartsOf, stopRequestedOf } from '../restarts.js';

const property = 'inbound-handover';

/**
 * A delivery the bot need not get: the path of the socket it came on had been asked to stop (by
 * the run or by a restart) by then, or the session had ended from outside.
 */
function excused(index: HistoryIndex, delivery: InboundDelivery): boolean {
  const { history } = index;
  const socket = index.socketOf(delivery.generation);
  const stoppedAt = stopRequestedOf(history, pathAt(history, socket?.createdAt ?? delivery.at));
  return (
    (stoppedAt !== undefined && stoppedAt <= delivery.at) ||
    index.outsideTerminalCloseBy(delivery.at)
  );
}

/** The restart between a message's first handover and its last delivery, to name it. */
function restartBetween(index: HistoryIndex, inbound: InboundRecord): number | undefined {
  const handedAt = inbound.receivedAt ?? inbound.deliveries[0]?.at ?? 0;
  const lastAt = inbound.deliveries.at(-1)?.at ?? handedAt;
  return restartsOf(index.history).find(
    (r) => r.stopRequestedAt >= handedAt && r.stopRequestedAt <= lastAt,
  )?.stopRequestedAt;
}

function describe(inbound: InboundRecord): string {
  const deliveries = inbound.deliveries.map((d) => `${d.type}@${d.generation}`).join(', ');
  return (
    `${inbound.msg} (${inbound.kind} in ${inbound.chat}, delivered ` +
    `${inbound.deliveries.length}x: ${deliveries})`
  );
}

function handover(
  index: HistoryIndex,
  inbound: InboundRecord,
): Violation<typeof property> | undefined {
  const first = inbound.deliveries[0];
  if (!inbound.answerable || first === undefined) return undefined;
  if (inbound.handedCount === 1) return undefined;
  if (inbound.handedCount === 0) {
    // Every copy must have been excused: one delivered to a running path should have reached the
    // bot.
    if (inbound.deliveries.every((d) => excused(index, d))) return undefined;
    return {
      property,
      generation: first.generation,
      at: first.at,
      message: `${describe(inbound)} never reached the bot`,
    };
  }
  const restartAt = restartBetween(index, inbound);
  const fix =
    restartAt === undefined
      ? 'deduplicate by message id'
      : `deduplicate by message id across restarts (the restart at ${restartAt} ms): keep ` +
        `handed ids in env.store`;
  return {
    property,
    generation: first.generation,
    at: inbound.receivedAt ?? first.at,
    message: `${describe(inbound)} reached the bot ${inbound.handedCount} times: ${fix}`,
  };
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const inbound of index.history.inbound) {
    const v = handover(index, inbound);
    if (v !== undefined) violations.push(v);
  }
  const reported = new Set<string>();
  for (const stray of index.history.strayInbound ?? []) {
    if (reported.has(stray.id)) continue;
    reported.add(stray.id);
    const own = index.ownMessageIds.get(stray.id);
    violations.push({
      property,
      at: stray.at,
      ...(own?.key === undefined ? {} : { key: own.key }),
      message:
        own === undefined
          ? `the bot was handed message id ${stray.id}, which the server never delivered`
          : `the bot was handed the path's own message ${stray.id} (attempt #${own.seq}` +
            `${own.key ? ` for ${own.key}` : ''} in ${own.chat}): filter key.fromMe`,
    });
  }
  return violations;
}

/** Property 8, inbound-handover. */
export const inboundHandover: Checker<typeof property> = {
  name: property,
  meaning:
    'Every message the server delivered reaches the bot exactly once, offline and ' +
    "redelivered copies included, and the path's own echoes never do.",
  fix:
    'Handle messages.upsert of type append as well as notify, deduplicate by message ' +
    'id, and skip messages with key.fromMe.',
  definition:
    'Every inbound message of a kind a bot answers (text, media with a caption, a group text) ' +
    'that the server delivered to a socket of the path (messages.upsert, notify or append: live, ' +
    'offline or redelivered after a lost receipt, or emitted again after a listener threw) ' +
    'reaches the bot exactly once: copies are deduplicated by message id. A message counts as ' +
    "handed when the path gave it to the bot's handler, whether or not the handler then threw. " +
    "rc14 receipts a message before emitting it, so one the path's listener threw away is " +
    "emitted again only by that socket's next flush, never after it closes: the server does not " +
    'deliver it again. The path never hands the bot a message the server did not deliver, its ' +
    'own messages included (rc14 echoes every send as an append upsert with key.fromMe). ' +
    'Messages of the other kinds (reaction, revoke, stub, no message, status broadcast) need not ' +
    'reach the bot. Across restarts of the bot the paths count as one: a message handed over ' +
    'before a restart must not be handed over again after it. Excused, for a message that never ' +
    'reached the bot: each copy came after stop() was called on the path whose socket delivered ' +
    'it (by the timeline or a restart), or after the session ended from outside (a terminal ' +
    'close the path did not cause).',
  check,
  judges: ({ history }) =>
    history.inbound.some((m) => m.answerable && m.deliveries.length > 0) ||
    (history.strayInbound?.length ?? 0) > 0,
};
