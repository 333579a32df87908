/**
 * Merging shard summaries (`run`/`audit --shard k/n --json`) into the summary one machine prints
 * for the same campaign. Each shard records its chunks one by one and its own failure per broken
 * property (shrunk, with its file); the merge sums every chunk (up to the lowest chunk that
 * stopped early, as `runShardedCampaign` does on one machine) and keeps, per property, the
 * failure with the lowest run index over all shards: the run one machine would have shrunk, to
 * the same timeline. So runs, coverage, violations and runs judged per property, exercise,
 * determinism, virtual time and every failure come out the same; the verdict is built by the one
 * verdict module (report/verdict.ts). Only the wall time differs: the merged summary reports the
 * slowest shard's.
 *
 * Summaries that are not the shards of one campaign (another path, seed, run count, shard
 * count, baileys-sim version or property selection; a shard twice or missing) are refused with
 * one line naming the mismatch and the files.
 */
import { z } from 'zod';
import { violationSchema } from '../properties/campaigns/failureFile.js';
import { campaignViolationSchema } from '../properties/judging/campaignProperties.js';
import { addExercise, emptyExercise } from '../properties/judging/exercise.js';
import {
  verdictPropertyNames,
  type VerdictProperty,
} from '../properties/judging/verdictProperties.js';
import { timelineConfigSchema } from '../sim/timeline.js';
import {
  summaryFormat,
  summaryOf,
  type CampaignSummary,
  type CampaignTotals,
  type ChunkSummary,
  type FailureSummary,
} from '../report/verdict.js';
import { UsageError } from './errors.js';

/** One summary file as read: its name (for messages) and its parsed JSON. */
export interface SummaryInput {
  file: string;
  json: unknown;
}

const count = z.number().int().nonnegative();
const countsSchema = z.record(z.string(), count);
const coverageSchema = z.record(z.string(), z.object({ fired: count, mattered: count }));
const determinismSchema = z.object({
  checked: count,
  mismatches: count,
  likelySource: z.string().optional(),
});
const exerciseSchema = z.object({ offered: count, received: count, asked: count, visible: count });
const propertySchema = z.enum(verdictPropertyNames as [VerdictProperty, ...VerdictProperty[]]);

const chunkSchema = z.object({
  index: count,
  runs: count,
  simulations: count,
  virtualMs: z.number().nonnegative(),
  coverage: coverageSchema,
  violationsByProperty: countsSchema,
  judgedByProperty: countsSchema,
  exercise: exerciseSchema,
  determinism: determinismSchema,
  interrupted: z.boolean(),
  stoppedAt: count.optional(),
});

const failureSchema = z.object({
  property: propertySchema,
  runsViolated: count,
  runIndex: count.optional(),
  eventsBeforeShrink: count.optional(),
  events: count.optional(),
  shrinkSimulations: count.optional(),
  oneMinimal: z.boolean().optional(),
  simulations: count.optional(),
  violations: z.array(violationSchema),
  alsoBreaks: z.array(propertySchema),
  campaignViolation: campaignViolationSchema.optional(),
  message: z.string().optional(),
  file: z.string().optional(),
  replayCommand: z.string().optional(),
});

const selectionSchema = z.object({
  only: z.array(propertySchema).optional(),
  skip: z.array(propertySchema).optional(),
});

