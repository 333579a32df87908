/**
 * Determinism re-runs: a run simulated a second time with the same options must give the same
 * history (the same fingerprint), or the campaign property `deterministic` fails. The search
 * re-runs every `determinismEvery`-th generated run ({@link determinismEveryDefault}), and each
 * shrunk failure is re-run once (propertyFailure.ts); a shrink for `deterministic` itself compares
 * two simulations of every candidate (`stillBreaks`, judge.ts). The first mismatch of a campaign
 * names where the two histories part and what most likely made them (mismatch.ts).
 */
import { fingerprint, type History } from '../../sim/history.js';
import type { Timeline } from '../../sim/timeline.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { simulateAgain, type JudgeOptions } from './judge.js';
import { likelySourceOfMismatch } from './mismatch.js';

/** The determinism re-runs of a campaign. */
export interface Determinism {
  checked: number;
  mismatches: number;
  /** For the first mismatch: where the two histories part, and what most likely made them. */
  likelySource?: string;
}

/** A search re-runs every this many generated runs unless told otherwise (`determinismEvery`). */
export const determinismEveryDefault = 10;

/** A run simulated again: the second history, and whether it has the first one's fingerprint. */
export interface Rerun {
  again: History;
  same: boolean;
}

/** Whether generated run `runIndex` (0-based) is re-run when every `every`-th is (0: none). */
export function isRerun(runIndex: number, every: number): boolean {
  return every > 0 && (runIndex + 1) % every === 0;
}

/** Simulates `timeline` once more with the options `first` was made with, and compares. */
export async function rerun(
  first: History,
  timeline: Timeline,
  path: NamedSendPath,
  options: JudgeOptions,
): Promise<Rerun> {
  const again = await simulateAgain(timeline, path, options);
  return { again, same: fingerprint(again) === fingerprint(first) };
}

/** What most likely made a re-run differ, in one line; undefined when it did not. */
export function likelySourceOf(
  first: History,
  rerun: Rerun,
  path: NamedSendPath,
): string | undefined {
  return rerun.same ? undefined : likelySourceOfMismatch(first, rerun.again, path);
}

/** No re-run yet. */
export function emptyDeterminism(): Determinism {
  return { checked: 0, mismatches: 0 };
}

/** Counts `rerun` of the run that made `first`; the first mismatch keeps its likely source. */
export function recordRerun(
  determinism: Determinism,
  first: History,
  rerun: Rerun,
  path: NamedSendPath,
): void {
  determinism.checked += 1;
  if (rerun.same) return;
  determinism.mismatches += 1;
  determinism.likelySource ??= likelySourceOf(first, rerun, path);
}

/** Adds `more` (a later chunk's re-runs) to `determinism`; the earlier likely source stays. */
export function addDeterminism(determinism: Determinism, more: Determinism): void {
  if (more.mismatches > more.checked) throw new Error('invariant: a mismatch is of a re-run made');
  determinism.checked += more.checked;
  determinism.mismatches += more.mismatches;
  if (more.likelySource !== undefined) determinism.likelySource ??= more.likelySource;
}
