/**
 * A campaign's verdict and its summary, decided once, here. The command line's text, `--json`,
 * `merge`, the HTML report and the vitest API all print a {@link CampaignSummary} built by
 * {@link summaryOf}, so none can disagree with another.
 *
 * The verdict is a list of failures, one per broken property, in the order a user should fix them
 * (`lossOrder`: what a user of the bot loses first). A campaign passes exactly when that list is
 * empty. The property table is derived from the same failures: a property is `violated` in the
 * table exactly when it has a failure below it, with the same first failing run and shrunk size.
 */
import type { CampaignResult } from '../properties/campaigns/campaign.js';
import type { Determinism } from '../properties/campaigns/determinism.js';
import type { CampaignFailure } from '../properties/campaigns/propertyFailure.js';
import {
  judges,
  type HarnessLimit,
  type PropertySelection,
  type RunTotals,
} from '../properties/campaigns/search.js';
import { unmodelledLine } from '../properties/judging/harnessLimit.js';
import type { FailureFile } from '../properties/campaigns/failureFile.js';
import type { CampaignShard, ChunkResult } from '../properties/campaigns/shard.js';
import type { CampaignViolation } from '../properties/judging/campaignProperties.js';
import {
  campaignPropertyNames,
  type CampaignPropertyName,
} from '../properties/judging/propertyNames.js';
import { propertyNames, type Violation } from '../properties/judging/checkers.js';
import { exercisedVerdict, type ExerciseCounts } from '../properties/judging/exercise.js';
import {
  byLoss,
  isRunProperty,
  lossOrder,
  type VerdictProperty,
} from '../properties/judging/verdictProperties.js';
import { undeclaredSettings } from '../properties/paths/settings.js';
import type { SendPathSettings } from '../sim/timeline.js';
import { redactText } from './redact.js';

/** The summary format tag (`--json` output). */
export const summaryFormat = 'baileys-sim/summary@2';

/** One property's row of the table. */
export interface PropertyRow {
  property: VerdictProperty;
  /**
   * `run`: judged on each run's history; `campaign`: on several histories or the whole campaign.
   */
  scope: 'run' | 'campaign';
  /** `violated` exactly when the summary has a failure of this property. */
  verdict: 'held' | 'violated' | 'not judged' | 'skipped';
  /** Runs of the campaign that broke it (for `exercised`, judged on the campaign: 0). */
  runsViolated: number;
  /** Runs that gave it something to judge. */
  runsJudged: number;
  /** 0-based index of the first run that broke it: the run its failure was shrunk from. */
  firstRunIndex?: number;
  /** Events of its shrunk timeline. */
  shrunkEvents?: number;
}

/** A harness limit as a summary reports it: the record and the one line that names it. */
interface HarnessLimitSummary extends HarnessLimit {
  message: string;
}

/** One broken property, as every output reports it. */
export interface FailureSummary {
  property: VerdictProperty;
  /** Runs of the campaign that broke it. */
  runsViolated: number;
  /**
   * 0-based index of the first run that broke it (absent for `exercised`, which no run breaks
   * alone).
   */
  runIndex?: number;
  eventsBeforeShrink?: number;
  /** Events of the shrunk timeline. */
  events?: number;
  /** Shrink candidates simulated. */
  shrinkSimulations?: number;
  /** Removing any one event of the shrunk timeline no longer breaks the property. */
  oneMinimal?: boolean;
  /**
   * Simulator runs the shrink and the replay check took (counted in the campaign's `simulations`).
   */
  simulations?: number;
  /** Every violation of the shrunk run, this property's first (redacted). */
  violations: Violation[];
  /** The other properties the shrunk run breaks. */
  alsoBreaks: VerdictProperty[];
  /**
   * The campaign property record, for a failure of one (a global call, another history, a stall).
   */
  campaignViolation?: CampaignViolation;
  /**
   * What broke, in one line, for a failure that has no violations of its own (`exercised`, a
   * stall).
   */
  message?: string;
  /** The failure file written, as given to `replay`. */
  file?: string;
  replayCommand?: string;
}

/** Fired / mattered counts per fault kind. */
type CoverageSummary = Record<string, { fired: number; mattered: number }>;

