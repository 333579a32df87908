/**
 * Merging shard summaries (`run`/`audit --shard k/n --json`) into the summary one machine prints
 * for the same campaign. Each shard records its chunks one by one; the merge sums every chunk up
 * to the lowest-index failing one, exactly as `runShardedCampaign` does on one machine (later
 * chunks are discarded), so runs, coverage, violations, runs judged, exercise, determinism,
 * virtual time, the campaign properties and the failure (its run index counted over the whole
 * campaign) come out the same. Only the wall time
 * differs: the merged summary reports the slowest shard's.
 *
 * Summaries that are not the shards of one campaign (another path, seed, run count, shard
 * count or baileys-sim version; a shard twice or missing) are refused with one line naming the
 * mismatch and the files.
 */
import { z } from 'zod';
import { violationSchema } from '../properties/campaigns/failureFile.js';
import { campaignViolationSchema } from '../properties/judging/campaignProperties.js';
import { addExercise, emptyExercise } from '../properties/judging/exercise.js';
import { timelineConfigSchema } from '../sim/timeline.js';
import { UsageError } from './errors.js';
import { summaryFormat, summaryOf, type CampaignSummary, type CampaignTotals, type ChunkSummary, type FailureSummary } from './summary.js';

/** One summary file as read: its name (for messages) and its parsed JSON. */
export interface SummaryInput {
  file: string;
  json: unknown;
}

const countsSchema = z.record(z.string(), z.number().int().nonnegative());
const coverageSchema = z.record(z.string(), z.object({ fired: z.number().int().nonnegative(), mattered: z.number().int().nonnegative() }));
const determinismSchema = z.object({ checked: z.number().int().nonnegative(), mismatches: z.number().int().nonnegative(), likelySource: z.string().optional() });
const count = z.number().int().nonnegative();
const exerciseSchema = z.object({ offered: count, received: count, asked: count, visible: count });

const chunkSchema = z.object({
  index: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  simulations: z.number().int().nonnegative(),
  virtualMs: z.number().nonnegative(),
  coverage: coverageSchema,
  violationsByProperty: countsSchema,
  judgedByProperty: countsSchema,
  exercise: exerciseSchema,
  determinism: determinismSchema,
  interrupted: z.boolean(),
  failedRun: z.number().int().nonnegative().optional(),
});

const failureSchema = z.object({
  file: z.string(),
  replayCommand: z.string(),
  runIndex: z.number().int().nonnegative(),
  shrinks: z.number().int().nonnegative(),
  eventsBeforeShrink: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  properties: z.array(z.string()),
  violations: z.array(violationSchema),
  campaignViolation: campaignViolationSchema.optional(),
});

const shardSummarySchema = z.object({
  format: z.literal(summaryFormat),
  path: z.string(),
  seed: z.number().int().nonnegative(),
  runsRequested: z.number().int().positive(),
  wallMs: z.number().nonnegative(),
  runTimeoutMs: z.number().int().positive().optional(),
  coverage: coverageSchema,
  violationsByProperty: countsSchema,
  failure: failureSchema.optional(),
  settings: z.object({ declared: timelineConfigSchema.partial().optional() }).optional(),
  intercepted: z.literal(true).optional(),
  shard: z.object({
    index: z.number().int().positive(),
    count: z.number().int().positive(),
    version: z.string(),
    chunkRuns: z.number().int().positive(),
    chunks: z.array(chunkSchema),
  }),
});

type ShardSummaryJson = z.infer<typeof shardSummarySchema>;

interface Shard {
  file: string;
  summary: ShardSummaryJson;
  /** The failure as the shard wrote it (the parsed copy has the schema's key order). */
  failure?: FailureSummary;
}

/** Most summaries one merge reads (the most shards a campaign may have). */
export const mergeInputsMax = 1000;

