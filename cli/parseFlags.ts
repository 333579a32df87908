/**
 * Flag values, validated. Commander hands every value over as text; these parsers turn it into
 * a bounded number or throw a {@link UsageError} whose message names the flag and the bad value.
 */
import { verdictPropertyNames } from '../properties/judging/verdictProperties.js';
import { UsageError } from './errors.js';

// Copies of `campaignRunsMax` (properties/campaigns/search.ts), `seedMax` (sim/random.ts),
// `shardCountMax` (properties/campaigns/shard.ts) and the run timeout's range and default
// (properties/campaigns/workers/watchdog.ts): importing those modules loads the whole simulator,
// and `--help` or a bad flag should answer at once.
// test/cli/parseFlags.test.ts keeps the copies equal to the originals.

/** Most `--runs`: the campaign's own ceiling. */
export const runsMax = 10_000_000;

/** Largest `--seed`: the simulator's seed range (unsigned 32-bit). */
export const seedMax = 0xffff_ffff;

/** Longest accepted `--time-budget`: a day (a CI job that wants more should split the campaign). */
const timeBudgetMsMax = 86_400_000;

/** Most accepted `--workers`. */
const workersMax = 64;

/**
 * Shortest accepted `--run-timeout`: below it a garbage collection pause could look like a stall.
 */
export const runTimeoutMsMin = 100;

/** Longest accepted `--run-timeout`: an hour. */
export const runTimeoutMsMax = 3_600_000;

/** Default `--run-timeout` (the watchdog's `runTimeoutMsDefault`). */
export const runTimeoutDefault = '5s';

/** Most shards `--shard k/n` may split a campaign into (n). */
export const shardsMax = 1000;

const durationUnitsMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Shows a user's value in a message, shortened so one line stays one line. */
function shown(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 42 ? `${quoted.slice(0, 40)}…"` : quoted;
}

/** A whole number from `min` to `max` given as decimal digits; `flag` names it in errors. */
function parseWholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = /^\d{1,16}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min} to ${max} (got ${shown(text)})`,
    );
  }
  return value;
}

/** `--runs`: 1 to {@link runsMax}. */
export function parseRuns(text: string): number {
  return parseWholeNumber('--runs', text, 1, runsMax);
}

/** `--seed`: 0 to 2^32 - 1 (the simulator's seed range). */
export function parseSeed(text: string): number {
  return parseWholeNumber('--seed', text, 0, seedMax);
}

/** `--workers`: 1 to {@link workersMax}. */
export function parseWorkers(text: string): number {
  return parseWholeNumber('--workers', text, 1, workersMax);
}

/**
 * A duration flag: a whole number and a unit (`500ms`, `30s`, `2m`, `1h`) from `minMs` to `maxMs`.
 */
function parseDurationMs(
  flag: string,
  text: string,
  minMs: number,
  maxMs: number,
  range: string,
  examples: string,
): number {
  const match = /^(\d{1,9})(ms|s|m|h)$/.exec(text.trim());
  const valueMs = match ? Number(match[1]) * durationUnitsMs[match[2]!]! : Number.NaN;
  if (!(valueMs >= minMs && valueMs <= maxMs)) {
    throw new UsageError(
      `${flag} must be a duration from ${range} such as ${examples} (got ${shown(text)})`,
    );
  }
  return valueMs;
}

/** `--time-budget`: `500ms`, `30s`, `2m`, `1h` (a whole number and a unit), at most a day. */
export function parseTimeBudgetMs(text: string): number {
  return parseDurationMs(
    '--time-budget',
    text,
    1,
    timeBudgetMsMax,
    '1ms to 24h',
    '500ms, 30s or 2m',
  );
}

/** `--run-timeout`: a duration as `--time-budget`, from 100ms to 1h. */
export function parseRunTimeoutMs(text: string): number {
  return parseDurationMs(
    '--run-timeout',
    text,
    runTimeoutMsMin,
    runTimeoutMsMax,
    '100ms to 1h',
    '500ms, 5s or 1m',
  );
}

/** `--shard k/n`: shard k (1-based) of n, 1 <= k <= n <= {@link shardsMax}. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= shardsMax && index >= 1 && index <= count)) {
    throw new UsageError(
      `--shard must be k/n, shard k of n, with 1 <= k <= n <= ${shardsMax}, e.g. 2/3 ` +
        `(got ` +
        `${shown(text)})`,
    );
  }
  return { index, count };
}

/**
 * `--only` / `--skip`: property names separated by commas, each known and named once.
 * `makes-progress` cannot be left out: a run that never returns cannot be judged for anything else.
 */
export function parsePropertyList(flag: string, text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === ''))
    throw new UsageError(
      `${flag} takes property names separated by commas, e.g. exactly-once,live-socket ` +
        `(got ${shown(text)})`,
    );
  for (const name of names) {
    if (!(verdictPropertyNames as readonly string[]).includes(name))
      throw new UsageError(
        `${flag}: unknown property ${shown(name)}; the properties are ` +
          `${verdictPropertyNames.join(', ')}`,
      );
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`${flag} names ${twice} twice`);
  if (flag === '--skip' && names.includes('makes-progress'))
    throw new UsageError(
      '--skip makes-progress is not possible: a run that makes no progress cannot be ' +
        'judged for anything else',
    );
  return names;
}

/** How a summary is printed: for people, as one JSON object, or as JUnit XML for CI test views. */
const reporters = ['text', 'json', 'junit'] as const;

/** One of {@link reporters}. */
export type Reporter = (typeof reporters)[number];

/** `--reporter`: one of {@link reporters}. */
export function parseReporter(text: string): Reporter {
  const name = text.trim();
  if (!(reporters as readonly string[]).includes(name))
    throw new UsageError(`--reporter must be one of ${reporters.join(', ')} (got ${shown(text)})`);
  return name as Reporter;
}
