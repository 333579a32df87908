/**
 * `npm run bench` (about 80 s): speed and strength of the harness as printed facts (README quotes
 * them).
 *
 *  1. reference path on generated ~40-event timelines, one core: runs/s (simulate + check),
 *     virtual seconds per wall second, fake-timer firings per second;
 *  2. the same runs under a naïve harness (fake-timers' `nextAsync` stepping), same process,
 *     same histories (checked), as a speed ratio measured side by side (blocks alternating);
 *  3. per specimen: detection rate, median and p95 wall time to first detection, shrink time and
 *     shrunk size (campaigns of 100 runs, several seeds, searching the property it shows);
 *  4. sharding: one 100,000-run campaign through the CLI, in a fresh process per worker count
 *     (1 = the CLI process alone, 2 = it and one child process), twice each, alternating; same
 *     summary (checked), scaling ratio, and a 2,000-run campaign on 1 and 2 workers (where
 *     start-up dominates);
 *  5. memory: 10,000 replies queued during an outage, heap delta, and `OutboxFullError` past
 *     `maxPending`;
 *  6. interception (audit of a module as written): runs/s next to the seam's on the same
 *     timelines, a 10,000-run `audit` of the as-written correct fixture through the CLI next to
 *     the reference's, and what a fresh module graph per run would cost next to `reset()`.
 * Where two things are compared, the bench prints their ratio, both measured in this process
 * (blocks interleaved, scripts/benchRatios.ts) or in alternating pairs of processes, with the
 * machine's load beside it: a run's cost per fake-timer firing over the `setImmediate` drain
 * floor, as-written audits over the seam, 1 -> 2 workers, and with `--versus <checkout>` this
 * checkout's runs/s over another's on the same timelines (scripts/bench-versus.ts). `--cpu` times
 * the in-process blocks by CPU time (on a machine shared with other work).
 * Targets live here (the table's last column), never in timed tests.
 *   npm run bench [-- --quick] [-- --cpu] [-- --versus <checkout>]
 */
import './benchNaiveHarness.js'; // first: must patch fake-timers before sim/clock.ts loads
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runArb } from '../properties/generation/arbitraries.js';
import { runCampaign } from '../properties/campaigns/campaign.js';
import { judge } from '../properties/campaigns/judge.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { specimens } from '../properties/specimens/index.js';
import { VirtualClock } from '../sim/clock.js';
import { fingerprint } from '../sim/history.js';
import type { Timeline } from '../sim/timeline.js';
import { withNaiveStepping } from './benchNaiveHarness.js';
import { measureQueuedReplies, queuedRepliesHeapBytesMax } from './benchMemory.js';
import { simulationProcessV8Flags } from '../sim/v8Tuning.js';
import {
  correctFixture,
  freshGraphCost,
  interceptionThroughput,
  replyTimelines,
} from './benchIntercept.js';
import {
  clockFirings,
  cpuMs,
  judgedRuns,
  setImmediateDrains,
  sideBySide,
  type Side,
  type SideBySide,
} from './benchRatios.js';
import { restartWithSimulationFlags } from './simulationProcess.js';
import { measureVersus, versusLines } from './bench-versus.js';
import { loadSendPath } from '../properties/paths/loadSendPath.js';
import { parseArgs } from 'node:util';

await restartWithSimulationFlags();

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    cpu: { type: 'boolean', default: false },
    versus: { type: 'string' },
  },
});
const quick = flags.quick ?? false;
/** How the in-process side-by-side blocks are timed. */
const blockClock = flags.cpu ? cpuMs : () => performance.now();
const clockName = flags.cpu ? 'CPU time' : 'wall time';
/** Seconds each side-by-side ratio is measured for (after its warm-up). */
const ratioSeconds = quick ? 6 : 20;
/** Wall time each throughput measurement runs for. */
const throughputWallMs = quick ? 1000 : 4000;
/** Campaign seeds per specimen (100 runs each, like `scripts/detection.ts`). */
const specimenSeeds = quick ? 5 : 20;
/** Runs of the sharding campaign (chunks of 100), as the scaling target is stated. */
const shardRuns = 10_000;
/** Repetitions of each worker count, alternating. */
const shardReps = quick ? 2 : 4;

