/**
 * Throughput of this checkout next to another one (a release's worktree, the main branch before a
 * change) on the same timelines, in one process: blocks of runs of the two alternate, so the
 * machine's noise (this project's reference VM swings ±20 % from one minute to the next) falls on
 * both alike. Each side simulates the reference path of its own checkout and judges every run
 * with its own checkers, as `npm run bench` does.
 *
 *   npx tsx scripts/bench-versus.ts <other checkout> [--seconds 30] [--compiled] [--campaign]
 *     [--cpu]
 *
 * The timelines are drawn by the other checkout's test generator (`generatedTimeline` in
 * `test/sim/helpers.ts`, 40 events at most) when it has one, since an older checkout's generator
 * speaks only the event kinds it knows, else by this one's; kept are the first 40 with at least
 * 20 events that both checkouts' `parseTimeline` accept. `--compiled` loads each checkout's
 * `dist/` (what the CLI and the package run; `npm run build` makes it) instead of its TypeScript
 * through tsx, whose `keepNames` gives every closure a `name` at run time.
 * `--campaign` times whole campaigns instead (each side's own `runCampaign` of the reference, its
 * own generator and determinism re-runs, the same seed per block on both sides): what a clean CI
 * job costs, campaign machinery included. `--cpu` times each block by the process's CPU time
 * instead of the wall clock: on a machine shared with other work, a block's wall time is mostly
 * its share of the cores, its CPU time what it cost.
 * Prints each side's runs/s, the ratio over the whole measurement and the spread of the block
 * ratios. A target lives in the issue or the docs that quote the figure, never here.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { restartWithSimulationFlags } from './simulationProcess.js';

/** Runs per block: long enough to time, short enough that noise hits both sides alike. */
const blockRuns = 40;
/**
 * Warm-up before measuring (the JIT's first second runs at half speed), at most the measurement's
 * length.
 */
const warmUpMsMax = 3000;
const timelinesWanted = 40;
const eventsMin = 20;
const seedsTriedMax = 100_000;
const secondsMax = 3600;

interface Checkout {
  parseTimeline(input: unknown): unknown;
  simulate(timeline: unknown, factory: unknown): Promise<unknown>;
  checkAll(history: unknown): unknown[];
  readonly reference: unknown;
  readonly generatedTimeline: ((seed: number, eventsMax: number) => unknown) | undefined;
  runCampaign(options: { path: unknown; seed: number; numRuns: number }): Promise<unknown>;
  readonly referencePath: unknown;
}

/** The first of `candidates` (paths inside `root`, without extension) that exists, as a URL. */
function moduleOf(root: string, compiled: boolean, ...candidates: string[]): string {
  const tried: string[] = [];
  for (const candidate of candidates) {
    const file = compiled
      ? path.join(root, 'dist', `${candidate}.js`)
      : path.join(root, `${candidate}.ts`);
    if (existsSync(file)) return pathToFileURL(file).href;
    tried.push(file);
  }
  const hint = compiled ? ' (build it first: `npm run build` there)' : '';
  throw new Error(
    `${root} is not a baileys-sim checkout${hint}: none of ${tried.join(', ')} exists`,
  );
}

async function load(root: string, compiled: boolean): Promise<Checkout> {
  const timeline = await import(moduleOf(root, compiled, 'sim/timeline'));
  const sim = await import(moduleOf(root, compiled, 'sim/simulate'));
  const checkers = await import(
    moduleOf(root, compiled, 'properties/judging/checkers', 'properties/checkers')
  );
  const src = await import(moduleOf(root, compiled, 'src/index'));
  const campaign = await import(
    moduleOf(root, compiled, 'properties/campaigns/campaign', 'properties/campaign')
  );
  const paths = await import(
    moduleOf(root, compiled, 'properties/paths/sendPaths', 'properties/sendPaths')
  );
  const helpers = path.join(root, 'test/sim/helpers.ts');
  const generator = existsSync(helpers) ? await import(pathToFileURL(helpers).href) : undefined;
  return {
    parseTimeline: timeline.parseTimeline,
    simulate: sim.simulate,
    checkAll: checkers.checkAll,
    reference: src.referenceSendPath,
    generatedTimeline: generator?.generatedTimeline,
    runCampaign: campaign.runCampaign,
    referencePath: paths.builtInSendPath('reference'),
  };
}

