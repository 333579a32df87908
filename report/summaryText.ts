/**
 * A campaign's summary as text for people: the header, fault coverage, one table of every
 * property, one FAIL block per broken property (the worst for a user first) and a last line
 * that names them in the same order. Printed by `run`, `audit` and `merge`; the vitest API
 * prints the same FAIL blocks. Everything comes from one {@link CampaignSummary} (verdict.ts),
 * so the table, the blocks and the last line cannot disagree.
 */
import { exercisedVerdict } from '../properties/judging/exercise.js';
import { settingsLine } from '../properties/paths/settings.js';
import { redactText } from './redact.js';
import { explanationLines, formatDurationMs, formatViolation } from './text.js';
import type { CampaignSummary, FailureSummary, PropertyRow } from './verdict.js';

/** Most violation lines printed for one failure; the failure file holds them all. */
const violationLinesMax = 12;

/** The whole summary, one line per entry (stdout of `run`, `audit` and `merge`). */
export function formatSummary(summary: CampaignSummary): string[] {
  return [
    ...formatHeader(summary),
    '',
    ...formatCoverage(summary),
    '',
    ...formatProperties(summary),
    '',
    ...formatVerdict(summary),
  ];
}

function formatHeader(summary: CampaignSummary): string[] {
  const shard = summary.shard;
  const lines = [
    `baileys-sim: ${redactText(summary.path)} · seed ${summary.seed}` +
      `${shard ? ` · shard ${shard.index}` + `/${shard.count}` : ''}`,
  ];
  lines.push(
    `  runs              ${summary.runs}${runsNote(summary)}  (${summary.simulations} ` +
      `simulations with shrinking and determinism re-runs)`,
  );
  lines.push(`  virtual time      ${formatDurationMs(summary.virtualMs)} simulated`);
  lines.push(
    `  wall time         ${formatDurationMs(summary.wallMs)}  (${summary.runsPerSecond} runs/s)`,
  );
  lines.push(`  settings          ${settingsLine(summary.settings.declared)}`);
  if (summary.selection) lines.push(`  properties        ${selectionLine(summary.selection)}`);
  if (summary.intercepted)
    lines.push(
      `  intercepted       makeWASocket, setTimeout/setInterval, Date, Math.random and ` +
        `crypto randomness (one run at a time per worker)`,
    );
  return lines;
}

/** Why fewer runs were made than asked, if they were. */
function runsNote(summary: CampaignSummary): string {
  if (summary.runs >= summary.runsRequested) return '';
  const stop = summary.stoppedEarly;
  const why =
    stop?.reason === 'fail-fast'
      ? ` (--fail-fast: stopped at run ${stop.runIndex + 1}, the first failing run)`
      : stop?.reason === 'stall'
        ? ` (stopped at run ${stop.runIndex + 1}, which made no progress)`
        : summary.timeBudgetHit
          ? ' (time budget reached)'
          : '';
  return ` of ${summary.runsRequested}${summary.shard ? ' in the campaign' : ''}${why}`;
}

function selectionLine(selection: NonNullable<CampaignSummary['selection']>): string {
  const parts = [];
  if (selection.only) parts.push(`only ${selection.only.join(', ')}`);
  if (selection.skip) parts.push(`skipping ${selection.skip.join(', ')}`);
  return parts.join('; ');
}

function formatCoverage(summary: CampaignSummary): string[] {
  const lines = ['  fault coverage    fired  mattered'];
  for (const [kind, c] of Object.entries(summary.coverage)) {
    lines.push(
      `    ${kind.padEnd(16)}${String(c.fired).padStart(6)}${String(c.mattered).padStart(10)}`,
    );
  }
  lines.push(
    summary.neverMattered.length === 0
      ? '    every fault kind mattered at least once'
      : `    never mattered (not tested by this campaign): ${summary.neverMattered.join(', ')}`,
  );
  return lines;
}

/**
 * The property table: per property its verdict, runs violated and judged, first failing run and
 * shrunk size.
 */
function formatProperties(summary: CampaignSummary): string[] {
  const width = Math.max(18, ...summary.properties.map((row) => row.property.length + 2));
  const header =
    `  ${'properties'.padEnd(width + 2)}${'verdict'.padEnd(12)}${'violated'.padStart(8)}` +
    `${'judged'.padStart(9)}   first failing run   shrunk to`;
  const lines = [header];
  const rows = (scope: PropertyRow['scope']) =>
    summary.properties.filter((row) => row.scope === scope);
  for (const row of rows('run')) lines.push(propertyLine(row, width));
  const vacuous = rows('run')
    .filter((row) => row.verdict === 'not judged')
    .map((row) => row.property);
  if (summary.runs > 0 && vacuous.length > 0)
    lines.push(`    never judged (held only vacuously): ${vacuous.join(', ')}`);
  lines.push('  campaign properties');
  for (const row of rows('campaign'))
    lines.push(`${propertyLine(row, width)}   ${campaignNote(summary, row)}`);
  return lines;
}

