/**
 * `baileys-sim replay <failure.json>`: re-runs a failure file exactly and says whether it still
 * fails (exit 1) or now passes (exit 0: the bug is fixed), with the violations and a compact
 * timeline of what happened. A file of a run that was not deterministic is simulated twice and
 * the first difference shown; every replay runs in a watched thread (--run-timeout), so the
 * replay of a run that made no progress stops too. `report` re-simulates through the same
 * {@link replayFile}.
 */
import { isModuleSpec } from '../properties/paths/loadSendPath.js';
import {
  FailureFileError,
  readFailureFile,
  type FailureFile,
  type ReplayResult,
} from '../properties/campaigns/failureFile.js';
import { replayWatched } from '../properties/campaigns/watchedTasks.js';
import { SimulationThreadError } from '../properties/campaigns/workers/workers.js';
import { formatDifference } from '../properties/judging/historyDifference.js';
import { unmodelledLine } from '../properties/judging/harnessLimit.js';
import { describeEvent, runFacts } from '../report/facts.js';
import { redactText } from '../report/redact.js';
import {
  explainedViolationLines,
  explanationLines,
  failedProperties,
  formatFacts,
} from '../report/text.js';
import type { ProgressSnapshot } from '../sim/progress.js';
import { resolve } from 'node:path';
import { loadPathOrExplain } from './campaignCommand.js';
import { exitCodes, UsageError, type ExitCode } from './errors.js';
import { writeLines, type Io } from './io.js';

/** A failure file re-run: the file, the send path replayed, and what `replayWith` found. */
export interface Replayed extends ReplayResult {
  stalled?: undefined;
  failure: FailureFile;
  /** The send path replayed (the file's, or `--path`). */
  pathName: string;
}

/**
 * A failure file whose replay made no progress: the watchdog stopped it, and no history is left.
 */
export interface StalledReplay {
  stalled: ProgressSnapshot;
  runTimeoutMs: number;
  failure: FailureFile;
  pathName: string;
}

/** Reads `file` and replays it, watched, with its own send path or with `pathOverride`. */
export async function replayFile(
  file: string,
  io: Io,
  pathOverride: string | undefined,
  runTimeoutMs: number,
): Promise<Replayed | StalledReplay> {
  let failure: FailureFile;
  try {
    failure = await readFailureFile(file);
  } catch (error) {
    // The reader's message already names the file and the field at fault.
    if (error instanceof FailureFileError) throw new UsageError(error.message.split('\n')[0]!);
    throw error;
  }
  const spec = pathOverride ?? failure.path;
  // Loaded here first: a bad spec is one line naming it, before any thread starts.
  const path = await loadPathOrExplain(spec, io.cwd, pathOverride ? '--path' : `${file}: path`);
  try {
    const pathSpec = isModuleSpec(spec) ? resolve(io.cwd, spec) : spec;
    const watched = await replayWatched(failure, pathSpec, io.cwd, runTimeoutMs);
    if (watched.stalled)
      return { stalled: watched.board, runTimeoutMs, failure, pathName: path.name };
    return { failure, pathName: path.name, ...watched.value.result };
  } catch (error) {
    if (error instanceof SimulationThreadError && error.errorName === 'SendPathLoadError')
      throw new UsageError(`${spec}: ${error.message}`);
    throw error;
  }
}

/**
 * What a replay concluded, in words and as an exit code: 1 while the timeline breaks any property.
 */
export function verdictOf(replayed: Replayed | StalledReplay): {
  line: string;
  exitCode: ExitCode;
  status: 'fails' | 'fixed' | 'passes';
} {
  const recorded = failedProperties(
    replayed.failure.violations,
    replayed.failure.campaignViolation,
  );
  if (replayed.stalled !== undefined) {
    return {
      line:
        `FAIL: still makes no progress: the watchdog stopped the run after ` +
        `${replayed.runTimeoutMs} ms of wall time without progress`,
      exitCode: exitCodes.violation,
      status: 'fails',
    };
  }
  const now = failedProperties(replayed.violations, replayed.campaignViolation);
  const shown = replayed.failure.property;
  if (shown !== undefined && now.length > 0) {
    const others = now.filter((p) => p !== shown);
    const line = now.includes(shown)
      ? `FAIL: still violates ${shown}, the property this file shows` +
        `${others.length > 0 ? ` (and ${others.join(', ')})` : ''}`
      : `FAIL: ${shown}, the property this file shows, holds now; the timeline still ` +
        `violates ${others.join(', ')}`;
    return { line, exitCode: exitCodes.violation, status: 'fails' };
  }
  if (now.length === 0) {
    return recorded.length === 0
      ? {
          line: 'PASS: no property is violated, as recorded',
          exitCode: exitCodes.ok,
          status: 'passes',
        }
      : {
          line: `FIXED: no property is violated now (recorded: ${recorded.join(', ')})`,
          exitCode: exitCodes.ok,
          status: 'fixed',
        };
  }
  const same = replayed.reproduced
    ? 'the same properties as recorded'
    : `recorded: ${recorded.join(', ') || 'none'}`;
  return {
    line: `FAIL: still violates ${now.join(', ')} (${same})`,
    exitCode: exitCodes.violation,
    status: 'fails',
  };
}

