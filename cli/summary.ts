/**
 * A campaign's summary: the JSON object `--json` prints and the table a person reads. Both come
 * from {@link summarize}, so what CI parses and what a log shows are the same numbers.
 */
import type { CampaignFailure, CampaignResult } from '../properties/campaigns/campaign.js';
import type { CampaignShard, ChunkResult } from '../properties/campaigns/shard.js';
import type { Violation } from '../properties/judging/checkers.js';
import { formatDurationMs, formatViolation, violatedProperties } from '../report/text.js';
import { redactText } from '../report/redact.js';
import { settingsLine, undeclaredSettings } from '../properties/paths/settings.js';
import type { SendPathSettings } from '../sim/timeline.js';

/** The summary format tag (`--json` output). */
export const summaryFormat = 'baileys-sim/summary@1';

/** The failure part of a summary. */
export interface FailureSummary {
  /** The failure file written, as given to `replay`. */
  file: string;
  replayCommand: string;
  /** 0-based index of the generated run that failed first. */
  runIndex: number;
  shrinks: number;
  eventsBeforeShrink: number;
  events: number;
  /** Properties the shrunk run violates, in first-seen order. */
  properties: string[];
  violations: Violation[];
}

/** Fired / mattered counts per fault kind. */
export type CoverageSummary = Record<string, { fired: number; mattered: number }>;

/** Counts that add up over the chunks of a campaign. */
export interface RunTotals {
  runs: number;
  simulations: number;
  virtualMs: number;
  coverage: CoverageSummary;
  violationsByProperty: Record<string, number>;
  determinism: { checked: number; mismatches: number; likelySource?: string };
  /** Cut by the time budget. */
  interrupted: boolean;
}

/** One chunk's totals, as a shard summary records them for `merge`. */
export interface ChunkSummary extends RunTotals {
  /** Chunk index in the whole campaign. */
  index: number;
  /** 0-based index, within this chunk, of the run that failed; the summary's `failure` tells the rest. */
  failedRun?: number;
}

/** What a `--shard k/n` summary adds: enough for `merge` to rebuild the whole campaign's summary. */
export interface ShardSummary {
  /** 1-based shard number k. */
  index: number;
  /** Shards in all, n. */
  count: number;
  /** The baileys-sim version that ran the shard: shards of different versions are not merged. */
  version: string;
  /** Runs per chunk. */
  chunkRuns: number;
  /** This shard's chunks that count, in index order (none after its first failing one). */
  chunks: ChunkSummary[];
}

/** What a campaign found, JSON-safe. */
export interface CampaignSummary {
  format: typeof summaryFormat;
  path: string;
  seed: number;
  verdict: 'clean' | 'violation';
  runsRequested: number;
  runs: number;
  /** Simulator runs including shrinking and determinism re-runs. */
  simulations: number;
  virtualMs: number;
  wallMs: number;
  runsPerSecond: number;
  /** The time budget ran out before every requested run was made. */
  timeBudgetHit: boolean;
  coverage: CoverageSummary;
  /** Fault kinds that never mattered: what this campaign did not test. */
  neverMattered: string[];
  /** Per property: generated runs that violated it. */
  violationsByProperty: Record<string, number>;
  determinism: { checked: number; mismatches: number; likelySource?: string };
  /** The settings the checkers judged by: the path's own (`declared`), and those generated for it. */
  settings: SettingsSummary;
  /** The path ran with Baileys, timers, `Date` and randomness intercepted. */
  intercepted?: true;
  failure?: FailureSummary;
  /** Present when this is one shard's part of a campaign (`--shard k/n`). */
  shard?: ShardSummary;
}

/** Which settings a campaign judged by. */
export interface SettingsSummary {
  /** What the path declared as its own (`sendPathSettings`), if anything. */
  declared?: SendPathSettings;
  /** Settings the generator varied, which the checkers judged by. */
  generated: string[];
}

