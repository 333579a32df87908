/**
 * The options of {@link describeSendPath}, validated when a test file is collected: a bad option
 * throws there, as one line naming the suite, the option and the value, instead of failing (or
 * worse, passing) later inside a test.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { campaignRunsMax } from '../properties/campaigns/search.js';
import { isModuleSpec } from '../properties/paths/loadSendPath.js';
import {
  verdictPropertyNames,
  type VerdictProperty,
} from '../properties/judging/verdictProperties.js';
import { seedMax } from '../sim/random.js';

/** Defaults: the CLI's, so `describeSendPath` and `baileys-sim audit` run the same campaign. */
export const sendPathSuiteDefaults = Object.freeze({
  runs: 1000,
  seed: 1,
  failuresDir: '.baileys-sim/failures',
});

/** Longest `timeBudgetMs`: a day, as the CLI's `--time-budget`. */
const suiteTimeBudgetMsMax = 86_400_000;

/** Options of `describeSendPath`. */
export interface SendPathSuiteOptions {
  /** Generated runs, 1 to 10,000,000 (default 1000). */
  runs?: number;
  /** Campaign seed, 0 to 4294967295 (default 1): the same seed gives the same verdict. */
  seed?: number;
  /**
   * Stop generating after this much wall time (not a failure). The verdict then depends on the
   * machine's speed: leave it out where the same seed must give the same verdict.
   */
  timeBudgetMs?: number;
  /**
   * Where the failure file goes, relative to the working directory (default
   * `.baileys-sim/failures`).
   */
  failuresDir?: string;
  /**
   * The module that exports this factory, as `baileys-sim audit` takes it (e.g.
   * `./src/sendPath.ts`, relative to the working directory). The failure file then names it, and
   * the replay command in a failure message needs no `--path`.
   */
  module?: string;
  /** The test's timeout (default 60 s + 10 ms per run). */
  testTimeoutMs?: number;
  /**
   * Stop at the first failing run, as `--fail-fast` (default: go through every run and report each
   * broken property).
   */
  failFast?: boolean;
  /** Judge only these properties, as `--only`. */
  only?: readonly VerdictProperty[];
  /** Judge every property but these, as `--skip`. */
  skip?: readonly VerdictProperty[];
}

/** Options with every default applied. */
export interface ResolvedSuiteOptions {
  runs: number;
  seed: number;
  timeBudgetMs?: number;
  failuresDir: string;
  module?: string;
  testTimeoutMs: number;
  failFast: boolean;
  only?: readonly VerdictProperty[];
  skip?: readonly VerdictProperty[];
}

/** Most test timeout one suite may ask for: a day. */
const testTimeoutMsMax = 86_400_000;

function wholeNumber(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.number({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}

/** A module `audit` loads: a file with one of these extensions. */
const moduleFile = /\.m?[jt]s$/;
const moduleError = 'must be a .ts, .mts, .js or .mjs module file such as ./src/sendPath.ts';

const propertyError = `must be a list of property names: ${verdictPropertyNames.join(', ')}`;
const propertyList = z
  .array(
    z.enum(verdictPropertyNames as [VerdictProperty, ...VerdictProperty[]], {
      error: propertyError,
    }),
    { error: propertyError },
  )
  .min(1, { error: propertyError });

const optionsSchema = z.strictObject({
  runs: wholeNumber(1, campaignRunsMax).optional(),
  seed: wholeNumber(0, seedMax).optional(),
  timeBudgetMs: wholeNumber(1, suiteTimeBudgetMsMax).optional(),
  failuresDir: z
    .string({ error: 'must be a directory path' })
    .min(1, { error: 'must be a directory path' })
    .optional(),
  module: z
    .string({ error: moduleError })
    .refine((spec) => isModuleSpec(spec) && moduleFile.test(spec), { error: moduleError })
    .optional(),
  testTimeoutMs: wholeNumber(1, testTimeoutMsMax).optional(),
  failFast: z.boolean({ error: 'must be true or false' }).optional(),
  only: propertyList.optional(),
  skip: propertyList.optional(),
});

/** Shows a user's value in a one-line message. */
export function shownArgument(value: unknown): string {
  const text =
    typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
  return text.length > 42 ? `${text.slice(0, 40)}…` : text;
}

/**
 * A bad argument to a vitest API call, or an unusable failure file: the message is one line
 * naming the call, the option or the file. No stack: the input is at fault, not the code.
 */
export class SuiteOptionsError extends Error {
  override readonly name = 'SuiteOptionsError';

  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Validates `options` of `where` (e.g. `describeSendPath("mine")`) against the working directory
 * `cwd`.
 */
export function resolveSuiteOptions(
  where: string,
  options: unknown,
  cwd: string,
): ResolvedSuiteOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new SuiteOptionsError(
        `${where}: unknown option ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} ` +
          `(options: ${Object.keys(optionsSchema.shape).join(', ')})`,
      );
    }
    if (issue.path.length === 0)
      throw new SuiteOptionsError(
        `${where}: options must be an object (got ${shownArgument(options)})`,
      );
    const key = String(issue.path[0]);
    throw new SuiteOptionsError(
      `${where}: ${key} ${issue.message} (got ` +
        `${shownArgument((options as Record<string, unknown>)[key])})`,
    );
  }
  const { module, ...rest } = parsed.data;
  if (rest.only !== undefined && rest.skip !== undefined)
    throw new SuiteOptionsError(
      `${where}: only and skip cannot be combined: name the properties to judge, or ` +
        `those ` +
        `to leave out`,
    );
  if (module !== undefined && !existsSync(resolve(cwd, module)))
    throw new SuiteOptionsError(`${where}: module ${module}: no such file (from ${cwd})`);
  const runs = rest.runs ?? sendPathSuiteDefaults.runs;
  return {
    runs,
    seed: rest.seed ?? sendPathSuiteDefaults.seed,
    timeBudgetMs: rest.timeBudgetMs,
    failuresDir: rest.failuresDir ?? sendPathSuiteDefaults.failuresDir,
    module,
    testTimeoutMs: rest.testTimeoutMs ?? 60_000 + 10 * runs,
    failFast: rest.failFast ?? false,
    ...(rest.only && { only: rest.only }),
    ...(rest.skip && { skip: rest.skip }),
  };
}
