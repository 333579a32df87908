#!/usr/bin/env node
// The baileys-sim command line. The CLI and the send paths it loads are TypeScript: tsx's ESM
// loader is registered first, so `audit ./my-path.ts` works with no build step, then a hook that
// loads a user's `.ts` as an ES module even outside an ESM package (see properties/typescriptEsmHooks.mjs).
import { spawn } from 'node:child_process';
import { register as registerHooks } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
registerHooks('../properties/paths/typescriptEsmHooks.mjs', import.meta.url);
const { simulationProcessV8Flags, tuneV8ForSimulation } = await import('../sim/v8Tuning.ts');
const args = process.argv.slice(2);
const missingFlags = simulationProcessV8Flags.filter((flag) => !process.execArgv.includes(flag));

if ((args[0] === 'run' || args[0] === 'audit') && missingFlags.length > 0) {
  // Campaigns run faster with V8 flags that only a command line can set (sim/v8Tuning.ts):
  // run the same command again in a process started with them, and answer for it.
  process.exitCode = await rerunWith(missingFlags);
} else {
  // Before any simulation runs: the V8 settings that can still be made now.
  tuneV8ForSimulation();
  const { main } = await import('../cli/main.ts');
  // exitCode rather than process.exit(): a piped stdout (`--json | jq`) must drain first.
  process.exitCode = await main(args);
}

/** Runs this command in a child process with `flags` added; resolves with its exit code. */
function rerunWith(flags) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
    // Ctrl-C reaches both processes; a signal sent to this one alone is passed on.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('error', (error) => {
      console.error(`baileys-sim: cannot start node: ${error.message}`);
      resolve(3);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}
