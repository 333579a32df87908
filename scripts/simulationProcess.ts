/**
 * The bench scripts measure what the CLI runs: a process started with the simulation's V8 flags
 * (sim/v8Tuning.ts), which only a command line can set. {@link restartWithSimulationFlags} starts
 * the script again with them when this process lacks them.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { simulationProcessV8Flags, tuneV8ForSimulation } from '../sim/v8Tuning.js';

/**
 * In a process with every simulation flag, applies the run-time ones and returns. Otherwise runs
 * this script again (same Node options, loaders, arguments) with the missing flags added, and
 * exits with its exit code: nothing after the call runs in this process.
 */
export async function restartWithSimulationFlags(): Promise<void> {
  const missing = simulationProcessV8Flags.filter((flag) => !process.execArgv.includes(flag));
  if (missing.length === 0) {
    tuneV8ForSimulation();
    return;
  }
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...missing, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => {
    child.on('error', (error) => {
      console.error(`cannot start node again with ${missing.join(' ')}: ${error.message}`);
      resolve(3);
    });
    child.on('exit', (exitCode, signal) =>
      resolve(exitCode ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
  process.exit(code);
}
