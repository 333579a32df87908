/**
 * The failure file: one self-contained JSON (`baileys-sim/failure@1`) per broken property,
 * holding the property it shows, the timeline shrunk for it (which carries its seed and config),
 * the send path's name, the simulator options, every violation of that run and, when the run
 * broke one, the campaign property it broke (`campaignViolation`: another history the second
 * time, a global call, or a stall with where the run stood). {@link failureFileOf} makes one of a
 * campaign's failure, `replayFailure` re-runs it and tells whether the property still breaks. A
 * failure file doubles as a regression: `test/regressions/` holds such files.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson, fingerprint, type History, type OutputRecord } from '../../sim/history.js';
import { outputSchema } from './outputSchema.js';
import type { ProgressBoard } from '../../sim/progress.js';
import { simulate } from '../../sim/simulate.js';
import {
  parseTimeline,
  TimelineError,
  type SendPathSettings,
  type Timeline,
} from '../../sim/timeline.js';
import type { SendPathFactory } from '../../src/ports.js';
import {
  campaignViolationSchema,
  determinismViolation,
  portsViolation,
  type CampaignViolation,
} from '../judging/campaignProperties.js';
import { checkAll, propertyNames, type PropertyName, type Violation } from '../judging/checkers.js';
import { verdictPropertyNames, type VerdictProperty } from '../judging/verdictProperties.js';
import { builtInSendPath } from '../paths/sendPaths.js';
import { sendPathSettingsSchema } from '../paths/settings.js';
import type { CampaignFailure } from './propertyFailure.js';

/** The format tag of failure files. */
export const failureFormat = 'baileys-sim/failure@1';

/** A failing (or, for regressions, a passing) run, self-contained. */
export interface FailureFile {
  format: typeof failureFormat;
  /** `reference`, `specimen:<name>`, or a module path (audit). */
  path: string;
  /**
   * The property this file shows: its timeline was shrunk keeping it broken. Absent in a
   * must-pass regression and in files that show every violation of their run alike.
   */
  property?: VerdictProperty;
  timeline: Timeline;
  /** Server dedupes by message id (default true, as WhatsApp does). */
  dedupeById?: boolean;
  /** What the run violated when found. Empty for a must-pass regression. */
  violations: Violation[];
  /**
   * History fingerprint when found: a replay with the same code gives the same one. Empty for a
   * run the watchdog stopped (it left no history).
   */
  fingerprint: string;
  /** The campaign property the run broke, when it broke one (see campaignProperties.ts). */
  campaignViolation?: CampaignViolation;
  /** How it was found. */
  found?: FoundRecord;
  /** The path ran with Baileys and its globals intercepted: a replay does the same. */
  intercept?: boolean;
  /**
   * The settings the path declared as its own when the failure was found (the timeline's config has
   * them).
   */
  settings?: SendPathSettings;
  /** What the path wrote to stdout and stderr in the run, redacted, bounded (absent: nothing). */
  output?: OutputRecord;
}

/** How a failure was found: the campaign seed, its first failing run, and its shrink. */
export interface FoundRecord {
  seed: number;
  /** 0-based index, in the campaign, of the first run that broke the property. */
  runIndex: number;
  /** Events of that run before shrinking. */
  eventsBeforeShrink?: number;
  /** Shrink candidates simulated. */
  shrinkSimulations?: number;
  /** The shrink finished: removing any one event no longer breaks the property. */
  oneMinimal?: boolean;
  /** Shrink steps of fast-check (files written before shrinking went by events). */
  shrinks?: number;
}

/** A failure file that cannot be used; the message names the file and the field. */
export class FailureFileError extends Error {
  override readonly name = 'FailureFileError';
}

/** A violation as files record it (failure files, and the summaries merge reads). */
export const violationSchema = z.strictObject({
  property: z.enum(propertyNames as [PropertyName, ...PropertyName[]]),
  message: z.string(),
  at: z.number(),
  key: z.string().optional(),
  generation: z.number().optional(),
});

