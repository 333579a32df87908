/**
 * The `baileys-sim` command line: `run`, `replay`, `audit`, `merge` and `report`. Commander parses;
 * every flag value is validated here (cli/parseFlags.ts) so each bad input is one line that names
 * the flag, with exit 2. {@link main} returns the exit code instead of exiting, so the bin can
 * let stdout drain and tests can call it directly.
 */
import { Command, CommanderError, Option } from 'commander';
import type { CampaignFlags } from './campaignCommand.js';
import { exitCodes, firstLine, UsageError, type ExitCode } from './errors.js';
import { processIo, type Io } from './io.js';
import { packageVersion } from './packageVersion.js';
import {
  parsePropertyList,
  parseReporter,
  parseRunTimeoutMs,
  parseRuns,
  parseSeed,
  parseShard,
  parseTimeBudgetMs,
  parseWorkers,
  runTimeoutDefault,
} from './parseFlags.js';
import type { VerdictProperty } from '../properties/judging/verdictProperties.js';
import type { Reporter } from './parseFlags.js';

// Commands are imported when they run: they load the simulator, and `--help` or a bad flag
// should answer without it.
const campaignCommand = () => import('./campaignCommand.js');
const replayCommand = () => import('./replayCommand.js');
const reportCommand = () => import('./reportCommand.js');
const mergeCommand = () => import('./mergeCommand.js');

/** Defaults of the campaign flags: a fixed seed so a CI run is reproducible as it stands. */
export const campaignDefaults = Object.freeze({
  runs: '1000',
  seed: '1',
  workers: '1',
  outDir: '.baileys-sim/failures',
});

/** Campaign flags as commander hands them over (text). */
interface RawCampaignFlags {
  runs: string;
  seed: string;
  timeBudget?: string;
  workers: string;
  json?: boolean;
  outDir: string;
  shard?: string;
  runTimeout: string;
  intercept?: boolean;
  failFast?: boolean;
  only?: string;
  skip?: string;
  reporter?: string;
}

function campaignFlags(raw: RawCampaignFlags): CampaignFlags {
  if (raw.only !== undefined && raw.skip !== undefined)
    throw new UsageError(
      '--only and --skip cannot be combined: name the properties to judge, or those to leave out',
    );
  return {
    runs: parseRuns(raw.runs),
    seed: parseSeed(raw.seed),
    timeBudgetMs: raw.timeBudget === undefined ? undefined : parseTimeBudgetMs(raw.timeBudget),
    workers: parseWorkers(raw.workers),
    ...reporterOf(raw),
    outDir: raw.outDir,
    shard: raw.shard === undefined ? undefined : parseShard(raw.shard),
    runTimeoutMs: parseRunTimeoutMs(raw.runTimeout),
    intercept: raw.intercept === true,
    failFast: raw.failFast === true,
    ...(raw.only !== undefined && {
      only: parsePropertyList('--only', raw.only) as VerdictProperty[],
    }),
    ...(raw.skip !== undefined && {
      skip: parsePropertyList('--skip', raw.skip) as VerdictProperty[],
    }),
  };
}

/** The summary's format: `--reporter`, or `--json` for `--reporter json`. */
function reporterOf(raw: { json?: boolean; reporter?: string }): {
  json: boolean;
  reporter: Reporter;
} {
  const reporter =
    raw.reporter === undefined
      ? raw.json === true
        ? 'json'
        : 'text'
      : parseReporter(raw.reporter);
  if (raw.json === true && reporter !== 'json')
    throw new UsageError(
      `--json is --reporter json: it cannot be combined with --reporter ${reporter}`,
    );
  return { json: reporter === 'json', reporter };
}

/** The help of `--run-timeout`, the same for every command that simulates. */
const runTimeoutHelp =
  'stop a run that makes no progress for this wall time, e.g. 500ms, 5s, 1m: it fails ' +
  'makes-progress';

