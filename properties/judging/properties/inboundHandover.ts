/**
 * inbound-handover: every message a bot must answer that the server delivered to the path
 * reaches the bot exactly once, and the bot never gets the path's own messages back.
 */
import type { InboundRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';

const property = 'inbound-handover';

/** A message first delivered at `deliveredAt` need not reach the bot: stop() came first, or the session had ended from outside. */
function excused(index: HistoryIndex, deliveredAt: number): boolean {
  const { stop } = index.history;
  return (stop.requestedAt !== undefined && stop.requestedAt <= deliveredAt) || index.outsideTerminalCloseBy(deliveredAt);
}

function describe(inbound: InboundRecord): string {
  const deliveries = inbound.deliveries.map((d) => `${d.type}@${d.generation}`).join(', ');
  return `${inbound.msg} (${inbound.kind} in ${inbound.chat}, delivered ${inbound.deliveries.length}x: ${deliveries})`;
}

function handover(index: HistoryIndex, inbound: InboundRecord): Violation<typeof property> | undefined {
  const first = inbound.deliveries[0];
  if (!inbound.answerable || first === undefined) return undefined;
  if (inbound.handedCount === 1) return undefined;
  if (inbound.handedCount === 0) {
    if (excused(index, first.at)) return undefined;
    return { property, generation: first.generation, at: first.at, message: `${describe(inbound)} never reached the bot` };
  }
  return {
    property,
    generation: first.generation,
    at: inbound.receivedAt ?? first.at,
    message: `${describe(inbound)} reached the bot ${inbound.handedCount} times: deduplicate by message id`,
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
          : `the bot was handed the path's own message ${stray.id} (attempt #${own.seq}${own.key ? ` for ${own.key}` : ''} in ${own.chat}): filter key.fromMe`,
    });
  }
  return violations;
}

/** Property 8, inbound-handover. */
export const inboundHandover: Checker<typeof property> = {
  name: property,
  meaning:
    'Every message the server delivered reaches the bot exactly once, offline and ' +
    'redelivered copies included, and the path\'s own echoes never do.',
  fix:
    'Handle messages.upsert of type append as well as notify, deduplicate by message ' +
    'id, and skip messages with key.fromMe.',
  definition:
    'Every inbound message of a kind a bot answers (text, media with a caption, a group text) that the server delivered to a socket of the path ' +
    '(messages.upsert, notify or append: live, offline or redelivered after a lost receipt, or emitted again after a listener threw) reaches the bot ' +
    'exactly once: copies are deduplicated by message id. A message counts as handed when the path gave it to the bot\'s handler, whether or not ' +
    'the handler then threw. rc14 receipts a message before emitting it, so one the path\'s listener threw away is emitted again only by that ' +
    'socket\'s next flush, never after it closes: the server does not deliver it again. The path never hands the bot a message the server did not deliver, its own messages ' +
    'included (rc14 echoes every send as an append upsert with key.fromMe). Messages of the other kinds (reaction, revoke, stub, no message, ' +
    'status broadcast) need not reach the bot. Excused, for a message that never reached the bot: stop() was called, or the session ended ' +
    'from outside (a terminal close the path did not cause), at or before its first delivery.',
  check,
  judges: ({ history }) => history.inbound.some((m) => m.answerable && m.deliveries.length > 0) || (history.strayInbound?.length ?? 0) > 0,
};
