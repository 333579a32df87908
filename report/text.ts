/**
 * Plain-text rendering for terminals and CI logs: durations, the compact timeline of `replay`
 * (one line per event: `   62 ms  drop connectionLost`), violation lines and file paths.
 * Redacted.
 */
import { isAbsolute, relative } from 'node:path';
import type { Violation } from '../properties/judging/checkers.js';
import type { Fact, FactList } from './facts.js';
import { redactText } from './redact.js';

/** A duration for people: `850 ms`, `12.4 s`, `3 min 20 s`, `4 h 05 min`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.round(ms / 60_000);
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/** Width of the time column: fits a virtual day in ms (8 digits) and the unit. */
const timeColumnWidth = 8;

const sourceMarks: Record<Fact['source'], string> = { event: '▶', socket: ' ', attempt: ' ', request: ' ', server: ' ', process: ' ', path: ' ' };
const toneMarks: Record<Fact['tone'], string> = { ok: 'ok  ', fail: 'FAIL', info: 'info', neutral: '    ' };

/** One fact as a line; timeline events are marked `▶` so the script stands out from its effects. */
export function formatFactLine(fact: Fact): string {
  const time = `${String(fact.atMs).padStart(timeColumnWidth)} ms`;
  const tone = fact.source === 'event' ? '    ' : toneMarks[fact.tone];
  return `${time}  ${sourceMarks[fact.source]} ${tone} ${fact.text}`;
}

/** The whole fact list, one line each, with a closing note if it was cut. */
export function formatFacts(list: FactList): string[] {
  const lines = list.facts.map(formatFactLine);
  if (list.omitted > 0) lines.push(`${' '.repeat(timeColumnWidth + 3)}… ${list.omitted} more lines not shown`);
  return lines;
}

/** One violation as a line: property, time, message (redacted). */
export function formatViolation(violation: Violation): string {
  const where = [violation.key ? `reply ${violation.key}` : '', violation.generation !== undefined ? `socket ${violation.generation}` : '']
    .filter(Boolean)
    .join(', ');
  return `${violation.property.padEnd(15)} at ${String(violation.at).padStart(7)} ms  ${redactText(violation.message)}${where ? `  [${where}]` : ''}`;
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
export function failedProperties(violations: readonly Violation[], campaignViolation?: { property: string }): string[] {
  return campaignViolation === undefined ? violatedProperties(violations) : [campaignViolation.property, ...violatedProperties(violations)];
}
