/**
 * The bot's process in the vitest API: a failing test tells what the path printed and how it
 * ended its process, as `replay` does; a factory that throws when constructing the path fails
 * the test with one line naming the place, not with a campaign of clean failures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFailureFile } from '../../properties/campaigns/failureFile.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { checkSendPath } from '../../vitest/checkSendPath.js';
import { resolveSuiteOptions } from '../../vitest/options.js';

/** The reference, logging each message and exiting the process when asked for its third reply. */
const exitsOnThirdReply: SendPathFactory = (env) => {
  const path = referenceSendPath(env);
  let replies = 0;
  return {
    start: (onMessage) =>
      path.start((message) => {
        console.log(`message from ${message.chatJid}`);
        onMessage({
          ...message,
          reply: (text) => (++replies === 3 ? process.exit(2) : message.reply(text)),
        });
      }),
    stop: () => path.stop(),
  };
};

describe('checkSendPath on a path that prints and exits', () => {
  it(
    'fails on clean with the exit, and its timeline shows the lines the path printed, ' +
      'redacted',
    async () => {
      // Arrange
      const cwd = mkdtempSync(join(tmpdir(), 'bsim-vitest-process-'));
      const options = resolveSuiteOptions('test', { runs: 200, seed: 1 }, cwd);
      // Act
      const check = await checkSendPath('exits', exitsOnThirdReply, options, cwd);
      // Assert
      expect(check.passed).toBe(false);
      expect(check.message.split('\n')[0]).toMatch(
        /^exits: 1 property violated \(seed 1, 200 runs\)$/,
      );
      expect(check.message).toMatch(
        /clean +at +\d+ ms {2}the bot exited the process with code 2 \(process\.exit\)/,
      );
      expect(check.message).toMatch(/stdout: message from \*\*\*\d{4}@s\.whatsapp\.net\n/);
      expect(check.message).toMatch(
        /FAIL the bot exited the process with code 2 \(process\.exit\): the run ended here/,
      );
      expect((await readFailureFile(check.failureFiles[0]!)).output?.lines[0]?.text).toMatch(
        /^message from \*\*\*\d{4}@s\.whatsapp\.net$/,
      );
    },
  );
});

describe('checkSendPath on a factory that throws when constructing the path', () => {
  it('rejects with one line naming the factory and the place', async () => {
    // Arrange
    const cwd = mkdtempSync(join(tmpdir(), 'bsim-vitest-construct-'));
    const throwing: SendPathFactory = (env) => {
      if (env.config.replyDeadlineMs > 0) throw new RangeError('no token configured');
      return referenceSendPath(env);
    };
    // Act
    const check = checkSendPath(
      'throws',
      throwing,
      resolveSuiteOptions('test', { runs: 1000, seed: 1 }, cwd),
      cwd,
    );
    // Assert
    await expect(check).rejects.toThrow(
      /^throws: the send path factory threw while constructing the path: RangeError: no token configured \(at \.\/test\/vitest\/botProcess\.test\.ts:\d+:\d+\)$/,
    );
  });
});
