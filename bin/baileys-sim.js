#!/usr/bin/env node
// The baileys-sim command line. It runs the compiled JavaScript in dist/ (npm pack builds it;
// in a clone, `npm run build`), so it needs production dependencies only. tsx is loaded only
// once a `.ts` send path module is about to be imported (properties/paths/typescriptLoader.ts),
// and never in the process below that only restarts itself with V8 flags.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A reader that stops early (`baileys-sim --help | head`) is not an error of this command.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const dist = new URL('../dist/', import.meta.url);
if (!existsSync(new URL('cli/main.js', dist))) {
  console.error(
    `baileys-sim: ${fileURLToPath(dist)} is missing: run \`npm run build\` in the ` +
      `baileys-sim checkout`,
  );
  process.exit(3);
}
const { missingSimulationFlags, rerunWithFlags, tuneV8ForSimulation } = await import(
  new URL('sim/v8Tuning.js', dist).href
);
const args = process.argv.slice(2);
const missingFlags = missingSimulationFlags();

if ((args[0] === 'run' || args[0] === 'audit') && missingFlags.length > 0) {
  // Campaigns run faster with V8 flags that only a command line can set (sim/v8Tuning.ts):
  // run the same command again in a process started with them, and answer for it.
  process.exitCode = await rerunWithFlags(
    missingFlags,
    fileURLToPath(import.meta.url),
    'baileys-sim',
  );
} else {
  // Before any simulation runs: the V8 settings that can still be made now.
  tuneV8ForSimulation();
  const { loadTypeScriptWithTsx } = await import(
    new URL('properties/paths/typescriptLoader.js', dist).href
  );
  loadTypeScriptWithTsx();
  // A module given to run/audit/replay may be audited as written: its Baileys import intercepted.
  const { interceptBaileysImports } = await import(
    new URL('properties/paths/interceptLoader.js', dist).href
  );
  interceptBaileysImports();
  const { main } = await import(new URL('cli/main.js', dist).href);
  // exitCode rather than process.exit(): a piped stdout (`--json | jq`) must drain first.
  process.exitCode = await main(args);
}
