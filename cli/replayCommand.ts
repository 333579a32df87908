/**
 * `baileys-sim replay <failure.json>`: re-runs a failure file exactly and says whether it still
 * fails (exit 1) or now passes (exit 0: the bug is fixed), with the violations and a compact
 * timeline of what happened. `report` re-simulates through the same {@link replayFile}.
 */
import { FailureFileError, readFailureFile, replayWith, type FailureFile, type ReplayResult } from '../properties/campaigns/failureFile.js';
import { runFacts } from '../report/facts.js';
import { redactText } from '../report/redact.js';
import { formatFacts, formatViolation, violatedProperties } from '../report/text.js';
import { loadPathOrExplain } from './campaignCommand.js';
import { exitCodes, UsageError, type ExitCode } from './errors.js';
import { writeLines, type Io } from './io.js';

/** A failure file re-run: the file, the send path replayed, and what {@link replayWith} found. */
export interface Replayed extends ReplayResult {
  failure: FailureFile;
  /** The send path replayed (the file's, or `--path`). */
  pathName: string;
}

/** Reads `file` and replays it with its own send path, or with `pathOverride`. */
export async function replayFile(file: string, io: Io, pathOverride?: string): Promise<Replayed> {
  let failure: FailureFile;
  try {
    failure = await readFailureFile(file);
  } catch (error) {
    // The reader's message already names the file and the field at fault.
    if (error instanceof FailureFileError) throw new UsageError(error.message.split('\n')[0]!);
    throw error;
  }
  const path = await loadPathOrExplain(pathOverride ?? failure.path, io.cwd, pathOverride ? '--path' : `${file}: path`);
  return { failure, pathName: path.name, ...(await replayWith(failure, path.factory)) };
}

/** What a replay concluded, in words and as an exit code. */
export function verdictOf(replayed: Replayed): { line: string; exitCode: ExitCode; status: 'fails' | 'fixed' | 'passes' } {
  const recorded = violatedProperties(replayed.failure.violations);
  const now = violatedProperties(replayed.violations);
  if (now.length === 0) {
    return recorded.length === 0
      ? { line: 'PASS: no property is violated, as recorded', exitCode: exitCodes.ok, status: 'passes' }
      : { line: `FIXED: no property is violated now (recorded: ${recorded.join(', ')})`, exitCode: exitCodes.ok, status: 'fixed' };
  }
  const same = replayed.reproduced ? 'the same properties as recorded' : `recorded: ${recorded.join(', ') || 'none'}`;
  return { line: `FAIL: still violates ${now.join(', ')} (${same})`, exitCode: exitCodes.violation, status: 'fails' };
}

/** `baileys-sim replay`. */
export async function runReplayCommand(file: string, options: { path?: string; json: boolean }, io: Io): Promise<ExitCode> {
  const replayed = await replayFile(file, io, options.path);
  const verdict = verdictOf(replayed);
  if (options.json) {
    const out = {
      format: 'baileys-sim/replay@1',
      file,
      path: replayed.pathName,
      status: verdict.status,
      reproduced: replayed.reproduced,
      sameHistory: replayed.sameHistory,
      properties: violatedProperties(replayed.violations),
      violations: replayed.violations.map((v) => ({ ...v, message: redactText(v.message) })),
    };
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return verdict.exitCode;
  }
  const { failure, history } = replayed;
  const found = failure.found ? ` · found by campaign seed ${failure.found.seed}, run ${failure.found.runIndex + 1}, ${failure.found.shrinks} shrink steps` : '';
  const lines = [
    `baileys-sim replay ${file}`,
    `  path ${redactText(replayed.pathName)} · timeline seed ${failure.timeline.seed} · ${failure.timeline.events.length} events · ended at ${history.endedAt} ms${found}`,
    `  history ${replayed.sameHistory ? 'identical to the recorded one' : 'differs from the recorded one (the send path or the simulator changed)'}`,
    '',
    'timeline (▶ = timeline event; the rest is what the send path and the network did):',
    ...formatFacts(runFacts(failure.timeline, history)),
    '',
    replayed.violations.length === 0 ? 'violations: none' : `violations (${replayed.violations.length}):`,
    ...replayed.violations.map((v) => `  ${formatViolation(v)}`),
    '',
    verdict.line,
  ];
  writeLines(io.stdout, lines);
  return verdict.exitCode;
}
