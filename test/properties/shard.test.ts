/**
 * Sharded campaigns: the summary depends on the seed and the run count, never on the number of
 * worker processes; each property's failure is its lowest failing run's, shrunk; `.ts` send path
 * modules load inside workers. Only wall times may differ between worker counts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult } from '../../properties/campaigns/campaign.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import {
  chunkIndexes,
  chunkSeed,
  runShardedCampaign,
  shardChunkRuns,
  type ShardedCampaignResult,
} from '../../properties/campaigns/shard.js';

/** A file URL of a source file of this repository, for modules written outside it. */
const sourceUrl = (path: string): string =>
  pathToFileURL(resolve(import.meta.dirname, '..', '..', path)).href;

/** Everything but the wall times (the campaign's and each shrink's). */
function summary(result: CampaignResult & { chunks?: ShardedCampaignResult['chunks'] }): object {
  const { wallMs: _wallMs, ...rest } = result;
  return { ...rest, failures: rest.failures.map((f) => ({ ...f, shrinkWallMs: 0 })) };
}

describe('runShardedCampaign', () => {
  it('gives the same summary on 1 and 2 workers', async () => {
    // Arrange
    const options = { pathSpec: 'reference', seed: 20261126, numRuns: 3 * shardChunkRuns };
    // Act
    const one = await runShardedCampaign({ ...options, workers: 1 });
    const two = await runShardedCampaign({ ...options, workers: 2 });
    const childrenOnly = await runShardedCampaign({
      ...options,
      workers: 2,
      coordinatorRuns: false,
    });
    // Assert
    expect(summary(two)).toEqual(summary(one));
    expect(summary(childrenOnly)).toEqual(summary(one));
    expect(one.runs).toBeGreaterThan(0);
    expect(one.determinism.mismatches).toBe(0);
  });

  it(
    'goes through every run and reports the same shrunk failures on 1 and 2 workers, with ' +
      'campaign-wide run indexes',
    async () => {
      // Arrange: a specimen that fails in many runs, over several chunks.
      const options = { pathSpec: 'specimen:fresh-id-retry', seed: 5, numRuns: 6 * shardChunkRuns };
      // Act
      const one = await runShardedCampaign({ ...options, workers: 1 });
      const two = await runShardedCampaign({ ...options, workers: 2 });
      // Assert
      expect(one.runs).toBe(options.numRuns);
      expect(one.failures.map((f) => f.property)).toContain('exactly-once');
      expect(summary(two)).toEqual(summary(one));
      for (const failure of one.failures) expect(failure.runIndex).toBeLessThan(options.numRuns);
    },
  );

  it('with failFast stops at the first failing run, the same on 1 and 2 workers', async () => {
    // Arrange: enough chunks that a second worker runs past the failure.
    const options = {
      pathSpec: 'specimen:fresh-id-retry',
      seed: 5,
      numRuns: 6 * shardChunkRuns,
      failFast: true,
    };
    // Act
    const one = await runShardedCampaign({ ...options, workers: 1 });
    const two = await runShardedCampaign({ ...options, workers: 2 });
    // Assert
    expect(one.failures.length).toBeGreaterThan(0);
    expect(summary(two)).toEqual(summary(one));
    expect(one.stoppedAt).toBe(one.runs - 1);
    for (const failure of one.failures) expect(failure.runIndex).toBe(one.stoppedAt);
  });

  it('equals a plain campaign when the runs fit in one chunk', async () => {
    // Act
    const { chunks, ...sharded } = await runShardedCampaign({
      pathSpec: 'specimen:unordered',
      workers: 2,
      seed: 42,
      numRuns: shardChunkRuns,
    });
    const plain = await runCampaign({
      path: builtInSendPath('specimen:unordered'),
      seed: 42,
      numRuns: shardChunkRuns,
    });
    // Assert
    expect(summary(sharded)).toEqual(summary(plain));
    expect(chunks.map((c) => c.result.runs)).toEqual([plain.runs]);
  });

  it('reports progress up to the runs it made', async () => {
    // Arrange
    const seen: number[] = [];
    // Act
    const result = await runShardedCampaign({
      pathSpec: 'reference',
      workers: 2,
      seed: 3,
      numRuns: 250,
      onRun: (n) => seen.push(n),
    });
    // Assert
    expect(seen.at(-1)).toBe(result.runs);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('loads a TypeScript send path module inside the workers', async () => {
    // Arrange: a .ts module outside any package, importing the reference by file URL.
    const dir = mkdtempSync(join(tmpdir(), 'baileys-sim-shard-'));
    const file = join(dir, 'path.ts');
    writeFileSync(
      file,
      `import type { SendPathFactory } from '${sourceUrl('src/ports.ts')}';\n` +
        `import { referenceSendPath } from '${sourceUrl('src/reference.ts')}';\n` +
        `export const createSendPath: SendPathFactory = referenceSendPath;\n`,
    );
    // Act
    const result = await runShardedCampaign({
      pathSpec: file,
      workers: 2,
      coordinatorRuns: false,
      seed: 9,
      numRuns: 2 * shardChunkRuns,
      stepsMax: 10,
    });
    // Assert
    expect(result.path).toBe(file);
    expect(result.runs).toBeGreaterThan(0);
  });

  it("gives workers the parent's environment", async () => {
    // Arrange: a send path module that refuses to load without a variable only the parent has.
    const dir = mkdtempSync(join(tmpdir(), 'baileys-sim-shard-'));
    const file = join(dir, 'needs-env.ts');
    writeFileSync(
      file,
      `import { referenceSendPath } from '${sourceUrl('src/reference.ts')}';\n` +
        "if (process.env.BAILEYS_SIM_SHARD_ENV_PROBE !== 'set') throw new " +
        "Error('BAILEYS_SIM_SHARD_ENV_PROBE is not set');\n" +
        'export const createSendPath = referenceSendPath;\n',
    );
    process.env.BAILEYS_SIM_SHARD_ENV_PROBE = 'set';
    try {
      // Act
      const result = await runShardedCampaign({
        pathSpec: file,
        workers: 2,
        coordinatorRuns: false,
        seed: 9,
        numRuns: 2 * shardChunkRuns,
        stepsMax: 10,
      });
      // Assert
      expect(result.runs).toBe(2 * shardChunkRuns);
    } finally {
      delete process.env.BAILEYS_SIM_SHARD_ENV_PROBE;
    }
  });

  it('runs only the chunks of its shard, each as the whole campaign runs it', async () => {
    // Arrange
    const options = {
      pathSpec: 'reference',
      workers: 1,
      seed: 31,
      numRuns: 7 * shardChunkRuns + 40,
    };
    // Act
    const whole = await runShardedCampaign(options);
    const shard = await runShardedCampaign({ ...options, shard: { index: 2, count: 3 } });
    // Assert
    expect(chunkIndexes(options.numRuns, { index: 2, count: 3 })).toEqual([1, 4, 7]);
    expect(shard.chunks.map((c) => c.index)).toEqual([1, 4, 7]);
    expect(shard.chunks).toEqual(whole.chunks.filter((c) => c.index % 3 === 1));
    expect(shard.runs).toBe(2 * shardChunkRuns + 40);
  });

  it("counts the other shards' earlier chunks in a shard's failure run index", async () => {
    // Arrange: the specimen fails in chunk 0 on shard 1, and in its own chunks on shard 2.
    const options = {
      pathSpec: 'specimen:fresh-id-retry',
      workers: 1,
      seed: 5,
      numRuns: 4 * shardChunkRuns,
    };
    // Act
    const shard = await runShardedCampaign({ ...options, shard: { index: 2, count: 2 } });
    // Assert
    expect(shard.chunks.map((c) => c.index)).toEqual([1, 3]);
    expect(shard.failures.length).toBeGreaterThan(0);
    for (const failure of shard.failures)
      expect(Math.floor(failure.runIndex / shardChunkRuns) % 2).toBe(1);
  });

  it('runs a send path given as a factory in this process', async () => {
    // Act
    const given = await runShardedCampaign({
      pathSpec: 'mine',
      sendPath: builtInSendPath('reference'),
      workers: 1,
      seed: 6,
      numRuns: 150,
    });
    const loaded = await runShardedCampaign({
      pathSpec: 'reference',
      workers: 1,
      seed: 6,
      numRuns: 150,
    });
    // Assert
    expect(summary(given)).toEqual({
      ...summary(loaded),
      path: 'reference',
      chunks: expect.any(Array),
    });
  });

  it.each([
    [
      { workers: 2, sendPath: builtInSendPath('reference') },
      'a sendPath runs in this process only: workers must be 1',
    ],
    [
      { workers: 1, shard: { index: 4, count: 3 } },
      'shard must be k of n with 1 <= k <= n <= 1000 (got 4 of 3)',
    ],
    [
      { workers: 1, shard: { index: 1, count: 1001 } },
      'shard must be k of n with 1 <= k <= n <= 1000 (got 1 of 1001)',
    ],
  ])('refuses %o', async (options, message) => {
    await expect(
      runShardedCampaign({ pathSpec: 'reference', seed: 1, ...options }),
    ).rejects.toThrow(message);
  });

  it.each([0, 1.5, 65])('refuses %s workers', async (workers) => {
    await expect(runShardedCampaign({ pathSpec: 'reference', workers, seed: 1 })).rejects.toThrow(
      RangeError,
    );
  });

  it('derives distinct chunk seeds, keeping the campaign seed for chunk 0', () => {
    const seeds = Array.from({ length: 1000 }, (_, i) => chunkSeed(77, i));
    expect(seeds[0]).toBe(77);
    expect(new Set(seeds).size).toBe(1000);
    expect(seeds.every((s) => Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31)).toBe(true);
  });
});

describe('runShardedCampaign with a bad send path spec', () => {
  it('fails before starting workers, with the loader error', async () => {
    await expect(
      runShardedCampaign({ pathSpec: 'specimen:nope', workers: 2, seed: 1, numRuns: 300 }),
    ).rejects.toThrow('unknown send path "specimen:nope"');
  });
});
