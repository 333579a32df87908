/**
 * One campaign over several machines: `run --shard k/n --json` on each, then `merge`. The merged
 * summary must be the one a single machine prints for the same campaign (wall time aside), with
 * the same exit code and, on a failure, the same failure files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../report/summaryText.js';
import type { CampaignSummary } from '../../report/verdict.js';
import { repoRoot, runCli, type CliResult } from './runCli.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bsim-shard-'));
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

/**
 * The table `run` prints for a `--json` summary (as it prints every summary), without its wall-time
 * line.
 */
function tableWithoutWallTime(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('wall time'))
    .join('\n');
}

/** What `run` without `--json` prints on stdout for the summary it printed with `--json`. */
function tableOf(json: string): string {
  return `${formatSummary(JSON.parse(json) as CampaignSummary).join('\n')}\n`;
}

interface ShardedCampaign {
  single: CliResult;
  shards: CliResult[];
  merged: CliResult;
  mergedTable: CliResult;
  shardFiles: string[];
}

/** Runs `args` on one machine (own directory) and as three shards (another), then merges. */
async function campaignBothWays(
  args: readonly string[],
): Promise<ShardedCampaign & { singleDir: string; shardDir: string }> {
  const singleDir = tempDir();
  const shardDir = tempDir();
  const [single, ...shards] = await Promise.all([
    runCli([...args, '--json'], singleDir),
    ...[1, 2, 3].map((k) => runCli([...args, '--shard', `${k}/3`, '--json'], shardDir)),
  ]);
  const shardFiles = shards.map((shard, i) => {
    const file = join(shardDir, `shard-${i + 1}.json`);
    writeFileSync(file, shard.stdout);
    return file;
  });
  // Any order: the merge sorts by shard number.
  const [merged, mergedTable] = await Promise.all([
    runCli(['merge', ...[...shardFiles].reverse(), '--json'], shardDir),
    runCli(['merge', ...shardFiles], shardDir),
  ]);
  return { single: single!, shards, merged, mergedTable, shardFiles, singleDir, shardDir };
}

describe('run --shard k/n, then merge', () => {
  it('gives the single-machine summary of a clean campaign', async () => {
    // Act: 750 runs are 8 chunks, so each of 3 shards runs two or three.
    const { single, shards, merged, mergedTable } = await campaignBothWays([
      'run',
      '--runs',
      '750',
      '--seed',
      '4',
    ]);
    // Assert
    expect(single.code).toBe(0);
    expect(shards.map((s) => s.code)).toEqual([0, 0, 0]);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toBe('');
    expect(machineFree(merged.stdout)).toEqual(machineFree(single.stdout));
    expect(tableWithoutWallTime(mergedTable.stdout)).toBe(
      tableWithoutWallTime(tableOf(single.stdout)),
    );
    expect(mergedTable.code).toBe(0);
  });

  it('gives the single-machine summary and failure files of a failing campaign', async () => {
    // Act: the specimen fails in several chunks, on more than one shard.
    const { single, shards, merged, mergedTable, singleDir, shardDir } = await campaignBothWays([
      'run',
      '--path',
      'specimen:unordered',
      '--runs',
      '1500',
      '--seed',
      '3',
    ]);
    // Assert
    const summary = machineFree(single.stdout) as unknown as Pick<CampaignSummary, 'failures'>;
    expect(single.code).toBe(1);
    expect(shards.filter((s) => s.code === 1).length).toBeGreaterThan(1);
    expect(merged.code).toBe(1);
    expect(machineFree(merged.stdout)).toEqual(summary);
    expect(mergedTable.code).toBe(1);
    expect(tableWithoutWallTime(mergedTable.stdout)).toBe(
      tableWithoutWallTime(tableOf(single.stdout)),
    );
    expect(summary.failures.length).toBeGreaterThan(0);
    for (const { file } of summary.failures) {
      expect(mergedTable.stdout).toContain(`replay:       npx baileys-sim replay ${file}`);
      expect(readFileSync(join(shardDir, file!), 'utf8')).toBe(
        readFileSync(join(singleDir, file!), 'utf8'),
      );
    }
  });

  it('runs exactly the chunks of its shard, and composes with --workers', async () => {
    // Arrange
    const cwd = tempDir();
    const args = ['run', '--runs', '600', '--seed', '8', '--shard', '2/3', '--json'];
    // Act
    const [one, two] = await Promise.all([
      runCli([...args, '--workers', '1'], cwd),
      runCli([...args, '--workers', '2'], cwd),
    ]);
    // Assert
    const shard = (
      JSON.parse(one.stdout) as { shard: { chunks: { index: number; runs: number }[] } }
    ).shard;
    expect(shard.chunks.map((c) => c.index)).toEqual([1, 4]);
    expect(shard.chunks.every((c) => c.runs === 100)).toBe(true);
    expect(machineFree(two.stdout)).toEqual(machineFree(one.stdout));
  });
});

