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
import type { SendPathSettings } from '../../sim/timeline.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import {
  reportable,
  shrinkFailure,
  shrinkOptionsOf,
  type CampaignFailure,
} from './propertyFailure.js';
import {
  search,
  type HarnessLimit,
  type PropertySelection,
  type RunTotals,
  type SearchOptions,
} from './search.js';

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
  /**
   * The run the campaign stopped at, when it stopped early (`failFast`, a stalled run, a harness
   * limit).
   */
  stoppedAt?: number;
  /**
   * The run whose bot called a socket member the fake does not model: the campaign ended there,
   * as a limit of the harness (no failure is reported, and the CLI exits 3 naming the member).
   */
  harnessLimit?: HarnessLimit;
  /** The properties judged, when not all were (`only` / `skip`). */
  selection?: PropertySelection;
  /** The watchdog's budget per run, ms, when a watchdog watched the runs (workers/watchdog.ts). */
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
    for (const first of firstFailures)
      failures.push(
        await shrinkFailure(first, first.runIndex, options.path, shrinkOptionsOf(options)),
      );
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

/** Simulator runs of a campaign: its search's, and those that shrank and checked its failures. */
export function simulationsOf(
  searchSimulations: number,
  failures: readonly CampaignFailure[],
): number {
  return failures.reduce((n, failure) => n + failure.simulations, searchSimulations);
}

/** The fields of a result that come from the options, not from the runs. */
export function resultFields(
  options: Pick<CampaignOptions, 'seed' | 'numRuns' | 'only' | 'skip' | 'simulate'>,
  path: NamedSendPath,
): Pick<
  CampaignResult,
  'path' | 'seed' | 'numRuns' | 'dedupeById' | 'selection' | 'settings' | 'intercept'
> {
  const fields: ReturnType<typeof resultFields> = {
    path: path.name,
    seed: options.seed,
    numRuns: options.numRuns ?? 100,
    dedupeById: options.simulate?.dedupeById ?? true,
  };
  if (options.only !== undefined || options.skip !== undefined)
    fields.selection = {
      ...(options.only && { only: options.only }),
      ...(options.skip && { skip: options.skip }),
    };
  if (path.settings !== undefined) fields.settings = path.settings;
  if (path.intercept) fields.intercept = true;
  return fields;
}