/** Merges the summaries of every shard of one campaign; throws a {@link UsageError} naming what does not fit. */
export function mergeSummaries(inputs: readonly SummaryInput[]): CampaignSummary {
  if (inputs.length === 0) throw new UsageError('merge: give the --json summary of every shard');
  if (inputs.length > mergeInputsMax) throw new UsageError(`merge: at most ${mergeInputsMax} summaries (got ${inputs.length})`);
  const shards = inputs.map(parseShard);
  checkOneCampaign(shards);
  checkEveryShardOnce(shards);
  for (const shard of shards) checkChunks(shard);
  return merged(shards);
}

function parseShard({ file, json }: SummaryInput): Shard {
  if (typeof json === 'object' && json !== null && (json as { format?: unknown }).format === summaryFormat && !('shard' in json)) {
    throw new UsageError(`${file}: the summary of a whole campaign, not of a shard (run with --shard k/n --json)`);
  }
  const parsed = shardSummarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: not a shard summary of run/audit --shard k/n --json (${issue.path.join('.') || '(root)'}: ${issue.message})`);
  }
  return { file, summary: parsed.data, failure: (json as { failure?: FailureSummary }).failure };
}

/** The fields every shard of one campaign shares, with the words a message uses for them. */
const campaignFields: readonly [string, (s: ShardSummaryJson) => string | number][] = [
  ['path', (s) => s.path],
  ['seed', (s) => s.seed],
  ['runs', (s) => s.runsRequested],
  ['shard count', (s) => s.shard.count],
  ['baileys-sim version', (s) => s.shard.version],
  ['chunk size', (s) => s.shard.chunkRuns],
  ['fault kinds', (s) => Object.keys(s.coverage).join(',')],
  ['properties', (s) => Object.keys(s.violationsByProperty).join(',')],
  ['interception', (s) => (s.intercepted ? 'on' : 'off')],
];

function checkOneCampaign(shards: readonly Shard[]): void {
  const first = shards[0]!;
  for (const shard of shards.slice(1)) {
    for (const [name, field] of campaignFields) {
      const a = field(first.summary);
      const b = field(shard.summary);
      if (a !== b) throw new UsageError(`merge: ${name} differs: ${JSON.stringify(a)} in ${first.file}, ${JSON.stringify(b)} in ${shard.file}: not shards of one campaign`);
    }
  }
}

function checkEveryShardOnce(shards: readonly Shard[]): void {
  const count = shards[0]!.summary.shard.count;
  const byIndex = new Map<number, string>();
  for (const { file, summary } of shards) {
    const { index } = summary.shard;
    if (index > count) throw new UsageError(`${file}: shard ${index}/${count} does not exist`);
    const other = byIndex.get(index);
    if (other !== undefined) throw new UsageError(`merge: shard ${index}/${count} given twice (${other}, ${file})`);
    byIndex.set(index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !byIndex.has(k));
  if (missing.length > 0) {
    const many = missing.length > 1;
    throw new UsageError(`merge: shard${many ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} ${many ? 'are' : 'is'} missing`);
  }
}

/** A shard's chunks are its own, ascending, of at most the chunk size, with a failure where one is claimed. */
function checkChunks({ file, summary }: Shard): void {
  const { index, count, chunkRuns, chunks } = summary.shard;
  const chunkTotal = Math.ceil(summary.runsRequested / chunkRuns);
  let previous = -1;
  for (const chunk of chunks) {
    if (chunk.index % count !== index - 1 || chunk.index >= chunkTotal || chunk.index <= previous) {
      throw new UsageError(`${file}: chunk ${chunk.index} does not belong to shard ${index}/${count} here`);
    }
    if (chunk.runs > chunkRuns) throw new UsageError(`${file}: chunk ${chunk.index} has ${chunk.runs} runs, more than the chunk size ${chunkRuns}`);
    const properties = keys(summary.violationsByProperty);
    if (keys(chunk.coverage) !== keys(summary.coverage) || keys(chunk.violationsByProperty) !== properties || keys(chunk.judgedByProperty) !== properties) {
      throw new UsageError(`${file}: chunk ${chunk.index} counts other fault kinds or properties than its summary`);
    }
    previous = chunk.index;
  }
  const failed = chunks.filter((c) => c.failedRun !== undefined);
  if (failed.length > 1 || (failed.length === 1) !== (summary.failure !== undefined) || (failed.length === 1 && failed[0] !== chunks.at(-1))) {
    throw new UsageError(`${file}: its failure and its failing chunk do not agree`);
  }
}

function keys(record: object): string {
  return Object.keys(record).join(',');
}

function merged(shards: readonly Shard[]): CampaignSummary {
  const first = shards[0]!.summary;
  const chunks = new Map<number, { chunk: ChunkSummary; shard: Shard }>();
  for (const shard of shards) for (const chunk of shard.summary.shard.chunks) chunks.set(chunk.index, { chunk, shard });
  const failing = [...chunks.values()].filter(({ chunk }) => chunk.failedRun !== undefined).sort((a, b) => a.chunk.index - b.chunk.index)[0];
  const lastIndex = failing?.chunk.index ?? Math.ceil(first.runsRequested / first.shard.chunkRuns) - 1;
  const totals: CampaignTotals = {
    path: first.path,
    seed: first.seed,
    numRuns: first.runsRequested,
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    wallMs: Math.max(...shards.map((s) => s.summary.wallMs)),
    interrupted: false,
    coverage: Object.fromEntries(Object.keys(first.coverage).map((kind) => [kind, { fired: 0, mattered: 0 }])),
    violationsByProperty: Object.fromEntries(Object.keys(first.violationsByProperty).map((p) => [p, 0])),
    judgedByProperty: Object.fromEntries(Object.keys(first.violationsByProperty).map((p) => [p, 0])),
    exercise: emptyExercise(),
    determinism: { checked: 0, mismatches: 0 },
    ...(first.settings?.declared === undefined ? {} : { settings: first.settings.declared }),
    ...(first.intercepted ? { intercept: true } : {}),
  };
  // Watched only if every shard was; then as loosely as the loosest shard.
  const timeouts = shards.map((s) => s.summary.runTimeoutMs);
  if (timeouts.every((ms) => ms !== undefined)) totals.runTimeoutMs = Math.max(...(timeouts as number[]));
  let failure: FailureSummary | undefined;
  for (let index = 0; index <= lastIndex; index += 1) {
    const found = chunks.get(index);
    if (found === undefined) {
      totals.interrupted = true; // its shard's time budget ran out before it started
      continue;
    }
    const { chunk, shard } = found;
    if (chunk.failedRun !== undefined) failure = { ...shard.failure!, runIndex: totals.runs + chunk.failedRun };
    add(totals, chunk);
  }
  return summaryOf(totals, failure);
}

function add(totals: CampaignTotals, chunk: ChunkSummary): void {
  totals.runs += chunk.runs;
  totals.simulations += chunk.simulations;
  totals.virtualMs += chunk.virtualMs;
  totals.interrupted ||= chunk.interrupted;
  // checkChunks made sure every chunk counts the same kinds and properties as the totals.
  for (const [kind, c] of Object.entries(chunk.coverage)) {
    totals.coverage[kind]!.fired += c.fired;
    totals.coverage[kind]!.mattered += c.mattered;
  }
  for (const [property, n] of Object.entries(chunk.violationsByProperty)) totals.violationsByProperty[property]! += n;
  for (const [property, n] of Object.entries(chunk.judgedByProperty)) totals.judgedByProperty[property]! += n;
  addExercise(totals.exercise, chunk.exercise);
  totals.determinism.checked += chunk.determinism.checked;
  totals.determinism.mismatches += chunk.determinism.mismatches;
  if (chunk.determinism.likelySource !== undefined) totals.determinism.likelySource ??= chunk.determinism.likelySource;
}
