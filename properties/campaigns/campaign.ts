/**
 * A campaign in this process: the search goes through every requested run (search.ts), then each
 * property some run broke is shrunk on its own, from the first run that broke it
 * (propertyFailure.ts). The result holds what a CI log needs: runs, virtual time, fault
 * coverage, runs broken and judged per property, how much the path was exercised, determinism
 * re-runs, and one shrunk failure per broken property, most costly to a user first. The verdict
 * and the summary every output prints are built from it by verdict.ts.
 *
 * With `failFast` the search stops at the first failing run, and only the properties that run
 * broke are shrunk. A run whose bot called a socket member the fake does not model ends the
 * campaign (`harnessLimit`): nothing is shrunk, and the CLI names the member (exit 3).
 */
import fc from 'fast-check';
import { type Timeline } from '../../sim/timeline.js';
import type { SendPathSettings } from '../../sim/timeline.js';
import { byLoss } from '../judging/verdictProperties.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { failureFormat, type FailureFile } from './failureFile.js';
import { reportedFailures, shrinkFailure, type CampaignFailure, type ShrinkFailureOptions } from './propertyFailure.js';
import { campaignArb, campaignRunsMax, search, type FirstFailure, type HarnessLimit, type PropertySelection, type RunTotals, type SearchOptions } from './search.js';

export { campaignRunsMax, type Determinism, type HarnessLimit, type PropertySelection, type RunTotals } from './search.js';
export type { CampaignFailure } from './propertyFailure.js';

/** Campaign settings. Every count is bounded. */
export interface CampaignOptions extends SearchOptions {
  /** Most simulations per property's shrink (default: shrink.ts's bound). */
  shrinkSimulationsMax?: number;
}

/** What a campaign found. */
export interface CampaignResult extends RunTotals {
  path: string;
  seed: number;
  numRuns: number;
  wallMs: number;
  /** One shrunk failure per property broken, in the loss order (the worst for a user first). */
  failures: CampaignFailure[];
  /** The run the campaign stopped at, when it stopped early (`failFast`, a stalled run, a harness limit). */
  stoppedAt?: number;
  /**
   * The run whose bot called a socket member the fake does not model: the campaign ended there,
   * as a limit of the harness (no failure is reported, and the CLI exits 3 naming the member).
   */
  harnessLimit?: HarnessLimit;
  /** The properties judged, when not all were (`only` / `skip`). */
  selection?: PropertySelection;
  /** The watchdog's budget per run, ms, when a watchdog watched the runs (see watchdog.ts). */
  runTimeoutMs?: number;
  /** The server model deduped by message id (the simulate option; true unless switched off). */
  dedupeById?: boolean;
  /** The settings the path declared as its own (absent: every setting was generated). */
  settings?: SendPathSettings;
  /** The path ran with Baileys and the globals intercepted. */
  intercept?: boolean;
}

/** Runs a campaign; see the module comment. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const wallStart = performance.now();
  const found = await search(options);
  const { firstFailures, stoppedAt, harnessLimit, ...totals } = found;
  const failures: CampaignFailure[] = [];
  if (harnessLimit === undefined) {
    for (const first of firstFailures) failures.push(await shrinkFailure(first, first.runIndex, options.path, shrinkOptionsOf(options)));
  }
  return {
    ...resultFields(options, options.path),
    ...totals,
    simulations: simulationsOf(totals.simulations, failures),
    wallMs: performance.now() - wallStart,
    failures: reportable(failures),
    ...(stoppedAt === undefined ? {} : { stoppedAt }),
    ...(harnessLimit === undefined ? {} : { harnessLimit }),
  };
}

/**
 * The failures a campaign reports, from its shrunk ones: each property once (its earliest run),
 * a run that did not replay the same also as `deterministic`, the worst for a user first.
 */
export function reportable(failures: readonly CampaignFailure[]): CampaignFailure[] {
  return byLoss(onePerProperty(failures.flatMap(reportedFailures)));
}

/** Simulator runs of a campaign: its search's, and those that shrank and checked its failures. */
export function simulationsOf(searchSimulations: number, failures: readonly CampaignFailure[]): number {
  return failures.reduce((n, failure) => n + failure.simulations, searchSimulations);
}

/** The shrink options of a campaign's options. */
export function shrinkOptionsOf(options: Omit<CampaignOptions, 'path' | 'seed'>): ShrinkFailureOptions {
  const { limits, simulate, faults, progress, shrinkSimulationsMax } = options;
  return { limits, simulate, faults, progress, simulationsMax: shrinkSimulationsMax };
}

/** The first failure of each property (a property reported twice keeps its earliest run). */
export function onePerProperty(failures: readonly CampaignFailure[]): CampaignFailure[] {
  const first = new Map<string, CampaignFailure>();
  for (const failure of failures) {
    const kept = first.get(failure.property);
    if (kept === undefined || failure.runIndex < kept.runIndex) first.set(failure.property, failure);
  }
  return [...first.values()];
}

/** The fields of a result that come from the options, not from the runs. */
export function resultFields(options: Pick<CampaignOptions, 'seed' | 'numRuns' | 'only' | 'skip' | 'simulate'>, path: NamedSendPath): Pick<CampaignResult, 'path' | 'seed' | 'numRuns' | 'dedupeById' | 'selection' | 'settings' | 'intercept'> {
  const fields: ReturnType<typeof resultFields> = { path: path.name, seed: options.seed, numRuns: options.numRuns ?? 100, dedupeById: options.simulate?.dedupeById ?? true };
  if (options.only !== undefined || options.skip !== undefined) fields.selection = { ...(options.only && { only: options.only }), ...(options.skip && { skip: options.skip }) };
  if (path.settings !== undefined) fields.settings = path.settings;
  if (path.intercept) fields.intercept = true;
  return fields;
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
  const property = fc.asyncProperty(campaignArb(options), async (run) => {
    if (seen++ === index) found = run.timeline;
    return true;
  });
  await fc.check(property, { numRuns: index + 1, seed: options.seed });
  if (found === undefined) throw new Error(`invariant: fast-check generated run ${index}`);
  return found;
}

/** A first failure at `runIndex` of the whole campaign (a chunk's searches count from 0). */
export function atCampaignIndex(first: FirstFailure, runIndex: number): FirstFailure {
  return { ...first, runIndex };
}

/**
 * The failure file for one property's failure of a campaign. It always records `dedupeById`
 * (the campaign's, unless given): a replay must run the server model the failure was found with.
 */
export function failureFileOf(result: Pick<CampaignResult, 'path' | 'seed' | 'dedupeById' | 'intercept' | 'settings'>, failure: CampaignFailure, dedupeById?: boolean): FailureFile {
  const file: FailureFile = {
    format: failureFormat,
    path: result.path,
    property: failure.property,
    // First, when present: what failed, before the timeline it failed on.
    ...(failure.campaignViolation && { campaignViolation: failure.campaignViolation }),
    timeline: failure.timeline,
    violations: failure.violations,
    fingerprint: failure.fingerprint,
    found: {
      seed: result.seed,
      runIndex: failure.runIndex,
      eventsBeforeShrink: failure.eventsBeforeShrink,
      shrinkSimulations: failure.shrinkSimulations,
      oneMinimal: failure.oneMinimal,
    },
  };
  file.dedupeById = dedupeById ?? result.dedupeById ?? true;
  if (result.intercept) file.intercept = true;
  if (result.settings !== undefined) file.settings = result.settings;
  if (failure.output !== undefined) file.output = failure.output;
  return file;
}
