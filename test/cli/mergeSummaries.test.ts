/**
 * mergeSummaries in-process: shard summaries built the way `run --shard k/n --json` builds
 * them merge into the unsharded summary for any shard count, and summaries that do not fit
 * together are refused with one line naming the file and the mismatch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeSummaries, type SummaryInput } from '../../cli/mergeSummaries.js';
import { summarize, type CampaignSummary, type WrittenFile } from '../../report/verdict.js';
import type { VerdictProperty } from '../../properties/judging/verdictProperties.js';
import {
  runShardedCampaign,
  shardChunkRuns,
  type CampaignShard,
} from '../../properties/campaigns/shard.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';

const version = '1.2.3';

/**
 * The reference, but about one run in 250 leaves a timer behind after `stop()` (clean): a bug
 * rare enough that a campaign's first failure can be in a later chunk, on any shard.
 */
const rareLeak: SendPathFactory = (env) => {
  const path = referenceSendPath(env);
  const leaks = env.random() < 0.004;
  return {
    start: (onMessage) => path.start(onMessage),
    stop: async () => {
      await path.stop();
      if (leaks) env.clock.setTimeout(() => undefined, 1000);
    },
  };
};

/** What `run` prints with `--json` (the failure file name stands in for a written one). */
async function summaryOf(
  pathSpec: string,
  seed: number,
  numRuns: number,
  shard?: CampaignShard,
): Promise<CampaignSummary> {
  const sendPath = pathSpec === 'rare-leak' ? { name: pathSpec, factory: rareLeak } : undefined;
  const result = await runShardedCampaign({ pathSpec, sendPath, seed, numRuns, workers: 1, shard });
  const files = new Map<VerdictProperty, WrittenFile>(
    result.failures.map((f) => [
      f.property,
      { file: `${f.property}.json`, replayCommand: `npx baileys-sim replay ${f.property}.json` },
    ]),
  );
  return summarize(
    result,
    files,
    shard && { shard: { shard, version, chunkRuns: shardChunkRuns, chunks: result.chunks } },
  );
}

/** The summaries of every shard of a campaign, as merge inputs (through JSON, as from files). */
async function shardInputs(
  pathSpec: string,
  seed: number,
  numRuns: number,
  count: number,
): Promise<SummaryInput[]> {
  const shards = Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));
  // One at a time: simulations in one process run one after another.
  const summaries = [];
  for (const shard of shards) summaries.push(await summaryOf(pathSpec, seed, numRuns, shard));
  return summaries.map((summary, i) => ({
    file: `shard-${i + 1}.json`,
    json: JSON.parse(JSON.stringify(summary)) as unknown,
  }));
}

function withoutWallTime(
  summary: CampaignSummary,
): Omit<CampaignSummary, 'wallMs' | 'runsPerSecond'> {
  const { wallMs: _wallMs, runsPerSecond: _runsPerSecond, ...rest } = summary;
  return rest;
}

