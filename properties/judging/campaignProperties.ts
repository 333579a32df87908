/**
 * Campaign properties: what must hold of a campaign besides the per-history properties of the
 * checker table (checkers.ts). Each needs more than one history to judge, or judges something
 * other than the send path's effects:
 *
 * - `deterministic`: the same timeline simulated twice gives the same history (sampled runs
 *   and every failure are simulated twice); a failure names the first difference.
 * - `uses-ports`: the send path reaches timers, time and randomness through its `SimEnv` ports
 *   only; the globals tripwire (sim/globals.ts) records every global call of a run.
 * - `exercised`: the campaign exercised the path at all: the bot received messages and replies
 *   became visible (exercise.ts).
 * - `makes-progress`: no run went a wall-clock budget without progress (the watchdog stops it).
 *
 * They are reported beside the table's properties (summaries, failure files, merge, the vitest
 * API) but are not in it: the table's names are per-history verdicts every run is checked for,
 * and a failure file's `violations` stay exactly those. A run that breaks a campaign property
 * records it as its failure's {@link CampaignViolation}.
 */
import { z } from 'zod';
import type { GlobalUse, History } from '../../sim/history.js';
import { fingerprint } from '../../sim/history.js';
import {
  firstHistoryDifference,
  formatDifference,
  type HistoryDifference,
} from './historyDifference.js';
import { campaignPropertyNames, type CampaignPropertyName } from './propertyNames.js';
import { ms } from './words.js';

/**
 * What a campaign property says, in words: its exact `definition` (for docs and the CLI), what it
 * means for a user and the typical `fix` in a send path (one line each, shown under a failure
 * of it), as a checker's (checker.ts).
 */
interface CampaignPropertyTexts {
  readonly definition: string;
  readonly meaning: string;
  readonly fix: string;
}

/**
 * The texts of every campaign property; its type makes a campaign property without a definition,
 * a meaning or a fix a compile error.
 */
export const campaignPropertyTexts: Readonly<Record<CampaignPropertyName, CampaignPropertyTexts>> =
  Object.freeze({
    deterministic: {
      definition: 'The same timeline simulated twice gives the same history, byte for byte.',
      meaning: 'The same timeline gives the same history every time, so a failure replays exactly.',
      fix:
        'Reach time, randomness and timers through the SimEnv ports (or the intercepted ' +
        'globals), and put every module-level variable back in reset().',
    },
    'uses-ports': {
      definition:
        'The send path sets timers, reads the time and draws randomness through its ' +
        'SimEnv ports only, never through the globals.',
      meaning: 'The path reaches timers, the clock and randomness only through its SimEnv ports.',
      fix:
        'Use env.clock.setTimeout, env.clock.now() and env.random() instead of the globals, or ' +
        'audit the module as written (--intercept).',
    },
    exercised: {
      definition:
        'In a campaign of enough runs, the bot received at least one message and at least one ' +
        'reply became visible.',
      meaning:
        'The campaign really exercised the path: messages reached the bot and replies ' +
        'became visible.',
      fix:
        'Check that start() connects, hands each message to onMessage, and that reply() ' +
        'sends on the socket.',
    },
    'makes-progress': {
      definition:
        'No run goes the run timeout (wall clock) without a timer firing or an event happening.',
      meaning: 'No run stalls: the path never holds the thread in synchronous code.',
      fix: 'Never busy-wait for time to pass: await a timer instead, and bound every loop.',
    },
  });

/** Where a stalled run stood when the watchdog stopped it. */
export interface StallRecord {
  /** What the run was: a generated run, its determinism re-run, a shrink candidate, or a replay. */
  phase: 'generated' | 'determinism' | 'shrink' | 'replay';
  /** Virtual time the run had reached, ms. */
  virtualMs: number;
  /** Timeline events fired before it stalled. */
  eventsFired: number;
  /** Index in the timeline of the last event fired; absent when none had. */
  lastEventIndex?: number;
}

/** A run that broke `deterministic`: both fingerprints and where the histories part. */
export interface DeterminismViolation {
  property: 'deterministic';
  message: string;
  fingerprints: [string, string];
  difference: HistoryDifference;
}

/** A run that broke `uses-ports`: the global calls the tripwire recorded. */
export interface PortsViolation {
  property: 'uses-ports';
  message: string;
  uses: GlobalUse[];
}

/** A run that broke `makes-progress`: the watchdog's budget and where the run stood. */
export interface ProgressViolation {
  property: 'makes-progress';
  message: string;
  runTimeoutMs: number;
  stall: StallRecord;
}

