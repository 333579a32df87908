/**
 * One property's failure, ready to report: the first run that broke it, shrunk for that property
 * alone (shrink.ts), judged once more for every property (what else the small run breaks), and
 * simulated a second time to check that it replays (a failure that does not replay is reported as
 * `deterministic` too). A campaign reports each property once, from its earliest run, the worst
 * for a user first ({@link reportable}).
 */
import { fingerprint, type OutputRecord } from '../../sim/history.js';
import { parseTimeline, type Timeline } from '../../sim/timeline.js';
import {
  determinismViolation,
  portsViolation,
  type CampaignViolation,
} from '../judging/campaignProperties.js';
import type { Violation } from '../judging/checkers.js';
import { byLoss, type VerdictProperty } from '../judging/verdictProperties.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { likelySourceOf, rerun } from './determinism.js';
import { judge, stillBreaks, type JudgeOptions } from './judge.js';
import type { FirstFailure } from './search.js';
import { shrinkTimeline } from './shrink.js';

/** A property's failure: its first failing run, shrunk. */
export interface CampaignFailure {
  /** The property it was shrunk for: the shrunk run still breaks it. */
  property: VerdictProperty;
  /** 0-based index, in the campaign, of the first run that broke it. */
  runIndex: number;
  /** Events of that run's timeline, before shrinking. */
  eventsBeforeShrink: number;
  /** Simulations the shrink ran. */
  shrinkSimulations: number;
  /** Removing any one event of `timeline` no longer breaks the property (the shrink finished). */
  oneMinimal: boolean;
  timeline: Timeline;
  /** Every violation of the shrunk run (all properties), in checker table order. */
  violations: Violation[];
  /** The shrunk run's history fingerprint (empty for a run the watchdog stopped). */
  fingerprint: string;
  /** The campaign property the shrunk run broke, when it broke one. */
  campaignViolation?: CampaignViolation;
  /** Simulator runs finding this failure took after the search: the shrink and the replay check. */
  simulations: number;
  /** When the shrunk run gave another history the second time: what most likely made it. */
  likelySource?: string;
  /** Wall time the shrink took, ms (depends on the machine: never part of a verdict). */
  shrinkWallMs: number;
  /** What the path wrote to stdout and stderr in the shrunk run (absent: nothing). */
  output?: OutputRecord;
}

/** Options of {@link shrinkFailure}. */
interface ShrinkFailureOptions extends JudgeOptions {
  /** Most simulations for the shrink (default: shrink.ts's bound). */
  simulationsMax?: number;
}

/** The shrink options of a campaign's options. */
export function shrinkOptionsOf(
  options: JudgeOptions & { shrinkSimulationsMax?: number },
): ShrinkFailureOptions {
  const { limits, simulate, faults, progress, shrinkSimulationsMax } = options;
  return { limits, simulate, faults, progress, simulationsMax: shrinkSimulationsMax };
}

/**
 * Shrinks `first` for its property against `path`. `runIndex` is the run's index in the whole
 * campaign (a chunk's search counts from its own first run).
 */
export async function shrinkFailure(
  first: FirstFailure,
  runIndex: number,
  path: NamedSendPath,
  options: ShrinkFailureOptions = {},
): Promise<CampaignFailure> {
  // A stalled run would stall again: it is reported as found.
  if (first.property === 'makes-progress') return unshrunkFailure(first, runIndex);
  const startedAt = performance.now();
  const property = first.property;
  let simulations = 0;
  const stillFails = async (candidate: Timeline): Promise<boolean> => {
    options.progress?.locate('shrink', runIndex, candidate);
    simulations += property === 'deterministic' ? 2 : 1;
    return (await stillBreaks(property, candidate, path, options)).fails;
  };
  const shrunk = await shrinkTimeline(first.timeline, stillFails, {
    simulationsMax: options.simulationsMax,
    faults: options.faults,
  });
  // Invariant: a shrunk timeline is a valid timeline file (it is about to be written as one).
  const timeline = parseTimeline(shrunk.timeline, { faults: options.faults });
  options.progress?.locate('shrink', runIndex, timeline);
  // Once, for the file and the FAIL block: the violations name where the path made the sockets
  // and timers they mention (sites are left out of the fingerprint the re-run is compared by).
  const explained = { ...options, simulate: { ...options.simulate, creationSites: true } };
  const { history, violations } = await judge(timeline, path, explained);
  const again = await rerun(history, timeline, path, options);
  const differs = determinismViolation(history, again.again);
  const failure: CampaignFailure = {
    property,
    runIndex,
    eventsBeforeShrink: first.timeline.events.length,
    shrinkSimulations: shrunk.simulations,
    oneMinimal: shrunk.oneMinimal,
    timeline,
    violations,
    fingerprint: fingerprint(history),
    simulations: simulations + 2,
    shrinkWallMs: performance.now() - startedAt,
  };
  const campaignViolation: CampaignViolation | undefined =
    property === 'uses-ports' ? portsViolation(history) : differs;
  if (campaignViolation !== undefined) failure.campaignViolation = campaignViolation;
  const likelySource = likelySourceOf(history, again, path);
  if (likelySource !== undefined) failure.likelySource = likelySource;
  if (history.output !== undefined) failure.output = history.output;
  return failure;
}

/**
 * The failures one shrunk failure reports: itself, and when its run did not replay the same (and
 * it is not already the `deterministic` failure), the campaign's `deterministic` failure too.
 */
function reportedFailures(failure: CampaignFailure): CampaignFailure[] {
  if (
    failure.property === 'deterministic' ||
    failure.campaignViolation?.property !== 'deterministic'
  )
    return [failure];
  // The copy costs nothing more: its simulations are the original's.
  return [failure, { ...failure, property: 'deterministic', simulations: 0 }];
}

/**
 * A failure reported as it was found, unshrunk: a run the watchdog stopped (it left no history to
 * judge, and its candidates would stall again).
 */
export function unshrunkFailure(first: FirstFailure, runIndex: number): CampaignFailure {
  const failure: CampaignFailure = {
    property: first.property,
    runIndex,
    eventsBeforeShrink: first.timeline.events.length,
    shrinkSimulations: 0,
    oneMinimal: false,
    timeline: first.timeline,
    violations: [],
    fingerprint: '',
    simulations: 0,
    shrinkWallMs: 0,
  };
  if (first.campaignViolation !== undefined) failure.campaignViolation = first.campaignViolation;
  return failure;
}

/**
 * The failures a campaign reports, from its shrunk ones: each property once (its earliest run),
 * a run that did not replay the same also as `deterministic`, the worst for a user first.
 */
export function reportable(failures: readonly CampaignFailure[]): CampaignFailure[] {
  return byLoss(onePerProperty(failures.flatMap(reportedFailures)));
}

/** The first failure of each property (a property reported twice keeps its earliest run). */
function onePerProperty(failures: readonly CampaignFailure[]): CampaignFailure[] {
  const first = new Map<string, CampaignFailure>();
  for (const failure of failures) {
    const kept = first.get(failure.property);
    const earlier = kept === undefined || failure.runIndex < kept.runIndex;
    if (earlier) first.set(failure.property, failure);
  }
  return [...first.values()];
}