describe('mergeSummaries', () => {
  it.each([
    ['reference', 11, 450, 1],
    ['reference', 12, 650, 4],
    ['specimen:unordered', 3, 1500, 3],
    ['specimen:per-reply-poll', 9, 700, 7],
    ['rare-leak', 2, 1000, 2],
  ])(
    'merges %s (seed %d, %d runs) over %d shards into the unsharded summary',
    async (pathSpec, seed, numRuns, count) => {
      // Arrange
      const whole = await summaryOf(pathSpec, seed, numRuns);
      const inputs = await shardInputs(pathSpec, seed, numRuns, count);
      // Act
      const merged = mergeSummaries(inputs);
      // Assert
      expect(JSON.stringify(withoutWallTime(merged))).toBe(JSON.stringify(withoutWallTime(whole)));
      expect(merged.wallMs).toBe(
        Math.max(...inputs.map((i) => (i.json as CampaignSummary).wallMs)),
      );
    },
  );

  it('keeps, per property, the failure of the lowest run over every shard', async () => {
    // Arrange: a campaign whose first failing chunk comes after chunks of the other two shards.
    const whole = await summaryOf('rare-leak', 7, 1000);
    const inputs = await shardInputs('rare-leak', 7, 1000, 3);
    // Act
    const merged = mergeSummaries(inputs);
    // Assert
    const clean = (summary: CampaignSummary) =>
      summary.failures.find((f) => f.property === 'clean')!;
    const perShard = inputs
      .map((i) => clean(i.json as CampaignSummary)?.runIndex)
      .filter((r) => r !== undefined);
    expect(clean(whole).runIndex).toBeGreaterThanOrEqual(3 * shardChunkRuns);
    expect(perShard.length).toBeGreaterThan(1);
    expect(clean(merged).runIndex).toBe(Math.min(...perShard));
    expect(clean(merged).runIndex).toBe(clean(whole).runIndex);
    expect(merged.runs).toBe(1000);
  });

  describe('refuses', () => {
    let shards: SummaryInput[] = [];
    beforeAll(async () => {
      shards = await shardInputs('reference', 2, 400, 2);
    });

    /** The two shard summaries of a clean campaign: the first as a copy to edit. */
    async function pair(): Promise<
      [
        Record<string, unknown> & {
          failures: unknown[];
          shard: Record<string, unknown> & { chunks: Record<string, unknown>[] };
        },
        SummaryInput,
      ]
    > {
      return [structuredClone(shards[0]!.json) as never, shards[1]!];
    }

    it('no summaries at all', () => {
      expect(() => mergeSummaries([])).toThrow('merge: give the --json summary of every shard');
    });

    it('a file that is not a summary', () => {
      expect(() =>
        mergeSummaries([{ file: 'replay.json', json: { format: 'baileys-sim/replay@1' } }]),
      ).toThrow(/^replay\.json: not a shard summary of run\/audit --shard k\/n --json \(format: /);
    });

    it('a shard number beyond the shard count', async () => {
      const [first, second] = await pair();
      first.shard.index = 3;
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        'a.json: shard 3/2 does not exist',
      );
    });

    it('a different shard count', async () => {
      const [first, second] = await pair();
      first.shard.count = 3;
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        'merge: shard count differs: 3 in a.json, 2 in shard-2.json: not shards of one campaign',
      );
    });

    it("a chunk of another shard's", async () => {
      const [first, second] = await pair();
      first.shard.chunks[1]!.index = 1;
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        'a.json: chunk 1 does not belong to shard 1/2 here',
      );
    });

    it('a chunk larger than the chunk size', async () => {
      const [first, second] = await pair();
      first.shard.chunks[0]!.runs = shardChunkRuns + 1;
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        `a.json: chunk 0 has ${shardChunkRuns + 1} runs, more than the chunk size ` +
          `${shardChunkRuns}`,
      );
    });

    it('a failure in a chunk the shard did not run', async () => {
      const [first, second] = await pair();
      first.failures = [
        {
          property: 'clean',
          runsViolated: 1,
          runIndex: shardChunkRuns + 50,
          violations: [],
          alsoBreaks: [],
        },
      ] as never;
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        `a.json: its clean failure (run ${shardChunkRuns + 51}) is not in one of its chunks`,
      );
    });

    it('a summary of another format', async () => {
      const [first, second] = await pair();
      first.format = 'baileys-sim/summary@1';
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        'a.json: a baileys-sim/summary@1 summary; this baileys-sim merges ' +
          'baileys-sim/summary@2 (run every shard with the same version)',
      );
    });

    it('a chunk counting other fault kinds', async () => {
      const [first, second] = await pair();
      first.shard.chunks[0]!.coverage = { drop: { fired: 1, mattered: 0 } };
      expect(() => mergeSummaries([{ file: 'a.json', json: first }, second])).toThrow(
        'a.json: chunk 0 counts other fault kinds or properties than its summary',
      );
    });
  });
});
