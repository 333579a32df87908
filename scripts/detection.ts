/**
 * Detection power: for each specimen, run the property campaign with many seeds (fast-check's
 * default 100 runs each) and print how often it is caught, how many runs that takes, and how
 * small the shrunk timeline is. Not a test: a measurement. Target: caught in >= 99 of 100
 * seeds. The verdict specimens follow: `never-connects` by the campaign property `exercised`
 * (a campaign of runs that all pass vacuously), `busy-loop` by `makes-progress` (a watched
 * campaign, its stalled run stopped after 1 s of wall time). A figure of 100 seeds moves by
 * several points with any change to what the generator draws: `--first-seed 101` measures
 * another sample with the same generator.
 *   npx tsx scripts/detection.ts [seeds=100] [runs=100] [specimen] [--first-seed 1]
 */
import { Command, InvalidArgumentError } from 'commander';
import { runCampaign } from '../properties/campaigns/campaign.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { runShardedCampaign } from '../properties/campaigns/shard.js';
import { exercisedVerdict } from '../properties/judging/exercise.js';
import { specimenByName, specimens, verdictSpecimens } from '../properties/specimens/index.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

/** A whole number from `min` to `max`, or commander's one-line error naming the argument. */
const wholeNumber = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = `from ${min} to ${max}`;
    throw new InvalidArgumentError(`${name} must be a whole number ${range} (got "${value}")`);
  }
  return n;
};

const seedArg = wholeNumber('--first-seed', 0, 2 ** 32 - 1);

/** A specimen's name (a verdict specimen's too); the error lists the valid names. */
const specimenName = (value: string) => {
  try {
    return specimenByName(value).name;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const example = 'npx tsx scripts/detection.ts 100 100 no-get-message --first-seed 101';
const program = new Command('detection')
  .description('measure how often each specimen is caught: seeds x runs campaigns per specimen')
  .argument('[seeds]', 'campaigns per specimen (default 100)', wholeNumber('seeds', 1, 10_000))
  .argument('[runs]', 'runs per campaign (default 100)', wholeNumber('runs', 1, 1_000_000))
  .argument('[specimen]', 'this specimen only (default: every one)', specimenName)
  .option('--first-seed <n>', 'seed of the first campaign', seedArg, 1)
  .addHelpText('after', `\nExample: ${example}`)
  .showHelpAfterError('(--help for usage)')
  .parse();
type Args = [number | undefined, number | undefined, string | undefined];
const [seedsArg, runsArg, only] = program.processedArgs as Args;
const seeds = seedsArg ?? 100;
const numRuns = runsArg ?? 100;
const firstSeed = program.opts<{ firstSeed: number }>().firstSeed;
const seedList = Array.from({ length: seeds }, (_, i) => firstSeed + i);

tuneV8ForSimulation();

const median = (xs: number[]) =>
  xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const percentile = (xs: number[], p: number) =>
  xs.length === 0
    ? NaN
    : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;

const seedRange = `${firstSeed}-${firstSeed + seeds - 1}`;
console.log(
  `detection power: ${seeds} seeds (${seedRange}) x ${numRuns} runs per specimen ` +
    '(searching the property each specimen exists to show)\n',
);
console.log(
  '| specimen | caught by | detected | median runs to detect | median shrunk events | ' +
    'max shrunk events | shrunk 1-minimal | median ms per campaign | p95 ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const specimen of specimens.filter((s) => only === undefined || s.name === only)) {
  const path = builtInSendPath(`specimen:${specimen.name}`);
  const runsToDetect: number[] = [];
  const shrunk: number[] = [];
  const wall: number[] = [];
  let minimal = 0;
  for (const seed of seedList) {
    // The campaign goes through every run; each property it searches is shrunk on its own.
    const result = await runCampaign({
      path,
      seed,
      numRuns,
      only: specimen.caughtBy,
      determinismEvery: 0,
    });
    wall.push(result.wallMs);
    if (result.failures.length === 0) continue;
    const first = [...result.failures].sort((a, b) => a.runIndex - b.runIndex)[0]!;
    runsToDetect.push(first.runIndex + 1);
    shrunk.push(first.timeline.events.length);
    if (result.failures.every((f) => f.oneMinimal)) minimal += 1;
  }
  console.log(
    `| ${specimen.name} | ${specimen.caughtBy.join(', ')} | ${runsToDetect.length}/` +
      `${seeds} | ${median(runsToDetect)} | ${median(shrunk)} | ${Math.max(...shrunk)} | ` +
      `${minimal}/${runsToDetect.length} | ${median(wall).toFixed(0)} | ` +
      `${percentile(wall, 0.95).toFixed(0)} |`,
  );
}

/** How a verdict specimen's campaign of `seed` ends: caught at run index, or not. */
async function verdictCaught(
  name: string,
  verdict: 'vacuous' | 'stalled',
  seed: number,
): Promise<{ caught: boolean; runs: number; wallMs: number }> {
  if (verdict === 'vacuous') {
    const result = await runCampaign({
      path: builtInSendPath(`specimen:${name}`),
      seed,
      numRuns,
      determinismEvery: 0,
    });
    return {
      caught: !exercisedVerdict(result.exercise).held,
      runs: result.runs,
      wallMs: result.wallMs,
    };
  }
  const started = performance.now();
  const result = await runShardedCampaign({
    pathSpec: `specimen:${name}`,
    workers: 1,
    seed,
    numRuns,
    runTimeoutMs: 1000,
  });
  const stall = result.failures.find((f) => f.property === 'makes-progress');
  return {
    caught: stall !== undefined,
    runs: stall === undefined ? result.runs : stall.runIndex + 1,
    wallMs: performance.now() - started,
  };
}

console.log(
  '\n| verdict specimen | caught by | detected | median runs to detect | median ms per campaign |',
);
console.log('|---|---|---|---|---|');
for (const specimen of verdictSpecimens.filter((s) => only === undefined || s.name === only)) {
  const property = specimen.caughtByVerdict === 'vacuous' ? 'exercised' : 'makes-progress';
  const runs: number[] = [];
  const wall: number[] = [];
  for (const seed of seedList) {
    const outcome = await verdictCaught(specimen.name, specimen.caughtByVerdict, seed);
    wall.push(outcome.wallMs);
    if (outcome.caught) runs.push(outcome.runs);
  }
  console.log(
    `| ${specimen.name} | ${property} (campaign) | ${runs.length}/${seeds} | ` +
      `${median(runs)} | ${median(wall).toFixed(0)} |`,
  );
}
