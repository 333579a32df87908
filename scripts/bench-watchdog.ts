/**
 * What the watchdog costs a campaign: the reference path simulated on generated 36-44-event
 * timelines (1) in this thread, as an unwatched campaign runs, (2) in this thread ticking on a
 * progress board, and (3) in a worker thread ticking on a board that this thread watches as the
 * CLI does (a poll four times per run timeout). Each mode runs for a fixed wall time, the modes
 * alternate over several rounds, and the overhead of (2) and (3) over (1) is printed from the
 * rounds' medians. Target: under 3 % for (3).
 *   npx tsx scripts/bench-watchdog.ts [-- --quick]
 */
import fc from 'fast-check';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runArb } from '../properties/generation/arbitraries.js';
import { ProgressBoard } from '../sim/progress.js';
import { simulate } from '../sim/simulate.js';
import type { Timeline } from '../sim/timeline.js';
import { referenceSendPath } from '../src/index.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

const quick = process.argv.includes('--quick');
/** Wall time per measurement. */
const measureMs = quick ? 1500 : 4000;
const rounds = quick ? 3 : 7;
const warmUpMs = 2000;
/** The CLI's default run timeout: the watcher polls every quarter of it. */
const runTimeoutMs = 5000;
const overheadTargetPct = 3;

/** 64 distinct generated timelines of 36-44 events (fixed seed: the bench is reproducible). */
function benchTimelines(): Timeline[] {
  const runs = fc.sample(runArb({ stepsMin: 14, stepsMax: 20 }), { seed: 20261126, numRuns: 1000 });
  return runs
    .map((r) => r.timeline)
    .filter((t) => t.events.length >= 36 && t.events.length <= 44)
    .slice(0, 64);
}

/** Simulates for `wallMs`; runs per second. */
async function runsPerSecond(
  timelines: readonly Timeline[],
  wallMs: number,
  board?: ProgressBoard,
): Promise<number> {
  const options = board === undefined ? {} : { progress: board };
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < wallMs) {
    await simulate(timelines[runs % timelines.length]!, referenceSendPath, options);
    runs++;
  }
  return (runs * 1000) / (performance.now() - start);
}

if (!isMainThread) {
  // The worker: one measurement per message, ticking on the board the main thread watches.
  tuneV8ForSimulation();
  const timelines = benchTimelines();
  const board = new ProgressBoard((workerData as { board: SharedArrayBuffer }).board);
  parentPort!.on('message', (wallMs: number) => {
    board.setBusy(true);
    void runsPerSecond(timelines, wallMs, board).then((rate) => {
      board.setBusy(false);
      parentPort!.postMessage(rate);
    });
  });
} else {
  tuneV8ForSimulation();
  const timelines = benchTimelines();
  const board = ProgressBoard.create();
  // A worker starts without this process's tsx: it registers it, then loads this file.
  const entry =
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(` +
    `${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(entry, { eval: true, workerData: { board: board.buffer } });
  const inWorker = (wallMs: number): Promise<number> =>
    new Promise((resolve) => {
      // The watcher as watchdog.ts runs it: a look at the ticks every quarter of the run timeout.
      let last = board.ticks();
      const watch = setInterval(() => {
        const ticks = board.ticks();
        if (ticks === last) throw new Error('bench: the worker made no progress');
        last = ticks;
      }, runTimeoutMs / 4);
      worker.once('message', (rate: number) => {
        clearInterval(watch);
        resolve(rate);
      });
      worker.postMessage(wallMs);
    });
  console.log(
    `watchdog bench: reference path, ${timelines.length} timelines, ${rounds} rounds of ` +
      `${measureMs} ms per mode`,
  );
  await runsPerSecond(timelines, warmUpMs);
  await inWorker(warmUpMs);
  const plain: number[] = [];
  const ticking: number[] = [];
  const watched: number[] = [];
  for (let round = 0; round < rounds; round++) {
    plain.push(await runsPerSecond(timelines, measureMs));
    ticking.push(await runsPerSecond(timelines, measureMs, ProgressBoard.create()));
    watched.push(await inWorker(measureMs));
    console.log(
      `  round ${round + 1}: this thread ${plain.at(-1)!.toFixed(0)} runs/s, ticking ` +
        `${ticking.at(-1)!.toFixed(0)}, watched worker ${watched.at(-1)!.toFixed(0)}`,
    );
  }
  await worker.terminate();
  const median = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const overhead = (xs: number[]): number => (1 - median(xs) / median(plain)) * 100;
  console.log(
    `  median runs/s: this thread ${median(plain).toFixed(0)}, ticking on a board ` +
      `${median(ticking).toFixed(0)} (${overhead(ticking).toFixed(1)} %), in a watched ` +
      `worker ${median(watched).toFixed(0)} (${overhead(watched).toFixed(1)} %)`,
  );
  const ok = overhead(watched) < overheadTargetPct;
  console.log(
    `  watchdog overhead: ${overhead(watched).toFixed(1)} % (${ok ? 'ok' : 'MISSED'}, ` +
      `target < ${overheadTargetPct} %)`,
  );
}