/** Timelines both checkouts accept, each parsed by each checkout. */
function commonTimelines(
  draw: NonNullable<Checkout['generatedTimeline']>,
  sides: Checkout[],
): unknown[][] {
  const parsed: unknown[][] = sides.map(() => []);
  for (let seed = 1; parsed[0]!.length < timelinesWanted && seed < seedsTriedMax; seed++) {
    const raw = JSON.parse(JSON.stringify(draw(seed, 40))) as { events: unknown[] };
    if (raw.events.length < eventsMin) continue;
    try {
      const each = sides.map((side) => side.parseTimeline(structuredClone(raw)));
      each.forEach((t, i) => parsed[i]!.push(t));
    } catch {
      // An event kind or field one of the two does not know: not a common timeline.
    }
  }
  if (parsed[0]!.length < timelinesWanted)
    throw new Error(`only ${parsed[0]!.length} common timelines in ${seedsTriedMax} seeds`);
  return parsed;
}

/**
 * Runs one block of `side` over its timelines, round-robin from `cursor`; returns the violations
 * seen.
 */
async function runBlock(
  side: Checkout,
  timelines: unknown[],
  cursor: { next: number },
): Promise<number> {
  let violations = 0;
  for (let i = 0; i < blockRuns; i++) {
    const history = await side.simulate(
      timelines[cursor.next++ % timelines.length],
      side.reference,
    );
    violations += side.checkAll(history).length;
  }
  return violations;
}

/** One campaign of `blockRuns` runs of the reference with `seed`: the block of `--campaign`. */
async function runCampaignBlock(side: Checkout, seed: number): Promise<number> {
  await side.runCampaign({ path: side.referencePath, seed, numRuns: blockRuns });
  return 0;
}

/** The process's CPU time so far (user and system), ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** What {@link measureVersus} measures, and how. */
interface VersusOptions {
  /** The other checkout's directory. */
  other: string;
  /** Measured seconds (after the warm-up). */
  seconds: number;
  /** Load each checkout's `dist/` instead of its TypeScript. */
  compiled?: boolean;
  /** Time whole campaigns instead of runs. */
  campaign?: boolean;
  /** Time blocks by the process's CPU time instead of the wall clock. */
  cpu?: boolean;
}

/** Both sides' rates over the same blocks, and the ratio this / other. */
interface VersusResult {
  other: string;
  here: string;
  /** Header line: what was run, how, how many blocks. */
  what: string;
  per: string;
  /** Runs per second (or per CPU second) of the other checkout, then of this one. */
  rates: [number, number];
  violations: [number, number];
  /** This / other over the whole measurement. */
  ratio: number;
  /** Block ratios: quartiles 0.25, 0.5, 0.75. */
  blockQuartiles: [number, number, number];
}

