/**
 * A module that cannot be loaded is bad input: one line on stderr that names the place, exit 2,
 * never a campaign of failing runs nor an internal error. Loading is importing the module and
 * constructing the path (its factory, or an as-written module's reset()).
 */
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, type CliResult } from './runCli.js';

/** Modules with something wrong, as a user writes them. */
const modules: Record<string, string> = {
  'syntax.ts':
    "import type { SendPathFactory } from 'baileys-sim';\n\n" +
    'export const createSendPath: SendPathFactory = (env) => {\n  const retries = 3 4;\n' +
    '  return env as never;\n};\n',
  'syntax.mjs': 'export function start() {}\nexport function stop() {\n  return [1, 2;\n}\n',
  'imports-syntax.mjs':
    "import { helper } from './helper-syntax.mjs';\nexport const createSendPath = helper;\n",
  'helper-syntax.mjs': 'export const helper = () => {\n  if (true) {\n    return;\n};\n',
  'throws.mjs':
    "import { config } from './config.mjs';\nexport const createSendPath = () => config.send;\n",
  'config.mjs': 'const env = undefined;\nexport const config = { token: env.TOKEN };\n',
  'exits.mjs':
    "if (!process.env.WA_SESSION) {\n  console.error('WA_SESSION is not set');\n" +
    '  process.exit(1);\n}\nexport function start() {}\nexport function stop() {}\n',
  'factory-throws.mjs':
    'export function createSendPath(env) {\n  const prefix = env.config.prefix.trim();\n' +
    '  return { start() {}, async stop() {} };\n}\n',
  'reset-throws.mjs':
    'let sock;\nexport function start() {}\nexport async function stop() {}\n' +
    'export function reset() {\n  sock.end();\n}\n',
};

let cwd = '';

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'bsim-load-errors-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(cwd, 'node_modules'), 'dir');
  for (const [name, source] of Object.entries(modules)) writeFileSync(join(cwd, name), source);
});

/** The CLI answered with one line on stderr, exit 2. */
function expectOneLine(result: CliResult): string {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('a module that does not load', () => {
  it('a TypeScript syntax error: file:line:column and the message', async () => {
    const line = expectOneLine(await runCli(['audit', './syntax.ts', '--runs', '10'], cwd));
    expect(line).toBe(
      'baileys-sim: audit: ./syntax.ts:4:21: syntax error: Expected ";" but found "4"',
    );
  });

  it(
    "a JavaScript syntax error, in the module or one it imports: file:line:column and V8's " +
      'message',
    async () => {
      const own = expectOneLine(await runCli(['audit', './syntax.mjs', '--runs', '10'], cwd));
      const imported = expectOneLine(
        await runCli(['run', '--path', './imports-syntax.mjs', '--runs', '10'], cwd),
      );
      expect(own).toBe("baileys-sim: audit: ./syntax.mjs:3:15: SyntaxError: Unexpected token ';'");
      expect(imported).toMatch(
        /^baileys-sim: --path: \.\/helper-syntax\.mjs:\d+:\d+: SyntaxError: Unexpected end of input$/,
      );
    },
  );

  it(
    'an exception while it is imported: its message and where in the user code it was ' + 'thrown',
    async () => {
      const line = expectOneLine(await runCli(['audit', './throws.mjs', '--runs', '10'], cwd));
      expect(line).toBe(
        'baileys-sim: audit: ./throws.mjs: threw while being imported: TypeError: Cannot ' +
          "read properties of undefined (reading 'TOKEN') (at ./config.mjs:2:36)",
      );
    },
  );

  it('process.exit while it is imported: named, and the process lives on to say so', async () => {
    const result = await runCli(['audit', './exits.mjs', '--runs', '10'], cwd);
    expect(expectOneLine(result)).toBe(
      'baileys-sim: audit: ./exits.mjs: it called process.exit(1) while being imported',
    );
  });
});

describe('a module whose path cannot be constructed', () => {
  it(
    'a factory that throws: one line naming the place, in this process and in worker ' +
      'processes, before any campaign',
    async () => {
      // Act
      const [one, two] = await Promise.all([
        runCli(['audit', './factory-throws.mjs', '--runs', '1000'], cwd),
        runCli(['audit', './factory-throws.mjs', '--runs', '1000', '--workers', '2'], cwd),
      ]);
      // Assert
      const expected =
        'baileys-sim: ./factory-throws.mjs: the send path factory threw while constructing ' +
        "the path: TypeError: Cannot read properties of undefined (reading 'trim') (at " +
        './factory-throws.mjs:2:36)';
      expect(
        expectOneLine({
          ...one,
          stderr: one.stderr.replace(/^baileys-sim: campaign against.*\n/, ''),
        }),
      ).toBe(expected);
      expect(
        expectOneLine({
          ...two,
          stderr: two.stderr.replace(/^baileys-sim: campaign against.*\n/, ''),
        }),
      ).toBe(expected);
    },
  );

  it('an as-written module whose reset() throws: one line naming the place', async () => {
    const result = await runCli(['audit', './reset-throws.mjs', '--runs', '100'], cwd);
    expect(
      expectOneLine({
        ...result,
        stderr: result.stderr.replace(/^baileys-sim: campaign against.*\n/, ''),
      }),
    ).toBe(
      'baileys-sim: ./reset-throws.mjs: reset() threw: TypeError: Cannot read properties ' +
        "of undefined (reading 'end') (at ./reset-throws.mjs:5:8)",
    );
  });
});
