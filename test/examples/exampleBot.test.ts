/**
 * The example bot (examples/example-bot/), written the way Baileys' own example is (ev.process,
 * useMultiFileAuthState, makeCacheableSignalKeyStore, fetchLatestBaileysVersion, reconnect on
 * every close but 401, notify-only, the reply on the closure's socket), audited as written with
 * its ten lines of glue: the built CLI runs it, finds its bugs, writes nothing into the working
 * directory and never goes to the network; the same bot with its bugs fixed passes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../cli/runCli.js';

const bot = join(repoRoot, 'examples/example-bot/bot.ts');
const fixed = join(repoRoot, 'examples/example-bot/bot-fixed.ts');

/** A scratch project directory (Baileys resolvable), the audit's working directory. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bsim-example-bot-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs `node ...args` in `cwd` (the bot's console goes to stdout, the answer to stderr). */
function execNode(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 280_000, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stderr });
    });
  });
}

describe('the example bot, audited as written', () => {
  it('fails the audit, and leaves no auth folder behind (useMultiFileAuthState is answered in memory)', async () => {
    // Arrange
    const cwd = project();
    // Act
    const audit = await runCli(['audit', bot, '--runs', '200'], cwd, 120_000);
    // Assert
    expect(audit.code, audit.stderr).toBe(1);
    expect(audit.stdout).toMatch(/FAIL: \d+ propert(y|ies) violated/);
    expect(readdirSync(cwd).sort()).toEqual(['.baileys-sim', 'node_modules']);
  }, 180_000);

  it('shows each of its bugs as the property that exists for it', async () => {
    // Arrange: a plain Node process on the build, as a library user's script (vitest's own module
    // graph would bypass the Baileys hook), one campaign per property.
    const bugs = ['live-socket', 'exactly-once', 'inbound-handover', 'terminal-respected', 'bounded', 'clean'];
    const dir = project();
    const script = join(dir, 'bugs.mjs');
    writeFileSync(
      script,
      [
        `import { interceptBaileysImports, loadSendPath, loadTypeScriptWithTsx, runCampaign } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/properties/index.js')).href)};`,
        'interceptBaileysImports();',
        'loadTypeScriptWithTsx();',
        `const path = await loadSendPath(${JSON.stringify(bot)});`,
        'const caught = [];',
        `for (const property of ${JSON.stringify(bugs)}) {`,
        '  const result = await runCampaign({ path, seed: 1, numRuns: 300, only: [property], determinismEvery: 0 });',
        '  if (result.failure?.violations.some((v) => v.property === property)) caught.push(property);',
        '}',
        'process.stderr.write(JSON.stringify(caught));',
      ].join('\n'),
    );
    // Act
    const ran = await execNode([script], dir);
    // Assert
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stderr)).toEqual(bugs);
  }, 300_000);

  it('with its bugs fixed, passes, deterministically, and writes nothing either', async () => {
    // Arrange
    const cwd = project();
    // Act
    const audit = await runCli(['audit', fixed, '--runs', '300'], cwd, 120_000);
    // Assert
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toContain('OK: every property held in 300 runs (seed 1)');
    expect(audit.stdout).toMatch(/deterministic +held +\d+ runs simulated twice, 0 differed/);
    expect(existsSync(join(cwd, 'auth_info_baileys'))).toBe(false);
  }, 180_000);
});
