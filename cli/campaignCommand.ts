/**
 * `run` and `audit`: one campaign against one send path, then the summary, the failure file and the
 * exit code. Campaigns go through `runShardedCampaign` (properties/campaigns/shard.ts) for every
 * `--workers` value, 1 included, because only that runner gives the same summary for the same seed
 * whatever the worker count; plain `runCampaign` splits the runs differently. Every run is watched
 * (`--run-timeout`): simulations run in worker threads, never in this one, so a run stuck in
 * synchronous code is stopped and reported instead of hanging the command.
 */
import { resolve } from 'node:path';
import type { CampaignResult } from '../properties/campaigns/campaign.js';
import {
  failureFileOf,
  replayCommand,
  writeFailureFile,
} from '../properties/campaigns/failureFile.js';
import { isModuleSpec, loadSendPath, SendPathLoadError } from '../properties/paths/loadSendPath.js';
import type { NamedSendPath } from '../properties/paths/sendPaths.js';
import type { CampaignShard, ShardedCampaignResult } from '../properties/campaigns/shard.js';
import { specimens } from '../properties/specimens/index.js';
import type { VerdictProperty } from '../properties/judging/verdictProperties.js';
import { redactText } from '../report/redact.js';
import { junitXml, type FailureTimelines } from '../report/junit.js';
import { formatSummary } from '../report/summaryText.js';
import { displayPath } from '../report/text.js';
import {
  brokenProperties,
  summarize,
  type CampaignSummary,
  type WrittenFile,
} from '../report/verdict.js';
import { exitCodes, firstLine, UsageError, type ExitCode } from './errors.js';
import { writeLines, type Io } from './io.js';
import { loadOutputLines } from './loadOutput.js';
import { packageVersion } from './packageVersion.js';
import type { Reporter } from './parseFlags.js';
import { createProgress, silentProgress } from './progress.js';

/** Validated flags shared by `run` and `audit`. */
export interface CampaignFlags {
  runs: number;
  seed: number;
  timeBudgetMs?: number;
  workers: number;
  /** The summary as one JSON object (`--reporter json`). */
  json: boolean;
  /** How the summary is printed (`--reporter`; `--json` is `json`). */
  reporter?: Reporter;
  outDir: string;
  /** Run only this shard's chunks (`--shard k/n`). */
  shard?: CampaignShard;
  /** The watchdog's budget per run (`--run-timeout`). */
  runTimeoutMs: number;
  /** Run a module's path with Baileys and the globals intercepted (`--intercept`). */
  intercept?: boolean;
  /** Stop at the first failing run (`--fail-fast`). */
  failFast?: boolean;
  /** Judge only these properties (`--only`). */
  only?: readonly VerdictProperty[];
  /** Judge all properties but these (`--skip`). */
  skip?: readonly VerdictProperty[];
}

/** Loads `spec` as a send path; a spec that cannot be loaded is a usage error naming `what`. */
export async function loadPathOrExplain(
  spec: string,
  cwd: string,
  what: string,
  intercept = false,
): Promise<NamedSendPath> {
  try {
    return await loadSendPath(spec, cwd, { intercept });
  } catch (error) {
    if (error instanceof SendPathLoadError) throw new UsageError(`${what}: ${firstLine(error)}`);
    throw error;
  }
}

/**
 * Runs one campaign against an already loaded path, with progress if `showProgress`; `shrink:
 * false` shrinks nothing.
 */
