/**
 * A campaign's summary: the JSON object `--json` prints and the table a person reads. Both come
 * from {@link summarize}, so what CI parses and what a log shows are the same numbers.
 */
import type { CampaignResult } from '../properties/campaigns/campaign.js';
import type { Violation } from '../properties/judging/checkers.js';
import { formatDurationMs, formatViolation, violatedProperties } from '../report/text.js';
import { redactText } from '../report/redact.js';

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
  coverage: Record<string, { fired: number; mattered: number }>;
  /** Fault kinds that never mattered: what this campaign did not test. */
  neverMattered: string[];
  /** Per property: generated runs that violated it. */
  violationsByProperty: Record<string, number>;
  determinism: { checked: number; mismatches: number };
  failure?: FailureSummary;
}

/** The summary of `result`; `failure` is where its failure file went, if one was written. */
export function summarize(result: CampaignResult, failure?: { file: string; replayCommand: string }): CampaignSummary {
  const coverage = Object.fromEntries(Object.entries(result.coverage).map(([kind, c]) => [kind, { fired: c.fired, mattered: c.mattered }]));
  const found = result.failure;
  const violation = found !== undefined || result.determinism.mismatches > 0;
  const summary: CampaignSummary = {
    format: summaryFormat,
    path: result.path,
    seed: result.seed,
    verdict: violation ? 'violation' : 'clean',
    runsRequested: result.numRuns,
    runs: result.runs,
    simulations: result.simulations,
    virtualMs: result.virtualMs,
    wallMs: Math.round(result.wallMs),
    runsPerSecond: result.wallMs > 0 ? Math.round((result.runs * 1000) / result.wallMs) : 0,
    timeBudgetHit: result.interrupted,
    coverage,
    neverMattered: Object.entries(coverage)
      .filter(([, c]) => c.mattered === 0)
      .map(([kind]) => kind),
    violationsByProperty: { ...result.violationsByProperty },
    determinism: { ...result.determinism },
  };
  if (found && failure) {
    summary.failure = {
      file: failure.file,
      replayCommand: failure.replayCommand,
      runIndex: found.runIndex,
      shrinks: found.shrinks,
      eventsBeforeShrink: found.eventsBeforeShrink,
      events: found.timeline.events.length,
      properties: violatedProperties(found.violations),
      violations: found.violations.map((v) => ({ ...v, message: redactText(v.message) })),
    };
  }
  return summary;
}

/** Most violation lines printed for one failure; the failure file holds them all. */
const violationLinesMax = 20;

/** The summary as a table for people (stdout of `run` and `audit`). */
export function formatSummary(summary: CampaignSummary): string[] {
  const lines: string[] = [];
  const why = summary.failure ? ' (stopped at the first failing run)' : summary.timeBudgetHit ? ' (time budget reached)' : '';
  const runsNote = summary.runs < summary.runsRequested ? ` of ${summary.runsRequested}${why}` : '';
  lines.push(`baileys-sim: ${redactText(summary.path)} · seed ${summary.seed}`);
  lines.push(`  runs              ${summary.runs}${runsNote}  (${summary.simulations} simulations with shrinking and determinism re-runs)`);
  lines.push(`  virtual time      ${formatDurationMs(summary.virtualMs)} simulated`);
  lines.push(`  wall time         ${formatDurationMs(summary.wallMs)}  (${summary.runsPerSecond} runs/s)`);
  const det = summary.determinism;
  lines.push(`  determinism       ${det.checked} run${det.checked === 1 ? '' : 's'} simulated twice, ${det.mismatches} mismatch${det.mismatches === 1 ? '' : 'es'}`);
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
    lines.push(
      `FAIL: determinism: ${summary.determinism.mismatches} run(s) gave a different history the second time; the send path reads time, randomness or timers outside the SimEnv ports, so no failure it has can be replayed`,
    );
  }
  if (!failure && summary.determinism.mismatches === 0) {
    lines.push(`OK: every property held in ${summary.runs} runs (seed ${summary.seed})`);
  }
  return lines;
}