const shardSummarySchema = z.object({
  format: z.literal(summaryFormat),
  path: z.string(),
  seed: count,
  runsRequested: z.number().int().positive(),
  wallMs: z.number().nonnegative(),
  runTimeoutMs: z.number().int().positive().optional(),
  coverage: coverageSchema,
  violationsByProperty: countsSchema,
  failures: z.array(failureSchema),
  selection: selectionSchema.optional(),
  failFast: z.literal(true).optional(),
  harnessLimit: z
    .object({
      method: z.string(),
      at: z.number(),
      generation: z.number(),
      runIndex: count,
      message: z.string(),
    })
    .optional(),
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
  /** The failures as the shard wrote them (the parsed copies have the schema's key order). */
  failures: FailureSummary[];
}

/** Most summaries one merge reads (the most shards a campaign may have). */
const mergeInputsMax = 1000;

/**
 * Merges the summaries of every shard of one campaign; throws a {@link UsageError} naming what does
 * not fit.
 */
export function mergeSummaries(inputs: readonly SummaryInput[]): CampaignSummary {
  if (inputs.length === 0) throw new UsageError('merge: give the --json summary of every shard');
  if (inputs.length > mergeInputsMax)
    throw new UsageError(`merge: at most ${mergeInputsMax} summaries (got ${inputs.length})`);
  const shards = inputs.map(parseShard);
  checkOneCampaign(shards);
  checkEveryShardOnce(shards);
  for (const shard of shards) checkChunks(shard);
  return merged(shards);
}

function parseShard({ file, json }: SummaryInput): Shard {
  const format =
    typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (
    typeof format === 'string' &&
    format.startsWith('baileys-sim/summary@') &&
    format !== summaryFormat
  ) {
    throw new UsageError(
      `${file}: a ${format} summary; this baileys-sim merges ${summaryFormat} (run every ` +
        `shard with the same version)`,
    );
  }
  if (format === summaryFormat && !('shard' in (json as object))) {
    throw new UsageError(
      `${file}: the summary of a whole campaign, not of a shard (run with --shard k/n --json)`,
    );
  }
  const parsed = shardSummarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `${file}: not a shard summary of run/audit --shard k/n --json (` +
        `${issue.path.join('.') || '(root)'}: ${issue.message})`,
    );
  }
  return {
    file,
    summary: parsed.data,
    failures: (json as { failures: FailureSummary[] }).failures,
  };
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
  ['property selection', (s) => JSON.stringify(s.selection ?? {})],
  ['--fail-fast', (s) => (s.failFast ? 'on' : 'off')],
  ['interception', (s) => (s.intercepted ? 'on' : 'off')],
];