/** One chunk's totals, as a shard summary records them for `merge`. */
export interface ChunkSummary extends Omit<RunTotals, 'coverage'> {
  /** Chunk index in the whole campaign. */
  index: number;
  coverage: CoverageSummary;
  /** 0-based index, within this chunk, of the run it stopped at (fail-fast, or a stall). */
  stoppedAt?: number;
}

/**
 * What a `--shard k/n` summary adds: enough for `merge` to rebuild the whole campaign's summary.
 */
interface ShardSummary {
  /** 1-based shard number k. */
  index: number;
  /** Shards in all, n. */
  count: number;
  /** The baileys-sim version that ran the shard: shards of different versions are not merged. */
  version: string;
  /** Runs per chunk. */
  chunkRuns: number;
  /** This shard's chunks that count, in index order. */
  chunks: ChunkSummary[];
}

/** Which settings a campaign judged by. */
interface SettingsSummary {
  /** What the path declared as its own (`sendPathSettings`), if anything. */
  declared?: SendPathSettings;
  /** Settings the generator varied, which the checkers judged by. */
  generated: string[];
}

/** What a campaign found, JSON-safe: what every output prints. */
export interface CampaignSummary {
  format: typeof summaryFormat;
  path: string;
  seed: number;
  /**
   * `violation` exactly when `failures` is not empty; `harness-limit` when the campaign ended on
   * a run the harness cannot judge (`harnessLimit`): then nothing is judged.
   */
  verdict: 'clean' | 'violation' | 'harness-limit';
  /**
   * The run the campaign ended on because its bot called a socket member the fake does not model: a
   * limit of the harness, named with the stub that answers it (exit 3), never a verdict on the
   * path.
   */
  harnessLimit?: HarnessLimitSummary;
  runsRequested: number;
  runs: number;
  /** Simulator runs including shrinking and determinism re-runs. */
  simulations: number;
  virtualMs: number;
  wallMs: number;
  runsPerSecond: number;
  /** The time budget ran out before every requested run was made. */
  timeBudgetHit: boolean;
  /** The campaign stopped before its last run: at a failing run (fail-fast) or at a stalled run. */
  stoppedEarly?: { runIndex: number; reason: 'fail-fast' | 'stall' };
  coverage: CoverageSummary;
  /** Fault kinds that never mattered: what this campaign did not test. */
  neverMattered: string[];
  /** Every property: its verdict, runs violated and judged, first failing run and shrunk size. */
  properties: PropertyRow[];
  /** One per broken property, the worst for a user first. */
  failures: FailureSummary[];
  /** Per property: runs that broke it (the table's counts; `merge` adds them up). */
  violationsByProperty: Record<string, number>;
  /** Per checker property: runs that gave it something to judge. */
  judgedByProperty: Record<string, number>;
  /**
   * Runs that sent the bot a message / in which it received one / asked for a reply / saw one
   * become visible.
   */
  exercise: ExerciseCounts;
  determinism: Determinism;
  /**
   * The watchdog's budget per run, ms, when the runs were watched (`makes-progress` is judged only
   * then).
   */
  runTimeoutMs?: number;
  /** The properties judged, when not all were. */
  selection?: PropertySelection;
  /** The campaign was to stop at its first failing run (`--fail-fast`). */
  failFast?: true;
  /**
   * The settings the checkers judged by: the path's own (`declared`), and those generated for it.
   */
  settings: SettingsSummary;
  /** The path ran with Baileys, timers, `Date` and randomness intercepted. */
  intercepted?: true;
  /** Present when this is one shard's part of a campaign (`--shard k/n`). */
  shard?: ShardSummary;
}

/** A campaign's totals: what every summary field but the failures is computed from. */
export interface CampaignTotals extends Omit<RunTotals, 'coverage'> {
  path: string;
  seed: number;
  numRuns: number;
  wallMs: number;
  coverage: CoverageSummary;
  stoppedAt?: number;
  runTimeoutMs?: number;
  selection?: PropertySelection;
  settings?: SendPathSettings;
  intercept?: boolean;
  /** The campaign stopped at its first failing run on purpose. */
  failFast?: boolean;
  /** The run the campaign ended on because the fake does not model what its bot called. */
  harnessLimit?: HarnessLimit;
}

/** Where a failure's file went. */
export interface WrittenFile {
  file: string;
  replayCommand: string;
}

