/**
 * Fault coverage ("sometimes" goals, after Antithesis/FoundationDB): across a campaign, how often
 * each fault kind fired, and how often it mattered — a reply was in progress when it hit, or
 * was requested soon after, so the send path had to survive it. A fault kind that never
 * mattered means the campaign did not test it, whatever the pass count says.
 */
import type { History } from '../../sim/history.js';
import type { Timeline } from '../../sim/timeline.js';
import { faultKindOf, faultKinds, type FaultKind } from '../generation/arbitraries.js';

/** Counts for one fault kind. */
export interface FaultCount {
  fired: number;
  mattered: number;
}

/** Per fault kind counts. */
export type FaultCoverage = Record<FaultKind, FaultCount>;

/** A reply requested within this long after a fault still had to deal with its aftermath. */
export const aftermathMs = 5000;

/** Empty counts for every kind. */
export function emptyCoverage(): FaultCoverage {
  return Object.fromEntries(faultKinds.map((k) => [k, { fired: 0, mattered: 0 }])) as FaultCoverage;
}

/** Coverage of one run: which faults fired (took effect before the run ended) and mattered. */
export function runCoverage(timeline: Timeline, history: History): FaultCoverage {
  const coverage = emptyCoverage();
  const replies = history.requests.filter((r) => r.kind !== 'composing' && r.calledAt !== undefined);
  for (const event of timeline.events) {
    const kind = faultKindOf(event);
    if (kind === undefined || event.at > history.endedAt) continue;
    // A slow ack fires only when a send takes it; the others fire when their time comes.
    if (kind === 'slowAck' && !history.attempts.some((a) => a.slowAck && a.at >= event.at)) continue;
    coverage[kind].fired += 1;
    const t = event.at;
    const mattered = replies.some((r) => {
      const calledAt = r.calledAt!;
      const settledAt = r.settledAt ?? history.endedAt;
      return (calledAt <= t && t < settledAt) || (calledAt > t && calledAt <= t + aftermathMs);
    });
    if (mattered) coverage[kind].mattered += 1;
  }
  return coverage;
}

/** Adds `b` into `a` (campaign totals). */
export function addCoverage(a: FaultCoverage, b: FaultCoverage): FaultCoverage {
  for (const kind of faultKinds) {
    a[kind].fired += b[kind].fired;
    a[kind].mattered += b[kind].mattered;
  }
  return a;
}

/** Fault kinds that never mattered in a campaign: what it did not test. */
export function neverMattered(coverage: FaultCoverage): FaultKind[] {
  return faultKinds.filter((k) => coverage[k].mattered === 0);
}
