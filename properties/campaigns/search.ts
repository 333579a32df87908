/**
 * The search of a campaign: fast-check draws each run's timeline from the seed (run `i` from the
 * seed and `i` alone), the simulator plays it against the send path, the checkers judge it, and
 * the search goes on through every requested run. It records, per property, how many runs broke
 * it and the first run that did (its timeline, unshrunk): shrinking is a job of its own
 * (shrink.ts), done once per property on that first run. With `failFast`, the search stops at
 * the first failing run instead.
 *
 * Which properties a run broke: a global timer, clock or random call (`uses-ports`) explains the
 * rest of that run, which is then counted for `uses-ports` alone; a run re-run for determinism
 * (determinism.ts) that gave another history the second time counts for `deterministic` alone
 * (its violations would not replay); otherwise every violated property of the checker table.
 *
 * {@link generatedTimeline} makes the timeline of any run of a search again, without simulating.
 *
 * A run whose bot called a socket member the fake does not model (`history.unmodelled`) is no
 * run the harness can judge: the search stops there and reports it as the harness's limit
 * (`harnessLimit`), not as anything the path broke.
 */
import fc from 'fast-check';
import { builtInFaults, type FaultRegistry } from '../../sim/faults/index.js';
import type { History, UnmodelledRecord } from '../../sim/history.js';
import type { Timeline } from '../../sim/timeline.js';
import { runArb, type FaultKind, type GeneratedRun } from '../generation/arbitraries.js';
import type { CampaignViolation } from '../judging/campaignProperties.js';
import { propertyNames, type PropertyName, type Violation } from '../judging/checkers.js';
import {
  addCoverage,
  emptyCoverage,
  runCoverage,
  type FaultCoverage,
} from '../judging/coverage.js';
import {
  addExercise,
  addRunExercise,
  emptyExercise,
  type ExerciseCounts,
} from '../judging/exercise.js';
import { verdictPropertyNames, type VerdictProperty } from '../judging/verdictProperties.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import {
  addDeterminism,
  determinismEveryDefault,
  emptyDeterminism,
  isRerun,
  recordRerun,
  rerun,
  type Determinism,
  type Rerun,
} from './determinism.js';
import { judge, type JudgeOptions } from './judge.js';

/** Hard ceiling on runs in one campaign. */
export const campaignRunsMax = 10_000_000;

/** Which properties a campaign judges: all (default), only some, or all but some. */
export interface PropertySelection {
  /** Judge only these. */
  only?: readonly VerdictProperty[];
  /** Judge all but these. */
  skip?: readonly VerdictProperty[];
}

/** Whether `selection` judges `property`. */
export function judges(selection: PropertySelection, property: VerdictProperty): boolean {
  if (selection.only !== undefined && !selection.only.includes(property)) return false;
  return !(selection.skip ?? []).includes(property);
}

/** Options of a search; every count is bounded. */
export interface SearchOptions extends JudgeOptions, PropertySelection {
  path: NamedSendPath;
  /** fast-check seed: same seed, same runs. */
  seed: number;
  /** Generated runs (default 100, fast-check's default). */
  numRuns?: number;
  /** Steps per generated timeline at most (default: the generator's 40). */
  stepsMax?: number;
  /** Fault kinds the generator never switches on (default: none). */
  faultsOff?: readonly FaultKind[];
  /** Wall-clock budget; the search stops generating after it (not a failure). */
  timeBudgetMs?: number;
  /** Simulate every n-th run twice and compare (default 10; 0 = never; see determinism.ts). */
  determinismEvery?: number;
  /** Stop at the first failing run. */
  failFast?: boolean;
  /** Called after each generated run, with that run. */
  onRun?: (runsDone: number, run: GeneratedRun) => void;
}

/** The first run that broke a property, unshrunk. */
export interface FirstFailure {
  property: VerdictProperty;
  /** 0-based index of the run in this search. */
  runIndex: number;
  timeline: Timeline;
  /** What the run broke, for a campaign property its record carries (a stall: where it stood). */
  campaignViolation?: CampaignViolation;
}

