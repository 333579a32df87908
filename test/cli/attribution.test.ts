/**
 * Timers and sockets attributed, through the built CLI on modules as written: a key store's cache
 * timer (Baileys') is not held against the bot, and the replay of a bot that leaks names where it
 * made its socket and its timer, in its own source, relative to the working directory.
 */
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './runCli.js';

const fixtures = join(repoRoot, 'test/fixtures/as-written');

/**
 * A scratch ES module project holding copies of the fixtures `names`, whose modules resolve
 * Baileys.
 */
function projectWith(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bsim-attribution-cli-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const name of names) copyFileSync(join(fixtures, `${name}.ts`), join(dir, `${name}.ts`));
  return dir;
}

/** `file:line:column` of `call` on the line of `file` marked `// leaks: <what>` (or the next). */
function siteOf(dir: string, file: string, what: string, call: string): string {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const marked = lines.findIndex((line) => line.endsWith(`// leaks: ${what}`));
  if (marked < 0) throw new Error(`${file} has no line marked "leaks: ${what}"`);
  // The mark ends the line of the call, or stands alone on the line above it.
  const index = lines[marked]!.includes(call) ? marked : marked + 1;
  return `${file}:${index + 1}:${lines[index]!.indexOf(call) + 1}`;
}

describe('attribution, audited as written', () => {
  it("does not hold makeCacheableSignalKeyStore's cache timer against the bot", async () => {
    // Arrange
    const cwd = projectWith('correct', 'cacheable-keys');
    // Act
    const audit = await runCli(
      ['audit', './cacheable-keys.ts', '--runs', '300', '--json'],
      cwd,
      120_000,
    );
    // Assert
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const summary = JSON.parse(audit.stdout) as {
      violationsByProperty: Record<string, number>;
      judgedByProperty: Record<string, number>;
    };
    expect(summary.violationsByProperty).toMatchObject({ clean: 0, bounded: 0 });
    expect(summary.judgedByProperty.clean).toBe(300);
  });

  it(
    'replays a leaking bot naming where it made ' + 'the socket and the timer it left behind',
    async () => {
      // Arrange
      const cwd = projectWith('leaky');
      const audit = await runCli(['audit', './leaky.ts', '--runs', '20'], cwd);
      const file = [...audit.stdout.matchAll(/failure file: (\S+-clean-\S+)/g)][0]?.[1];
      if (file === undefined)
        throw new Error(`no failure file of clean in:\n${audit.stdout}${audit.stderr}`);
      // Act
      const replay = await runCli(['replay', file], cwd);
      // Assert
      const socketAt = siteOf(cwd, 'leaky.ts', 'the socket', 'makeWASocket');
      const timerAt = siteOf(cwd, 'leaky.ts', 'the heartbeat', 'setInterval');
      expect(replay.code).toBe(1);
      expect(replay.stdout).toContain(
        `a 30,000 ms interval created at 0 ms in ${timerAt}, still pending after stop()`,
      );
      expect(replay.stdout).toMatch(
        new RegExp(
          `socket 1, made at 0 ms by ${socketAt.replaceAll('.', '\\.')} ` +
            `\\(makeWASocket\\), ` +
            `was neither ended nor closed when stop\\(\\) resolved`,
        ),
      );
      expect(replay.stdout).toContain('  means: stop() completes and leaves nothing behind');
    },
  );
});
