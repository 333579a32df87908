/**
 * A campaign's summary: the JSON object `--json` prints and the table a person reads. Both come
 * from {@link summarize}, so what CI parses and what a log shows are the same numbers.
 */
import type { CampaignFailure, CampaignResult, Determinism } from '../properties/campaigns/campaign.js';
import type { CampaignShard, ChunkResult } from '../properties/campaigns/shard.js';
import { campaignPropertyNames, type CampaignPropertyName, type CampaignViolation } from '../properties/judging/campaignProperties.js';
import type { Violation } from '../properties/judging/checkers.js';
import { exercisedVerdict, type ExerciseCounts } from '../properties/judging/exercise.js';
import { failedProperties, formatDurationMs, formatViolation } from '../report/text.js';
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
  /** Properties the shrunk run broke: its campaign property first, then the violated ones in first-seen order. */
  properties: string[];
  violations: Violation[];
  /** The campaign property the run broke, when it broke one. */
  campaignViolation?: CampaignViolation;
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
  /** Per property: runs that gave it something to judge. */
  judgedByProperty: Record<string, number>;
  /** How much the runs exercised the path (the campaign property `exercised`). */
  exercise: ExerciseCounts;
  determinism: Determinism;
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

/** A campaign property's verdict: it held, it was broken, or the campaign gave it too little to judge. */
export type CampaignPropertyVerdict = 'held' | 'violated' | 'not judged';

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
  /** Per property: generated runs that gave it something to judge (0: it held vacuously). */
  judgedByProperty: Record<string, number>;
  /** Runs that sent the bot a message / in which it received one / asked for a reply / saw one become visible. */
  exercise: ExerciseCounts;
  determinism: Determinism;
  /** The watchdog's budget per run, ms, when the runs were watched (`makes-progress` is judged only then). */
  runTimeoutMs?: number;
  /** Per campaign property (campaignProperties.ts): its verdict. */
  campaignProperties: Record<CampaignPropertyName, CampaignPropertyVerdict>;
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
  /** The watchdog's budget per run, when the runs were watched. */
  runTimeoutMs?: number;
  /** The settings the path declared as its own. */
  settings?: SendPathSettings;
  /** The path ran intercepted. */
  intercept?: boolean;
}

/** Each campaign property's verdict, from a campaign's totals and its failure. */
export function campaignVerdicts(totals: CampaignTotals, failure?: FailureSummary): Record<CampaignPropertyName, CampaignPropertyVerdict> {
  const broken = failure?.campaignViolation?.property;
  const verdicts = {} as Record<CampaignPropertyName, CampaignPropertyVerdict>;
  for (const name of campaignPropertyNames) {
    if (broken === name) verdicts[name] = 'violated';
    else if (name === 'deterministic') verdicts[name] = totals.determinism.mismatches > 0 ? 'violated' : totals.determinism.checked > 0 ? 'held' : 'not judged';
    else if (name === 'exercised') {
      const verdict = exercisedVerdict(totals.exercise);
      verdicts[name] = !verdict.held ? 'violated' : verdict.judged ? 'held' : 'not judged';
    } else if (name === 'makes-progress') verdicts[name] = totals.runTimeoutMs !== undefined && totals.runs > 0 ? 'held' : 'not judged';
    else verdicts[name] = totals.runs > 0 ? 'held' : 'not judged';
  }
  return verdicts;
}

