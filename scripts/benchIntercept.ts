/**
 * Interception mode for the bench: how fast intercepted runs go next to runs on the seam, and
 * what loading a module afresh for every run would cost next to its `reset()`.
 *
 * - throughput on one thread, same timelines (replies only, as an as-written module is asked):
 *   the reference on the seam; the reference with the globals intercepted (the cost of
 *   interception alone); the correct as-written fixture, intercepted (what a user's module gets);
 * - a fresh module graph per run: the fixture imported again under a new URL each time (it is
 *   one file, so that is its whole graph), ms per import and heap kept per import (ES modules
 *   are never unloaded), against one `reset()` call.
 */
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { judge } from '../properties/campaigns/judge.js';
import { runArb } from '../properties/generation/arbitraries.js';
import {
  interceptBaileysImports,
  importInterceptable,
} from '../properties/paths/interceptLoader.js';
import { loadSendPath } from '../properties/paths/loadSendPath.js';
import { builtInSendPath, type NamedSendPath } from '../properties/paths/sendPaths.js';
import type { Timeline } from '../sim/timeline.js';

/** The correct as-written fixture: the module a user's bot stands for. */
export const correctFixture = fileURLToPath(
  new URL('../test/fixtures/as-written/correct.ts', import.meta.url),
);

/** 64 generated timelines of 36-44 events asking for text replies only (fixed seed). */
export function replyTimelines(): Timeline[] {
  const runs = fc.sample(runArb({ stepsMin: 14, stepsMax: 20, requests: ['reply'] }), {
    seed: 20261126,
    numRuns: 1000,
  });
  return runs
    .map((r) => r.timeline)
    .filter((t) => t.events.length >= 36 && t.events.length <= 44)
    .slice(0, 64);
}

/** Runs judged per second of `path` over `set`, for `wallMs` after `warmUpMs` of the same. */
async function runsPerSecond(
  path: NamedSendPath,
  set: readonly Timeline[],
  wallMs: number,
  warmUpMs: number,
): Promise<number> {
  const warmUpStart = performance.now();
  for (let i = 0; performance.now() - warmUpStart < warmUpMs; i++)
    await judge(set[i % set.length]!, path);
  let runs = 0;
  const t0 = performance.now();
  do {
    for (const timeline of set) {
      await judge(timeline, path);
      runs++;
    }
  } while (performance.now() - t0 < wallMs);
  return (runs / (performance.now() - t0)) * 1000;
}

/** The three throughput figures (see the module comment). */
export async function interceptionThroughput(
  wallMs: number,
  warmUpMs: number,
): Promise<{ seam: number; referenceIntercepted: number; asWritten: number }> {
  interceptBaileysImports();
  const set = replyTimelines();
  const reference = builtInSendPath('reference');
  const seam = await runsPerSecond(reference, set, wallMs, warmUpMs);
  const referenceIntercepted = await runsPerSecond(
    { ...reference, intercept: true },
    set,
    wallMs,
    warmUpMs,
  );
  const asWritten = await runsPerSecond(await loadSendPath(correctFixture), set, wallMs, warmUpMs);
  return { seam, referenceIntercepted, asWritten };
}

/** Bytes of heap in use after a full collection. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/**
 * A fresh module graph per run, measured: ms per import and heap kept per import; and one `reset()`
 * in µs.
 */
export async function freshGraphCost(
  imports: number,
): Promise<{ importMs: number; heapKeptBytes: number; resetUs: number }> {
  interceptBaileysImports();
  const url = pathToFileURL(correctFixture).href;
  const first = await importInterceptable(url, correctFixture);
  const heapBefore = heapAfterGc();
  const t0 = performance.now();
  for (let i = 0; i < imports; i++) await importInterceptable(`${url}?fresh=${i}`, correctFixture);
  const importMs = (performance.now() - t0) / imports;
  const heapKeptBytes = (heapAfterGc() - heapBefore) / imports;
  const reset = first['reset'] as () => void;
  const resets = 10_000;
  const r0 = performance.now();
  for (let i = 0; i < resets; i++) reset();
  return { importMs, heapKeptBytes, resetUs: ((performance.now() - r0) / resets) * 1000 };
}
