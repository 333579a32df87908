/**
 * The bot's process is the bot's, through the built CLI as a user runs it: what a send path
 * prints stays out of the CLI's stdout (`--json` stays one JSON document, in worker processes
 * and across shards too) and is kept, redacted, in the failing run's failure file and replay; a
 * bot that ends its process is a finding with a failure file, not a crash of the audit.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './runCli.js';

const asWritten = (name: string) => join(repoRoot, 'test/fixtures/as-written', `${name}.ts`);
const seamLogs = join(repoRoot, 'test/fixtures/paths/logs.ts');

/** A scratch directory whose modules resolve Baileys, as a bot's project does. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bsim-bot-process-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The failure file a summary names for `property` (one file per broken property). */
function failureFileIn(stdout: string, property: string): string {
  const match = new RegExp(`failure file: (\\S+-${property}-[0-9a-f]{12}\\.json)`).exec(stdout);
  if (!match) throw new Error(`no failure file of ${property} in:\n${stdout}`);
  return match[1]!;
}

/** A full phone number in a JID, or on its own: output must never show one. */
const fullNumber = /\d{9,}/;

describe("a send path's console", () => {
  it(
    'stays out of stdout: --json is one JSON document, for a bot as written and a seam ' +
      'path, with worker processes',
    async () => {
      // Arrange
      const cwd = project();
      // Act
      const [asWrittenJson, seamJson, seamText] = await Promise.all([
        runCli(['audit', asWritten('logs'), '--runs', '200', '--workers', '2', '--json'], cwd),
        runCli(['audit', seamLogs, '--runs', '200', '--workers', '2', '--json'], cwd),
        runCli(['audit', seamLogs, '--runs', '100'], cwd),
      ]);
      // Assert
      for (const run of [asWrittenJson, seamJson]) {
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'clean', runs: 200 });
      }
      expect(seamText.code, seamText.stderr).toBe(0);
      expect(seamText.stdout).not.toMatch(/message from|replying in|module loaded/);
      expect(seamText.stderr).toContain(
        'printed 1 line(s) while being imported (not on stdout: | stdout, ! stderr):\n' +
          '  | send path module loaded\n',
      );
      expect(seamText.stderr).not.toMatch(/message from|replying in/);
    },
  );

  it('keeps the merge of --json shards working for a bot that logs', async () => {
    // Arrange
    const cwd = project();
    const shard = (k: number) =>
      runCli(['audit', asWritten('logs'), '--runs', '200', '--shard', `${k}/2`, '--json'], cwd);
    // Act
    const shards = await Promise.all([shard(1), shard(2)]);
    const files = shards.map((s, i) => {
      const file = join(cwd, `shard-${i + 1}.json`);
      writeFileSync(file, s.stdout);
      return file;
    });
    const merged = await runCli(['merge', ...files, '--json'], cwd);
    // Assert
    expect(shards.map((s) => s.code)).toEqual([0, 0]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ verdict: 'clean', runs: 200 });
  });
});

describe('a bot that ends its process', () => {
  it(
    'is a clean violation with a failure file that keeps what it printed, and the replay ' +
      'tells the exit',
    async () => {
      // Arrange
      const cwd = project();
      // Act
      const audit = await runCli(['audit', asWritten('exits-on-close'), '--runs', '300'], cwd);
      const file = failureFileIn(audit.stdout, 'clean');
      const replay = await runCli(['replay', file], cwd);
      const replayJson = await runCli(['replay', file, '--json'], cwd);
      // Assert
      expect(audit.code, audit.stderr).toBe(1);
      expect(audit.stdout).toMatch(
        /clean +at +\d+ ms {2}the bot exited the process with code 1 \(process\.exit\) at [\d,]+ ms: the run ended there, and stop\(\) was never called/,
      );
      expect(audit.stdout).not.toContain('exiting for the process manager');
      const saved = JSON.parse(readFileSync(join(cwd, file), 'utf8')) as {
        output: { lines: { stream: string; text: string }[] };
      };
      expect(saved.output.lines.at(-1)).toMatchObject({
        stream: 'stdout',
        text: 'connection closed: exiting for the process manager to restart the bot',
      });
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(
        /stdout: connection closed: exiting for the process manager to restart the bot\n.*FAIL the bot exited the process with code 1 \(process\.exit\): the run ended here/,
      );
      expect(replay.stdout).toContain('FAIL: still violates clean');
      // The run shrunk for clean may break more (the bot gives a reply up on a dead link, too).
      expect(JSON.parse(replayJson.stdout)).toMatchObject({
        status: 'fails',
        reproduced: true,
        properties: expect.arrayContaining(['clean']),
      });
    },
  );

  it(
    'never shows a full phone number of what it printed, in the replay of a run it exited ' + 'in',
    async () => {
      // Arrange: a message, then the connection drops and the bot exits.
      const cwd = project();
      const timeline = {
        format: 'baileys-sim/timeline@1',
        seed: 1,
        config: {
          reconnect: { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.2, maxAttempts: 10 },
          replyDeadlineMs: 60_000,
        },
        events: [
          { at: 1000, do: 'inbound', chat: 'alice', msg: 'm1', text: 'hi' },
          { at: 3000, do: 'drop', reason: 'connectionClosed' },
          { at: 5000, do: 'reply', to: 'm1', key: 'r1' },
        ],
      };
      const file = join(cwd, 'exit.json');
      writeFileSync(
        file,
        JSON.stringify({
          format: 'baileys-sim/failure@1',
          path: asWritten('exits-on-close'),
          timeline,
          violations: [],
          fingerprint: '',
          intercept: true,
        }),
      );
      // Act
      const replay = await runCli(['replay', file], cwd);
      // Assert
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(/stdout: message from \*\*\*\d{4}@s\.whatsapp\.net: hi/);
      expect(replay.stdout).toMatch(/3\d\d\d ms +FAIL the bot exited the process with code 1/);
      expect(replay.stdout).not.toMatch(fullNumber);
    },
  );
});