/** The summary of a campaign's totals and its failure: one shape for `run`, `audit` and `merge`. */
export function summaryOf(totals: CampaignTotals, failure?: FailureSummary): CampaignSummary {
  const coverage = coverageOf(totals.coverage);
  const campaignProperties = campaignVerdicts(totals, failure);
  const summary: CampaignSummary = {
    format: summaryFormat,
    path: totals.path,
    seed: totals.seed,
    verdict: failure !== undefined || Object.values(campaignProperties).includes('violated') ? 'violation' : 'clean',
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
    judgedByProperty: { ...totals.judgedByProperty },
    exercise: { ...totals.exercise },
    determinism: { ...totals.determinism },
    ...(totals.runTimeoutMs !== undefined && { runTimeoutMs: totals.runTimeoutMs }),
    campaignProperties,
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
  const summary: FailureSummary = {
    file: file.file,
    replayCommand: file.replayCommand,
    runIndex: found.runIndex,
    shrinks: found.shrinks,
    eventsBeforeShrink: found.eventsBeforeShrink,
    events: found.timeline.events.length,
    properties: failedProperties(found.violations, found.campaignViolation),
    violations: found.violations.map((v) => ({ ...v, message: redactText(v.message) })),
  };
  if (found.campaignViolation) summary.campaignViolation = { ...found.campaignViolation, message: redactText(found.campaignViolation.message) };
  return summary;
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
    judgedByProperty: { ...result.judgedByProperty },
    exercise: { ...result.exercise },
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
  lines.push(...formatProperties(summary));
  lines.push('');
  lines.push(...formatVerdict(summary));
  return lines;
}

/** Per property: runs that violated it and runs that gave it something to judge; then the campaign properties. */
function formatProperties(summary: CampaignSummary): string[] {
  const width = Math.max(16, ...Object.keys(summary.violationsByProperty).map((p) => p.length + 1));
  const lines = [`  ${'properties (runs)'.padEnd(width + 2)} violated    judged`];
  for (const [property, runs] of Object.entries(summary.violationsByProperty)) {
    lines.push(`    ${property.padEnd(width)}${String(runs).padStart(9)}${String(summary.judgedByProperty[property] ?? 0).padStart(10)}`);
  }
  const vacuous = Object.entries(summary.judgedByProperty)
    .filter(([, runs]) => runs === 0)
    .map(([property]) => property);
  // Beside a failure the campaign stopped early: what it did not judge yet is no news.
  if (summary.failure === undefined && summary.runs > 0 && vacuous.length > 0) lines.push(`    never judged (held only vacuously): ${vacuous.join(', ')}`);
  lines.push('');
  lines.push('  campaign properties');
  for (const name of campaignPropertyNames) {
    const verdict = summary.campaignProperties[name];
    lines.push(`    ${name.padEnd(width)}${verdict.padEnd(12)}${campaignPropertyNote(summary, name)}`);
  }
  return lines;
}

/** What a campaign property looked at, in a few words. */
function campaignPropertyNote(summary: CampaignSummary, name: CampaignPropertyName): string {
  switch (name) {
    case 'deterministic': {
      const det = summary.determinism;
      return `${det.checked} run${det.checked === 1 ? '' : 's'} simulated twice, ${det.mismatches} differed`;
    }
    case 'uses-ports':
      return summary.campaignProperties[name] === 'violated' ? 'a global timer, clock or random source was called' : 'no global timer, clock or random source called';
    case 'exercised':
      return exercisedVerdict(summary.exercise).message.replace(/^not judged /, '');
    case 'makes-progress':
      if (summary.runTimeoutMs === undefined) return 'runs not watched';
      return `${summary.campaignProperties[name] === 'violated' ? 'a run went' : 'no run went'} ${formatDurationMs(summary.runTimeoutMs)} of wall time without progress`;
  }
}

function formatVerdict(summary: CampaignSummary): string[] {
  const lines: string[] = [];
  const failure = summary.failure;
  if (failure) lines.push(...formatFailure(failure));
  if (summary.determinism.mismatches > 0 && failure?.campaignViolation?.property !== 'deterministic') {
    const reads = summary.intercepted ? 'the send path depends on something baileys-sim does not intercept' : 'the send path reads time, randomness or state outside the SimEnv ports';
    lines.push(`FAIL: deterministic: ${summary.determinism.mismatches} run(s) gave a different history the second time; ${reads}, so no failure it has can be replayed`);
  }
  if (summary.determinism.mismatches > 0 && summary.determinism.likelySource !== undefined) lines.push(`  ${redactText(summary.determinism.likelySource)}`);
  const exercised = exercisedVerdict(summary.exercise);
  if (!exercised.held) lines.push(`FAIL: exercised: ${exercised.message}`);
  if (summary.verdict === 'clean') {
    lines.push(`OK: every property held in ${summary.runs} runs (seed ${summary.seed}${summary.shard ? `, shard ${summary.shard.index}/${summary.shard.count}` : ''})`);
  }
  if (summary.shard) lines.push(`  this is one shard: \`baileys-sim merge\` of every shard's --json summary gives the campaign's`);
  return lines;
}

/** The failing run: what it broke, how it was shrunk, its violations, the file and the commands. */
function formatFailure(failure: FailureSummary): string[] {
  const lines: string[] = [];
  const broken = failure.campaignViolation;
  const violated = failure.properties.filter((p) => p !== broken?.property);
  if (broken) lines.push(`FAIL: ${broken.property}: ${broken.message}`);
  else lines.push(`FAIL: ${violated.length} propert${violated.length === 1 ? 'y' : 'ies'} violated: ${violated.join(', ')}`);
  if (broken?.property === 'makes-progress') {
    lines.push(`  run ${failure.runIndex + 1} stalled (${broken.stall.phase} run); its timeline has ${failure.events} events`);
  } else {
    lines.push(`  run ${failure.runIndex + 1} failed; shrunk from ${failure.eventsBeforeShrink} to ${failure.events} events in ${failure.shrinks} steps`);
  }
  if (broken && violated.length > 0) {
    const why = broken.property === 'uses-ports' ? ', most likely as a consequence' : broken.property === 'deterministic' ? ' (a replay may not show them again)' : '';
    lines.push(`  also violated${why}: ${violated.join(', ')}`);
  }
  for (const v of failure.violations.slice(0, violationLinesMax)) lines.push(`  ${formatViolation(v)}`);
  if (failure.violations.length > violationLinesMax) lines.push(`  … ${failure.violations.length - violationLinesMax} more in the failure file`);
  lines.push(`  failure file: ${failure.file}`);
  lines.push(`  replay:       ${failure.replayCommand}`);
  // A stalled run leaves no history to draw.
  if (broken?.property !== 'makes-progress') lines.push(`  report:       npx baileys-sim report ${failure.file} --html failure.html`);
  return lines;
}
