/**
 * What a send path module printed while it was imported. The CLI's stdout carries its summary
 * (or one JSON document), so the module's own lines go to stderr, after the campaign's first
 * line, marked as the module's and bounded. Lines printed during runs are each run's own
 * (`history.output`): `replay` shows those of a failure.
 */
import type { NamedSendPath } from '../properties/paths/sendPaths.js';
import { redactText } from '../report/redact.js';

/** Most lines shown; the rest are counted. */
const loadOutputLinesShown = 20;

const marks = { stdout: '|', stderr: '!' } as const;

/** The lines about `path`'s load-time output (none when it printed nothing). */
export function loadOutputLines(path: NamedSendPath): string[] {
  const output = path.loadOutput;
  if (output === undefined) return [];
  const total = output.lines.length + output.linesDropped;
  const shown = output.lines
    .slice(0, loadOutputLinesShown)
    .map((l) => `  ${marks[l.stream]} ${l.text}`);
  const rest = total - shown.length;
  const heading = `${redactText(path.name)} printed ${total} line(s) while being imported`;
  return [
    `baileys-sim: ${heading} (not on stdout: | stdout, ! stderr):`,
    ...shown,
    ...(rest > 0 ? [`  … ${rest} more`] : []),
  ];
}