/** The summary of a campaign's result, with where each failure's file went (by property). */
export function summarize(
  result: CampaignResult,
  files: ReadonlyMap<VerdictProperty, WrittenFile>,
  options: { failFast?: boolean; shard?: ShardRun } = {},
): CampaignSummary {
  const failures = result.failures.map((failure) =>
    failureSummaryOf(
      failure,
      result.violationsByProperty[failure.property] ?? 0,
      files.get(failure.property),
    ),
  );
  const summary = summaryOf({ ...result, failFast: options.failFast }, failures);
  if (options.shard) summary.shard = shardSummaryOf(options.shard);
  return summary;
}

/** The failure summary of one shrunk failure, with its file if one was written. */
function failureSummaryOf(
  found: CampaignFailure,
  runsViolated: number,
  written?: WrittenFile,
): FailureSummary {
  const own = found.violations.filter((v) => v.property === found.property);
  const others = found.violations.filter((v) => v.property !== found.property);
  const also = [
    ...new Set<VerdictProperty>([
      ...(found.campaignViolation && found.campaignViolation.property !== found.property
        ? [found.campaignViolation.property]
        : []),
      ...others.map((v) => v.property),
    ]),
  ];
  const summary: FailureSummary = {
    property: found.property,
    runsViolated,
    runIndex: found.runIndex,
    eventsBeforeShrink: found.eventsBeforeShrink,
    events: found.timeline.events.length,
    shrinkSimulations: found.shrinkSimulations,
    oneMinimal: found.oneMinimal,
    simulations: found.simulations,
    violations: [...own, ...others].map((v) => ({ ...v, message: redactText(v.message) })),
    alsoBreaks: also,
  };
  if (found.campaignViolation)
    summary.campaignViolation = {
      ...found.campaignViolation,
      message: redactText(found.campaignViolation.message),
    };
  if (found.likelySource !== undefined) summary.message = redactText(found.likelySource);
  if (written) Object.assign(summary, written);
  return summary;
}

/** The failure summary of a failure file (what `replay` and the HTML report print of it). */
export function failureSummaryOfFile(
  file: FailureFile,
  written?: WrittenFile,
): FailureSummary | undefined {
  const property =
    file.property ?? file.campaignViolation?.property ?? file.violations[0]?.property;
  if (property === undefined) return undefined;
  const found = file.found;
  return failureSummaryOf(
    {
      property,
      runIndex: found?.runIndex ?? 0,
      eventsBeforeShrink: found?.eventsBeforeShrink ?? file.timeline.events.length,
      shrinkSimulations: found?.shrinkSimulations ?? found?.shrinks ?? 0,
      oneMinimal: found?.oneMinimal ?? false,
      timeline: file.timeline,
      violations: file.violations,
      fingerprint: file.fingerprint,
      simulations: 0,
      shrinkWallMs: 0,
      ...(file.campaignViolation && { campaignViolation: file.campaignViolation }),
    },
    0,
    written,
  );
}

/**
 * The summary of a campaign's totals and its failures: one shape for `run`, `audit`, `merge`
 * and the vitest API. The `exercised` failure, judged on the totals, is added here.
 */
