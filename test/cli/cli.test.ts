/**
 * The command line end to end: every case runs `node bin/baileys-sim.js` in a child process in
 * a fresh temporary directory and asserts what a user sees: exit code, stdout, stderr, files.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './runCli.js';
import { simulationProcessV8Flags } from '../../sim/v8Tuning.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bsim-cli-'));
}

/** The property a failure file shows. */
function shownProperty(file: string): string {
  return (JSON.parse(readFileSync(file, 'utf8')) as { property: string }).property;
}

/** The failure file paths a failed `run`/`audit` printed, one per broken property. */
function failureFilesIn(stdout: string): string[] {
  const files = [...stdout.matchAll(/failure file: (\S+)/g)].map((match) => match[1]!);
  if (files.length === 0) throw new Error(`no failure file in:\n${stdout}`);
  return files;
}

/** The first failure file a failed `run`/`audit` printed: the worst for a user. */
function failureFileIn(stdout: string): string {
  return failureFilesIn(stdout)[0]!;
}

describe('baileys-sim run', () => {
  it(
    'exits 0 on the reference path and prints the seed, coverage, a clean verdict and what ' +
      'to do next',
    async () => {
      // Arrange
      const cwd = tempDir();
      // Act
      const result = await runCli(['run', '--runs', '60'], cwd);
      // Assert
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('baileys-sim: reference · seed 1');
      expect(result.stdout).toMatch(/fault coverage\s+fired\s+mattered/);
      expect(result.stdout).toMatch(/runs\/s/);
      expect(result.stdout).toContain('OK: every property held in 60 runs (seed 1)');
      const last = result.stdout.trimEnd().split('\n').slice(-2);
      expect(last[0]).toMatch(
        /^next: audit your own send path: +npx baileys-sim audit \.\/src\/sendPath\.ts/,
      );
      expect(last[1]).toMatch(
        /^ +or watch a bug get caught: +npx baileys-sim run --path specimen:captured-socket --runs 200$/,
      );
      expect(result.stderr).toContain('reference: 60/60 runs (100%)');
      expect(existsSync(join(cwd, '.baileys-sim'))).toBe(false);
    },
  );

  it('--json prints exactly one JSON object on stdout', async () => {
    const result = await runCli(['run', '--runs', '40', '--seed', '7', '--json'], tempDir());
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      format: 'baileys-sim/summary@2',
      path: 'reference',
      seed: 7,
      verdict: 'clean',
      runs: 40,
    });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('gives the same summary for the same seed (wall time aside)', async () => {
    const cwd = tempDir();
    const [a, b] = await Promise.all([
      runCli(['run', '--runs', '30', '--seed', '5', '--json'], cwd),
      runCli(['run', '--runs', '30', '--seed', '5', '--json'], cwd),
    ]);
    const strip = (text: string) => ({
      ...(JSON.parse(text) as object),
      wallMs: 0,
      runsPerSecond: 0,
    });
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
  });
});

describe('baileys-sim run --workers', () => {
  it('gives the same summary on two worker processes as on one (wall time aside)', async () => {
    // Arrange: 150 runs are two chunks, so two workers really run in parallel.
    const cwd = tempDir();
    const args = ['run', '--runs', '150', '--seed', '11', '--json'];
    // Act
    const [one, two] = await Promise.all([
      runCli([...args, '--workers', '1'], cwd),
      runCli([...args, '--workers', '2'], cwd),
    ]);
    // Assert
    const strip = (text: string) => ({
      ...(JSON.parse(text) as object),
      wallMs: 0,
      runsPerSecond: 0,
    });
    expect(two.code).toBe(one.code);
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
  });
});