/** Targets the bench checks its figures against. */
const targets = {
  runsPerS: 2000,
  virtualPerWall: 50_000,
  detectP95Ms: 1000,
  shrinkMs: 2000,
  shrinkMedianMs: 500,
  scaling: 1.5,
  naiveRatio: 1,
  firingOverFloor: 2.5,
  asWrittenOverSeam: 0.8,
  versus: 1.25,
};

const rows: [string, string, string][] = [];
const row = (what: string, value: string, target: string): void => {
  rows.push([what, value, target]);
  console.log(`  ${what}: ${value}${target ? `  (${target})` : ''}`);
};
const verdict = (ok: boolean, target: string): string =>
  `${ok ? 'ok' : 'MISSED'}, target ${target}`;
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number =>
  xs.length === 0 ? NaN : sorted(xs)[Math.floor((xs.length - 1) / 2)]!;
const p95 = (xs: number[]): number =>
  xs.length === 0 ? NaN : sorted(xs)[Math.min(xs.length - 1, Math.ceil(0.95 * xs.length) - 1)]!;

/** 64 distinct generated timelines of 36-44 events (fixed seed: the bench is reproducible). */
function benchTimelines(): Timeline[] {
  const runs = fc.sample(runArb({ stepsMin: 14, stepsMax: 20 }), { seed: 20261126, numRuns: 1000 });
  return runs
    .map((r) => r.timeline)
    .filter((t) => t.events.length >= 36 && t.events.length <= 44)
    .slice(0, 64);
}

interface Throughput {
  runs: number;
  wallMs: number;
  virtualMs: number;
  timersFired: number;
  events: number;
}

/** Wall time spent running before each throughput measurement: JIT and heap sizing settle first. */
const warmUpWallMs = quick ? 500 : 2000;
const execFileAsync = promisify(execFile);

/**
 * Judges timelines round-robin for `wallMs` (after {@link warmUpWallMs} of the same) on this
 * thread.
 */
async function throughput(set: readonly Timeline[], wallMs: number): Promise<Throughput> {
  const reference = builtInSendPath('reference');
  const warmUpStart = performance.now();
  for (let i = 0; performance.now() - warmUpStart < warmUpWallMs; i++)
    await judge(set[i % set.length]!, reference);
  const out: Throughput = { runs: 0, wallMs: 0, virtualMs: 0, timersFired: 0, events: 0 };
  const t0 = performance.now();
  do {
    for (let k = 0; k < set.length; k++) {
      const timeline = set[k]!;
      const { history } = await judge(timeline, reference);
      out.runs++;
      out.virtualMs += history.endedAt;
      out.timersFired += history.timers.firedTotal;
      out.events += timeline.events.length;
    }
  } while (performance.now() - t0 < wallMs);
  out.wallMs = performance.now() - t0;
  return out;
}

async function fingerprints(set: readonly Timeline[]): Promise<string[]> {
  const reference = builtInSendPath('reference');
  const out: string[] = [];
  for (const timeline of set) out.push(fingerprint((await judge(timeline, reference)).history));
  return out;
}

interface CliCampaign {
  /**
   * The campaign's own wall time (from its summary): loading the send path to the merged result.
   */
  wallMs: number;
  /** The summary without wall-time fields. */
  summary: Record<string, unknown>;
}

/**
 * Runs `baileys-sim run --json` (or `audit <module>`) in a fresh process and returns its summary.
 */
async function cliCampaign(workers: number, runs: number, module?: string): Promise<CliCampaign> {
  const bin = fileURLToPath(new URL('../bin/baileys-sim.js', import.meta.url));
  const what = module === undefined ? ['run', '--path', 'reference'] : ['audit', module];
  const args = [
    bin,
    ...what,
    '--seed',
    '7',
    '--runs',
    String(runs),
    '--workers',
    String(workers),
    '--json',
  ];
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const {
    wallMs,
    runsPerSecond: _runsPerSecond,
    ...summary
  } = JSON.parse(stdout) as { wallMs: number; runsPerSecond: number };
  return { wallMs, summary };
}

