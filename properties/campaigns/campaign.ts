/**
 * A campaign: fast-check generates runs, the simulator plays each against one send path, the
 * checkers judge, and on the first failing run fast-check shrinks the timeline. A run fails when
 * it violates a property of the checker table, or a campaign property of a single run
 * (campaignProperties.ts): it called a global timer, clock or random source (`uses-ports`), or,
 * on a run sampled for it, gave another history when simulated again (`deterministic`). A
 * shrink candidate fails the same way its run did (for `deterministic`: simulated twice, still
 * different). The result holds what a CI log needs: runs, virtual time, fault coverage,
 * violations and runs judged by property, how much the path was exercised, the shrunk failure,
 * and the determinism re-runs made (sampled runs and the failure simulated twice).
 */
import fc from 'fast-check';
import { builtInFaults, type FaultRegistry } from '../../sim/faults/index.js';
import { fingerprint, type History } from '../../sim/history.js';
import type { ProgressBoard } from '../../sim/progress.js';
import { simulate, type SimulateOptions } from '../../sim/simulate.js';
import { parseTimeline, type Timeline } from '../../sim/timeline.js';
import { runArb, type FaultKind, type GeneratedRun } from '../generation/arbitraries.js';
import { checkAll, defaultBoundLimits, verdictOf, propertyNames, type BoundLimits, type PropertyName, type Violation } from '../judging/checkers.js';
import { determinismViolation, portsViolation, type CampaignViolation } from '../judging/campaignProperties.js';
import { addCoverage, emptyCoverage, runCoverage, type FaultCoverage } from '../judging/coverage.js';
import { addRunExercise, emptyExercise, type ExerciseCounts } from '../judging/exercise.js';
import type { SendPathSettings } from '../../sim/timeline.js';
import type { FailureFile } from './failureFile.js';
import { failureFormat } from './failureFile.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { noteUnreadSettings, trackConfigReads } from './settingsReads.js';
import { likelySourceOfMismatch } from './mismatch.js';

/** Campaign settings. Every count is bounded. */
export interface CampaignOptions {
  path: NamedSendPath;
  /** Generated runs (default 100, fast-check's default). */
  numRuns?: number;
  /** fast-check seed: same seed, same runs. */
  seed: number;
  /** Steps per generated timeline at most (default: the generator's 40). */
  stepsMax?: number;
  /** Fault kinds the generator never switches on (default: none). */
  faultsOff?: readonly FaultKind[];
  /** Wall-clock budget; the campaign stops generating after it (not a failure). */
  timeBudgetMs?: number;
  /** Simulate every n-th run twice and compare fingerprints (default 10; 0 = only the failure). */
  determinismEvery?: number;
  limits?: BoundLimits;
  /**
   * Judge only these properties (default: all). A specimen's expected-failure test uses it so
   * fast-check searches for, and shrinks toward, the bug the specimen exists to show.
   */
  only?: readonly PropertyName[];
  simulate?: SimulateOptions;
  /**
   * Network event kinds to generate and simulate (default: the built-in faults). Runs in this
   * process only: sharded campaigns use the built-in faults.
   */
  faults?: FaultRegistry;
  /** Called after each generated run (not during shrinking), with that run. */
  onRun?: (runsDone: number, run: GeneratedRun) => void;
  /** A board to tick on for a watchdog in another thread (sim/progress.ts). */
  progress?: ProgressBoard;
}

/** A shrunk failure, ready to be written as a failure file. */
export interface CampaignFailure {
  timeline: Timeline;
  /** Every violation of the shrunk run (all properties, even with `only`). */
  violations: Violation[];
  fingerprint: string;
  /** 0-based index of the generated run that failed first. */
  runIndex: number;
  shrinks: number;
  /** Events of the first failing timeline, before shrinking. */
  eventsBeforeShrink: number;
  /** The campaign property the run broke, when it broke one (besides, or instead of, violations). */
  campaignViolation?: CampaignViolation;
}

