/**
 * A campaign: fast-check generates runs, the simulator plays each against one send path, the
 * checkers judge, and on the first failure fast-check shrinks the timeline. The result holds
 * what a CI log needs: runs, virtual time, fault coverage, violations by property, the shrunk
 * failure, and a determinism check (sampled runs and the failure simulated twice).
 */
import fc from 'fast-check';
import { builtInFaults, type FaultRegistry } from '../../sim/faults/index.js';
import { fingerprint, type History } from '../../sim/history.js';
import { simulate, type SimulateOptions } from '../../sim/simulate.js';
import { parseTimeline, type Timeline } from '../../sim/timeline.js';
import { runArb, type FaultKind, type GeneratedRun } from '../generation/arbitraries.js';
import { checkAll, defaultBoundLimits, propertyNames, type BoundLimits, type PropertyName, type Violation } from '../judging/checkers.js';
import { addCoverage, emptyCoverage, runCoverage, type FaultCoverage } from '../judging/coverage.js';
import type { SendPathSettings } from '../../sim/timeline.js';
import type { FailureFile } from './failureFile.js';
import { failureFormat } from './failureFile.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { noteUnreadSettings, trackConfigReads } from './configReads.js';
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
  /** Called after each generated run (not during shrinking). */
  onRun?: (runsDone: number) => void;
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
  failure?: CampaignFailure;
  determinism: Determinism;
  interrupted: boolean;
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
 * generated setting the path never read says so (see configReads.ts).
 */
export async function judge(timeline: Timeline, path: NamedSendPath, options: Pick<CampaignOptions, 'limits' | 'simulate' | 'only' | 'faults'> = {}) {
  const reads = new Set<string>();
  const history = await simulate(timeline, trackConfigReads(path.factory, reads), simulateOptions(options, path));
  const all = noteUnreadSettings(checkAll(history, options.limits ?? defaultBoundLimits), timeline.config, path.settings, reads);
  const only = options.only;
  return { history, violations: only ? all.filter((v) => only.includes(v.property)) : all };
}

/** The simulate options of a campaign: its own, with its fault registry, and interception for a path that needs it. */
function simulateOptions(options: Pick<CampaignOptions, 'simulate' | 'faults'>, path: NamedSendPath): SimulateOptions | undefined {
  const own = options.faults === undefined ? options.simulate : { ...options.simulate, faults: options.faults };
  return path.intercept ? { ...own, globals: 'intercept' } : own;
}

/** Runs a campaign; see the module comment. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const numRuns = options.numRuns ?? 100;
  if (!Number.isInteger(numRuns) || numRuns < 1 || numRuns > campaignRunsMax) {
    throw new RangeError(`numRuns must be a whole number from 1 to ${campaignRunsMax} (got ${numRuns})`);
  }
  const every = options.determinismEvery ?? 10;
  const state = newState(options.faults ?? builtInFaults);
  const wallStart = performance.now();
  const arb = runArb({ stepsMax: options.stepsMax, faultsOff: options.faultsOff, faults: options.faults, settings: options.path.settings, requests: options.path.requests });
  const property = fc.asyncProperty(arb, async (run: GeneratedRun) => {
    const { history, violations } = await judge(run.timeline, options.path, options);
    state.simulations += 1;
    if (!state.shrinking) {
      recordRun(state, run, history, violations, options.faults);
      if (every > 0 && state.runs % every === 0) await checkDeterminism(state, run.timeline, options, history);
      options.onRun?.(state.runs);
    }
    if (violations.length > 0 && !state.shrinking) {
      state.shrinking = true;
      state.firstFailure = { runIndex: state.runs - 1, events: run.timeline.events.length };
    }
    return violations.length === 0;
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
  shrinking: boolean;
  coverage: FaultCoverage;
  byProperty: Record<PropertyName, number>;
  firstFailure?: { runIndex: number; events: number };
  determinismChecked: number;
  determinismMismatches: number;
  likelySource?: string;
}

function newState(faults: FaultRegistry): CampaignState {
  return {
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    shrinking: false,
    coverage: emptyCoverage(faults),
    byProperty: Object.fromEntries(propertyNames.map((p) => [p, 0])) as Record<PropertyName, number>,
    determinismChecked: 0,
    determinismMismatches: 0,
  };
}

function recordRun(state: CampaignState, run: GeneratedRun, history: History, violations: Violation[], faults: FaultRegistry | undefined) {
  state.runs += 1;
  state.virtualMs += history.endedAt;
  addCoverage(state.coverage, runCoverage(run.timeline, history, faults));
  for (const property of new Set(violations.map((v) => v.property))) state.byProperty[property] += 1;
}

async function checkDeterminism(state: CampaignState, timeline: Timeline, options: CampaignOptions, first: History) {
  const again = await simulate(timeline, options.path.factory, simulateOptions(options, options.path));
  state.simulations += 1;
  state.determinismChecked += 1;
  if (fingerprint(again) === fingerprint(first)) return;
  state.determinismMismatches += 1;
  state.likelySource ??= likelySourceOfMismatch(first, again, options.path);
}

async function shrunkFailure(
  state: CampaignState,
  details: fc.RunDetails<[GeneratedRun]>,
  options: CampaignOptions,
): Promise<CampaignFailure> {
  // Invariant: a shrunk timeline is a valid timeline file (it is about to be written as one).
  const timeline = parseTimeline(details.counterexample![0].timeline, { faults: options.faults });
  // Record every property the shrunk run violates, not only the ones searched for.
  const { history, violations } = await judge(timeline, options.path, { ...options, only: undefined });
  const print = fingerprint(history);
  await checkDeterminism(state, timeline, options, history);
  return {
    timeline,
    violations,
    fingerprint: print,
    runIndex: state.firstFailure?.runIndex ?? 0,
    shrinks: details.numShrinks,
    eventsBeforeShrink: state.firstFailure?.events ?? timeline.events.length,
  };
}

/**
 * The failure file for a campaign's failure. It always records `dedupeById` (the campaign's,
 * unless given): a replay must run the server model the failure was found with.
 */
export function failureFileOf(result: CampaignResult, failure: CampaignFailure, dedupeById?: boolean): FailureFile {
  const file: FailureFile = {
    format: failureFormat,
    path: result.path,
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
