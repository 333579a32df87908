/**
 * README's "Reading a failure" is the output of a real run, not prose: this script runs the
 * command it shows (the built CLI: `npm run build` first) and writes what the command printed
 * between the README's markers (`<!-- example: reading-a-failure -->` and `<!-- /example -->`).
 * test/docs/readme.test.ts runs the same command and fails when the two differ, so "same seed,
 * same summary" holds for the README too. Run it after changing what a summary prints:
 *   npm run build && npx tsx scripts/readme-example.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The command the README shows, after `npx baileys-sim`. */
export const readingAFailureArgs: readonly string[] = [
  'run',
  '--path',
  'specimen:captured-socket',
  '--runs',
  '100',
  '--seed',
  '1',
];

/** The README's markers around the example. */
const begin = '<!-- example: reading-a-failure -->';
const end = '<!-- /example -->';

/**
 * What the README shows of the command's stdout: the command, then its output from the property
 * table on (the lines above it, runs, times and fault coverage, are left out as `…`: the wall
 * time depends on the machine).
 */
export function exampleOf(stdout: string): string {
  const lines = stdout.trimEnd().split('\n');
  const table = lines.findIndex((line) => line.startsWith('  properties '));
  if (table < 0) throw new Error(`the run printed no property table:\n${stdout}`);
  return [
    '```',
    `$ npx baileys-sim ${readingAFailureArgs.join(' ')}`,
    '…',
    ...lines.slice(table),
    '```',
  ].join('\n');
}

/** The example as `readme` has it now, if it has the markers. */
export function readmeExample(readme: string): string | undefined {
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  return from < 0 || to < from ? undefined : readme.slice(from + begin.length, to).trim();
}

/** `readme` with `example` between the markers. */
function withExample(readme: string, example: string): string {
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end} markers`);
  return `${readme.slice(0, from + begin.length)}\n${example}\n${readme.slice(to)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cwd = mkdtempSync(join(tmpdir(), 'bsim-readme-'));
  let stdout: string;
  try {
    // Exit 1 is the example's point (the specimen is caught): read stdout either way.
    stdout = (() => {
      try {
        return execFileSync(
          process.execPath,
          [resolve('bin/baileys-sim.js'), ...readingAFailureArgs],
          { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
        );
      } catch (error) {
        return (error as { stdout?: string }).stdout ?? '';
      }
    })();
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  writeFileSync('README.md', withExample(readFileSync('README.md', 'utf8'), exampleOf(stdout)));
  console.log('README.md: "Reading a failure" written from a real run');
}