describe('bad shard specs and merges: one line, exit 2', () => {
  // Every parse case is in parseFlags.test.ts; these go through the whole command.
  it.concurrent.each(['0/3', '4/3', 'a/b', '1/0'])('--shard %s', async (spec) => {
    // Act
    const result = await runCli(['run', '--runs', '10', '--shard', spec], tempDir());
    // Assert
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `baileys-sim: --shard must be k/n, shard k of n, with 1 <= k <= n <= 1000, e.g. ` +
        `2/3 ` +
        `(got ${JSON.stringify(spec)})`,
    ]);
  });

  it('refuses summaries that are not the shards of one campaign, naming the mismatch', async () => {
    // Arrange: two real shard summaries, then copies with one field changed each.
    const cwd = tempDir();
    const [one, two] = await Promise.all([
      runCli(['run', '--runs', '200', '--seed', '5', '--shard', '1/2', '--json'], cwd),
      runCli(['run', '--runs', '200', '--seed', '5', '--shard', '2/2', '--json'], cwd),
    ]);
    const shard1 = JSON.parse(one.stdout) as {
      seed: number;
      runsRequested: number;
      path: string;
      shard: { version: string };
    };
    const { shard: _shard, ...whole } = shard1;
    const write = (name: string, json: unknown) =>
      writeFileSync(join(cwd, name), JSON.stringify(json));
    write('1.json', shard1);
    write('2.json', JSON.parse(two.stdout));
    write('whole.json', whole);
    write('seed.json', { ...shard1, seed: 6 });
    write('runs.json', { ...shard1, runsRequested: 300 });
    write('path.json', { ...shard1, path: 'specimen:unordered' });
    write('version.json', { ...shard1, shard: { ...shard1.shard, version: '9.9.9' } });
    writeFileSync(join(cwd, 'broken.json'), '{ "format": ');
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const cases: [string[], string][] = [
      [
        ['2.json', 'seed.json'],
        'merge: seed differs: 5 in 2.json, 6 in seed.json: not shards of one campaign',
      ],
      [
        ['2.json', 'runs.json'],
        'merge: runs differs: 200 in 2.json, 300 in runs.json: not shards of one campaign',
      ],
      [
        ['2.json', 'path.json'],
        'merge: path differs: "reference" in 2.json, "specimen:unordered" in path.json: ' +
          'not shards of one campaign',
      ],
      [
        ['2.json', 'version.json'],
        `merge: baileys-sim version differs: "${version}" in 2.json, "9.9.9" in ` +
          `version.json: not shards of one campaign`,
      ],
      [['1.json', '1.json', '2.json'], 'merge: shard 1/2 given twice (1.json, 1.json)'],
      [['1.json'], 'merge: shard 2/2 is missing'],
      [
        ['1.json', 'whole.json'],
        'whole.json: the summary of a whole campaign, not of a shard (run with --shard k/n --json)',
      ],
      [['1.json', 'broken.json'], 'broken.json: not valid JSON'],
      [['1.json', 'nope.json'], 'nope.json: cannot read (ENOENT)'],
    ];
    // Act
    const results = await Promise.all(cases.map(([files]) => runCli(['merge', ...files], cwd)));
    // Assert
    results.forEach((result, i) => {
      const lines = result.stderr.trimEnd().split('\n');
      expect({ code: result.code, lines: lines.length, stdout: result.stdout }).toEqual({
        code: 2,
        lines: 1,
        stdout: '',
      });
      expect(lines[0]!.startsWith(`baileys-sim: ${cases[i]![1]}`), lines[0]).toBe(true);
    });
  });
});