export function summaryOf(
  totals: CampaignTotals,
  runFailures: readonly FailureSummary[],
): CampaignSummary {
  // A campaign that ended on a harness limit judges nothing: what it found so far is not a verdict.
  const limited = totals.harnessLimit !== undefined;
  const failures = limited
    ? []
    : byLoss([...runFailures, ...campaignLevelFailures(totals, runFailures)]);
  const coverage = coverageOf(totals.coverage);
  const summary: CampaignSummary = {
    format: summaryFormat,
    path: totals.path,
    seed: totals.seed,
    verdict: limited ? 'harness-limit' : failures.length > 0 ? 'violation' : 'clean',
    runsRequested: totals.numRuns,
    runs: totals.runs,
    simulations: totals.simulations,
    virtualMs: totals.virtualMs,
    wallMs: Math.round(totals.wallMs),
    runsPerSecond: totals.wallMs > 0 ? Math.round((totals.runs * 1000) / totals.wallMs) : 0,
    timeBudgetHit: totals.interrupted,
    coverage,
    neverMattered: Object.entries(coverage)
      .filter(([, c]) => c.mattered === 0)
      .map(([kind]) => kind),
    properties: limited ? unjudgedRows(totals) : propertyRows(totals, failures),
    failures,
    violationsByProperty: { ...totals.violationsByProperty },
    judgedByProperty: { ...totals.judgedByProperty },
    exercise: { ...totals.exercise },
    determinism: { ...totals.determinism },
    ...(totals.runTimeoutMs !== undefined && { runTimeoutMs: totals.runTimeoutMs }),
    ...(totals.selection !== undefined && { selection: totals.selection }),
    settings: {
      ...(totals.settings === undefined ? {} : { declared: totals.settings }),
      generated: undeclaredSettings(totals.settings),
    },
  };
  if (totals.stoppedAt !== undefined)
    summary.stoppedEarly = {
      runIndex: totals.stoppedAt,
      reason: failures.some(
        (f) => f.property === 'makes-progress' && f.runIndex === totals.stoppedAt,
      )
        ? 'stall'
        : 'fail-fast',
    };
  if (totals.intercept) summary.intercepted = true;
  if (totals.failFast) summary.failFast = true;
  if (totals.harnessLimit !== undefined)
    summary.harnessLimit = harnessLimitSummaryOf(totals.harnessLimit, totals.path, totals.seed);
  return summary;
}

/** A harness limit with the line that names it (redacted), the run counted over the campaign. */
function harnessLimitSummaryOf(
  limit: HarnessLimit,
  path: string,
  seed: number,
): HarnessLimitSummary {
  return {
    ...limit,
    message: redactText(unmodelledLine(limit, path, `run ${limit.runIndex + 1} of seed ${seed}`)),
  };
}

/** The table of a campaign that ended on a harness limit: counts as made, nothing judged. */
function unjudgedRows(totals: CampaignTotals): PropertyRow[] {
  const row = (property: VerdictProperty, scope: PropertyRow['scope']): PropertyRow => ({
    property,
    scope,
    verdict: 'not judged',
    runsViolated: totals.violationsByProperty[property] ?? 0,
    runsJudged: runsJudged(totals, property),
  });
  return [
    ...propertyNames.map((p) => row(p, 'run')),
    ...campaignPropertyNames.map((p) => row(p, 'campaign')),
  ];
}

/** The failures judged on the campaign as a whole (no run breaks them alone): `exercised`. */
function campaignLevelFailures(
  totals: CampaignTotals,
  runFailures: readonly FailureSummary[],
): FailureSummary[] {
  if (runFailures.some((f) => f.property === 'exercised')) return [];
  const message = unexercised(totals);
  if (message === undefined) return [];
  return [{ property: 'exercised', runsViolated: 0, violations: [], alsoBreaks: [], message }];
}

/** Why the campaign fails `exercised` (judged on its counts, when selected); undefined if not. */
function unexercised(totals: Pick<CampaignTotals, 'exercise' | 'selection'>): string | undefined {
  if (!judges(totals.selection ?? {}, 'exercised')) return undefined;
  const exercised = exercisedVerdict(totals.exercise);
  return exercised.held ? undefined : exercised.message;
}

/**
 * The properties a campaign's counts show broken, the worst for a user first: those some run
 * broke, and `exercised` when the campaign as a whole fails it. The verdict of a campaign that
 * shrank nothing (`audit --specimens`'s rows); a summary fails the same properties, each with
 * its failure (the table's invariant).
 */
export function brokenProperties(
  totals: Pick<CampaignTotals, 'violationsByProperty' | 'exercise' | 'selection'>,
): VerdictProperty[] {
  const unexercisedCampaign = unexercised(totals) !== undefined;
  const broken = (property: VerdictProperty): boolean =>
    (totals.violationsByProperty[property] ?? 0) > 0 ||
    (property === 'exercised' && unexercisedCampaign);
  return lossOrder.filter(broken);
}

/**
 * Properties a failure can show with no generated run counted against them: `exercised` is
 * judged on the whole campaign, `deterministic` also on each shrunk failure simulated again,
 * `makes-progress` also on a shrink candidate that stalled.
 */
const beyondRuns: ReadonlySet<VerdictProperty> = new Set([
  'exercised',
  'deterministic',
  'makes-progress',
]);

