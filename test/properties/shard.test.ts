/**
 * Sharded campaigns: the summary depends on the seed and the run count, never on the number of
 * worker processes; a failure is the lowest-index failing chunk's; `.ts` send path modules load
 * inside workers. Only `wallMs` may differ between worker counts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult } from '../../properties/campaigns/campaign.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { chunkSeed, runShardedCampaign, shardChunkRuns } from '../../properties/campaigns/shard.js';

/** A file URL of a source file of this repository, for modules written outside it. */
const sourceUrl = (path: string): string => pathToFileURL(resolve(import.meta.dirname, '..', '..', path)).href;

/** Everything but the wall time. */
function summary(result: CampaignResult): Omit<CampaignResult, 'wallMs'> {
  const { wallMs: _wallMs, ...rest } = result;
  return rest;
}

describe('runShardedCampaign', () => {
  it('gives the same summary on 1 and 2 workers', async () => {
    // Arrange
    const options = { pathSpec: 'reference', seed: 20261126, numRuns: 3 * shardChunkRuns };
    // Act
    const one = await runShardedCampaign({ ...options, workers: 1 });
    const two = await runShardedCampaign({ ...options, workers: 2 });
    const childrenOnly = await runShardedCampaign({ ...options, workers: 2, coordinatorRuns: false });
    // Assert
    expect(summary(two)).toEqual(summary(one));
    expect(summary(childrenOnly)).toEqual(summary(one));
    expect(one.runs).toBeGreaterThan(0);
    expect(one.determinism.mismatches).toBe(0);
  });

  it('reports the same shrunk failure on 1 and 2 workers, with a campaign-wide run index', async () => {
    // Arrange: a specimen that fails, and enough chunks that a second worker runs past the failure.
    const options = { pathSpec: 'specimen:fresh-id-retry', seed: 5, numRuns: 6 * shardChunkRuns };
    // Act
    const one = await runShardedCampaign({ ...options, workers: 1 });
    const two = await runShardedCampaign({ ...options, workers: 2 });
    // Assert
    expect(one.failure).toBeDefined();
    expect(summary(two)).toEqual(summary(one));
    expect(one.failure!.runIndex).toBe(one.runs - 1);
  });

  it('equals a plain campaign when the runs fit in one chunk', async () => {
    // Act
    const sharded = await runShardedCampaign({ pathSpec: 'specimen:unordered', workers: 2, seed: 42, numRuns: shardChunkRuns });
    const plain = await runCampaign({ path: builtInSendPath('specimen:unordered'), seed: 42, numRuns: shardChunkRuns });
    // Assert
    expect(summary(sharded)).toEqual(summary(plain));
  });

  it('reports progress up to the runs it made', async () => {
    // Arrange
    const seen: number[] = [];
    // Act
    const result = await runShardedCampaign({ pathSpec: 'reference', workers: 2, seed: 3, numRuns: 250, onRun: (n) => seen.push(n) });
    // Assert
    expect(seen.at(-1)).toBe(result.runs);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('loads a TypeScript send path module inside the workers', async () => {
    // Arrange: a .ts module outside any package, importing the reference by file URL.
    const dir = mkdtempSync(join(tmpdir(), 'baileys-sim-shard-'));
    const file = join(dir, 'path.ts');
    writeFileSync(file, `import type { SendPathFactory } from '${sourceUrl('src/ports.ts')}';\nimport { referenceSendPath } from '${sourceUrl('src/reference.ts')}';\nexport const createSendPath: SendPathFactory = referenceSendPath;\n`);
    // Act
    const result = await runShardedCampaign({ pathSpec: file, workers: 2, coordinatorRuns: false, seed: 9, numRuns: 2 * shardChunkRuns, stepsMax: 10 });
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
        "if (process.env.BAILEYS_SIM_SHARD_ENV_PROBE !== 'set') throw new Error('BAILEYS_SIM_SHARD_ENV_PROBE is not set');\n" +
        'export const createSendPath = referenceSendPath;\n',
    );
    process.env.BAILEYS_SIM_SHARD_ENV_PROBE = 'set';
    try {
      // Act
      const result = await runShardedCampaign({ pathSpec: file, workers: 2, coordinatorRuns: false, seed: 9, numRuns: 2 * shardChunkRuns, stepsMax: 10 });
      // Assert
      expect(result.runs).toBe(2 * shardChunkRuns);
    } finally {
      delete process.env.BAILEYS_SIM_SHARD_ENV_PROBE;
    }
  });

  it.each([0, 1.5, 65])('refuses %s workers', async (workers) => {
    await expect(runShardedCampaign({ pathSpec: 'reference', workers, seed: 1 })).rejects.toThrow(RangeError);
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
    await expect(runShardedCampaign({ pathSpec: 'specimen:nope', workers: 2, seed: 1, numRuns: 300 })).rejects.toThrow('unknown send path "specimen:nope"');
  });
});
