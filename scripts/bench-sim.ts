/**
 * Simulator throughput: simulates 40-event timelines many times with a simple correct send path
 * (and the reference path) and prints wall ms per virtual second, runs/s and timers/s.
 * Run: `npx tsx scripts/bench-sim.ts [runs]`. Target: well under 1 ms wall per virtual second,
 * and >= 2,000 runs/s per core on 40-event timelines.
 */
import { performance } from 'node:perf_hooks';
import { referenceSendPath } from '../src/index.js';
import type { SendPathFactory } from '../src/ports.js';
import { simulate } from '../sim/simulate.js';
import type { Timeline } from '../sim/timeline.js';
import { generatedTimeline, tinyPath } from '../test/sim/helpers.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

tuneV8ForSimulation();

const runsArg = Number(process.argv[2] ?? 2000);
const runs = Number.isInteger(runsArg) && runsArg > 0 && runsArg <= 1_000_000 ? runsArg : 2000;

/** 16 distinct 40-event timelines (seeded, so the bench is reproducible). */
function timelines(): Timeline[] {
  const out: Timeline[] = [];
  for (let seed = 1; out.length < 16 && seed < 100_000; seed++) {
    const t = generatedTimeline(seed, 40);
    if (t.events.length === 40) out.push(t);
  }
  return out;
}

async function bench(name: string, factory: SendPathFactory, set: Timeline[]): Promise<void> {
  for (let i = 0; i < 50; i++) await simulate(set[i % set.length]!, factory); // warm-up
  let virtualMs = 0;
  let timers = 0;
  let steps = 0;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const h = await simulate(set[i % set.length]!, factory);
    virtualMs += h.endedAt;
    timers += h.timers.path.fired;
    steps += h.timers.firedTotal;
  }
  const wallMs = performance.now() - t0;
  const virtualS = virtualMs / 1000;
  console.log(
    `${name.padEnd(10)} runs=${runs}  wall=${wallMs.toFixed(0)} ms  ` +
      `wall ms per virtual s=${(wallMs / virtualS).toFixed(4)}  runs/s=` +
      `${((runs / wallMs) * 1000).toFixed(0)}  ` +
      `timers/s=${((steps / wallMs) * 1000).toFixed(0)} (path ` +
      `${((timers / wallMs) * 1000).toFixed(0)})  ` +
      `mean virtual s/run=${(virtualS / runs).toFixed(1)}  steps/run=${(steps / runs).toFixed(0)}`,
  );
}

const set = timelines();
await bench('tinyPath', tinyPath, set);
await bench('reference', referenceSendPath, set);
