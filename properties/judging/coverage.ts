/**
 * Fault coverage ("sometimes" goals, after Antithesis/FoundationDB): across a campaign, how often
 * each fault kind fired, and how often it mattered — a reply was in progress when it hit, or
 * was requested soon after, so the send path had to survive it. A fault kind that never
 * mattered means the campaign did not test it, whatever the pass count says.
 */
import { builtInFaults, type FaultRegistry } from '../../sim/faults/index.js';
import type { History } from '../../sim/history.js';
import type { Timeline } from '../../sim/timeline.js';
import type { FaultKind } from '../generation/arbitraries.js';

/** Counts for one fault kind. */
export interface FaultCount {
  fired: number;
  mattered: number;
}

/** Per fault kind counts. */
export type FaultCoverage = Record<FaultKind, FaultCount>;

/** A reply requested within this long after a fault still had to deal with its aftermath. */
const aftermathMs = 5000;

/** Empty counts for every swarm kind of `faults`. */
export function emptyCoverage(faults: FaultRegistry = builtInFaults): FaultCoverage {
  return Object.fromEntries(faults.swarmKinds.map((k) => [k, { fired: 0, mattered: 0 }]));
}

/**
 * The default "mattered" rule: a reply was in progress when the fault hit, or was requested
 * within {@link aftermathMs} after it, so the send path had to survive it. A fault module may
 * state its own (`coverage.mattered`).
 */
function replyMetFault(at: number, history: History): boolean {
  return history.requests.some((r) => {
    if (r.kind === 'composing' || r.calledAt === undefined) return false;
    const settledAt = r.settledAt ?? history.endedAt;
    return (
      (r.calledAt <= at && at < settledAt) || (r.calledAt > at && r.calledAt <= at + aftermathMs)
    );
  });
}

/** Coverage of one run: which faults fired (took effect before the run ended) and mattered. */
export function runCoverage(
  timeline: Timeline,
  history: History,
  faults: FaultRegistry = builtInFaults,
): FaultCoverage {
  const coverage = emptyCoverage(faults);
  for (const event of timeline.events) {
    const module = faults.get(event.do);
    const kind = faults.swarmKindOf(event);
    if (module?.coverage === undefined || kind === undefined || !faults.fired(event, history))
      continue;
    const count = countOf(coverage, kind);
    count.fired += 1;
    const mattered = module.coverage.mattered?.(event, history) ?? replyMetFault(event.at, history);
    if (mattered) count.mattered += 1;
  }
  return coverage;
}

/** Adds `b` into `a` (campaign totals); kinds only `b` has are added too. */
export function addCoverage(a: FaultCoverage, b: FaultCoverage): FaultCoverage {
  for (const [kind, count] of Object.entries(b)) {
    const total = (a[kind] ??= { fired: 0, mattered: 0 });
    total.fired += count.fired;
    total.mattered += count.mattered;
  }
  return a;
}

/** Fault kinds that never mattered in a campaign: what it did not test. */
export function neverMattered(coverage: FaultCoverage): FaultKind[] {
  return Object.entries(coverage)
    .filter(([, count]) => count.mattered === 0)
    .map(([kind]) => kind);
}

function countOf(coverage: FaultCoverage, kind: string): FaultCount {
  const count = coverage[kind];
  if (count === undefined)
    throw new Error(`invariant: coverage has no count for swarm kind "${kind}"`);
  return count;
}
