/**
 * Per property, whether a run gave it anything to judge: a property that held in every run of a
 * campaign but judged none held vacuously (a path that never connects passes exactly-once). The
 * campaign counts, per property, the runs that gave it something (Antithesis' "sometimes").
 */
import type { History } from '../../sim/history.js';
import { propertyNames, type PropertyName } from './checkers.js';

/** What each property needs to find in a history before it has anything to judge. */
const judges: { readonly [Name in PropertyName]: (history: History) => boolean } = {
  // A reply or media the bot asked for and the path was given.
  'exactly-once': (h) => h.requests.some((r) => r.kind !== 'composing' && r.calledAt !== undefined),
  // A send on a socket.
  'live-socket': (h) => h.attempts.length > 0,
  liveness: (h) => h.requests.some((r) => r.kind !== 'composing' && r.calledAt !== undefined),
  // Two replies called in one chat: an order to keep.
  order: (h) => {
    const called = new Map<string, number>();
    for (const r of h.requests) {
      if (r.kind === 'composing' || r.calledAt === undefined) continue;
      const count = (called.get(r.chat) ?? 0) + 1;
      if (count >= 2) return true;
      called.set(r.chat, count);
    }
    return false;
  },
  // Something to bound: a connect, a timer or a send.
  bounded: (h) => h.connects.count > 0 || h.timers.path.created > 0 || h.attempts.length > 0,
  // stop() was called: its contract is this property's.
  clean: (h) => h.stop.requestedAt !== undefined,
  // Only a definite failure has an honesty to judge.
  'honest-outcome': (h) => h.requests.some((r) => r.kind !== 'composing' && r.outcome === 'fail'),
};

/** Per property, whether `history` gave it anything to judge. */
export function judgedBy(history: History): Record<PropertyName, boolean> {
  return Object.fromEntries(propertyNames.map((name) => [name, judges[name](history)])) as Record<PropertyName, boolean>;
}