describe('a caught specimen, replayed and fixed', () => {
  const cwd = tempDir();
  let failureFile = '';
  let runStdout = '';
  let runCode = -1;

  beforeAll(async () => {
    const result = await runCli(
      ['run', '--path', 'specimen:captured-socket', '--runs', '200'],
      cwd,
    );
    runCode = result.code;
    runStdout = result.stdout;
    failureFile = failureFileIn(result.stdout);
  });

  it(
    'run exits 1, writes one failure file per broken property and prints each replay ' + 'command',
    () => {
      expect(runCode).toBe(1);
      const files = failureFilesIn(runStdout);
      const properties = files.map((file) => shownProperty(join(cwd, file)));
      for (const [i, file] of files.entries()) {
        expect(
          file.startsWith(`.baileys-sim/failures/specimen-captured-socket-${properties[i]}-`),
        ).toBe(true);
        expect(runStdout).toContain(`replay:       npx baileys-sim replay ${file}`);
      }
      expect(properties).toEqual(expect.arrayContaining(['live-socket']));
      expect(runStdout).toMatch(
        new RegExp(
          `^FAIL: ${properties.length} properties violated, the worst for a user first: ` +
            `${properties.join(', ')}$`,
          'm',
        ),
      );
    },
  );

  it('replay exits 1 with the same violations and a line per event', async () => {
    // Arrange
    const recorded = JSON.parse(readFileSync(join(cwd, failureFile), 'utf8')) as {
      violations: { property: string; message: string }[];
      timeline: { events: { at: number; do: string }[] };
    };
    // Act
    const result = await runCli(['replay', failureFile], cwd);
    // Assert
    expect(result.code).toBe(1);
    for (const v of recorded.violations) expect(result.stdout).toContain(v.message);
    expect(result.stdout).toContain('history identical to the recorded one');
    const eventLines = result.stdout.split('\n').filter((line) => line.includes(' ▶ '));
    expect(eventLines.map((line) => Number(/^\s*(\d+) ms/.exec(line)?.[1]))).toEqual(
      recorded.timeline.events.map((e) => e.at),
    );
    eventLines.forEach((line, i) =>
      expect(line).toMatch(
        new RegExp(`^\\s+\\d+ ms {2}▶ {6}${recorded.timeline.events[i]!.do}\\b`),
      ),
    );
    expect(result.stdout).toContain('FAIL: still violates');
    expect(result.stdout).not.toMatch(/\d{11}@s\.whatsapp\.net/);
  });

  it('replay --path reference exits 0: the fixed path passes the same timeline', async () => {
    const result = await runCli(['replay', failureFile, '--path', 'reference'], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('FIXED: no property is violated now (recorded: ');
  });

  it('replay --json reports the status as data', async () => {
    const result = await runCli(['replay', failureFile, '--json'], cwd);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      format: 'baileys-sim/replay@1',
      status: 'fails',
      reproduced: true,
      sameHistory: true,
    });
  });
});