/** What a campaign found. */
export interface CampaignResult {
  path: string;
  seed: number;
  numRuns: number;
  /** Generated runs executed (shrink runs not counted). */
  runs: number;
  /** Simulator runs in total, shrinking included. */
  simulations: number;
  virtualMs: number;
  wallMs: number;
  coverage: FaultCoverage;
  /** Per property: generated runs that violated it. */
  violationsByProperty: Record<PropertyName, number>;
  /** Per property: generated runs that gave it something to judge (`judgedBy` in checkers.ts). */
  judgedByProperty: Record<PropertyName, number>;
  /** How much the generated runs exercised the path (the campaign property `exercised`). */
  exercise: ExerciseCounts;
  failure?: CampaignFailure;
  /** Runs simulated twice to compare, and how many of them differed (at most one: it is a failure). */
  determinism: Determinism;
  interrupted: boolean;
  /** The watchdog's budget per run, ms, when a watchdog watched the runs (see watchdog.ts). */
  runTimeoutMs?: number;
  /** The server model deduped by message id (the simulate option; true unless switched off). */
  dedupeById?: boolean;
  /** The settings the path declared as its own (absent: every setting was generated). */
  settings?: SendPathSettings;
  /** The path ran with Baileys and the globals intercepted. */
  intercept?: boolean;
}

/** The determinism re-runs of a campaign. */
export interface Determinism {
  checked: number;
  mismatches: number;
  /** For the first mismatch: where the two histories part, and what most likely made them. */
  likelySource?: string;
}

/** Hard ceiling on runs in one campaign. */
export const campaignRunsMax = 10_000_000;

/**
 * Judges one timeline: simulate and check. A liveness violation whose bound came from a
 * generated setting the path never read says so (see settingsReads.ts).
 */
export async function judge(timeline: Timeline, path: NamedSendPath, options: Pick<CampaignOptions, 'limits' | 'simulate' | 'only' | 'faults' | 'progress'> = {}) {
  const reads = new Set<string>();
  const history = await simulate(timeline, trackConfigReads(path.factory, reads), simulateOptions(options, path));
  const verdict = verdictOf(history, options.limits ?? defaultBoundLimits);
  const all = noteUnreadSettings(verdict.violations, timeline.config, path.settings, reads);
  const only = options.only;
  return { history, violations: only ? all.filter((v) => only.includes(v.property)) : all, judged: verdict.judged };
}

/**
 * The simulate options of a campaign: its own, with its fault registry and progress board, and
 * interception for a path that needs it.
 */
function simulateOptions(options: Pick<CampaignOptions, 'simulate' | 'faults' | 'progress'>, path: NamedSendPath): SimulateOptions | undefined {
  if (options.faults === undefined && options.progress === undefined && !path.intercept) return options.simulate;
  const extra: SimulateOptions = {};
  if (options.faults !== undefined) extra.faults = options.faults;
  if (options.progress !== undefined) extra.progress = options.progress;
  if (path.intercept) extra.globals = 'intercept';
  return { ...options.simulate, ...extra };
}

/** The arbitrary a campaign draws its runs from. */
function campaignArb(options: Pick<CampaignOptions, 'stepsMax' | 'faultsOff' | 'faults'> & { path?: Pick<NamedSendPath, 'settings' | 'requests'> }): fc.Arbitrary<GeneratedRun> {
  return runArb({ stepsMax: options.stepsMax, faultsOff: options.faultsOff, faults: options.faults, settings: options.path?.settings, requests: options.path?.requests });
}

/**
 * The timeline of generated run `index` (0-based) of a campaign with these options, made without
 * simulating anything: fast-check draws run `i` from the seed and `i` alone, so this is the
 * timeline the campaign played. A watchdog reports a stalled run's timeline from it.
 */
export async function generatedTimeline(options: Pick<CampaignOptions, 'seed' | 'stepsMax' | 'faultsOff' | 'faults'> & { path?: Pick<NamedSendPath, 'settings' | 'requests'> }, index: number): Promise<Timeline> {
  if (!Number.isInteger(index) || index < 0 || index >= campaignRunsMax) throw new RangeError(`run index must be a whole number below ${campaignRunsMax} (got ${index})`);
  let seen = 0;
  let found: Timeline | undefined;
  const property = fc.asyncProperty(campaignArb(options), async (run: GeneratedRun) => {
    if (seen++ === index) found = run.timeline;
    return true;
  });
  await fc.check(property, { numRuns: index + 1, seed: options.seed });
  if (found === undefined) throw new Error(`invariant: fast-check generated run ${index}`);
  return found;
}

/** Why a run failed: the first that applies of a global call, another history, a violation. */
type FailureKind = 'uses-ports' | 'deterministic' | 'violation';

