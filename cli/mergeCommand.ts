/**
 * `baileys-sim merge <summary.json…>`: reads the `--json` summaries of every shard of one
 * campaign and prints the campaign's summary (see mergeSummaries.ts), with the exit code a
 * single-machine run of the same campaign would give.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exitCodeOf } from './campaignCommand.js';
import { firstLine, UsageError, type ExitCode } from './errors.js';
import { writeLines, type Io } from './io.js';
import { mergeSummaries, type SummaryInput } from './mergeSummaries.js';
import { formatSummary } from '../report/summaryText.js';

/** Reads one summary file; an unreadable or non-JSON file is a usage error naming it. */
async function readSummary(file: string, cwd: string): Promise<SummaryInput> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`);
  }
  try {
    return { file, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${firstLine(error)})`);
  }
}

/** `baileys-sim merge`. */
export async function runMergeCommand(files: readonly string[], options: { json: boolean }, io: Io): Promise<ExitCode> {
  const inputs: SummaryInput[] = [];
  for (const file of files) inputs.push(await readSummary(file, io.cwd));
  const summary = mergeSummaries(inputs);
  if (options.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
  else writeLines(io.stdout, formatSummary(summary));
  return exitCodeOf(summary);
}
