/**
 * `baileys-sim merge <summary.json…>`: reads the `--json` summaries of every shard of one
 * campaign and prints the campaign's summary (see mergeSummaries.ts), with the exit code a
 * single-machine run of the same campaign would give.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exitCodeOf, printSummary } from './campaignCommand.js';
import { firstLine, UsageError, type ExitCode } from './errors.js';
import type { Io } from './io.js';
import { mergeSummaries, type SummaryInput } from './mergeSummaries.js';
import { readFailureFile } from '../properties/campaigns/failureFile.js';
import type { CampaignSummary } from '../report/verdict.js';
import type { Timeline } from '../sim/timeline.js';
import type { Reporter } from './parseFlags.js';

/** Reads one summary file; an unreadable or non-JSON file is a usage error naming it. */
async function readSummary(file: string, cwd: string): Promise<SummaryInput> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`,
    );
  }
  try {
    return { file, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${firstLine(error)})`);
  }
}

/** `baileys-sim merge`. */
export async function runMergeCommand(
  files: readonly string[],
  options: { reporter: Reporter },
  io: Io,
): Promise<ExitCode> {
  const inputs: SummaryInput[] = [];
  for (const file of files) inputs.push(await readSummary(file, io.cwd));
  const summary = mergeSummaries(inputs);
  printSummary(
    summary,
    options.reporter,
    io,
    options.reporter === 'junit' ? await timelinesOf(summary, io.cwd) : new Map(),
  );
  return exitCodeOf(summary);
}

/**
 * The shrunk timelines of the merged failures, read from their files where the shards wrote them
 * (the CI recipe downloads them to the same place); a file that is not there is left out.
 */
async function timelinesOf(summary: CampaignSummary, cwd: string): Promise<Map<string, Timeline>> {
  const timelines = new Map<string, Timeline>();
  for (const failure of summary.failures) {
    if (failure.file === undefined) continue;
    const file = await readFailureFile(resolve(cwd, failure.file)).catch(() => undefined);
    if (file !== undefined) timelines.set(failure.property, file.timeline);
  }
  return timelines;
}