/** Runs a campaign; see the module comment. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const numRuns = options.numRuns ?? 100;
  if (!Number.isInteger(numRuns) || numRuns < 1 || numRuns > campaignRunsMax) {
    throw new RangeError(`numRuns must be a whole number from 1 to ${campaignRunsMax} (got ${numRuns})`);
  }
  const every = options.determinismEvery ?? 10;
  const state = newState(options.faults ?? builtInFaults);
  const wallStart = performance.now();
  const property = fc.asyncProperty(campaignArb(options), async (run: GeneratedRun) => {
    if (state.shrinking !== undefined) return !(await stillFails(state, state.shrinking, run.timeline, options));
    options.progress?.locate('generated', state.runs);
    const { history, violations, judged } = await judge(run.timeline, options.path, options);
    state.simulations += 1;
    recordRun(state, run, history, violations, judged, options.faults);
    let again: History | undefined;
    if (every > 0 && state.runs % every === 0) {
      options.progress?.locate('determinism', state.runs - 1);
      again = await simulateAgain(state, run.timeline, options, history);
    }
    options.onRun?.(state.runs, run);
    const kind = failureKind(history, again, violations);
    if (kind !== undefined) {
      state.shrinking = kind;
      state.firstFailure = { runIndex: state.runs - 1, events: run.timeline.events.length };
      state.smallestFailing = { timeline: run.timeline, history, again };
    }
    return kind === undefined;
  });
  const details = await fc.check(property, {
    numRuns,
    seed: options.seed,
    interruptAfterTimeLimit: options.timeBudgetMs,
    markInterruptAsFailure: false,
  });
  const failure = details.failed && details.counterexample ? await shrunkFailure(state, details, options) : undefined;
  return {
    path: options.path.name,
    seed: options.seed,
    numRuns,
    runs: state.runs,
    simulations: state.simulations,
    virtualMs: state.virtualMs,
    wallMs: performance.now() - wallStart,
    coverage: state.coverage,
    violationsByProperty: state.byProperty,
    judgedByProperty: state.judgedByProperty,
    exercise: state.exercise,
    failure,
    determinism: { checked: state.determinismChecked, mismatches: state.determinismMismatches, ...(state.likelySource === undefined ? {} : { likelySource: state.likelySource }) },
    interrupted: details.interrupted,
    dedupeById: options.simulate?.dedupeById ?? true,
    ...(options.path.settings === undefined ? {} : { settings: options.path.settings }),
    ...(options.path.intercept ? { intercept: true } : {}),
  };
}

interface CampaignState {
  runs: number;
  simulations: number;
  virtualMs: number;
  /** Set once a generated run failed: what its shrink candidates must still do to fail. */
  shrinking?: FailureKind;
  coverage: FaultCoverage;
  byProperty: Record<PropertyName, number>;
  judgedByProperty: Record<PropertyName, number>;
  exercise: ExerciseCounts;
  firstFailure?: { runIndex: number; events: number };
  /**
   * The failing run or shrink candidate with the fewest events so far. fast-check shrinks the
   * generated steps and settings; fewer steps can still mean more events (a scene is several), so
   * the smallest failing timeline seen, not the last, is the one reported.
   */
  smallestFailing?: { timeline: Timeline; history: History; again?: History };
  determinismChecked: number;
  determinismMismatches: number;
  likelySource?: string;
}

function newState(faults: FaultRegistry): CampaignState {
  const zeros = () => Object.fromEntries(propertyNames.map((p) => [p, 0])) as Record<PropertyName, number>;
  return {
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    coverage: emptyCoverage(faults),
    byProperty: zeros(),
    judgedByProperty: zeros(),
    exercise: emptyExercise(),
    determinismChecked: 0,
    determinismMismatches: 0,
  };
}

function recordRun(state: CampaignState, run: GeneratedRun, history: History, violations: Violation[], judged: Record<PropertyName, boolean>, faults: FaultRegistry | undefined) {
  state.runs += 1;
  state.virtualMs += history.endedAt;
  addCoverage(state.coverage, runCoverage(run.timeline, history, faults));
  for (const property of new Set(violations.map((v) => v.property))) state.byProperty[property] += 1;
  for (const property of propertyNames) if (judged[property]) state.judgedByProperty[property] += 1;
  addRunExercise(state.exercise, history);
}