async function campaign(
  path: NamedSendPath,
  flags: CampaignFlags,
  io: Io,
  showProgress: boolean,
  shrink = true,
): Promise<ShardedCampaignResult> {
  // Loaded on demand: --help and bad flags must answer without starting the pool machinery.
  const { chunkIndexes, chunkRunsOf, runShardedCampaign, shardChunkRuns } =
    await import('../properties/campaigns/shard.js');
  const ownRuns = chunkIndexes(flags.runs, flags.shard).reduce(
    (n, i) => n + chunkRunsOf(flags.runs, i),
    0,
  );
  if (flags.shard && ownRuns === 0) {
    io.stderr.write(
      `baileys-sim: shard ${flags.shard.index}/${flags.shard.count} has no runs: ` +
        `${flags.runs} runs make ${chunkIndexes(flags.runs).length} chunk(s) of up to ` +
        `${shardChunkRuns} runs, shared out over ${flags.shard.count} shards\n`,
    );
  }
  const progress = showProgress
    ? createProgress(io, redactText(path.name), ownRuns)
    : silentProgress;
  try {
    // Workers resolve the spec in their own thread: give them a path that does not depend on cwd.
    const pathSpec = isModuleSpec(path.name) ? resolve(io.cwd, path.name) : path.name;
    const result = await runShardedCampaign({
      pathSpec,
      workers: flags.workers,
      seed: flags.seed,
      numRuns: flags.runs,
      timeBudgetMs: flags.timeBudgetMs,
      shard: flags.shard,
      runTimeoutMs: flags.runTimeoutMs,
      onRun: (n) => progress.update(n),
      ...(flags.intercept ? { intercept: true } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      ...(flags.only && { only: flags.only }),
      ...(flags.skip && { skip: flags.skip }),
      ...(shrink ? {} : { shrink: false }),
    });
    return { ...result, path: path.name };
  } finally {
    progress.stop();
  }
}

/**
 * Writes one failure file per failure of a campaign, by property (a copy shares its original's
 * file).
 */
export async function writeFailureFiles(
  result: CampaignResult,
  outDir: string,
  cwd: string,
): Promise<Map<VerdictProperty, WrittenFile>> {
  const written = new Map<VerdictProperty, WrittenFile>();
  for (const failure of result.failures) {
    const file = await writeFailureFile(outDir, failureFileOf(result, failure));
    const shown = displayPath(file, cwd);
    written.set(failure.property, { file: shown, replayCommand: replayCommand(shown) });
  }
  return written;
}

/** Writes the failure files of a failed campaign and summarises; the summary names the files. */
async function summarizeAndSave(
  result: ShardedCampaignResult,
  flags: CampaignFlags,
  io: Io,
): Promise<CampaignSummary> {
  const { shardChunkRuns } = await import('../properties/campaigns/shard.js');
  const shard = flags.shard && {
    shard: flags.shard,
    version: packageVersion(),
    chunkRuns: shardChunkRuns,
    chunks: result.chunks,
  };
  let files = new Map<VerdictProperty, WrittenFile>();
  try {
    files = await writeFailureFiles(result, resolve(io.cwd, flags.outDir), io.cwd);
  } catch (error) {
    throw new UsageError(
      `--out-dir ${flags.outDir}: cannot write the failure file (` +
        `${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`,
    );
  }
  return summarize(result, files, { failFast: flags.failFast, ...(shard && { shard }) });
}

/**
 * The exit code of each verdict: 0 clean, 1 a property broken, 3 a campaign that ended on a
 * limit of the harness (the bot called a socket member the fake does not model).
 */
const exitCodeByVerdict: Readonly<Record<CampaignSummary['verdict'], ExitCode>> = {
  clean: exitCodes.ok,
  violation: exitCodes.violation,
  'harness-limit': exitCodes.internal,
};

/** The exit code a summary's verdict earns. */
export function exitCodeOf(summary: CampaignSummary): ExitCode {
  return exitCodeByVerdict[summary.verdict];
}

/**
 * Prints a summary as `reporter` says. A campaign that ended on a harness limit prints its one
 * line on stderr (and, for `json` and `junit`, the document on stdout still, so it stays one valid
 * document); `after` follows a text summary.
 */
export function printSummary(
  summary: CampaignSummary,
  reporter: Reporter,
  io: Io,
  timelines: FailureTimelines,
  after: readonly string[] = [],
): void {
  if (summary.harnessLimit !== undefined) io.stderr.write(`${summary.harnessLimit.message}\n`);
  if (reporter === 'json') io.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (reporter === 'junit') io.stdout.write(junitXml(summary, timelines));
  else if (summary.harnessLimit === undefined)
    writeLines(io.stdout, [...formatSummary(summary), ...after]);
}

/** `baileys-sim run` / `audit` without `--specimens`. */
export async function runCampaignCommand(
  spec: string,
  flags: CampaignFlags,
  io: Io,
  what: string,
): Promise<ExitCode> {
  const path = await loadPathOrExplain(spec, io.cwd, what, flags.intercept);
  const shard = flags.shard ? `, shard ${flags.shard.index}/${flags.shard.count}` : '';
  const intercepted = path.intercept ? ', intercepted' : '';
  const reporter = flags.reporter ?? (flags.json ? 'json' : 'text');
  if (reporter === 'text')
    io.stderr.write(
      `baileys-sim: campaign against ${redactText(path.name)}${intercepted}, seed ` +
        `${flags.seed}, ${flags.runs} runs${shard}` +
        `${flags.workers > 1 ? `, ${flags.workers} workers` : ''}\n`,
    );
  if (reporter === 'text') writeLines(io.stderr, loadOutputLines(path));
  const result = await campaign(path, flags, io, reporter === 'text');
  const summary = await summarizeAndSave(result, flags, io);
  printSummary(
    summary,
    reporter,
    io,
    new Map(result.failures.map((f) => [f.property, f.timeline])),
    nextSteps(path),
  );
  return exitCodeOf(summary);
}

/**
 * After a campaign of the reference (what `npm start` and a bare `run` do): what a newcomer does
 * next, since the reference itself has nothing to fix.
 */
function nextSteps(path: NamedSendPath): string[] {
  if (path.name !== 'reference') return [];
  return [
    '',
    'next: audit your own send path:  npx baileys-sim audit ./src/sendPath.ts   (a ' +
      'SendPathFactory, or a module as written: start/stop)',
    '      or watch a bug get caught: npx baileys-sim run --path ' +
      'specimen:captured-socket --runs 200',
  ];
}

/** One row of `audit --specimens`. */
export interface SideBySideRow {
  path: string;
  runs: number;
  caught: boolean;
  properties: string[];
}

/** A campaign's row: the properties it broke (counted, shrunk or not), the worst first. */
function rowOf(result: CampaignResult): SideBySideRow {
  const broken = brokenProperties(result);
  return { path: result.path, runs: result.runs, caught: broken.length > 0, properties: broken };
}

/** The side-by-side table of `audit --specimens`. */
export function formatSideBySide(rows: readonly SideBySideRow[]): string[] {
  const width = Math.max(4, ...rows.map((r) => r.path.length)) + 2;
  const lines = [`${'path'.padEnd(width)}${'runs'.padStart(8)}  caught?  properties violated`];
  for (const r of rows) {
    lines.push(
      `${redactText(r.path).padEnd(width)}${String(r.runs).padStart(8)}  ` +
        `${(r.caught ? 'yes' : 'no').padEnd(7)}  ${r.properties.join(', ') || '-'}`,
    );
  }
  return lines;
}

/**
 * `baileys-sim audit <module> --specimens`: the module's campaign (which alone decides the exit
 * code and writes the failure file), then the same campaign against every specimen, so a reader
 * sees what the campaign can catch next to what it found in their path.
 */
export async function runAuditWithSpecimens(
  spec: string,
  flags: CampaignFlags,
  io: Io,
): Promise<ExitCode> {
  const path = await loadPathOrExplain(spec, io.cwd, 'audit', flags.intercept);
  if (!flags.json)
    io.stderr.write(
      `baileys-sim: audit of ${redactText(path.name)} and ${specimens.length} specimens, ` +
        `seed ${flags.seed}, ${flags.runs} runs each\n`,
    );
  const result = await campaign(path, flags, io, !flags.json);
  const summary = await summarizeAndSave(result, flags, io);
  if (summary.harnessLimit !== undefined) {
    printSummary(summary, flags.json ? 'json' : 'text', io, new Map());
    return exitCodeOf(summary);
  }
  const rows: SideBySideRow[] = [rowOf(result)];
  for (const specimen of specimens) {
    const specimenPath = await loadPathOrExplain(`specimen:${specimen.name}`, io.cwd, 'audit');
    // Only which properties each specimen broke is shown: nothing of theirs is shrunk.
    const specimenResult = await campaign(
      specimenPath,
      { ...flags, intercept: false },
      io,
      false,
      false,
    );
    rows.push(rowOf(specimenResult));
    if (!flags.json)
      io.stderr.write(
        `  ${specimenPath.name}: ${rows.at(-1)!.caught ? 'caught' : 'not caught'} in ` +
          `${specimenResult.runs} runs\n`,
      );
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ ...summary, specimens: rows })}\n`);
  } else {
    writeLines(io.stdout, [...formatSummary(summary), '', ...formatSideBySide(rows)]);
    const missed = rows.slice(1).filter((r) => !r.caught);
    if (missed.length > 0)
      io.stdout.write(
        `note: this campaign did not catch ${missed.map((r) => r.path).join(', ')}; ` +
          `raise ` +
          `--runs or --time-budget\n`,
      );
  }
  return exitCodeOf(summary);
}