/** Counts that add up over the runs (and over the chunks and shards) of a campaign. */
export interface RunTotals {
  /** Generated runs made. */
  runs: number;
  /** Simulator runs in all (determinism re-runs included). */
  simulations: number;
  virtualMs: number;
  coverage: FaultCoverage;
  /** Per property: runs that broke it (see the module comment for which a run counts toward). */
  violationsByProperty: Record<VerdictProperty, number>;
  /** Per checker property: runs that gave it something to judge (`judges` in its checker). */
  judgedByProperty: Record<PropertyName, number>;
  /** How much the runs exercised the path (the campaign property `exercised`). */
  exercise: ExerciseCounts;
  determinism: Determinism;
  /** Cut by the time budget. */
  interrupted: boolean;
}

/** A run the harness could not judge: its bot called a socket member the fake does not model. */
export interface HarnessLimit extends UnmodelledRecord {
  /** 0-based index of the run (in the campaign, once merged). */
  runIndex: number;
}

/** What a search found. */
export interface SearchResult extends RunTotals {
  /** Per property broken, its first run; ordered by run index, then by the loss order. */
  firstFailures: FirstFailure[];
  /** With `failFast`, or at a {@link HarnessLimit}: the index of the run the search stopped at. */
  stoppedAt?: number;
  /** The run the search stopped at because the fake does not model what its bot called. */
  harnessLimit?: HarnessLimit;
}

/** Totals of no run. */
export function emptyTotals(faults: FaultRegistry = builtInFaults): RunTotals {
  return {
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    coverage: emptyCoverage(faults),
    violationsByProperty: zerosFor(verdictPropertyNames),
    judgedByProperty: zerosFor(propertyNames),
    exercise: emptyExercise(),
    determinism: emptyDeterminism(),
    interrupted: false,
  };
}

function zerosFor<Name extends string>(names: readonly Name[]): Record<Name, number> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
}

/** The arbitrary a campaign draws its runs from. */
export function campaignArb(
  options: Pick<SearchOptions, 'stepsMax' | 'faultsOff' | 'faults'> & {
    path?: Pick<NamedSendPath, 'settings' | 'requests'>;
  },
): fc.Arbitrary<GeneratedRun> {
  return runArb({
    stepsMax: options.stepsMax,
    faultsOff: options.faultsOff,
    faults: options.faults,
    settings: options.path?.settings,
    requests: options.path?.requests,
  });
}

/** Checks a run count; the message names the option. */
export function checkNumRuns(numRuns: number): number {
  if (!Number.isInteger(numRuns) || numRuns < 1 || numRuns > campaignRunsMax) {
    throw new RangeError(
      `numRuns must be a whole number from 1 to ${campaignRunsMax} (got ${numRuns})`,
    );
  }
  return numRuns;
}

/** Runs a search; see the module comment. */
export async function search(options: SearchOptions): Promise<SearchResult> {
  const numRuns = checkNumRuns(options.numRuns ?? 100);
  const every = options.determinismEvery ?? determinismEveryDefault;
  const result: SearchResult = { ...emptyTotals(options.faults), firstFailures: [] };
  const seen = new Set<VerdictProperty>();
  // A watchdog remakes a stalled run's timeline from the seed alone, which knows nothing of the
  // path's declared settings: for such a path the board holds each run's timeline instead.
  const held = options.path.settings !== undefined || options.path.requests !== undefined;
  const property = fc.asyncProperty(campaignArb(options), async (run: GeneratedRun) => {
    const runIndex = result.runs;
    options.progress?.locate('generated', runIndex, held ? run.timeline : undefined);
    const { history, violations, judged } = await judge(run.timeline, options.path, options);
    result.simulations += 1;
    if (history.unmodelled !== undefined) {
      recordRun(result, run.timeline, history, [], judged, options.faults);
      result.harnessLimit = { ...history.unmodelled, runIndex };
      result.stoppedAt = runIndex;
      options.onRun?.(result.runs, run);
      return false;
    }
    let again: Rerun | undefined;
    if (isRerun(runIndex, every)) {
      options.progress?.locate('determinism', runIndex, held ? run.timeline : undefined);
      again = await rerun(history, run.timeline, options.path, options);
      result.simulations += 1;
      recordRerun(result.determinism, history, again, options.path);
    }
    const broken = brokenBy(history, again, violations, options);
    recordRun(result, run.timeline, history, broken, judged, options.faults);
    for (const name of broken) {
      if (seen.has(name)) continue;
      seen.add(name);
      result.firstFailures.push({ property: name, runIndex, timeline: run.timeline });
    }
    options.onRun?.(result.runs, run);
    if (options.failFast && broken.length > 0) {
      result.stoppedAt = runIndex;
      return false;
    }
    return true;
  });
  const details = await fc.check(property, {
    numRuns,
    seed: options.seed,
    interruptAfterTimeLimit: options.timeBudgetMs,
    markInterruptAsFailure: false,
    // A failing run ends a fail-fast search, a harness limit any search; neither is shrunk here.
    endOnFailure: true,
  });
  result.interrupted = details.interrupted;
  return result;
}