/** A campaign's totals: what every summary field but the failure is computed from. */
export interface CampaignTotals extends RunTotals {
  path: string;
  seed: number;
  numRuns: number;
  wallMs: number;
  /** The settings the path declared as its own. */
  settings?: SendPathSettings;
  /** The path ran intercepted. */
  intercept?: boolean;
}

/** The summary of a campaign's totals and its failure: one shape for `run`, `audit` and `merge`. */
export function summaryOf(totals: CampaignTotals, failure?: FailureSummary): CampaignSummary {
  const coverage = coverageOf(totals.coverage);
  const summary: CampaignSummary = {
    format: summaryFormat,
    path: totals.path,
    seed: totals.seed,
    verdict: failure !== undefined || totals.determinism.mismatches > 0 ? 'violation' : 'clean',
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
    violationsByProperty: { ...totals.violationsByProperty },
    determinism: { ...totals.determinism },
    settings: { ...(totals.settings === undefined ? {} : { declared: totals.settings }), generated: undeclaredSettings(totals.settings) },
  };
  if (totals.intercept) summary.intercepted = true;
  if (failure) summary.failure = failure;
  return summary;
}

/** Coverage counts only (a campaign's coverage may carry more per kind). */
function coverageOf(coverage: CoverageSummary): CoverageSummary {
  return Object.fromEntries(Object.entries(coverage).map(([kind, c]) => [kind, { fired: c.fired, mattered: c.mattered }]));
}

/** The failure part of a summary, for a failure written to `file`. */
export function failureSummaryOf(found: CampaignFailure, file: { file: string; replayCommand: string }): FailureSummary {
  return {
    file: file.file,
    replayCommand: file.replayCommand,
    runIndex: found.runIndex,
    shrinks: found.shrinks,
    eventsBeforeShrink: found.eventsBeforeShrink,
    events: found.timeline.events.length,
    properties: violatedProperties(found.violations),
    violations: found.violations.map((v) => ({ ...v, message: redactText(v.message) })),
  };
}

/** A chunk's totals for a shard summary. */
export function chunkSummaryOf({ index, result }: ChunkResult): ChunkSummary {
  const chunk: ChunkSummary = {
    index,
    runs: result.runs,
    simulations: result.simulations,
    virtualMs: result.virtualMs,
    coverage: coverageOf(result.coverage),
    violationsByProperty: { ...result.violationsByProperty },
    determinism: { ...result.determinism },
    interrupted: result.interrupted,
  };
  if (result.failure !== undefined) chunk.failedRun = result.failure.runIndex;
  return chunk;
}

/** The part a shard's summary adds, from its merged chunks. */
export interface ShardRun {
  shard: CampaignShard;
  version: string;
  chunkRuns: number;
  chunks: readonly ChunkResult[];
}

/**
 * The summary of `result`; `failure` is where its failure file went, if one was written, and
 * `shard` what a shard's summary adds.
 */
export function summarize(result: CampaignResult, failure?: { file: string; replayCommand: string }, shard?: ShardRun): CampaignSummary {
  const summary = summaryOf(result, result.failure && failure ? failureSummaryOf(result.failure, failure) : undefined);
  if (result.failure && !failure) summary.verdict = 'violation';
  if (shard) {
    summary.shard = { index: shard.shard.index, count: shard.shard.count, version: shard.version, chunkRuns: shard.chunkRuns, chunks: shard.chunks.map(chunkSummaryOf) };
  }
  return summary;
}

/** Most violation lines printed for one failure; the failure file holds them all. */
const violationLinesMax = 20;