/** `baileys-sim replay`. */
export async function runReplayCommand(
  file: string,
  options: { path?: string; json: boolean; runTimeoutMs: number },
  io: Io,
): Promise<ExitCode> {
  const replayed = await replayFile(file, io, options.path, options.runTimeoutMs);
  // The path now calls a socket member the fake does not model: the replay judges nothing.
  const unmodelled = replayed.stalled === undefined ? replayed.history.unmodelled : undefined;
  if (unmodelled !== undefined) {
    io.stderr.write(
      `${redactText(unmodelledLine(unmodelled, options.path ?? replayed.pathName))}\n`,
    );
    return exitCodes.internal;
  }
  const verdict = verdictOf(replayed);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(replayJson(file, replayed, verdict.status))}\n`);
    return verdict.exitCode;
  }
  const { failure } = replayed;
  const found = failure.found
    ? ` · found by campaign seed ${failure.found.seed}, run ${failure.found.runIndex + 1}`
    : '';
  const shows =
    failure.property === undefined
      ? []
      : [`  shows ${failure.property}: ${failureShowsLine(failure)}`];
  const lines =
    replayed.stalled !== undefined
      ? stalledLines(file, replayed, found)
      : [
          `baileys-sim replay ${file}`,
          `  path ${redactText(replayed.pathName)} · timeline seed ` +
            `${failure.timeline.seed} · ${failure.timeline.events.length} events · ended ` +
            `at ${replayed.history.endedAt} ms${found}`,
          `  history ${historyWords(replayed.sameHistory)}`,
          ...shows,
          '',
          'timeline (▶ = timeline event; the rest is what the send path and the network did):',
          ...formatFacts(runFacts(failure.timeline, replayed.history)),
          '',
          ...campaignLines(replayed),
          replayed.violations.length === 0
            ? 'violations: none'
            : `violations (${replayed.violations.length}):`,
          ...explainedViolationLines(replayed.violations).map((line) => `  ${line}`),
        ];
  writeLines(io.stdout, [...lines, '', verdict.line]);
  return verdict.exitCode;
}

/** How the file's run was found and shrunk, in one line. */
function failureShowsLine(failure: FailureFile): string {
  const found = failure.found;
  if (found === undefined) return 'its timeline breaks it';
  const first = `first broken in run ${found.runIndex + 1} of the campaign (seed ${found.seed})`;
  const shrunk =
    found.eventsBeforeShrink === undefined
      ? ''
      : `; shrunk from ${found.eventsBeforeShrink} to ${failure.timeline.events.length} ` +
        `events` +
        `${found.oneMinimal ? ', 1-minimal: removing any ' + 'one event makes it hold' : ''}`;
  return `${first}${shrunk}`;
}

/** The campaign property a replay broke, in a line or two. */
function campaignLines(replayed: Replayed): string[] {
  const broken = replayed.campaignViolation;
  if (broken === undefined) return [];
  const lines = [`${broken.property}: ${redactText(broken.message)}`];
  if (broken.property === 'deterministic')
    lines.push(`  first difference: ${redactText(formatDifference(broken.difference, 200))}`);
  return [...lines, ...explanationLines(broken.property), ''];
}

/** A stalled replay: where it stood, and the timeline with the events that fired marked. */
function stalledLines(file: string, replayed: StalledReplay, found: string): string[] {
  const { failure, stalled } = replayed;
  const events = failure.timeline.events;
  // Events fire in time order (ties in timeline order): the first `eventsFired` of that order
  // fired.
  const order = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || a.index - b.index);
  const fired = new Set(order.slice(0, stalled.eventsFired).map((e) => e.index));
  return [
    `baileys-sim replay ${file}`,
    `  path ${redactText(replayed.pathName)} · timeline seed ${failure.timeline.seed} · ` +
      `${events.length} events${found}`,
    `  stopped at ${stalled.virtualMs} ms (virtual) after ${stalled.eventsFired} of ` +
      `${events.length} events, with no progress for ${replayed.runTimeoutMs} ms of wall ` +
      `time`,
    '',
    'timeline (▶ = fired before the run stalled, · = never fired):',
    ...order.map(
      ({ event, index }) =>
        `${String(event.at).padStart(8)} ms  ${fired.has(index) ? '▶' : '·'}      ` +
        `${redactText(describeEvent(event))}`,
    ),
    '',
    'makes-progress:',
    ...explanationLines('makes-progress'),
  ];
}

/** `replay --json`: the status as data. */
function replayJson(file: string, replayed: Replayed | StalledReplay, status: string): object {
  const base = { format: 'baileys-sim/replay@1', file, path: replayed.pathName, status };
  if (replayed.stalled !== undefined) {
    const { ticks: _ticks, busy: _busy, timelineJson: _timeline, ...stall } = replayed.stalled;
    return {
      ...base,
      reproduced: replayed.failure.campaignViolation?.property === 'makes-progress',
      properties: ['makes-progress'],
      stalled: { runTimeoutMs: replayed.runTimeoutMs, ...stall },
      violations: [],
    };
  }
  const out: Record<string, unknown> = {
    ...base,
    reproduced: replayed.reproduced,
    sameHistory: replayed.sameHistory,
    properties: failedProperties(replayed.violations, replayed.campaignViolation),
    violations: replayed.violations.map((v) => ({ ...v, message: redactText(v.message) })),
  };
  if (replayed.campaignViolation)
    out.campaignViolation = {
      ...replayed.campaignViolation,
      message: redactText(replayed.campaignViolation.message),
    };
  return out;
}

/** The words for whether a replay recorded the history the failure file holds. */
function historyWords(sameHistory: boolean): string {
  return sameHistory
    ? 'identical to the recorded one'
    : 'differs from the recorded one (the send path or the simulator changed)';
}
