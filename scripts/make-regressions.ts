/**
 * Regenerates `test/regressions/`: one shrunk failure per specimen (campaign seed 42, searching
 * for the property the specimen exists to show) and the seed's three golden scenarios as
 * must-pass files for the reference path. Run after changing the generator or a specimen:
 *   npx tsx scripts/make-regressions.ts
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { failureFileOf, runCampaign } from '../properties/campaign.js';
import { checkAll } from '../properties/checkers.js';
import { failureFormat, serializeFailure } from '../properties/failureFile.js';
import { builtInSendPath } from '../properties/sendPaths.js';
import { specimens } from '../properties/specimens/index.js';
import { fingerprint } from '../sim/history.js';
import { simulate } from '../sim/simulate.js';
import { parseTimeline } from '../sim/timeline.js';

const outDir = 'test/regressions';
const campaignSeed = 42;

for (const specimen of specimens) {
  const path = builtInSendPath(`specimen:${specimen.name}`);
  const result = await runCampaign({ path, seed: campaignSeed, numRuns: 100, only: specimen.caughtBy });
  if (!result.failure) throw new Error(`${specimen.name}: not caught with seed ${campaignSeed}`);
  const file = join(outDir, `specimen-${specimen.name}.json`);
  await writeFile(file, serializeFailure(failureFileOf(result, result.failure)));
  console.log(`${file}: ${result.failure.timeline.events.length} events, ${[...new Set(result.failure.violations.map((v) => v.property))].join(', ')}`);
}

for (const name of (await readdir('test/golden')).filter((f) => f.endsWith('.json')).sort()) {
  const timeline = parseTimeline(JSON.parse(await readFile(join('test/golden', name), 'utf8')));
  const history = await simulate(timeline, builtInSendPath('reference').factory);
  const violations = checkAll(history);
  if (violations.length > 0) throw new Error(`golden ${name} fails on the reference: ${violations[0]!.message}`);
  const file = join(outDir, `reference-${basename(name, '.json')}.json`);
  await writeFile(file, serializeFailure({ format: failureFormat, path: 'reference', timeline, violations, fingerprint: fingerprint(history) }));
  console.log(`${file}: must pass`);
}
