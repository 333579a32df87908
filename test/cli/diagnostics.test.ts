/**
 * The campaign properties through the command line, as a user meets them: a path that is not
 * deterministic, one that sets its timers on the global clock, one that never connects, and one
 * that loops forever in synchronous code. Each gets a verdict that names it (exit 1), a failure
 * file where one run shows it, and a replay that shows it again.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignSummary, FailureSummary } from '../../report/verdict.js';
import type { FailureFile } from '../../properties/campaigns/failureFile.js';
import { repoRoot, runCli } from './runCli.js';

const fixture = (name: string): string => join(repoRoot, 'test/fixtures/paths', name);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bsim-diag-'));
}

function summaryOf(stdout: string): CampaignSummary {
  return JSON.parse(stdout) as CampaignSummary;
}

/** The summary's failure of `property`. */
function failureOf(summary: CampaignSummary, property: string): FailureSummary {
  const failure = summary.failures.find((f) => f.property === property);
  if (failure === undefined)
    throw new Error(
      `no ${property} failure in ${summary.failures.map((f) => f.property).join(', ')}`,
    );
  return failure;
}

/** The verdict of `property` in the summary's table. */
function rowVerdict(summary: CampaignSummary, property: string): string | undefined {
  return summary.properties.find((row) => row.property === property)?.verdict;
}

function failureFile(cwd: string, summary: CampaignSummary, property: string): FailureFile {
  return JSON.parse(
    readFileSync(join(cwd, failureOf(summary, property).file!), 'utf8'),
  ) as FailureFile;
}

/** A summary without the fields that depend on the machine. */
function machineFree(stdout: string): Record<string, unknown> {
  const {
    wallMs: _wallMs,
    runsPerSecond: _runsPerSecond,
    ...rest
  } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
}

describe('a path that is not deterministic', () => {
  const cwd = tempDir();
  const path = fixture('moduleCounterIds.ts');

  it(
    'fails deterministic with the first difference, a failure file with both fingerprints, ' +
      'and a replay that shows it',
    async () => {
      // Act
      const run = await runCli(['audit', path, '--runs', '50', '--json'], cwd);
      const summary = summaryOf(run.stdout);
      const file = failureFile(cwd, summary, 'deterministic');
      const replay = await runCli(['replay', failureOf(summary, 'deterministic').file!], cwd);
      // Assert
      expect(run.code).toBe(1);
      expect(rowVerdict(summary, 'deterministic')).toBe('violated');
      expect(file.property).toBe('deterministic');
      expect(file.campaignViolation).toMatchObject({
        property: 'deterministic',
        difference: { path: expect.stringMatching(/^\$\.attempts\[\d+\]\.messageId$/) },
      });
      const [first, second] = (file.campaignViolation as { fingerprints: [string, string] })
        .fingerprints;
      expect(first).toBe(file.fingerprint);
      expect(second).not.toBe(first);
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(
        /^ {2}first difference: \$\.attempts\[\d+\]\.messageId: "3EB0\w+" the first time, "3EB0\w+" the second$/m,
      );
      expect(replay.stdout).toMatch(/^FAIL: still violates deterministic/m);
    },
  );

  it('says so in its own block, with the replay command', async () => {
    const run = await runCli(['audit', path, '--runs', '50'], cwd);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL( \d+\/\d+)? {2}deterministic: \d+ runs? violated it\n(.*\n)*? {2}the same timeline gave a different history the second time: \$\.attempts\[\d+\]\.messageId: /m,
    );
    expect(run.stdout).toMatch(/^ {4}deterministic +violated/m);
    expect(run.stdout).toMatch(
      /^ {2}replay: +npx baileys-sim replay \.baileys-sim\/failures\/\S+\.json$/m,
    );
  });
});

describe('a path that sets its timers on the global setTimeout', () => {
  it(
    'fails uses-ports, named before any property its lost timers break, and says to use ' +
      'env.clock',
    async () => {
      // Arrange
      const cwd = tempDir();
      // Act
      const run = await runCli(['audit', fixture('globalTimers.ts'), '--runs', '50'], cwd);
      const replay = await runCli(['replay', /failure file: (\S+)/.exec(run.stdout)![1]!], cwd);
      // Assert
      expect(run.code).toBe(1);
      const verdicts = run.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
      expect(verdicts).toEqual([
        expect.stringMatching(/^FAIL {2}uses-ports: \d+ runs violated it$/),
        'FAIL: 1 property violated: uses-ports',
      ]);
      expect(run.stdout).toMatch(
        /^ {2}the send path called the global setTimeout at \d+ ms \(virtual\), outside its ports: a timer set there never fires in a simulation; use env\.clock\.setTimeout/m,
      );
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(/^uses-ports: the send path called the global setTimeout/m);
    },
  );
});

