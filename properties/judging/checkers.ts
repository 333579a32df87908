/**
 * Pure checkers: `History -> Violation[]`, one per property. The simulator records facts; only
 * these functions judge them. A violation names its property, the reply key, the socket
 * generation and the virtual time, so a reader can find it in the history.
 *
 * Checkers never trust what the send path says about itself (an error's name, a receipt):
 * ground truth is the server's log and the fake sockets' records. The one exception is the
 * seam's documented convention for "ambiguous" (`info`), which is exactly what they judge.
 */
import type { History } from '../../sim/history.js';
import type { Checker, Violation } from './checker.js';
import { judgeable } from './harnessLimit.js';
import { HistoryIndex } from './historyIndex.js';
import { defaultBoundLimits, type BoundLimits } from './boundLimits.js';
import { bounded } from './properties/bounded.js';
import { chatIndependence } from './properties/chatIndependence.js';
import { clean } from './properties/clean.js';
import { exactlyOnce } from './properties/exactlyOnce.js';
import { honestOutcome } from './properties/honestOutcome.js';
import { inboundHandover } from './properties/inboundHandover.js';
import { keepsSession } from './properties/keepsSession.js';
import { liveness } from './properties/liveness.js';
import { liveSocket } from './properties/liveSocket.js';
import { oneSocket } from './properties/oneSocket.js';
import { order } from './properties/order.js';
import { terminalRespected } from './properties/terminalRespected.js';
import { propertyNames, type PropertyName } from './propertyNames.js';

export type { Checker, Violation } from './checker.js';
export { HistoryIndex } from './historyIndex.js';
export { judgeable, unmodelledLine } from './harnessLimit.js';
export { defaultBoundLimits, type BoundLimits } from './boundLimits.js';
export { connectSeries } from './properties/bounded.js';
export { healedFor } from './properties/liveness.js';
export { propertyNames, type PropertyName } from './propertyNames.js';

/**
 * Every property's checker, keyed by the property's name. The names are `propertyNames.ts`'s
 * list (the order `checkAll` runs and reports in), and the table's type requires one entry per
 * name and no other, so a property is known, validated in failure files, counted in campaign
 * summaries and checked on every run exactly when it is in both.
 *
 * To add a property:
 * 1. Write `properties/<name>.ts` exporting a `Checker<'<name>'>`: its `name`, a one-paragraph
 *    `definition` (what must hold and every excuse), `check(index, limits)`, which reads
 *    the history through the {@link HistoryIndex} (add a lookup there rather than scanning the
 *    history per request: checking stays O(n log n)) and returns `Violation<'<name>'>`s, and
 *    `judges(index)`, whether the run gave the property anything to judge ({@link judgedBy}).
 * 2. Add its name to `propertyNames.ts` and it to this table. The compiler then requires its
 *    name to equal its key.
 * 3. Add must-flag and must-not-flag tests to `test/properties/` (`checkers.test.ts`, or a file of
 *    its own).
 */
export const checkers = {
  'exactly-once': exactlyOnce,
  'live-socket': liveSocket,
  liveness,
  order,
  bounded,
  clean,
  'honest-outcome': honestOutcome,
  'inbound-handover': inboundHandover,
  'terminal-respected': terminalRespected,
  'one-socket': oneSocket,
  'chat-independence': chatIndependence,
  'keeps-session': keepsSession,
  // Compile-time: one entry per property name, none other, each named as its key.
} as const satisfies { readonly [Name in PropertyName]: Checker<Name> };

/**
 * Runs every checker once over one index of `history`; violations in table order, each checker's
 * in its own order. None for a run whose bot called an unmodelled socket member (harnessLimit.ts).
 */
export function checkAll(history: History, limits: BoundLimits = defaultBoundLimits): Violation[] {
  if (!judgeable(history)) return [];
  const index = new HistoryIndex(history);
  const violations: Violation[] = [];
  for (const name of propertyNames) violations.push(...checkers[name].check(index, limits));
  return violations;
}

/**
 * Per property, whether `history` gave it anything to judge: a property that held in every run
 * of a campaign but judged none held vacuously (a path that never connects passes exactly-once).
 */
export function judgedBy(history: History): Record<PropertyName, boolean> {
  if (!judgeable(history))
    return Object.fromEntries(propertyNames.map((name) => [name, false])) as Record<
      PropertyName,
      boolean
    >;
  const index = new HistoryIndex(history);
  return Object.fromEntries(
    propertyNames.map((name) => [name, checkers[name].judges(index)]),
  ) as Record<PropertyName, boolean>;
}

/**
 * A run's verdict: its violations, and per property whether it judged anything (one index for
 * both).
 */
export function verdictOf(
  history: History,
  limits: BoundLimits = defaultBoundLimits,
): { violations: Violation[]; judged: Record<PropertyName, boolean> } {
  if (!judgeable(history)) return { violations: [], judged: judgedBy(history) };
  const index = new HistoryIndex(history);
  const violations: Violation[] = [];
  const judged = {} as Record<PropertyName, boolean>;
  for (const name of propertyNames) {
    violations.push(...checkers[name].check(index, limits));
    judged[name] = checkers[name].judges(index);
  }
  return { violations, judged };
}

/** Runs the checker of one property. */
export function checkProperty(
  name: PropertyName,
  history: History,
  limits: BoundLimits = defaultBoundLimits,
): Violation[] {
  if (!judgeable(history)) return [];
  return checkers[name].check(new HistoryIndex(history), limits);
}