/** The summary as a table for people (stdout of `run` and `audit`). */
export function formatSummary(summary: CampaignSummary): string[] {
  const lines: string[] = [];
  const why = summary.failure ? ' (stopped at the first failing run)' : summary.timeBudgetHit ? ' (time budget reached)' : '';
  const runsNote = summary.runs < summary.runsRequested ? ` of ${summary.runsRequested}${summary.shard ? ` in the campaign` : ''}${why}` : '';
  const shard = summary.shard;
  lines.push(`baileys-sim: ${redactText(summary.path)} · seed ${summary.seed}${shard ? ` · shard ${shard.index}/${shard.count}` : ''}`);
  lines.push(`  runs              ${summary.runs}${runsNote}  (${summary.simulations} simulations with shrinking and determinism re-runs)`);
  lines.push(`  virtual time      ${formatDurationMs(summary.virtualMs)} simulated`);
  lines.push(`  wall time         ${formatDurationMs(summary.wallMs)}  (${summary.runsPerSecond} runs/s)`);
  const det = summary.determinism;
  lines.push(`  determinism       ${det.checked} run${det.checked === 1 ? '' : 's'} simulated twice, ${det.mismatches} mismatch${det.mismatches === 1 ? '' : 'es'}`);
  lines.push(`  settings          ${settingsLine(summary.settings.declared)}`);
  if (summary.intercepted) lines.push(`  intercepted       makeWASocket, setTimeout/setInterval, Date, Math.random and crypto randomness (one run at a time per worker)`);
  lines.push('');
  lines.push('  fault coverage    fired  mattered');
  for (const [kind, c] of Object.entries(summary.coverage)) {
    lines.push(`    ${kind.padEnd(16)}${String(c.fired).padStart(6)}${String(c.mattered).padStart(10)}`);
  }
  lines.push(
    summary.neverMattered.length === 0
      ? '    every fault kind mattered at least once'
      : `    never mattered (not tested by this campaign): ${summary.neverMattered.join(', ')}`,
  );
  lines.push('');
  lines.push('  violations by property (runs)');
  for (const [property, runs] of Object.entries(summary.violationsByProperty)) {
    lines.push(`    ${property.padEnd(16)}${String(runs).padStart(6)}`);
  }
  lines.push('');
  lines.push(...formatVerdict(summary));
  return lines;
}

function formatVerdict(summary: CampaignSummary): string[] {
  const lines: string[] = [];
  const failure = summary.failure;
  if (failure) {
    lines.push(`FAIL: ${failure.properties.length} propert${failure.properties.length === 1 ? 'y' : 'ies'} violated: ${failure.properties.join(', ')}`);
    lines.push(`  run ${failure.runIndex + 1} failed; shrunk from ${failure.eventsBeforeShrink} to ${failure.events} events in ${failure.shrinks} steps`);
    for (const v of failure.violations.slice(0, violationLinesMax)) lines.push(`  ${formatViolation(v)}`);
    if (failure.violations.length > violationLinesMax) lines.push(`  … ${failure.violations.length - violationLinesMax} more in the failure file`);
    lines.push(`  failure file: ${failure.file}`);
    lines.push(`  replay:       ${failure.replayCommand}`);
    lines.push(`  report:       npx baileys-sim report ${failure.file} --html failure.html`);
  }
  if (summary.determinism.mismatches > 0) {
    const reads = summary.intercepted ? 'the send path depends on something baileys-sim does not intercept' : 'the send path reads time, randomness or timers outside the SimEnv ports';
    lines.push(`FAIL: determinism: ${summary.determinism.mismatches} run(s) gave a different history the second time; ${reads}, so no failure it has can be replayed`);
    if (summary.determinism.likelySource !== undefined) lines.push(`  ${redactText(summary.determinism.likelySource)}`);
  }
  if (!failure && summary.determinism.mismatches === 0) {
    lines.push(`OK: every property held in ${summary.runs} runs (seed ${summary.seed}${summary.shard ? `, shard ${summary.shard.index}/${summary.shard.count}` : ''})`);
  }
  if (summary.shard) lines.push(`  this is one shard: \`baileys-sim merge\` of every shard's --json summary gives the campaign's`);
  return lines;
}