/** The judged properties a run broke; see the module comment. */
function brokenBy(
  history: History,
  again: Rerun | undefined,
  violations: readonly Violation[],
  selection: PropertySelection,
): VerdictProperty[] {
  if (history.globalsUsed !== undefined && judges(selection, 'uses-ports')) return ['uses-ports'];
  const differs = again !== undefined && !again.same;
  if (differs && judges(selection, 'deterministic')) return ['deterministic'];
  return [...new Set(violations.map((v) => v.property))].filter((name) => judges(selection, name));
}

function recordRun(
  totals: RunTotals,
  timeline: Timeline,
  history: History,
  broken: readonly VerdictProperty[],
  judged: Record<PropertyName, boolean>,
  faults: FaultRegistry | undefined,
): void {
  totals.runs += 1;
  totals.virtualMs += history.endedAt;
  addCoverage(totals.coverage, runCoverage(timeline, history, faults));
  for (const name of broken) totals.violationsByProperty[name] += 1;
  for (const name of propertyNames) if (judged[name]) totals.judgedByProperty[name] += 1;
  addRunExercise(totals.exercise, history);
}

/** Adds `more` (a later chunk's totals) to `totals`. */
export function addTotals(totals: RunTotals, more: RunTotals): void {
  totals.runs += more.runs;
  totals.simulations += more.simulations;
  totals.virtualMs += more.virtualMs;
  addCoverage(totals.coverage, more.coverage);
  for (const name of verdictPropertyNames)
    totals.violationsByProperty[name] += more.violationsByProperty[name] ?? 0;
  for (const name of propertyNames)
    totals.judgedByProperty[name] += more.judgedByProperty[name] ?? 0;
  addExercise(totals.exercise, more.exercise);
  addDeterminism(totals.determinism, more.determinism);
  totals.interrupted ||= more.interrupted;
}

/**
 * The timeline of generated run `index` (0-based) of a search with these options, made without
 * simulating anything: fast-check draws run `i` from the seed and `i` alone, so this is the
 * timeline the search played. A stalled run's timeline is made again from it (watchedTasks.ts).
 */
export async function generatedTimeline(
  options: Pick<SearchOptions, 'seed' | 'stepsMax' | 'faultsOff' | 'faults'> & {
    path?: Pick<NamedSendPath, 'settings' | 'requests'>;
  },
  index: number,
): Promise<Timeline> {
  if (!Number.isInteger(index) || index < 0 || index >= campaignRunsMax) {
    const bound = `below ${campaignRunsMax}`;
    throw new RangeError(`run index must be a whole number ${bound} (got ${index})`);
  }
  let seen = 0;
  let found: Timeline | undefined;
  const property = fc.asyncProperty(campaignArb(options), async (run) => {
    if (seen++ === index) found = run.timeline;
    return true;
  });
  await fc.check(property, { numRuns: index + 1, seed: options.seed });
  if (found === undefined) throw new Error(`invariant: fast-check generated run ${index}`);
  return found;
}
