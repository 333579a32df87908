/**
 * Regenerates `test/regressions/`: one shrunk failure per specimen (campaign seed 42, searching
 * for the property the specimen exists to show), the seed's three golden scenarios as must-pass
 * files for the reference path, and a fresh verdict for every other hand-written `reference-*`
 * scenario already there (its timeline kept; e.g. `reference-blackhole-loss.json`, which records
 * a known loss until the send path is fixed, and `violations: []` after). Run after changing the
 * generator, a specimen or the reference:
 *   npx tsx scripts/make-regressions.ts
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runCampaign } from '../properties/campaigns/campaign.js';
import {
  failureFileOf,
  failureFormat,
  readFailureFile,
  replayFailure,
  serializeFailure,
  type FailureFile,
} from '../properties/campaigns/failureFile.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { specimens } from '../properties/specimens/index.js';
import { parseTimeline } from '../sim/timeline.js';

const outDir = 'test/regressions';
const campaignSeed = 42;
/** Runs searched per specimen: its regression file needs one failure, however rare its trigger. */
const campaignRunsMax = 1000;

for (const specimen of specimens) {
  const path = builtInSendPath(`specimen:${specimen.name}`);
  // Its first property caught, shrunk for that property: the regression keeps showing it.
  const result = await runCampaign({
    path,
    seed: campaignSeed,
    numRuns: campaignRunsMax,
    only: specimen.caughtBy,
    failFast: true,
  });
  const failure = result.failures[0];
  if (failure === undefined)
    throw new Error(
      `${specimen.name}: not caught with seed ${campaignSeed} in ${campaignRunsMax} runs`,
    );
  const file = join(outDir, `specimen-${specimen.name}.json`);
  await writeFile(file, serializeFailure(failureFileOf(result, failure)));
  console.log(
    `${file}: ${failure.property}, ${failure.timeline.events.length} events, violates ` +
      `${[...new Set(failure.violations.map((v) => v.property))].join(', ')}`,
  );
}

/**
 * `scenario` replayed with the built-in path it names: its timeline and origin kept, today's
 * verdict and fingerprint recorded.
 */
async function withFreshVerdict(scenario: FailureFile): Promise<FailureFile> {
  const { violations, fingerprint } = await replayFailure(scenario);
  const { format, path, timeline, found } = scenario;
  return {
    format,
    path,
    timeline,
    dedupeById: scenario.dedupeById ?? true,
    violations,
    fingerprint,
    ...(found ? { found } : {}),
  };
}

const goldenNames = (await readdir('test/golden')).filter((f) => f.endsWith('.json')).sort();
for (const name of goldenNames) {
  const timeline = parseTimeline(JSON.parse(await readFile(join('test/golden', name), 'utf8')));
  const golden = await withFreshVerdict({
    format: failureFormat,
    path: 'reference',
    timeline,
    dedupeById: true,
    violations: [],
    fingerprint: '',
  });
  if (golden.violations.length > 0)
    throw new Error(`golden ${name} fails on the reference: ${golden.violations[0]!.message}`);
  const file = join(outDir, `reference-${basename(name, '.json')}.json`);
  await writeFile(file, serializeFailure(golden));
  console.log(`${file}: must pass`);
}

// Hand-written scenarios: keep the timeline, record what the send path does with it today.
const goldenFiles = new Set(goldenNames.map((name) => `reference-${name}`));
for (const name of (await readdir(outDir))
  .filter((f) => f.startsWith('reference-') && f.endsWith('.json') && !goldenFiles.has(f))
  .sort()) {
  const file = join(outDir, name);
  const scenario = await withFreshVerdict(await readFailureFile(file));
  await writeFile(file, serializeFailure(scenario));
  const { violations } = scenario;
  const recorded = [...new Set(violations.map((v) => v.property))].join(', ');
  console.log(`${file}: ${violations.length === 0 ? 'passes' : `records ${recorded}`}`);
}
