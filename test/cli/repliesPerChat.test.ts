/**
 * A bot as written that answers one message at a time per chat, through the built CLI: audited
 * as it runs in production once it declares it, blamed for the harness's concurrent calls when
 * it does not.
 */
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './runCli.js';

const fixture = join(repoRoot, 'test/fixtures/as-written/one-at-a-time.ts');

describe('a bot that answers one message at a time per chat', () => {
  it(
    'passes when it declares repliesPerChatMax: 1, which the summary names; fails liveness ' +
      'when it does not',
    async () => {
      // Arrange: the same bot, its declaration left out.
      const cwd = mkdtempSync(join(tmpdir(), 'bsim-per-chat-'));
      symlinkSync(join(repoRoot, 'node_modules'), join(cwd, 'node_modules'), 'dir');
      writeFileSync(
        join(cwd, 'undeclared.ts'),
        `import * as bot from ${JSON.stringify(fixture)};\n` +
          `export const { start, stop, reset } = bot;\n` +
          `export const sendPathSettings = { ...bot.sendPathSettings, repliesPerChatMax: ` +
          `undefined };\n`,
      );
      // Act
      const [declared, undeclared] = await Promise.all([
        runCli(['audit', fixture, '--runs', '300'], cwd),
        runCli(['audit', './undeclared.ts', '--runs', '300'], cwd),
      ]);
      // Assert
      expect(declared.code, declared.stdout + declared.stderr).toBe(0);
      expect(declared.stdout).toMatch(
        /settings +the path's own: reply deadline 120000 ms, one reply at a time per chat, reconnect/,
      );
      expect(undeclared.code, undeclared.stderr).toBe(1);
      expect(undeclared.stdout).toMatch(
        /liveness +at +\d+ ms {2}r\d+ gave up after [\d,]+ ms: Error: already answering a message in this chat,/,
      );
    },
  );
});
