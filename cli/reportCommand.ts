/**
 * `baileys-sim report <failure.json> --html out.html`: re-simulates the failure file (the
 * history is not stored in it, only the timeline) and writes the self-contained HTML report.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatFailure } from '../report/summaryText.js';
import { failureSummaryOfFile } from '../report/verdict.js';
import type { FailureFile } from '../properties/campaigns/failureFile.js';
import { renderReportHtml } from '../report/html.js';
import { displayPath } from '../report/text.js';
import { exitCodes, firstLine, UsageError, type ExitCode } from './errors.js';
import type { Io } from './io.js';
import { replayFile, verdictOf } from './replayCommand.js';

/**
 * `baileys-sim report`. Exit 0 once the file is written, whatever the verdict in it; 1 when the
 * run still makes no progress (the watchdog stopped it: there is no history to draw).
 */
export async function runReportCommand(
  file: string,
  options: { html: string; path?: string; runTimeoutMs: number },
  io: Io,
): Promise<ExitCode> {
  const replayed = await replayFile(file, io, options.path, options.runTimeoutMs);
  const verdict = verdictOf(replayed);
  if (replayed.stalled !== undefined) {
    io.stderr.write(
      `baileys-sim: ${file}: no report written: ${verdict.line.replace(/^FAIL: /, '')}; ` +
        `\`baileys-sim replay ${file}\` shows how far it got\n`,
    );
    return exitCodes.violation;
  }
  const recordedOnly = replayed.violations.length === 0 && replayed.failure.violations.length > 0;
  const html = renderReportHtml({
    fileLabel: file,
    pathName: replayed.pathName,
    timeline: replayed.failure.timeline,
    history: replayed.history,
    violations: recordedOnly ? replayed.failure.violations : replayed.violations,
    recordedOnly,
    verdictLine: verdict.line,
    found: replayed.failure.found,
    ...failBlockOf(replayed.failure),
    sameHistory: replayed.sameHistory,
  });
  const out = resolve(io.cwd, options.html);
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, html);
  } catch (error) {
    throw new UsageError(
      `--html ${options.html}: cannot write (` +
        `${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`,
    );
  }
  io.stdout.write(`report written: ${displayPath(out, io.cwd)} (${verdict.line})\n`);
  return exitCodes.ok;
}

/** The FAIL block of a file that shows one property, as `run` printed it. */
function failBlockOf(failure: FailureFile): { failBlock?: string[] } {
  if (failure.property === undefined) return {};
  const summary = failureSummaryOfFile(failure);
  return summary === undefined ? {} : { failBlock: formatFailure(summary, 0, 1) };
}