/**
 * The table: every property, derived from the totals and the failures (never disagreeing with
 * them).
 */
function propertyRows(totals: CampaignTotals, failures: readonly FailureSummary[]): PropertyRow[] {
  const byProperty = new Map(failures.map((f) => [f.property, f]));
  const row = (property: VerdictProperty, scope: PropertyRow['scope']): PropertyRow => {
    const failure = byProperty.get(property);
    const runsViolated = totals.violationsByProperty[property] ?? 0;
    // Invariant: a run that broke a property left a failure of it to report, and a failure comes
    // from a run that broke it, unless no generated run can show it alone (see beyondRuns).
    if (
      (runsViolated > 0 && failure === undefined) ||
      (failure !== undefined && runsViolated === 0 && !beyondRuns.has(property))
    ) {
      throw new Error(
        `invariant: ${property} broken in ${runsViolated} runs but ` +
          `${failure ? 'reported' : 'not reported'}`,
      );
    }
    const out: PropertyRow = {
      property,
      scope,
      verdict: rowVerdict(totals, property, failure !== undefined),
      runsViolated,
      runsJudged: runsJudged(totals, property),
    };
    if (failure?.runIndex !== undefined) out.firstRunIndex = failure.runIndex;
    if (failure?.events !== undefined) out.shrunkEvents = failure.events;
    return out;
  };
  return [
    ...propertyNames.map((p) => row(p, 'run')),
    ...campaignPropertyNames.map((p) => row(p, 'campaign')),
  ];
}

function rowVerdict(
  totals: CampaignTotals,
  property: VerdictProperty,
  failed: boolean,
): PropertyRow['verdict'] {
  if (failed) return 'violated';
  if (!judges(totals.selection ?? {}, property)) return 'skipped';
  if (property === 'exercised')
    return exercisedVerdict(totals.exercise).judged ? 'held' : 'not judged';
  return runsJudged(totals, property) > 0 ? 'held' : 'not judged';
}

/** Runs that gave `property` something to judge. */
function runsJudged(totals: CampaignTotals, property: VerdictProperty): number {
  if (isRunProperty(property)) return totals.judgedByProperty[property] ?? 0;
  const campaignProperty: CampaignPropertyName = property;
  switch (campaignProperty) {
    case 'deterministic':
      return totals.determinism.checked;
    case 'uses-ports':
      return totals.intercept ? 0 : totals.runs;
    case 'makes-progress':
      return totals.runTimeoutMs === undefined ? 0 : totals.runs;
    case 'exercised':
      return totals.exercise.offered;
  }
}

/** Coverage counts only (a campaign's coverage may carry more per kind). */
function coverageOf(coverage: CoverageSummary): CoverageSummary {
  return Object.fromEntries(
    Object.entries(coverage).map(([kind, c]) => [kind, { fired: c.fired, mattered: c.mattered }]),
  );
}

/** The part a shard's summary adds, from its merged chunks. */
interface ShardRun {
  shard: CampaignShard;
  version: string;
  chunkRuns: number;
  chunks: readonly ChunkResult[];
}

function shardSummaryOf(shard: ShardRun): ShardSummary {
  return {
    index: shard.shard.index,
    count: shard.shard.count,
    version: shard.version,
    chunkRuns: shard.chunkRuns,
    chunks: shard.chunks.map(chunkSummaryOf),
  };
}

/** A chunk's totals for a shard summary. */
function chunkSummaryOf({ index, result }: ChunkResult): ChunkSummary {
  const chunk: ChunkSummary = {
    index,
    runs: result.runs,
    simulations: result.simulations,
    virtualMs: result.virtualMs,
    coverage: coverageOf(result.coverage),
    violationsByProperty: { ...result.violationsByProperty },
    judgedByProperty: { ...result.judgedByProperty },
    exercise: { ...result.exercise },
    determinism: { ...result.determinism },
    interrupted: result.interrupted,
  };
  if (result.stoppedAt !== undefined) chunk.stoppedAt = result.stoppedAt;
  return chunk;
}

/** Whether a campaign passed: its verdict is `clean` (a broken property or harness limit fails). */
export function passed(summary: Pick<CampaignSummary, 'verdict'>): boolean {
  return summary.verdict === 'clean';
}