describe('a path whose start() never connects', () => {
  it(
    'fails exercised in one line, counts no run judged by the properties, and writes no ' +
      'failure file',
    async () => {
      // Arrange
      const cwd = tempDir();
      // Act
      const [table, json] = await Promise.all([
        runCli(['audit', fixture('neverConnects.ts'), '--runs', '50'], cwd),
        runCli(['audit', fixture('neverConnects.ts'), '--runs', '50', '--json'], cwd),
      ]);
      const summary = summaryOf(json.stdout);
      // Assert
      expect(table.code).toBe(1);
      expect(json.code).toBe(1);
      expect(table.stdout.split('\n').filter((line) => line.startsWith('FAIL'))).toEqual([
        'FAIL  exercised',
        'FAIL: 1 property violated: exercised',
      ]);
      expect(table.stdout).toMatch(
        /^ {2}the bot received no message in any of the \d+ runs that sent one: the send path never called onMessage/m,
      );
      expect(summary.verdict).toBe('violation');
      expect(rowVerdict(summary, 'exercised')).toBe('violated');
      expect(summary.judgedByProperty['exactly-once']).toBe(0);
      expect(summary.exercise.received).toBe(0);
      expect(summary.exercise.offered).toBeGreaterThanOrEqual(10);
      expect(existsSync(join(cwd, '.baileys-sim'))).toBe(false);
    },
  );

  it('fails the merge of its shards too', async () => {
    // Arrange
    const cwd = tempDir();
    const shards = await Promise.all(
      [1, 2].map((k) =>
        runCli(
          ['audit', fixture('neverConnects.ts'), '--runs', '200', '--shard', `${k}/2`, '--json'],
          cwd,
        ),
      ),
    );
    const files = shards.map((shard, i) => {
      const file = join(cwd, `shard-${i + 1}.json`);
      writeFileSync(file, shard.stdout);
      return file;
    });
    // Act
    const merged = await runCli(['merge', ...files, '--json'], cwd);
    // Assert
    expect(merged.code).toBe(1);
    expect(summaryOf(merged.stdout)).toMatchObject({
      runs: 200,
      failures: [{ property: 'exercised' }],
      exercise: { received: 0 },
    });
  });
});

describe('a path that loops forever in synchronous code', () => {
  const path = fixture('busyLoop.ts');
  const args = ['audit', path, '--runs', '300', '--run-timeout', '500ms', '--json'];

  it(
    'is stopped by the watchdog and fails makes-progress with its seed, timeline and ' +
      'events so far',
    async () => {
      // Arrange
      const cwd = tempDir();
      // Act
      const run = await runCli(args, cwd);
      const summary = summaryOf(run.stdout);
      const file = failureFile(cwd, summary, 'makes-progress');
      // Assert
      expect(run.code).toBe(1);
      expect(rowVerdict(summary, 'makes-progress')).toBe('violated');
      expect(summary.stoppedEarly).toEqual({
        runIndex: failureOf(summary, 'makes-progress').runIndex,
        reason: 'stall',
      });
      expect(file.campaignViolation).toMatchObject({
        property: 'makes-progress',
        runTimeoutMs: 500,
        stall: { phase: 'generated', eventsFired: expect.any(Number) },
      });
      expect(file.found).toMatchObject({
        seed: 1,
        runIndex: failureOf(summary, 'makes-progress').runIndex,
        shrinkSimulations: 0,
        oneMinimal: false,
      });
      expect(file.timeline.events.length).toBeGreaterThan(
        (file.campaignViolation as { stall: { eventsFired: number } }).stall.eventsFired,
      );
    },
  );

  it(
    'says where it stopped in the table, and ' + 'its replay is stopped by the watchdog too',
    async () => {
      // Arrange
      const cwd = tempDir();
      // Act
      const run = await runCli(
        args.filter((a) => a !== '--json'),
        cwd,
      );
      const file = /failure file: (\S+)/.exec(run.stdout)![1]!;
      const [replay, report] = await Promise.all([
        runCli(['replay', file, '--run-timeout', '300ms'], cwd),
        runCli(['report', file, '--html', 'out.html', '--run-timeout', '300ms'], cwd),
      ]);
      // Assert
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAIL( \d+\/\d+)? {2}makes-progress: 1 run violated it$/m);
      expect(run.stdout).toMatch(
        /^ {2}the run made no progress for 500 ms of wall time at [\d,]+ ms \(virtual\) after \d+ timeline events? \(the last: #\d+ \w+ at [\d,]+ ms\), and the watchdog stopped it/m,
      );
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(
        /^ {2}stopped at \d+ ms \(virtual\) after \d+ of \d+ events, with no progress for 300 ms of wall time$/m,
      );
      expect(replay.stdout).toMatch(/^ +\d+ ms {2}▶ +inbound /m);
      expect(replay.stdout).toMatch(/^FAIL: still makes no progress/m);
      expect(report.code).toBe(1);
      expect(report.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/: no report written: still makes no progress/),
      ]);
    },
  );

  it('gives the same summary on two workers, and sharded then merged', async () => {
    // Arrange: 300 runs are three chunks; the loop starts in the first.
    const singleDir = tempDir();
    const shardDir = tempDir();
    // Act
    const [single, two, ...shards] = await Promise.all([
      runCli(args, singleDir),
      runCli([...args, '--workers', '2'], tempDir()),
      ...[1, 2].map((k) => runCli([...args, '--shard', `${k}/2`], shardDir)),
    ]);
    const files = shards.map((shard, i) => {
      const file = join(shardDir, `shard-${i + 1}.json`);
      writeFileSync(file, shard.stdout);
      return file;
    });
    const merged = await runCli(['merge', ...files, '--json'], shardDir);
    // Assert
    expect(single.code).toBe(1);
    expect(machineFree(two.stdout)).toEqual(machineFree(single.stdout));
    expect(merged.code).toBe(1);
    expect(machineFree(merged.stdout)).toEqual(machineFree(single.stdout));
  });
});

describe('--run-timeout', () => {
  it.each([['5'], ['50ms'], ['2h']])(
    'refuses %s in one line naming the flag (exit 2)',
    async (value) => {
      const result = await runCli(['run', '--runs', '10', '--run-timeout', value], tempDir());
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `baileys-sim: --run-timeout must be a duration from 100ms to 1h such as 500ms, ` +
          `5s ` +
          `or 1m (got ${JSON.stringify(value)})\n`,
      );
    },
  );
});