/** Measures this checkout against `options.other`, blocks interleaved in this process. */
export async function measureVersus(options: VersusOptions): Promise<VersusResult> {
  const { seconds } = options;
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= secondsMax)) {
    throw new Error(`--seconds must be a number in (0, ${secondsMax}], got ${seconds}`);
  }
  const compiled = options.compiled ?? false;
  const here = realpathSync(path.resolve(fileURLToPath(new URL('..', import.meta.url))));
  const there = realpathSync(path.resolve(options.other));
  const sides = [await load(there, compiled), await load(here, compiled)];
  const draw = sides[0]!.generatedTimeline ?? sides[1]!.generatedTimeline;
  if (draw === undefined) {
    const helpers = 'test/sim/helpers.ts generatedTimeline';
    throw new Error(`neither checkout has ${helpers} to draw timelines with`);
  }
  const timelines = commonTimelines(draw, sides);
  const campaigns = options.campaign ?? false;
  const clock = options.cpu ? cpuMs : () => performance.now();
  const cursors = sides.map(() => ({ next: 0 }));
  const violations: [number, number] = [0, 0];
  const block = async (i: number): Promise<number> => {
    const t0 = clock();
    const side = sides[i]!;
    violations[i]! += campaigns
      ? await runCampaignBlock(side, 1 + cursors[i]!.next++)
      : await runBlock(side, timelines[i]!, cursors[i]!);
    return clock() - t0;
  };
  const { spentMs, ratios } = await interleave(block, seconds, () => violations.fill(0));
  const rate = (i: number) => Math.round(((ratios.length * blockRuns) / spentMs[i]!) * 1000);
  const mode = compiled ? 'compiled dist/' : 'TypeScript through tsx';
  const work = campaigns
    ? `campaigns of the reference (each side's own generator, same seeds)`
    : `${timelines[0]!.length} common timelines (${eventsMin}-40 events)`;
  return {
    other: there,
    here,
    what: `${work}, ${mode}, ${ratios.length} blocks of ${blockRuns} runs per side`,
    per: options.cpu ? 'runs per CPU second' : 'runs/s',
    rates: [rate(0), rate(1)],
    violations,
    ratio: spentMs[0]! / spentMs[1]!,
    blockQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.5), quantile(ratios, 0.75)],
  };
}

/**
 * Warms both sides up, then times `block(0)` and `block(1)` in turns for `seconds`, which side
 * goes first alternating (neither always runs right after the other's garbage). `afterWarmUp` is
 * called between the two. Returns each side's time and the sorted block ratios other / this.
 */
async function interleave(
  block: (side: number) => Promise<number>,
  seconds: number,
  afterWarmUp: () => void,
): Promise<{ spentMs: [number, number]; ratios: number[] }> {
  const warmEnd = performance.now() + Math.min(warmUpMsMax, seconds * 1000);
  while (performance.now() < warmEnd) {
    await block(0);
    await block(1);
  }
  afterWarmUp();
  const spentMs: [number, number] = [0, 0];
  const ratios: number[] = [];
  for (const end = performance.now() + seconds * 1000; performance.now() < end;) {
    const order = ratios.length % 2 === 0 ? [0, 1] : [1, 0];
    const ms = [0, 0];
    for (const i of order) ms[i] = await block(i);
    spentMs[0] += ms[0]!;
    spentMs[1] += ms[1]!;
    ratios.push(ms[0]! / ms[1]!);
  }
  ratios.sort((a, b) => a - b);
  return { spentMs, ratios };
}

/** The lines the command prints for `result`. */
export function versusLines(result: VersusResult): string[] {
  const {
    rates,
    violations,
    per,
    blockQuartiles: [q1, median, q3],
  } = result;
  const side = (i: 0 | 1): string =>
    `${rates[i].toLocaleString('en')} ${per}, ${violations[i]} violations`;
  return [
    result.what,
    `other checkout ${result.other}: ${side(0)}`,
    `this checkout  ${result.here}: ${side(1)}`,
    `this / other: ${result.ratio.toFixed(3)} over the whole measurement; ` +
      `block ratios median ${median.toFixed(3)}, quartiles ${q1.toFixed(3)} to ${q3.toFixed(3)}`,
  ];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '30' },
      compiled: { type: 'boolean', default: false },
      campaign: { type: 'boolean', default: false },
      cpu: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= secondsMax)) {
    throw new Error(`--seconds must be a number in (0, ${secondsMax}], got ${values.seconds}`);
  }
  if (positionals.length !== 1) {
    const example = '`npx tsx scripts/bench-versus.ts ../baileys-sim-0.1.0`';
    throw new Error(`give the other checkout's directory, e.g. ${example}`);
  }
  await restartWithSimulationFlags();
  const result = await measureVersus({ ...values, other: positionals[0]!, seconds });
  for (const line of versusLines(result)) console.log(line);
}

// Run as a command; imported (by bench.ts), only the functions above are wanted.
const invoked = process.argv[1];
if (invoked !== undefined && realpathSync(invoked) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`bench-versus: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  });
}