/** A campaign property one run broke, located: a failure file records it beside the violations. */
export type CampaignViolation = DeterminismViolation | PortsViolation | ProgressViolation;

/** What the SimEnv port for each global is, for messages that say what to use instead. */
const portOf: Readonly<Record<GlobalUse['name'], string>> = {
  setTimeout: 'env.clock.setTimeout',
  setInterval: 'env.clock.setTimeout (again from its callback)',
  'Date.now': 'env.clock.now()',
  'Date()': 'env.clock.now()',
  'new Date()': 'env.clock.now()',
  'Math.random': 'env.random()',
  'crypto.randomUUID': 'env.messageIds() or env.random()',
  'crypto.randomBytes': 'env.messageIds() or env.random()',
  'crypto.getRandomValues': 'env.messageIds() or env.random()',
};

/** The `uses-ports` violation of a history, if its path called a global. */
export function portsViolation(history: History): PortsViolation | undefined {
  const uses = history.globalsUsed;
  if (uses === undefined || uses.length === 0) return undefined;
  const first = uses[0]!;
  const timer = first.name === 'setTimeout' || first.name === 'setInterval';
  const consequence = timer
    ? 'a timer set there never fires in a simulation'
    : 'the simulation hands it a placeholder, not what production would see';
  const others = [...new Set(uses.slice(1).map((u) => u.name))].filter(
    (name) => name !== first.name,
  );
  return {
    property: 'uses-ports',
    message:
      `the send path called the global ${first.name} at ${first.at} ms (virtual), outside ` +
      `its ports: ${consequence}; use ${portOf[first.name]}` +
      `${others.length > 0 ? ` (it also called ` + `${others.join(', ')})` : ''}`,
    uses,
  };
}

/** The `deterministic` violation of two histories of one timeline, if they differ. */
export function determinismViolation(
  first: History,
  second: History,
): DeterminismViolation | undefined {
  const fingerprints: [string, string] = [fingerprint(first), fingerprint(second)];
  if (fingerprints[0] === fingerprints[1]) return undefined;
  const difference = firstHistoryDifference(first, second) ?? { path: '$' };
  return {
    property: 'deterministic',
    message:
      `the same timeline gave a different history the second time: ` +
      `${formatDifference(difference)}; the send path reads time, randomness or state ` +
      `outside its SimEnv ports (module-level state that outlives a run counts too)`,
    fingerprints,
    difference,
  };
}

/** The `makes-progress` violation of a run the watchdog stopped. */
export function progressViolation(
  runTimeoutMs: number,
  stall: StallRecord,
  lastEvent?: string,
): ProgressViolation {
  const where =
    stall.eventsFired === 0
      ? 'before any timeline event fired'
      : `after ${stall.eventsFired} timeline event${stall.eventsFired === 1 ? '' : 's'}` +
        `${lastEvent ? ` (the last: ${lastEvent})` : ''}`;
  return {
    property: 'makes-progress',
    message:
      `the run made no progress for ${ms(runTimeoutMs)} of wall time at ` +
      `${ms(stall.virtualMs)} (virtual) ${where}, and the watchdog stopped it: synchronous ` +
      `code that never returns (a loop waiting for the clock to move?)`,
    runTimeoutMs,
    stall,
  };
}

const globalUseSchema = z.strictObject({
  at: z.number(),
  name: z.enum(Object.keys(portOf) as [GlobalUse['name'], ...GlobalUse['name'][]]),
});

/** A campaign violation as files record it (failure files, and the summaries merge reads). */
export const campaignViolationSchema = z.discriminatedUnion('property', [
  z.strictObject({
    property: z.literal('deterministic'),
    message: z.string(),
    fingerprints: z.tuple([z.string(), z.string()]),
    difference: z.strictObject({
      path: z.string(),
      first: z.unknown().optional(),
      second: z.unknown().optional(),
    }),
  }),
  z.strictObject({
    property: z.literal('uses-ports'),
    message: z.string(),
    uses: z.array(globalUseSchema).min(1),
  }),
  z.strictObject({
    property: z.literal('makes-progress'),
    message: z.string(),
    runTimeoutMs: z.number().int().positive(),
    stall: z.strictObject({
      phase: z.enum(['generated', 'determinism', 'shrink', 'replay']),
      virtualMs: z.number().nonnegative(),
      eventsFired: z.number().int().nonnegative(),
      lastEventIndex: z.number().int().nonnegative().optional(),
    }),
  }),
]);
