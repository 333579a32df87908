/**
 * `npm start` until the CLI lands: a short campaign against the reference send path, then the
 * same campaign against one known-buggy specimen to show a caught, shrunk failure.
 */
import { runCampaign } from '../properties/campaign.js';
import { builtInSendPath } from '../properties/sendPaths.js';

for (const name of ['reference', 'specimen:captured-socket']) {
  const result = await runCampaign({ path: builtInSendPath(name), seed: 1, numRuns: 200 });
  console.log(`${name}: ${result.runs} runs, ${(result.virtualMs / 1000).toFixed(0)} virtual s in ${result.wallMs.toFixed(0)} ms`);
  if (!result.failure) {
    console.log('  every property held');
    continue;
  }
  console.log(`  caught after ${result.failure.runIndex + 1} runs, shrunk to ${result.failure.timeline.events.length} events:`);
  for (const e of result.failure.timeline.events) console.log(`    ${JSON.stringify(e)}`);
  for (const v of result.failure.violations) console.log(`  ${v.property}: ${v.message}`);
}