function addCampaignOptions(command: Command): Command {
  return command
    .option('--runs <n>', 'generated runs (1 to 10,000,000)', campaignDefaults.runs)
    .option(
      '--seed <s>',
      'campaign seed (0 to 4294967295): same seed, same runs',
      campaignDefaults.seed,
    )
    .option(
      '--time-budget <duration>',
      'stop generating after this wall time, e.g. 500ms, 30s, 2m (not a failure)',
    )
    .option(
      '--workers <n>',
      'worker processes (1 = in this process); same seed, same summary whatever the count',
      campaignDefaults.workers,
    )
    .option(
      '--fail-fast',
      'stop at the first failing run (default: go through every run and report each ' +
        'broken property)',
    )
    .option('--only <properties>', 'judge only these properties, e.g. exactly-once,live-socket')
    .option('--skip <properties>', 'judge every property but these, e.g. chat-independence')
    .option(
      '--json',
      'print the summary as one JSON object on stdout, and nothing else (--reporter json)',
    )
    .option(
      '--reporter <format>',
      'how the summary is printed on stdout: text, json, or junit (JUnit XML: one test ' +
        'case per property, for CI test views)',
    )
    .option(
      '--out-dir <dir>',
      'where the failure files are written (one per broken property)',
      campaignDefaults.outDir,
    )
    .option(
      '--shard <k/n>',
      "run only shard k of n of the campaign (one CI machine's part); `merge` combines " +
        "the shards' --json summaries",
    )
    .option('--run-timeout <duration>', runTimeoutHelp, runTimeoutDefault)
    .option(
      '--intercept',
      'run the module as written: its Baileys import, global timers, Date and randomness ' +
        'on the simulation (automatic for a module exporting start() and stop())',
    );
}

/** Commander's message (`error: unknown option '--x'\n(Did you mean --y?)`) as one line. */
function oneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

const exitCodesHelp = `
Exit codes:
  0  every property held (run, audit); the failure no longer reproduces (replay); report written
  1  a property was violated (a campaign property too: deterministic, uses-ports, exercised,
     makes-progress): one failure file per broken property is written and its replay command
     printed (run, audit); the failure still reproduces (replay)
  2  bad input: a flag, a file or a module that cannot be used (one line on stderr)
  3  an internal error of baileys-sim, or a socket member the fake does not model (named)`;

/** Builds the program; `setCode` receives each command's exit code. */
function buildProgram(io: Io, setCode: (code: ExitCode) => void): Command {
  const program = new Command('baileys-sim')
    .description('Deterministic simulation harness for WhatsApp send paths built on Baileys.')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(`baileys-sim: ${oneLine(text)}\n`),
    })
    .addHelpText('after', exitCodesHelp);

  addRunCommand(program, io, setCode);
  addReplayCommand(program, io, setCode);
  addAuditCommand(program, io, setCode);
  addMergeCommand(program, io, setCode);
  addReportCommand(program, io, setCode);
  return program;
}

/** Adds `run`: a campaign against a send path named by `--path`. */
function addRunCommand(program: Command, io: Io, setCode: (code: ExitCode) => void): void {
  addCampaignOptions(
    program
      .command('run')
      .description('run a campaign of generated timelines against a send path')
      .option(
        '--path <spec>',
        'reference, specimen:<name>, or a module file (.ts, .js, .mjs)',
        'reference',
      ),
  )
    .addHelpText(
      'after',
      `\nExamples:\n  baileys-sim run\n` +
        `  baileys-sim run --path specimen:captured-socket --runs 200\n` +
        `  baileys-sim run --path ./my-path.ts --time-budget 30s --json${exitCodesHelp}`,
    )
    .action(async (opts: RawCampaignFlags & { path: string }) => {
      const flags = campaignFlags(opts);
      setCode(await (await campaignCommand()).runCampaignCommand(opts.path, flags, io, '--path'));
    });
}

/** Adds `replay`: a failure file run again. */
function addReplayCommand(program: Command, io: Io, setCode: (code: ExitCode) => void): void {
  program
    .command('replay')
    .description('re-run a failure file exactly: exit 1 if it still fails, 0 if it now passes')
    .argument('<failure.json>', 'a failure file written by run or audit')
    .option('--path <spec>', 'replay against this send path instead of the one the file names')
    .option('--json', 'print the result as one JSON object')
    .option('--run-timeout <duration>', runTimeoutHelp, runTimeoutDefault)
    .addHelpText(
      'after',
      `\nExample:\n` +
        `  baileys-sim replay ` +
        `.baileys-sim/failures/specimen-captured-socket-0123456789ab.json${exitCodesHelp}`,
    )
    .action(async (file: string, opts: { path?: string; json?: boolean; runTimeout: string }) => {
      const runTimeoutMs = parseRunTimeoutMs(opts.runTimeout);
      setCode(
        await (
          await replayCommand()
        ).runReplayCommand(file, { path: opts.path, json: opts.json === true, runTimeoutMs }, io),
      );
    });
}

