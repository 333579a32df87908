/**
 * Detection power: for each specimen, run the property campaign with many seeds (fast-check's
 * default 100 runs each) and print how often it is caught, how many runs that takes, and how
 * small the shrunk timeline is. Not a test: a measurement. Targets: caught in >= 99 of 100
 * seeds, shrunk timeline <= 6 events.
 *   npx tsx scripts/detection.ts [seeds=100] [runs=100]
 */
import { runCampaign } from '../properties/campaigns/campaign.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { specimens } from '../properties/specimens/index.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

tuneV8ForSimulation();

const seeds = Number(process.argv[2] ?? 100);
const numRuns = Number(process.argv[3] ?? 100);

const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!);
const percentile = (xs: number[], p: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!);

console.log(`detection power: ${seeds} seeds x ${numRuns} runs per specimen (searching the property each specimen exists to show)\n`);
console.log('| specimen | caught by | detected | median runs to detect | median shrunk events | max shrunk events | median ms to detect+shrink | p95 ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const specimen of specimens.filter((s) => !process.argv[4] || s.name === process.argv[4])) {
  const path = builtInSendPath(`specimen:${specimen.name}`);
  const runsToDetect: number[] = [];
  const shrunk: number[] = [];
  const wall: number[] = [];
  for (let seed = 1; seed <= seeds; seed += 1) {
    const result = await runCampaign({ path, seed, numRuns, only: specimen.caughtBy, determinismEvery: 0 });
    if (!result.failure) continue;
    runsToDetect.push(result.failure.runIndex + 1);
    shrunk.push(result.failure.timeline.events.length);
    wall.push(result.wallMs);
  }
  console.log(
    `| ${specimen.name} | ${specimen.caughtBy.join(', ')} | ${runsToDetect.length}/${seeds} | ${median(runsToDetect)} | ${median(shrunk)} | ${Math.max(...shrunk)} | ${median(wall).toFixed(0)} | ${percentile(wall, 0.95).toFixed(0)} |`,
  );
}