const started = performance.now();
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown cpu';
console.log(
  `baileys-sim bench  ${new Date().toISOString().slice(0, 10)}  ${cpu}, ` +
    `${os.availableParallelism()} cores, Node ${process.version}, V8 ` +
    `${simulationProcessV8Flags.join(' ')}${quick ? '  (quick)' : ''}\n`,
);

/** The ratios of the speed targets, printed again together at the end. */
const ratioRows: [string, string, string][] = [];
const loadText = (load: readonly number[]): string =>
  `load ${load.map((l) => fmt(l, 1)).join(' -> ')}`;
/** Prints a ratio and how it was measured as a row, and keeps it for the ratios' table. */
function ratioRow(what: string, value: number, detail: string, ok: boolean, target: string): void {
  row(what, `${fmt(value, 2)}x (${detail})`, verdict(ok, target));
  ratioRows.push([what, `${fmt(value, 2)}x`, `${verdict(ok, target)}; ${detail}`]);
}
/** How a side-by-side ratio was measured: its block ratios' spread, the clock, the load. */
function sideBySideDetail(measured: SideBySide): string {
  const [q1, median, q3] = measured.quartiles;
  const quartiles = `quartiles ${fmt(q1, 2)}-${fmt(q3, 2)}`;
  const spread = `${measured.pairs} block pairs, median ${fmt(median, 2)}, ${quartiles}`;
  return `${spread}, ${clockName}, ${loadText(measured.load)}`;
}

// 1-2. Throughput, ours vs naive.
const set = benchTimelines();
const eventsMean = set.reduce((n, t) => n + t.events.length, 0) / set.length;
console.log(
  `reference path, ${set.length} generated timelines of ~${fmt(eventsMean)} events, one ` +
    `thread, after ${fmt(warmUpWallMs / 1000, 1)} s warm-up`,
);
const ours = await throughput(set, throughputWallMs);
const runsPerS = (ours.runs / ours.wallMs) * 1000;
const virtualPerWall = ours.virtualMs / ours.wallMs;
row(
  'runs/s (simulate + check)',
  fmt(runsPerS),
  verdict(runsPerS >= targets.runsPerS, `>= ${fmt(targets.runsPerS)}`),
);
row(
  'virtual s per wall s',
  `${fmt(virtualPerWall)}x`,
  verdict(virtualPerWall >= targets.virtualPerWall, `>= ${fmt(targets.virtualPerWall)}x`),
);
row('fake-timer firings/s', fmt((ours.timersFired / ours.wallMs) * 1000), '');
row('mean virtual s per run', fmt(ours.virtualMs / ours.runs / 1000, 1), '');

const naiveTarget = VirtualClock.prototype as unknown as { run: unknown };
const oursPrints = await fingerprints(set);
const naivePrints = await withNaiveStepping(naiveTarget, () => fingerprints(set));
const sameHistories = naivePrints.every((p, i) => p === oursPrints[i]);
// Ours and the naive stepping take turns in blocks (scripts/benchRatios.ts): measured one after
// the other, the first measured ran while the JIT was still settling, and a shared machine's load
// moved between the two.
const reference = builtInSendPath('reference');
const oursRuns = judgedRuns(reference, set);
const naiveRuns = judgedRuns(reference, set);
const naiveSide: Side = { block: () => withNaiveStepping(naiveTarget, () => naiveRuns.block()) };
const versusNaive = await sideBySide(naiveSide, oursRuns, ratioSeconds / 2, blockClock);
const naiveRatio = versusNaive.perUnitMs[0] / versusNaive.perUnitMs[1];
row(
  'naive harness (fake-timers nextAsync) runs/s, side by side with ours',
  `${fmt(1000 / versusNaive.perUnitMs[0])} / ${fmt(1000 / versusNaive.perUnitMs[1])}`,
  `same histories: ${sameHistories ? 'yes' : 'NO'}`,
);
ratioRow(
  'ours / naive speed',
  naiveRatio,
  sideBySideDetail(versusNaive),
  naiveRatio > targets.naiveRatio && sameHistories,
  '> 1x, same histories',
);

/**
 * A run's cost per fake-timer firing over the floor, a bare setImmediate drain (the macrotask the
 * loop yields per timer); then the clock's own cost per firing (loop, views, fake-timers, with
 * callbacks that do nothing) over the same floor. Blocks of each pair alternate in this process.
 */
