/**
 * A bot that calls a socket member the fake does not model, through the built CLI: the campaign
 * ends at that run with one line naming the member, the run and the stub, exit 3, and no failure
 * file (a limit of the harness, never the bot's violation); with `socketStubs` answering the member
 * the same audit runs to its end.
 */
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './runCli.js';

const fixture = join(repoRoot, 'test/fixtures/as-written/unmodelled-call.ts');

/** A scratch project directory (Baileys resolvable). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bsim-harness-limit-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * The line; its run is the first of seed 1 whose socket opened (which one moves with the
 * generator).
 */
const line =
  /^baileys-sim: the bot called sock\.fetchBlocklist\(\) \(run (\d+) of seed 1, socket 1 at \d+ ms\), which the simulated socket does not model: a limit of the harness, not a bug of the bot; stub it in .*unmodelled-call\.ts: export const socketStubs = \{ fetchBlocklist: async \(\.\.\.args\) => \/\* what WhatsApp would answer \*\/ undefined \} \(docs\/bot-surface\.md\)$/m;

describe('a call the fake does not model', () => {
  it.each([1, 2])(
    'ends the audit with one line naming it, exit 3, no failure file (--workers %i)',
    async (workers) => {
      // Arrange
      const cwd = project();
      // Act
      const audit = await runCli(
        ['audit', fixture, '--runs', '200', '--workers', String(workers)],
        cwd,
      );
      // Assert
      expect(audit.code, audit.stdout + audit.stderr).toBe(3);
      expect(audit.stderr).toMatch(line);
      expect(audit.stdout).toBe('');
      expect(existsSync(join(cwd, '.baileys-sim'))).toBe(false);
    },
  );

  it(
    'keeps --json one valid document, saying so in harnessLimit, and merge of its shards ' +
      'exits 3 too',
    async () => {
      // Arrange
      const cwd = project();
      // Act
      const json = await runCli(['audit', fixture, '--runs', '200', '--json'], cwd);
      const shards = await Promise.all(
        [1, 2].map((k) =>
          runCli(['audit', fixture, '--runs', '200', '--shard', `${k}/2`, '--json'], cwd),
        ),
      );
      const files = shards.map((shard, i) => {
        const file = join(cwd, `shard-${i + 1}.json`);
        writeFileSync(file, shard.stdout);
        return file;
      });
      const merged = await runCli(['merge', ...files, '--json'], cwd);
      // Assert
      expect(json.code).toBe(3);
      const summary = JSON.parse(json.stdout) as {
        verdict: string;
        failures: unknown[];
        harnessLimit: { method: string; runIndex: number; message: string };
      };
      expect(summary).toMatchObject({
        verdict: 'harness-limit',
        failures: [],
        harnessLimit: { method: 'fetchBlocklist' },
      });
      const { runIndex } = summary.harnessLimit;
      expect(Number(line.exec(summary.harnessLimit.message)?.[1])).toBe(runIndex + 1);
      expect(json.stderr).toMatch(line);
      expect(merged.code).toBe(3);
      expect(JSON.parse(merged.stdout)).toMatchObject({
        verdict: 'harness-limit',
        harnessLimit: { method: 'fetchBlocklist', runIndex },
      });
    },
  );

  it('is an error, not a failure of the path, in --reporter junit', async () => {
    // Act
    const junit = await runCli(
      ['audit', fixture, '--runs', '200', '--reporter', 'junit'],
      project(),
    );
    // Assert
    expect(junit.code).toBe(3);
    expect(junit.stdout).toMatch(
      /<testsuites name="baileys-sim" tests="\d+" failures="0" errors="1"/,
    );
    expect(junit.stdout).toMatch(
      /<testcase classname="[^"]+" name="harness-limit" time="0">\n {6}<error type="harness-limit" message="baileys-sim: the bot called sock\.fetchBlocklist\(\)/,
    );
  });

  it("is answered by the module's socketStubs, and the audit runs to its end", async () => {
    // Arrange
    const cwd = project();
    const stubbed = join(cwd, 'stubbed.ts');
    writeFileSync(
      stubbed,
      `export * from ${JSON.stringify(fixture)};\n` +
        `export const socketStubs = { fetchBlocklist: async () => [] };\n`,
    );
    // Act
    const audit = await runCli(['audit', stubbed, '--runs', '200'], cwd);
    // Assert
    expect([0, 1]).toContain(audit.code);
    expect(audit.stderr).not.toMatch(/does not model/);
    expect(audit.stdout).toMatch(/runs +200/);
  });

  it(
    'a stub for a member the fake models is refused when the module loads (exit 2), naming ' + 'it',
    async () => {
      // Arrange
      const cwd = project();
      const stubbed = join(cwd, 'bad-stub.ts');
      writeFileSync(
        stubbed,
        `export * from ${JSON.stringify(fixture)};\n` +
          `export const socketStubs = { sendMessage: async () => undefined };\n`,
      );
      // Act
      const audit = await runCli(['audit', stubbed, '--runs', '10'], cwd);
      // Assert
      expect(audit.code).toBe(2);
      expect(audit.stderr.trim()).toMatch(
        /socketStubs\.sendMessage: modelled by the simulated socket; only unmodelled methods can be stubbed$/,
      );
    },
  );
});
