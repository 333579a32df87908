/**
 * Detection power: for each specimen, run the property campaign with many seeds (fast-check's
 * default 100 runs each) and print how often it is caught, how many runs that takes, and how
 * small the shrunk timeline is. Not a test: a measurement. Target: caught in >= 99 of 100
 * seeds. The verdict specimens follow: `never-connects` by the campaign property `exercised`
 * (a campaign of runs that all pass vacuously), `busy-loop` by `makes-progress` (a watched
 * campaign, its stalled run stopped after 1 s of wall time).
 *   npx tsx scripts/detection.ts [seeds=100] [runs=100] [specimen]
 */
import { runCampaign } from '../properties/campaigns/campaign.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { runShardedCampaign } from '../properties/campaigns/shard.js';
import { exercisedVerdict } from '../properties/judging/exercise.js';
import { specimens, verdictSpecimens } from '../properties/specimens/index.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

tuneV8ForSimulation();

const seeds = Number(process.argv[2] ?? 100);
const numRuns = Number(process.argv[3] ?? 100);

const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!);
const percentile = (xs: number[], p: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!);

console.log(`detection power: ${seeds} seeds x ${numRuns} runs per specimen (searching the property each specimen exists to show)\n`);
console.log('| specimen | caught by | detected | median runs to detect | median shrunk events | max shrunk events | shrunk 1-minimal | median ms per campaign | p95 ms |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const specimen of specimens.filter((s) => !process.argv[4] || s.name === process.argv[4])) {
  const path = builtInSendPath(`specimen:${specimen.name}`);
  const runsToDetect: number[] = [];
  const shrunk: number[] = [];
  const wall: number[] = [];
  let minimal = 0;
  for (let seed = 1; seed <= seeds; seed += 1) {
    // The campaign goes through every run; each property it searches is shrunk on its own.
    const result = await runCampaign({ path, seed, numRuns, only: specimen.caughtBy, determinismEvery: 0 });
    wall.push(result.wallMs);
    if (result.failures.length === 0) continue;
    const first = [...result.failures].sort((a, b) => a.runIndex - b.runIndex)[0]!;
    runsToDetect.push(first.runIndex + 1);
    shrunk.push(first.timeline.events.length);
    if (result.failures.every((f) => f.oneMinimal)) minimal += 1;
  }
  console.log(
    `| ${specimen.name} | ${specimen.caughtBy.join(', ')} | ${runsToDetect.length}/${seeds} | ${median(runsToDetect)} | ${median(shrunk)} | ${Math.max(...shrunk)} | ${minimal}/${runsToDetect.length} | ${median(wall).toFixed(0)} | ${percentile(wall, 0.95).toFixed(0)} |`,
  );
}

/** How a verdict specimen's campaign of `seed` ends: caught at run index, or not. */
async function verdictCaught(name: string, verdict: 'vacuous' | 'stalled', seed: number): Promise<{ caught: boolean; runs: number; wallMs: number }> {
  if (verdict === 'vacuous') {
    const result = await runCampaign({ path: builtInSendPath(`specimen:${name}`), seed, numRuns, determinismEvery: 0 });
    return { caught: !exercisedVerdict(result.exercise).held, runs: result.runs, wallMs: result.wallMs };
  }
  const started = performance.now();
  const result = await runShardedCampaign({ pathSpec: `specimen:${name}`, workers: 1, seed, numRuns, runTimeoutMs: 1000 });
  const stall = result.failures.find((f) => f.property === 'makes-progress');
  return { caught: stall !== undefined, runs: stall === undefined ? result.runs : stall.runIndex + 1, wallMs: performance.now() - started };
}

console.log('\n| verdict specimen | caught by | detected | median runs to detect | median ms per campaign |');
console.log('|---|---|---|---|---|');
for (const specimen of verdictSpecimens.filter((s) => !process.argv[4] || s.name === process.argv[4])) {
  const property = specimen.caughtByVerdict === 'vacuous' ? 'exercised' : 'makes-progress';
  const runs: number[] = [];
  const wall: number[] = [];
  for (let seed = 1; seed <= seeds; seed += 1) {
    const outcome = await verdictCaught(specimen.name, specimen.caughtByVerdict, seed);
    wall.push(outcome.wallMs);
    if (outcome.caught) runs.push(outcome.runs);
  }
  console.log(`| ${specimen.name} | ${property} (campaign) | ${runs.length}/${seeds} | ${median(runs)} | ${median(wall).toFixed(0)} |`);
}