async function firingsOverFloor(): Promise<void> {
  const title = 'fake-timer firings next to the setImmediate drain floor';
  console.log(`\n${title}, ${ratioSeconds} s side by side`);
  const runs = judgedRuns(builtInSendPath('reference'), set, true);
  const floor = await sideBySide(runs, setImmediateDrains(), ratioSeconds, blockClock);
  const [perFiringMs, perDrainMs] = floor.perUnitMs;
  const micros = `${fmt(perFiringMs * 1000, 2)} / ${fmt(perDrainMs * 1000, 2)}`;
  const what = 'µs per fake-timer firing (a whole run: simulate + check) / per setImmediate drain';
  row(what, micros, '');
  const ratio = perFiringMs / perDrainMs;
  const target = targets.firingOverFloor;
  const detail = sideBySideDetail(floor);
  ratioRow('firing cost / drain floor', ratio, detail, ratio <= target, `<= ${target}x`);
  const drains = setImmediateDrains();
  const alone = await sideBySide(clockFirings(), drains, ratioSeconds / 2, blockClock);
  const aloneRatio = alone.perUnitMs[0] / alone.perUnitMs[1];
  const aloneWhat = 'the clock alone (empty timers) per firing / drain floor';
  row(aloneWhat, `${fmt(aloneRatio, 2)}x`, sideBySideDetail(alone));
}
await firingsOverFloor();

