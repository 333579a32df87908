/**
 * Plain-text rendering for terminals and CI logs: durations, the compact timeline of `replay`
 * (one line per event: `   62 ms  drop connectionLost`), violation lines and file paths.
 * Redacted.
 */
import { isAbsolute, relative } from 'node:path';
import type { Violation } from '../properties/judging/checkers.js';
import { explainProperty } from '../properties/judging/propertyTexts.js';
import type { Fact, FactList } from './facts.js';
import { redactText } from './redact.js';

/** A duration for people: `850 ms`, `12.4 s`, `3 min 20 s`, `4 h 05 min`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600)
    return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.round(ms / 60_000);
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/** Width of the time column: fits a virtual day in ms (8 digits) and the unit. */
const timeColumnWidth = 8;

const sourceMarks: Record<Fact['source'], string> = {
  event: '▶',
  socket: ' ',
  attempt: ' ',
  inbound: ' ',
  request: ' ',
  server: ' ',
  stop: ' ',
  error: ' ',
  process: ' ',
  path: ' ',
};
const toneMarks: Record<Fact['tone'], string> = {
  ok: 'ok  ',
  fail: 'FAIL',
  info: 'info',
  neutral: '    ',
};

/** One fact as a line; timeline events are marked `▶` so the script stands out from its effects. */
function formatFactLine(fact: Fact): string {
  const time = `${String(fact.atMs).padStart(timeColumnWidth)} ms`;
  const tone = fact.source === 'event' ? '    ' : toneMarks[fact.tone];
  return `${time}  ${sourceMarks[fact.source]} ${tone} ${fact.text}`;
}

/** The whole fact list, one line each, with a closing note if it was cut. */
export function formatFacts(list: FactList): string[] {
  const lines = list.facts.map(formatFactLine);
  if (list.omitted > 0)
    lines.push(`${' '.repeat(timeColumnWidth + 3)}… ${list.omitted} more lines not shown`);
  return lines;
}

/** One violation as a line: property (unless left out), time, message (redacted). */
export function formatViolation(violation: Violation, withProperty = true): string {
  const where = [
    violation.key ? `reply ${violation.key}` : '',
    violation.generation !== undefined ? `socket ${violation.generation}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const property = withProperty ? `${violation.property.padEnd(15)} ` : '';
  return (
    `${property}at ${String(violation.at).padStart(7)} ms  ${redactText(violation.message)}` +
    `${where ? `  [${where}]` : ''}`
  );
}

/**
 * What a property means and its typical fix, the two lines under a failure of it:
 * `  means: …` and `  fix:   …`. None for a name no table knows.
 */
export function explanationLines(property: string, indent = '  '): string[] {
  const texts = explainProperty(property);
  if (texts === undefined) return [];
  return [`${indent}means: ${texts.meaning}`, `${indent}fix:   ${texts.fix}`];
}

/**
 * Violations told property by property: each property's name, its violations (at most
 * `perPropertyMax` each, the rest counted), then what it means and the typical fix.
 */
export function explainedViolationLines(
  violations: readonly Violation[],
  perPropertyMax = 20,
): string[] {
  const lines: string[] = [];
  for (const property of violatedProperties(violations)) {
    const own = violations.filter((v) => v.property === property);
    lines.push(`${property} (${own.length} violation${own.length === 1 ? '' : 's'}):`);
    for (const v of own.slice(0, perPropertyMax)) lines.push(`  ${formatViolation(v, false)}`);
    if (own.length > perPropertyMax) lines.push(`  … ${own.length - perPropertyMax} more`);
    lines.push(...explanationLines(property));
  }
  return lines;
}

/** Distinct property names of a violation list, in first-seen order. */
export function violatedProperties(violations: readonly Violation[]): string[] {
  return [...new Set(violations.map((v) => v.property))];
}

/** `file` as a user would type it from `cwd`: relative when inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The properties a failure broke: its campaign property first, then the violated ones. */
export function failedProperties(
  violations: readonly Violation[],
  campaignViolation?: { property: string },
): string[] {
  return campaignViolation === undefined
    ? violatedProperties(violations)
    : [campaignViolation.property, ...violatedProperties(violations)];
}