const fileSchema = z.strictObject({
  format: z.literal(failureFormat),
  path: z.string().min(1),
  property: z.enum(verdictPropertyNames as [VerdictProperty, ...VerdictProperty[]]).optional(),
  timeline: z.unknown(),
  dedupeById: z.boolean().optional(),
  violations: z.array(violationSchema),
  fingerprint: z.string(),
  campaignViolation: campaignViolationSchema.optional(),
  found: z
    .strictObject({
      seed: z.number(),
      runIndex: z.number(),
      eventsBeforeShrink: z.number().optional(),
      shrinkSimulations: z.number().optional(),
      oneMinimal: z.boolean().optional(),
      shrinks: z.number().optional(),
    })
    .optional(),
  intercept: z.boolean().optional(),
  settings: sendPathSettingsSchema.optional(),
  output: outputSchema.optional(),
});

/** What a failure file records of the campaign that found it. */
export interface FoundBy {
  /** The send path's name. */
  path: string;
  seed: number;
  /** The server model the campaign ran (true when absent). */
  dedupeById?: boolean;
  intercept?: boolean;
  settings?: SendPathSettings;
}

/**
 * The failure file for one property's failure of a campaign. It always records `dedupeById`
 * (the campaign's, unless given): a replay must run the server model the failure was found with.
 */
export function failureFileOf(
  campaign: FoundBy,
  failure: CampaignFailure,
  dedupeById?: boolean,
): FailureFile {
  const file: FailureFile = {
    format: failureFormat,
    path: campaign.path,
    property: failure.property,
    // First, when present: what failed, before the timeline it failed on.
    ...(failure.campaignViolation && { campaignViolation: failure.campaignViolation }),
    timeline: failure.timeline,
    violations: failure.violations,
    fingerprint: failure.fingerprint,
    found: {
      seed: campaign.seed,
      runIndex: failure.runIndex,
      eventsBeforeShrink: failure.eventsBeforeShrink,
      shrinkSimulations: failure.shrinkSimulations,
      oneMinimal: failure.oneMinimal,
    },
  };
  file.dedupeById = dedupeById ?? campaign.dedupeById ?? true;
  if (campaign.intercept) file.intercept = true;
  if (campaign.settings !== undefined) file.settings = campaign.settings;
  if (failure.output !== undefined) file.output = failure.output;
  return file;
}

/** Parses and validates a failure file's text. */
export function parseFailureFile(text: string, source = 'failure file'): FailureFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FailureFileError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FailureFileError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  try {
    return { ...parsed.data, timeline: parseTimeline(parsed.data.timeline) } as FailureFile;
  } catch (err) {
    if (err instanceof TimelineError)
      throw new FailureFileError(`${source}: timeline: ${err.issues.join('; ')}`);
    throw err;
  }
}

/** Reads and validates a failure file from disk. */
export async function readFailureFile(file: string): Promise<FailureFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FailureFileError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseFailureFile(text, file);
}

/** Stable, readable JSON of a failure file. */
export function serializeFailure(failure: FailureFile): string {
  return `${JSON.stringify(failure, null, 2)}\n`;
}

/**
 * Writes `failure` under `dir` as `<path>-<property>-<fingerprint prefix>.json` (for a run with
 * no history, the prefix of its timeline's hash); returns the file path.
 */
export async function writeFailureFile(dir: string, failure: FailureFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const slug = failure.path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'path';
  const print =
    failure.fingerprint ||
    createHash('sha256').update(canonicalJson(failure.timeline)).digest('hex');
  const file = join(
    dir,
    `${slug}${failure.property ? `-${failure.property}` : ''}-${print.slice(0, 12)}.json`,
  );
  await writeFile(file, serializeFailure(failure));
  return file;
}

/** The one command that replays a failure file. */
export function replayCommand(file: string): string {
  return `npx baileys-sim replay ${file}`;
}