describe('baileys-sim audit', () => {
  const dir = tempDir();
  const reference = join(repoRoot, 'src/reference.ts');
  // A JavaScript send path imports JavaScript: the compiled reference (npm test builds dist/
  // first).
  const compiledReference = join(repoRoot, 'dist/src/reference.js');
  const specimen = join(repoRoot, 'properties/specimens/capturedSocket.ts');

  beforeAll(() => {
    writeFileSync(
      join(dir, 'good-path.ts'),
      `import type { SendPathFactory } from '${join(repoRoot, 'src/ports.ts')}';\n` +
        `import { referenceSendPath } from '${reference}';\n` +
        `export const createSendPath: SendPathFactory = (env) => referenceSendPath(env);\n`,
    );
    writeFileSync(
      join(dir, 'good-default.mjs'),
      `import { referenceSendPath } from '${compiledReference}';\n` +
        `export default referenceSendPath;\n`,
    );
    writeFileSync(
      join(dir, 'buggy-path.ts'),
      `export { capturedSocket as createSendPath } from '${specimen}';\n`,
    );
    writeFileSync(join(dir, 'no-factory.ts'), 'export const answer = 42;\n');
  });

  it('exits 0 on a correct TypeScript path in another directory', async () => {
    const result = await runCli(['audit', join(dir, 'good-path.ts'), '--runs', '50'], tempDir());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OK: every property held in 50 runs');
  });

  it('loads a TypeScript path from another directory in worker processes too', async () => {
    const result = await runCli(
      ['audit', join(dir, 'good-path.ts'), '--runs', '150', '--workers', '2'],
      tempDir(),
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OK: every property held in 150 runs');
  });

  it('runs the campaign in a process started with the simulation V8 flags', async () => {
    // Arrange: a send path module that writes down the flags of the process that loads it.
    const flagsFile = join(dir, 'exec-argv.json');
    writeFileSync(
      join(dir, 'records-flags.mjs'),
      `import { writeFileSync } from 'node:fs';\n` +
        `import { referenceSendPath } from '${compiledReference}';\n` +
        `writeFileSync(${JSON.stringify(flagsFile)}, JSON.stringify(process.execArgv));\n` +
        `export default referenceSendPath;\n`,
    );
    // Act
    const result = await runCli(['audit', './records-flags.mjs', '--runs', '10'], dir);
    // Assert
    expect(result.code).toBe(0);
    const execArgv = JSON.parse(readFileSync(flagsFile, 'utf8')) as string[];
    expect(execArgv).toEqual(expect.arrayContaining([...simulationProcessV8Flags]));
  });

  it('loads a default export from an .mjs module given relative to cwd', async () => {
    const result = await runCli(['audit', './good-default.mjs', '--runs', '30'], dir);
    expect(result.code).toBe(0);
  });

  it(
    'exits 1 on a buggy path, names each violated ' + 'property and writes a replayable file',
    async () => {
      // Act
      const audit = await runCli(['audit', './buggy-path.ts', '--runs', '200'], dir);
      const replay = await runCli(['replay', failureFileIn(audit.stdout)], dir);
      // Assert
      expect(audit.code).toBe(1);
      const properties = failureFilesIn(audit.stdout).map((file) => shownProperty(join(dir, file)));
      expect(audit.stdout).toContain(
        `violated, the worst for a user first: ${properties.join(', ')}`,
      );
      for (const property of properties)
        expect(audit.stdout).toMatch(new RegExp(`^\\s+${property}\\s+at\\s+\\d+ ms`, 'm'));
      expect(failureFileIn(audit.stdout)).toMatch(
        new RegExp(`^\\.baileys-sim/failures/buggy-path-ts-${properties[0]}-[0-9a-f]{12}\\.json$`),
      );
      expect(replay.code).toBe(1);
    },
  );

  it('--specimens shows the catalog next to the path', async () => {
    const result = await runCli(
      ['audit', join(dir, 'good-path.ts'), '--specimens', '--runs', '100'],
      dir,
      170_000,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^path\s+runs\s+caught\?\s+properties violated$/m);
    expect(result.stdout).toMatch(/good-path\.ts\s+100\s+no\s+-$/m);
    expect(result.stdout).toMatch(/^specimen:captured-socket\s+\d+\s+yes\s+[a-z-]+/m);
  }, 180_000); // the path and twenty specimens, each shrunk: a minute or two on two busy cores

  it('names the exports of a module without a factory (exit 2)', async () => {
    const result = await runCli(['audit', join(dir, 'no-factory.ts')], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'export a SendPathFactory as the default export or as "createSendPath", or start() ' +
        'and stop() (a send path as written) (found: answer)',
    );
  });
});

describe('bad input: one line, exit 2', () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'broken.json'), '{ "format": ');
  writeFileSync(join(cwd, 'wrong.json'), '{ "format": "baileys-sim/failure@1" }');

  it.concurrent.each([
    [
      ['run', '--runs', '0'],
      'baileys-sim: --runs must be a whole number from 1 to 10000000 (got "0")',
    ],
    [
      ['run', '--runs', '10000001'],
      'baileys-sim: --runs must be a whole number from 1 to 10000000 (got "10000001")',
    ],
    [
      ['run', '--runs', 'lots'],
      'baileys-sim: --runs must be a whole number from 1 to 10000000 (got "lots")',
    ],
    [
      ['run', '--seed', '-1'],
      'baileys-sim: --seed must be a whole number from 0 to 4294967295 (got "-1")',
    ],
    [
      ['run', '--time-budget', '30'],
      'baileys-sim: --time-budget must be a duration from 1ms to 24h such as 500ms, 30s ' +
        'or 2m (got "30")',
    ],
    [
      ['run', '--workers', '0'],
      'baileys-sim: --workers must be a whole number from 1 to 64 (got "0")',
    ],
    [['run', '--bogus'], "baileys-sim: unknown option '--bogus'"],
    [['run', '--rusn', '5'], "baileys-sim: unknown option '--rusn' (Did you mean --runs?)"],
    [['frobnicate'], "baileys-sim: unknown command 'frobnicate'"],
    [['replay'], "baileys-sim: missing required argument 'failure.json'"],
    [['replay', 'missing.json'], 'baileys-sim: missing.json: cannot read (ENOENT)'],
    [['replay', 'broken.json'], 'baileys-sim: broken.json: not valid JSON'],
    [['replay', 'wrong.json'], 'baileys-sim: wrong.json: path: '],
    [['report', 'broken.json'], "baileys-sim: required option '--html <file>' not specified"],
    [['audit', './nope.ts'], 'baileys-sim: audit: ./nope.ts: no such file'],
    [['run', '--path', 'specimen:nope'], 'baileys-sim: --path: unknown send path "specimen:nope"'],
  ])('%j', async (args, message) => {
    const result = await runCli(args, cwd);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(message)).toBe(true);
  });
});

describe('--help', () => {
  it.concurrent.each([['run'], ['replay'], ['audit'], ['merge'], ['report']])(
    'documents %s, its flags and exit codes',
    async (command) => {
      const result = await runCli([command, '--help'], tempDir());
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: baileys-sim ${command}`);
      expect(result.stdout).toContain('Exit codes:');
    },
  );

  it('lists every command at the top level', async () => {
    const result = await runCli(['--help'], tempDir());
    expect(result.code).toBe(0);
    for (const command of ['run', 'replay', 'audit', 'merge', 'report'])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});