function propertyLine(row: PropertyRow, width: number): string {
  const first = row.firstRunIndex === undefined ? '-' : `run ${row.firstRunIndex + 1}`;
  const shrunk =
    row.shrunkEvents === undefined
      ? '-'
      : `${row.shrunkEvents} event${row.shrunkEvents === 1 ? '' : 's'}`;
  return (
    `    ${row.property.padEnd(width)}${row.verdict.padEnd(12)}` +
    `${String(row.runsViolated).padStart(8)}${String(row.runsJudged).padStart(9)}   ` +
    `${first.padStart(17)}   ${shrunk.padStart(9)}`
  );
}

/** What a campaign property looked at, in a few words. */
function campaignNote(summary: CampaignSummary, row: PropertyRow): string {
  switch (row.property) {
    case 'deterministic': {
      const det = summary.determinism;
      return (
        `${det.checked} run${det.checked === 1 ? '' : 's'} simulated twice, ` +
        `${det.mismatches} differed`
      );
    }
    case 'uses-ports':
      return summary.intercepted
        ? 'globals intercepted: not judged'
        : row.verdict === 'violated'
          ? 'a global timer, clock or random source was called'
          : 'no global timer, clock or random source called';
    case 'exercised':
      return exercisedVerdict(summary.exercise).message.replace(/^not judged /, '');
    case 'makes-progress':
      if (summary.runTimeoutMs === undefined) return 'runs not watched';
      return (
        `${row.verdict === 'violated' ? 'a run went' : 'no run went'} ` +
        `${formatDurationMs(summary.runTimeoutMs)} of wall time without progress`
      );
    default:
      return '';
  }
}

/** The FAIL blocks, then the one line of the verdict. */
function formatVerdict(summary: CampaignSummary): string[] {
  const lines: string[] = [];
  summary.failures.forEach((failure, i) =>
    lines.push(...formatFailure(failure, i, summary.failures.length), ''),
  );
  lines.push(verdictLine(summary));
  if (summary.shard)
    lines.push(
      `  this is one shard: \`baileys-sim merge\` of every shard's --json summary gives ` +
        `the campaign's`,
    );
  return lines;
}

/** The last line: OK, or every broken property in the order to fix them. */
export function verdictLine(summary: CampaignSummary): string {
  const shard = summary.shard ? `, shard ${summary.shard.index}/${summary.shard.count}` : '';
  if (summary.verdict === 'clean')
    return `OK: every property held in ${summary.runs} runs (seed ${summary.seed}${shard})`;
  const names = summary.failures.map((f) => f.property);
  const many = names.length > 1;
  return (
    `FAIL: ${names.length} propert${many ? 'ies' : 'y'} violated` +
    `${many ? ', the worst for a user first' : ''}: ${names.join(', ')}`
  );
}

/**
 * One broken property: how often and where, its shrunk run's violations, what the property means
 * and its typical fix, the file and the commands.
 */
export function formatFailure(failure: FailureSummary, index: number, count: number): string[] {
  const numbered = count > 1 ? `FAIL ${index + 1}/${count}` : 'FAIL';
  const runs =
    failure.runsViolated > 0
      ? `: ${failure.runsViolated} run${failure.runsViolated === 1 ? '' : 's'} violated it`
      : '';
  const lines = [`${numbered}  ${failure.property}${runs}`];
  lines.push(...foundLines(failure));
  const own = failure.violations.filter((v) => v.property === failure.property);
  for (const v of own.slice(0, violationLinesMax)) lines.push(`  ${formatViolation(v)}`);
  if (own.length > violationLinesMax)
    lines.push(`  … ${own.length - violationLinesMax} more in the failure file`);
  if (
    failure.campaignViolation !== undefined &&
    (failure.campaignViolation.property === failure.property || own.length === 0)
  )
    lines.push(`  ${failure.campaignViolation.message}`);
  if (failure.message !== undefined) lines.push(`  ${redactText(failure.message)}`);
  if (failure.alsoBreaks.length > 0)
    lines.push(`  the same run also breaks: ${failure.alsoBreaks.join(', ')}`);
  lines.push(...explanationLines(failure.property));
  if (failure.file !== undefined) {
    lines.push(`  failure file: ${failure.file}`);
    lines.push(`  replay:       ${failure.replayCommand}`);
    // A stalled run leaves no history to draw.
    if (failure.property !== 'makes-progress')
      lines.push(`  report:       npx baileys-sim report ${failure.file} --html failure.html`);
  }
  return lines;
}

/** Where the failure was found and how far it was shrunk. */
function foundLines(failure: FailureSummary): string[] {
  if (failure.runIndex === undefined || failure.events === undefined) return [];
  const run = `first in run ${failure.runIndex + 1}`;
  if (failure.property === 'makes-progress')
    return [`  ${run}: the watchdog stopped it; its timeline has ${failure.events} events`];
  if (failure.shrinkSimulations === 0) return [`  ${run}; not shrunk (${failure.events} events)`];
  const minimal = failure.oneMinimal
    ? ', 1-minimal: removing any one event makes it hold'
    : ', not 1-minimal: the shrink budget ran out';
  return [
    `  ${run}; shrunk from ${failure.eventsBeforeShrink} to ${failure.events} events in ` +
      `${failure.shrinkSimulations} simulations${minimal}`,
  ];
}