/** The run's failure, if any: a global call explains the rest, another history makes the rest unreplayable. */
function failureKind(history: History, again: History | undefined, violations: readonly Violation[]): FailureKind | undefined {
  if (history.globalsUsed !== undefined) return 'uses-ports';
  if (again !== undefined && fingerprint(again) !== fingerprint(history)) return 'deterministic';
  return violations.length > 0 ? 'violation' : undefined;
}

/** Simulates `timeline` once more, for comparison with `first`; counts the re-run. */
async function simulateAgain(state: CampaignState, timeline: Timeline, options: CampaignOptions, first: History): Promise<History> {
  const again = await simulate(timeline, options.path.factory, simulateOptions(options, options.path));
  state.simulations += 1;
  state.determinismChecked += 1;
  if (fingerprint(again) !== fingerprint(first)) {
    state.determinismMismatches += 1;
    state.likelySource ??= likelySourceOfMismatch(first, again, options.path);
  }
  return again;
}

/** Whether a shrink candidate fails the way the run being shrunk did; records it if so. */
async function stillFails(state: CampaignState, kind: FailureKind, timeline: Timeline, options: CampaignOptions): Promise<boolean> {
  options.progress?.locate('shrink', state.firstFailure?.runIndex ?? 0, timeline);
  const { history, violations } = await judge(timeline, options.path, options);
  state.simulations += 1;
  let again: History | undefined;
  if (kind === 'deterministic') {
    again = await simulate(timeline, options.path.factory, simulateOptions(options, options.path));
    state.simulations += 1;
  }
  const fails = kind === 'uses-ports' ? history.globalsUsed !== undefined : kind === 'deterministic' ? fingerprint(again!) !== fingerprint(history) : violations.length > 0;
  const smallest = state.smallestFailing;
  if (fails && (smallest === undefined || timeline.events.length <= smallest.timeline.events.length)) state.smallestFailing = { timeline, history, again };
  return fails;
}

async function shrunkFailure(
  state: CampaignState,
  details: fc.RunDetails<[GeneratedRun]>,
  options: CampaignOptions,
): Promise<CampaignFailure> {
  // Invariant: the run that failed (or a smaller candidate) was kept.
  const last = state.smallestFailing;
  if (last === undefined || details.counterexample === null) throw new Error('invariant: a failed campaign kept its failing run');
  // Invariant: a shrunk timeline is a valid timeline file (it is about to be written as one).
  const timeline = parseTimeline(last.timeline, { faults: options.faults });
  const { history } = last;
  let campaignViolation: CampaignViolation | undefined;
  if (state.shrinking === 'uses-ports') campaignViolation = portsViolation(history);
  else if (state.shrinking === 'deterministic') campaignViolation = determinismViolation(history, last.again!);
  else {
    // A failure that does not replay is no use: simulate it again and compare.
    options.progress?.locate('shrink', state.firstFailure?.runIndex ?? 0, timeline);
    campaignViolation = determinismViolation(history, await simulateAgain(state, timeline, options, history));
  }
  const failure: CampaignFailure = {
    timeline,
    // Every property the shrunk run violates, not only the ones searched for.
    violations: checkAll(history, options.limits ?? defaultBoundLimits),
    fingerprint: fingerprint(history),
    runIndex: state.firstFailure?.runIndex ?? 0,
    shrinks: details.numShrinks,
    eventsBeforeShrink: state.firstFailure?.events ?? timeline.events.length,
  };
  if (campaignViolation !== undefined) failure.campaignViolation = campaignViolation;
  return failure;
}

/**
 * The failure file for a campaign's failure. It always records `dedupeById` (the campaign's,
 * unless given): a replay must run the server model the failure was found with.
 */
export function failureFileOf(result: CampaignResult, failure: CampaignFailure, dedupeById?: boolean): FailureFile {
  const file: FailureFile = {
    format: failureFormat,
    path: result.path,
    // First, when present: what failed, before the timeline it failed on.
    ...(failure.campaignViolation && { campaignViolation: failure.campaignViolation }),
    timeline: failure.timeline,
    violations: failure.violations,
    fingerprint: failure.fingerprint,
    found: { seed: result.seed, runIndex: failure.runIndex, shrinks: failure.shrinks },
  };
  file.dedupeById = dedupeById ?? result.dedupeById ?? true;
  if (result.intercept) file.intercept = true;
  if (result.settings !== undefined) file.settings = result.settings;
  return file;
}
