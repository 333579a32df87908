/**
 * The example bot (examples/example-bot/), written the way Baileys' own example is (ev.process,
 * useMultiFileAuthState, makeCacheableSignalKeyStore, fetchLatestBaileysVersion, reconnect on
 * every close but 401, notify-only, the reply on the closure's socket), audited as written with
 * its ten lines of glue: the built CLI runs it, reports each of its bugs on its own, writes
 * nothing into the working directory and never goes to the network; the same bot with its bugs
 * fixed passes.
 */
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('the example bot, audited as written', () => {
  it(
    'reports each of its bugs as the property that exists for it, and leaves no auth ' +
      'folder behind (useMultiFileAuthState is answered in memory)',
    async () => {
      // Arrange
      const cwd = project();
      const bugs = [
        'exactly-once',
        'live-socket',
        'inbound-handover',
        'terminal-respected',
        'bounded',
        'clean',
      ];
      // Act
      const audit = await runCli(['audit', bot, '--runs', '300'], cwd, 170_000);
      // Assert
      expect(audit.code, audit.stderr).toBe(1);
      const failed = [...audit.stdout.matchAll(/^FAIL \d+\/\d+ {2}([a-z-]+):/gm)].map((m) => m[1]);
      expect(failed).toEqual(expect.arrayContaining(bugs));
      expect(readdirSync(cwd).sort()).toEqual(['.baileys-sim', 'node_modules']);
    },
    180_000,
  );

  it('with its bugs fixed, passes, deterministically, and writes nothing either', async () => {
    // Arrange
    const cwd = project();
    // Act
    const audit = await runCli(['audit', fixed, '--runs', '300'], cwd, 170_000);
    // Assert
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toContain('OK: every property held in 300 runs (seed 1)');
    expect(audit.stdout).toMatch(/deterministic +held .* \d+ runs simulated twice, 0 differed/);
    expect(existsSync(join(cwd, 'auth_info_baileys'))).toBe(false);
  }, 180_000);
});
