/**
 * The campaign behind `npm run coverage:sim`: which lines and branches of `src/` the simulator
 * reaches on its own (no unit tests). c8 wraps this script and reports v8 coverage of `src/`:
 *   c8 --include 'src/**' tsx scripts/coverage-sim.ts [runs=2000]
 * The reference path runs a campaign of generated timelines; each specimen runs 100 runs (some
 * reuse parts of `src/`, such as error classification).
 */
import { runCampaign } from '../properties/campaigns/campaign.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { specimens } from '../properties/specimens/index.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

tuneV8ForSimulation();

const runsArg = Number(process.argv[2] ?? 2000);
/** Runs of the reference campaign (bounded). */
const referenceRuns =
  Number.isInteger(runsArg) && runsArg > 0 && runsArg <= 1_000_000 ? runsArg : 2000;

const reference = await runCampaign({
  path: builtInSendPath('reference'),
  seed: 20261126,
  numRuns: referenceRuns,
});
console.log(
  `reference: ${reference.runs} runs, ${reference.failures.length > 0 ? 'FAILED' : 'passed'}`,
);
for (const specimen of specimens) {
  const result = await runCampaign({
    path: builtInSendPath(`specimen:${specimen.name}`),
    seed: 1,
    numRuns: 100,
  });
  console.log(
    `specimen:${specimen.name}: ${result.runs} runs, ` +
      `${result.failures.length > 0 ? 'caught' : 'not caught'}`,
  );
}