/** What a replay found. */
export interface ReplayResult {
  /** The history the replay recorded. */
  history: History;
  violations: Violation[];
  fingerprint: string;
  /** The history is byte-identical to the one the file recorded (same fingerprint). */
  sameHistory: boolean;
  /**
   * The campaign property the replay broke: a global call, or (simulated twice) another history.
   */
  campaignViolation?: CampaignViolation;
  /**
   * For a file of one property: that property still breaks. Otherwise the same properties were
   * violated as recorded, and the same campaign property broken (for a must-pass file: still none).
   */
  reproduced: boolean;
}

/** Options of {@link replayWith}. */
export interface ReplayOptions {
  /**
   * Simulate the timeline twice and compare (default: when the file records a `deterministic`
   * failure), so a replay shows whether the path is still not deterministic and where.
   */
  twice?: boolean;
  /** A board to tick on for a watchdog in another thread. */
  progress?: ProgressBoard;
}

/**
 * The one replay, used by the library, the CLI (`replay`, `report`) and the regression script:
 * simulates the file's timeline with its server model (`dedupeById`, true when absent) against
 * `factory` (twice, see {@link ReplayOptions}), judges the history and compares it with what the
 * file recorded.
 */
export async function replayWith(
  failure: FailureFile,
  factory: SendPathFactory,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  // The bot is called as the path declared it takes its replies (one at a time per chat, ...).
  const perChat = failure.settings?.repliesPerChatMax;
  const simulateOptions = {
    dedupeById: failure.dedupeById ?? true,
    // The same run, explained: where the path made the sockets and timers a violation names.
    creationSites: true,
    ...(options.progress && { progress: options.progress }),
    ...(failure.intercept ? { globals: 'intercept' as const } : {}),
    ...(perChat === undefined ? {} : { repliesPerChatMax: perChat }),
  };
  options.progress?.locate('replay', 0, failure.timeline);
  const history = await simulate(failure.timeline, factory, simulateOptions);
  const violations = checkAll(history);
  const print = fingerprint(history);
  let campaignViolation: CampaignViolation | undefined = portsViolation(history);
  if (
    campaignViolation === undefined &&
    (options.twice ??
      (failure.campaignViolation?.property === 'deterministic' ||
        failure.property === 'deterministic'))
  ) {
    campaignViolation = determinismViolation(
      history,
      await simulate(failure.timeline, factory, simulateOptions),
    );
  }
  const broken = failedPropertyNames(violations, campaignViolation);
  const result: ReplayResult = {
    history,
    violations,
    fingerprint: print,
    sameHistory: print === failure.fingerprint,
    reproduced:
      failure.property !== undefined
        ? broken.includes(failure.property)
        : sameProperties(violations, failure.violations) &&
          campaignViolation?.property === failure.campaignViolation?.property,
  };
  if (campaignViolation !== undefined) result.campaignViolation = campaignViolation;
  return result;
}

/**
 * Re-runs a failure file with the send path its `path` names (a built-in one unless `resolve` says
 * otherwise).
 */
export async function replayFailure(
  failure: FailureFile,
  resolve: (path: string) => Promise<SendPathFactory> | SendPathFactory = (p) =>
    builtInSendPath(p).factory,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  return replayWith(failure, await resolve(failure.path), options);
}

/**
 * The properties a run broke: its campaign property first, then the violated ones in first-seen
 * order.
 */
function failedPropertyNames(
  violations: readonly Violation[],
  campaignViolation?: { property: VerdictProperty },
): VerdictProperty[] {
  const violated = [...new Set(violations.map((v) => v.property))];
  return campaignViolation === undefined ? violated : [campaignViolation.property, ...violated];
}

/** True when both lists name the same set of properties. */
function sameProperties(a: readonly Violation[], b: readonly Violation[]): boolean {
  const names = (list: readonly Violation[]) =>
    [...new Set(list.map((v) => v.property))].sort().join(',');
  return names(a) === names(b);
}