// 3. Specimens: detection, then the shrink of every property each campaign broke.
console.log(
  `\n` +
    `specimens: ${specimenSeeds} seeds x 100 runs each, searching the properties each ` +
    `exists ` +
    `to show`,
);
const specimenTable: string[] = [];
let worstDetectP95 = 0;
const allShrinkMs: number[] = [];
const allShrinkCandidates: number[] = [];
for (const specimen of specimens) {
  const path = builtInSendPath(`specimen:${specimen.name}`);
  const detectMs: number[] = [];
  const shrinkMs: number[] = [];
  const shrunk: number[] = [];
  for (let seed = 1; seed <= specimenSeeds; seed++) {
    const t0 = performance.now();
    const runDoneAt: number[] = [];
    const result = await runCampaign({
      path,
      seed,
      numRuns: 100,
      only: specimen.caughtBy,
      determinismEvery: 0,
      onRun: () => void runDoneAt.push(performance.now()),
    });
    if (result.failures.length === 0) continue;
    const first = Math.min(...result.failures.map((f) => f.runIndex));
    detectMs.push(runDoneAt[first]! - t0);
    for (const failure of result.failures) {
      shrinkMs.push(failure.shrinkWallMs);
      allShrinkCandidates.push(failure.shrinkSimulations);
      shrunk.push(failure.timeline.events.length);
    }
  }
  allShrinkMs.push(...shrinkMs);
  worstDetectP95 = Math.max(worstDetectP95, p95(detectMs));
  specimenTable.push(
    `| ${specimen.name} | ${detectMs.length}/${specimenSeeds} | ${fmt(median(detectMs))} ` +
      `| ${fmt(p95(detectMs))} | ${fmt(median(shrinkMs))} | ${fmt(Math.max(...shrinkMs))} ` +
      `| ` +
      `${median(shrunk)} | ${Math.max(...shrunk)} |`,
  );
}
console.log(
  '| specimen | detected | median ms to detect | p95 ms to detect | median shrink ms | ' +
    'max shrink ms | median shrunk events | max shrunk events |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const line of specimenTable) console.log(line);
const worstShrink = Math.max(...allShrinkMs);
row(
  'worst p95 ms to first detection',
  fmt(worstDetectP95),
  verdict(worstDetectP95 <= targets.detectP95Ms, `<= ${targets.detectP95Ms} ms`),
);
row(
  'median shrink ms (every property of every campaign)',
  fmt(median(allShrinkMs)),
  verdict(median(allShrinkMs) <= targets.shrinkMedianMs, `<= ${targets.shrinkMedianMs} ms`),
);
row(
  'worst shrink ms',
  fmt(worstShrink),
  verdict(worstShrink <= targets.shrinkMs, `<= ${targets.shrinkMs} ms`),
);
// Where a shrink's time goes: every candidate is one simulation of the send path (two for
// `deterministic`), and invalid candidates are skipped before simulating.
const candidateMs =
  allShrinkMs.reduce((a, b) => a + b, 0) /
  Math.max(
    1,
    allShrinkCandidates.reduce((a, b) => a + b, 0),
  );
row(
  'shrink candidates simulated (median / worst)',
  `${median(allShrinkCandidates)} / ${Math.max(...allShrinkCandidates)}`,
  `${fmt(candidateMs, 2)} ms per candidate: simulating it is nearly all of a shrink`,
);

// 4. Sharding: each worker count as its own fresh CLI process, as a user runs it (cold JIT in
// both; the 2-worker figure includes starting the pool).
console.log(
  `\n` +
    `sharding: \`baileys-sim run --runs ${fmt(shardRuns)}\` (reference, default ` +
    `timelines), ` +
    `fresh process per worker count`,
);
// Alternating repetitions: this VM's wall times vary by about 10 % from run to run.
const ones: CliCampaign[] = [];
const twos: CliCampaign[] = [];
const pairLoads: number[] = [];
for (let rep = 0; rep < shardReps; rep++) {
  pairLoads.push(os.loadavg()[0]!);
  ones.push(await cliCampaign(1, shardRuns));
  twos.push(await cliCampaign(2, shardRuns));
}
pairLoads.push(os.loadavg()[0]!);
const summaries = [...ones, ...twos].map((c) => JSON.stringify(c.summary));
const sameSummary = summaries.every((s) => s === summaries[0]);
const meanWallMs = (cs: CliCampaign[]): number => cs.reduce((n, c) => n + c.wallMs, 0) / cs.length;
const walls = (cs: CliCampaign[]): string => cs.map((c) => fmt(c.wallMs)).join(', ');
const scaling = meanWallMs(ones) / meanWallMs(twos);
const ratios = ones.map((o, i) => o.wallMs / twos[i]!.wallMs);
row(
  '1 worker (the CLI process alone) wall ms',
  walls(ones),
  `${fmt((shardRuns / meanWallMs(ones)) * 1000)} runs/s`,
);
row(
  '2 workers (it and one child) wall ms',
  walls(twos),
  `${fmt((shardRuns / meanWallMs(twos)) * 1000)} runs/s, same summary: ` +
    `${sameSummary ? 'yes' : 'NO'}`,
);
const shortOne = await cliCampaign(1, 2000);
const shortTwo = await cliCampaign(2, 2000);
row(
  '2,000-run campaign, 1 -> 2 workers wall ms',
  `${fmt(shortOne.wallMs)} -> ${fmt(shortTwo.wallMs)}`,
  'a child process starts in about a second: short campaigns gain nothing',
);
ratioRow(
  `scaling 1 -> 2 workers, ${fmt(shardRuns)} runs (mean walls)`,
  scaling,
  `alternating pairs: ${ratios.map((r) => fmt(r, 2)).join(', ')}; ${loadText(pairLoads)}`,
  scaling >= targets.scaling && sameSummary,
  `>= ${targets.scaling}x, same summary`,
);

// 5. Memory.
console.log('\nmemory: 10,000 replies queued during an outage (reference path, maxPending 10,000)');
const memory = await measureQueuedReplies(10_000);
row(
  'heap delta, 10,000 queued replies',
  `${fmt(memory.heapDeltaBytes / 1024 / 1024, 1)} MiB (` +
    `${fmt(memory.heapDeltaBytes / memory.queued)} B/reply)`,
  verdict(
    memory.heapDeltaBytes <= queuedRepliesHeapBytesMax,
    `<= ${fmt(queuedRepliesHeapBytesMax / 1024 / 1024)} MiB`,
  ),
);
row(
  'reply 10,001 refused',
  memory.refusal,
  verdict(memory.refusal === 'OutboxFullError', 'OutboxFullError'),
);
row(
  'after stop: replies settled',
  `${fmt(memory.settled)}/${fmt(memory.queued)}, path timers alive ${memory.timersAliveAfterStop}`,
  verdict(memory.settled === memory.queued && memory.timersAliveAfterStop === 0, 'all, 0 timers'),
);

// 6. Interception.
console.log(
  '\ninterception: the same timelines (text replies only), one thread, after the same warm-up',
);
const intercepted = await interceptionThroughput(throughputWallMs, warmUpWallMs);
row('seam: reference runs/s', fmt(intercepted.seam), '');
row(
  'intercepted: reference with timers, Date, randomness intercepted runs/s',
  fmt(intercepted.referenceIntercepted),
  `${fmt(intercepted.referenceIntercepted / intercepted.seam, 2)}x the seam`,
);
row(
  'intercepted: as-written correct fixture runs/s',
  fmt(intercepted.asWritten),
  `${fmt(intercepted.asWritten / intercepted.seam, 2)}x the seam`,
);
// The same two side by side: blocks alternate in this process, so the machine's swings fall on
// both (the figures above ran one after the other).
const replySet = replyTimelines();
const asWrittenVsSeam = await sideBySide(
  judgedRuns(builtInSendPath('reference'), replySet),
  judgedRuns(await loadSendPath(correctFixture), replySet),
  ratioSeconds,
  blockClock,
);
const asWrittenRatio = asWrittenVsSeam.perUnitMs[0] / asWrittenVsSeam.perUnitMs[1];
ratioRow(
  "as-written audit runs/s / the seam's",
  asWrittenRatio,
  sideBySideDetail(asWrittenVsSeam),
  asWrittenRatio >= targets.asWrittenOverSeam,
  `>= ${targets.asWrittenOverSeam}x`,
);
const auditRuns = quick ? 2000 : 10_000;
const seamAudit = await cliCampaign(1, auditRuns);
const interceptAudit = await cliCampaign(1, auditRuns, correctFixture);
row(
  `${fmt(auditRuns)}-run campaign, --workers 1: reference (seam) -> as-written fixture ` +
    `(intercepted) wall ms`,
  `${fmt(seamAudit.wallMs)} -> ${fmt(interceptAudit.wallMs)}`,
  'intercepted runs go in a worker process of their own (about a second to start)',
);
const fresh = await freshGraphCost(quick ? 100 : 500);
row(
  'fresh module graph per run: import ms / heap kept per import',
  `${fmt(fresh.importMs, 2)} ms / ${fmt(fresh.heapKeptBytes / 1024, 1)} KiB`,
  `reset(): ${fmt(fresh.resetUs, 2)} µs, nothing kept`,
);

/** This checkout next to `other` (the main a speed target was set against), same timelines. */
async function versusOther(other: string): Promise<void> {
  console.log(`\nthis checkout next to ${other}, blocks interleaved (scripts/bench-versus.ts)`);
  const load0 = os.loadavg()[0]!;
  const cpu = flags.cpu ?? false;
  const versus = await measureVersus({ other, seconds: ratioSeconds * 2, cpu });
  for (const line of versusLines(versus)) console.log(`  ${line}`);
  const [q1, median, q3] = versus.blockQuartiles;
  const spread = `median ${fmt(median, 2)}, quartiles ${fmt(q1, 2)}-${fmt(q3, 2)}`;
  const detail = `${spread}, ${loadText([load0, os.loadavg()[0]!])}`;
  const ok = versus.ratio >= targets.versus;
  ratioRow('runs/s this / other checkout', versus.ratio, detail, ok, `>= ${targets.versus}x`);
}
// 7. Against another checkout, when given.
if (flags.versus === undefined) {
  ratioRows.push(['runs/s vs another checkout', 'not measured', 'give --versus <checkout>']);
} else {
  await versusOther(flags.versus);
}

console.log('\nspeed ratios (each measured side by side)\n');
console.log('| ratio | value | target; how measured |');
console.log('|---|---|---|');
for (const [what, value, target] of ratioRows) console.log(`| ${what} | ${value} | ${target} |`);

console.log(`\nsummary (${fmt((performance.now() - started) / 1000, 1)} s)\n`);
console.log('| measure | value | target |');
console.log('|---|---|---|');
for (const [what, value, target] of rows) console.log(`| ${what} | ${value} | ${target} |`);
const missed = rows.filter(([, , target]) => target.startsWith('MISSED'));
if (missed.length > 0) {
  console.log(`\n${missed.length} target(s) missed`);
  process.exitCode = 1;
}