function checkOneCampaign(shards: readonly Shard[]): void {
  const first = shards[0]!;
  for (const shard of shards.slice(1)) {
    for (const [name, field] of campaignFields) {
      const a = field(first.summary);
      const b = field(shard.summary);
      if (a !== b)
        throw new UsageError(
          `merge: ${name} differs: ${JSON.stringify(a)} in ${first.file}, ` +
            `${JSON.stringify(b)} in ${shard.file}: not shards of one campaign`,
        );
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
    if (other !== undefined)
      throw new UsageError(`merge: shard ${index}/${count} given twice (${other}, ${file})`);
    byIndex.set(index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !byIndex.has(k));
  if (missing.length > 0) {
    const many = missing.length > 1;
    throw new UsageError(
      `merge: shard${many ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} ` +
        `${many ? 'are' : 'is'} missing`,
    );
  }
}

/**
 * A shard's chunks are its own, ascending, of at most the chunk size; its failures lie in its
 * chunks.
 */
function checkChunks({ file, summary }: Shard): void {
  const { index, count, chunkRuns, chunks } = summary.shard;
  const chunkTotal = Math.ceil(summary.runsRequested / chunkRuns);
  let previous = -1;
  for (const chunk of chunks) {
    if (chunk.index % count !== index - 1 || chunk.index >= chunkTotal || chunk.index <= previous) {
      throw new UsageError(
        `${file}: chunk ${chunk.index} does not belong to shard ${index}/${count} here`,
      );
    }
    if (chunk.runs > chunkRuns)
      throw new UsageError(
        `${file}: chunk ${chunk.index} has ${chunk.runs} runs, more than the chunk size ` +
          `${chunkRuns}`,
      );
    const properties = keys(summary.violationsByProperty);
    if (
      keys(chunk.coverage) !== keys(summary.coverage) ||
      keys(chunk.violationsByProperty) !== properties
    ) {
      throw new UsageError(
        `${file}: chunk ${chunk.index} counts other fault kinds or properties than its summary`,
      );
    }
    previous = chunk.index;
  }
  const own = new Set(chunks.map((c) => c.index));
  for (const failure of summary.failures) {
    if (failure.runIndex !== undefined && !own.has(Math.floor(failure.runIndex / chunkRuns))) {
      throw new UsageError(
        `${file}: its ${failure.property} failure (run ${failure.runIndex + 1}) is not ` +
          `in ` +
          `one of its chunks`,
      );
    }
  }
}

function keys(record: object): string {
  return Object.keys(record).join(',');
}

function merged(shards: readonly Shard[]): CampaignSummary {
  const first = shards[0]!.summary;
  const { chunkRuns } = first.shard;
  const chunks = new Map<number, ChunkSummary>();
  for (const shard of shards)
    for (const chunk of shard.summary.shard.chunks) chunks.set(chunk.index, chunk);
  const stopping = [...chunks.values()]
    .filter((chunk) => chunk.stoppedAt !== undefined)
    .sort((a, b) => a.index - b.index)[0];
  const lastIndex = stopping?.index ?? Math.ceil(first.runsRequested / chunkRuns) - 1;
  const totals = emptyTotalsOf(shards);
  for (let index = 0; index <= lastIndex; index += 1) {
    const chunk = chunks.get(index);
    if (chunk === undefined) {
      totals.interrupted = true; // its shard's time budget ran out before it started
      continue;
    }
    add(totals, chunk);
  }
  if (stopping !== undefined) totals.stoppedAt = stopping.index * chunkRuns + stopping.stoppedAt!;
  // The campaign ended on a harness limit when the run it stopped at is one a shard could not
  // judge.
  const limit = shards
    .map((s) => s.summary.harnessLimit)
    .find((l) => l !== undefined && l.runIndex === totals.stoppedAt);
  if (limit !== undefined) {
    const { message: _message, ...record } = limit;
    totals.harnessLimit = record;
  }
  // A shard counted only its own runs: the campaign's count is the merged one.
  const failures = lowestFailures(shards, totals.stoppedAt).map((f) => ({
    ...f,
    runsViolated: totals.violationsByProperty[f.property] ?? 0,
  }));
  totals.simulations += failures.reduce((n, f) => n + (f.simulations ?? 0), 0);
  return summaryOf(totals, failures);
}

function emptyTotalsOf(shards: readonly Shard[]): CampaignTotals {
  const first = shards[0]!.summary;
  const totals: CampaignTotals = {
    path: first.path,
    seed: first.seed,
    numRuns: first.runsRequested,
    runs: 0,
    simulations: 0,
    virtualMs: 0,
    wallMs: Math.max(...shards.map((s) => s.summary.wallMs)),
    interrupted: false,
    coverage: Object.fromEntries(
      Object.keys(first.coverage).map((kind) => [kind, { fired: 0, mattered: 0 }]),
    ),
    violationsByProperty: Object.fromEntries(
      Object.keys(first.violationsByProperty).map((p) => [p, 0]),
    ) as CampaignTotals['violationsByProperty'],
    judgedByProperty: Object.fromEntries(
      Object.keys(shards[0]!.summary.shard.chunks[0]?.judgedByProperty ?? {}).map((p) => [p, 0]),
    ) as CampaignTotals['judgedByProperty'],
    exercise: emptyExercise(),
    determinism: { checked: 0, mismatches: 0 },
    ...(first.settings?.declared === undefined ? {} : { settings: first.settings.declared }),
    ...(first.intercepted ? { intercept: true } : {}),
    ...(first.selection === undefined ? {} : { selection: first.selection }),
    ...(first.failFast ? { failFast: true } : {}),
  };
  // Watched only if every shard was; then as loosely as the loosest shard.
  const timeouts = shards.map((s) => s.summary.runTimeoutMs);
  if (timeouts.every((ms) => ms !== undefined))
    totals.runTimeoutMs = Math.max(...(timeouts as number[]));
  return totals;
}

/**
 * Per property, the failure of the lowest run over every shard, up to the run the campaign
 * stopped at (a shard's later failures lie in chunks one machine would not have searched).
 * `exercised`, judged on the merged totals, is left to the verdict.
 */
function lowestFailures(shards: readonly Shard[], stoppedAt: number | undefined): FailureSummary[] {
  const lowest = new Map<VerdictProperty, FailureSummary>();
  for (const shard of shards) {
    for (const failure of shard.failures) {
      if (failure.property === 'exercised' || failure.runIndex === undefined) continue;
      if (stoppedAt !== undefined && failure.runIndex > stoppedAt) continue;
      const kept = lowest.get(failure.property);
      if (kept === undefined || failure.runIndex < kept.runIndex!)
        lowest.set(failure.property, failure);
    }
  }
  return [...lowest.values()];
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
  const violated = totals.violationsByProperty as Record<string, number>;
  for (const [property, n] of Object.entries(chunk.violationsByProperty))
    violated[property] = (violated[property] ?? 0) + n;
  const judged = totals.judgedByProperty as Record<string, number>;
  for (const [property, n] of Object.entries(chunk.judgedByProperty))
    judged[property] = (judged[property] ?? 0) + n;
  addExercise(totals.exercise, chunk.exercise);
  totals.determinism.checked += chunk.determinism.checked;
  totals.determinism.mismatches += chunk.determinism.mismatches;
  if (chunk.determinism.likelySource !== undefined)
    totals.determinism.likelySource ??= chunk.determinism.likelySource;
}