/** Adds `audit`: a campaign against the user's module, with the specimens beside it on request. */
function addAuditCommand(program: Command, io: Io, setCode: (code: ExitCode) => void): void {
  addCampaignOptions(
    program
      .command('audit')
      .description(
        'run the standard campaign against your send path module (a SendPathFactory as ' +
          "default export or 'createSendPath')",
      )
      .argument('<module>', 'a .ts, .mts, .js or .mjs file, in any directory')
      .option('--specimens', 'also run the specimen catalog and show the results side by side'),
  )
    .addHelpText(
      'after',
      `\nExamples:\n  baileys-sim audit ./src/sendPath.ts\n` +
        `  baileys-sim audit ./dist/sendPath.mjs --specimens --runs 300\n` +
        `  baileys-sim audit ./src/sendPath.ts --runs 300000 --shard 2/3 --json > ` +
        `shard-2.json${exitCodesHelp}`,
    )
    .action(async (module: string, opts: RawCampaignFlags & { specimens?: boolean }) => {
      const flags = campaignFlags(opts);
      if (opts.specimens && flags.shard)
        throw new UsageError(
          '--shard cannot be combined with --specimens: shard the campaign of your path alone',
        );
      if (opts.specimens && flags.reporter === 'junit')
        throw new UsageError(
          '--reporter junit cannot be combined with --specimens: it reports the campaign ' +
            'of your path alone',
        );
      const { runAuditWithSpecimens, runCampaignCommand } = await campaignCommand();
      setCode(
        opts.specimens
          ? await runAuditWithSpecimens(module, flags, io)
          : await runCampaignCommand(module, flags, io, 'audit'),
      );
    });
}

/** Adds `merge`: the shards' `--json` summaries combined into the campaign's. */
function addMergeCommand(program: Command, io: Io, setCode: (code: ExitCode) => void): void {
  program
    .command('merge')
    .description(
      'combine the --json summaries of every shard of one campaign (run/audit --shard ' +
        "k/n) into the campaign's summary",
    )
    .argument('<summary.json...>', 'one summary file per shard, k = 1 to n, in any order')
    .option('--json', 'print the merged summary as one JSON object (--reporter json)')
    .option('--reporter <format>', 'text, json, or junit (JUnit XML, one test case per property)')
    .addHelpText(
      'after',
      `\nExample:\n  baileys-sim merge shard-1.json shard-2.json shard-3.json\n\n` +
        `The merged summary is the one a single machine prints for the same campaign, wall ` +
        `time aside\n` +
        `(the slowest shard's). The failure is the lowest-index chunk's; its file is where ` +
        `that shard wrote it.\n\nExit codes:\n  0  every property held in every shard\n` +
        `  1  a property was violated, or a run was not deterministic\n` +
        `  2  bad input: an unreadable summary, or summaries that are not the shards of ` +
        `one campaign`,
    )
    .action(async (files: string[], opts: { json?: boolean; reporter?: string }) => {
      setCode(
        await (
          await mergeCommand()
        ).runMergeCommand(files, { reporter: reporterOf(opts).reporter }, io),
      );
    });
}

/** Adds `report`: the HTML report of a failure file. */
function addReportCommand(program: Command, io: Io, setCode: (code: ExitCode) => void): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report of a failure file (swimlanes, outcomes, the violation)',
    )
    .argument('<failure.json>', 'a failure file written by run or audit')
    .addOption(new Option('--html <file>', 'the HTML file to write').makeOptionMandatory())
    .option('--path <spec>', 'replay against this send path instead of the one the file names')
    .option('--run-timeout <duration>', runTimeoutHelp, runTimeoutDefault)
    .addHelpText(
      'after',
      `\nExample:\n  baileys-sim report failure.json --html failure.html\n\nExit codes:\n` +
        `  0  report written (whatever the verdict in it)\n` +
        `  1  the run still makes no progress: it has no history to report\n` +
        `  2  bad input: unreadable or invalid failure file, unloadable send path, ` +
        `unwritable --html`,
    )
    .action(async (file: string, opts: { html: string; path?: string; runTimeout: string }) => {
      const runTimeoutMs = parseRunTimeoutMs(opts.runTimeout);
      setCode(
        await (
          await reportCommand()
        ).runReportCommand(file, { html: opts.html, path: opts.path, runTimeoutMs }, io),
      );
    });
}

/**
 * A send path module that loaded here but not where its runs are (a worker found it cannot be
 * constructed): bad input too. It arrives as the error itself, or by name from a worker thread
 * (`errorName`) or process.
 */
function isLoadError(error: unknown): boolean {
  const { name, errorName } = (error ?? {}) as { name?: unknown; errorName?: unknown };
  return name === 'SendPathLoadError' || errorName === 'SendPathLoadError';
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  let code: ExitCode = exitCodes.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error (already printed as one line) is bad
      // input.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof UsageError || isLoadError(error)) {
      io.stderr.write(`baileys-sim: ${firstLine(error)}\n`);
      return exitCodes.usage;
    }
    if (process.env.BAILEYS_SIM_DEBUG)
      io.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    io.stderr.write(
      `baileys-sim: internal error: ${firstLine(error)} (set BAILEYS_SIM_DEBUG=1 for the stack)\n`,
    );
    return exitCodes.internal;
  }
}
