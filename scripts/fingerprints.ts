/**
 * What the simulator does, as digests: generated runs (campaign seed 1) of the reference and of
 * every specimen, each run's history fingerprinted and a path's fingerprints hashed in run order
 * into one digest. A change that must not alter any history (a restructuring, a speed-up) leaves
 * every digest as it was:
 *
 *   npx tsx scripts/fingerprints.ts --write /tmp/before.json    (on the code before)
 *   npx tsx scripts/fingerprints.ts --check /tmp/before.json    (after: exit 1 on a difference)
 *
 * `--runs N` (default 1,000) and `--paths a,b` (default: the reference and every specimen).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { judge } from '../properties/campaigns/judge.js';
import { campaignArb } from '../properties/campaigns/search.js';
import { builtInSendPath } from '../properties/paths/sendPaths.js';
import { specimens } from '../properties/specimens/index.js';
import { fingerprint } from '../sim/history.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

const campaignSeed = 1;
const runsMax = 100_000;

/** The digests file: one digest per path, for the runs and seed named in it. */
interface Digests {
  seed: number;
  runs: number;
  digests: Record<string, string>;
}

function runCount(value: string): number {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1 || runs > runsMax) {
    throw new InvalidArgumentError(`a whole number from 1 to ${runsMax}`);
  }
  return runs;
}

/** The digest of `runs` generated runs of one path. */
async function digestOf(pathName: string, runs: number): Promise<string> {
  const path = builtInSendPath(pathName);
  const timelines = fc.sample(campaignArb({ path }), { numRuns: runs, seed: campaignSeed });
  const hash = createHash('sha256');
  for (const run of timelines) hash.update(fingerprint((await judge(run.timeline, path)).history));
  return hash.digest('hex');
}

async function main(): Promise<number> {
  const program = new Command('fingerprints')
    .description('digests of generated histories, to show a change kept every history the same')
    .option('--runs <n>', 'generated runs per path', runCount, 1000)
    .option(
      '--paths <list>',
      'comma-separated built-in paths (default: reference and every specimen)',
    )
    .option('--write <file>', 'write the digests to this file')
    .option('--check <file>', 'compare with digests written before; exit 1 on a difference')
    .parse();
  const opts = program.opts<{ runs: number; paths?: string; write?: string; check?: string }>();
  const before =
    opts.check === undefined
      ? undefined
      : (JSON.parse(await readFile(opts.check, 'utf8')) as Digests);
  const runs = before?.runs ?? opts.runs;
  const names = opts.paths?.split(',') ?? [
    'reference',
    ...specimens.map((s) => `specimen:${s.name}`),
  ];
  tuneV8ForSimulation();
  const now: Digests = { seed: campaignSeed, runs, digests: {} };
  let differ = 0;
  for (const name of names) {
    const digest = await digestOf(name, runs);
    now.digests[name] = digest;
    const was = before?.digests[name];
    const mark = was === undefined ? '' : was === digest ? '  same' : '  DIFFERS';
    if (was !== undefined && was !== digest) differ += 1;
    console.log(`${name.padEnd(40)} ${digest.slice(0, 16)}${mark}`);
  }
  if (opts.write !== undefined) await writeFile(opts.write, `${JSON.stringify(now, null, 2)}\n`);
  if (before !== undefined)
    console.log(
      differ === 0 ? `every history the same (${runs} runs per path)` : `${differ} path(s) differ`,
    );
  return differ === 0 ? 0 : 1;
}

process.exitCode = await main();
