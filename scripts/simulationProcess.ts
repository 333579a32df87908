/**
 * The bench scripts measure what the CLI runs: a process started with the simulation's V8 flags
 * (sim/v8Tuning.ts), which only a command line can set. {@link restartWithSimulationFlags} starts
 * the script again with them when this process lacks them, as `baileys-sim run` does.
 */
import { missingSimulationFlags, rerunWithFlags, tuneV8ForSimulation } from '../sim/v8Tuning.js';

/**
 * In a process with every simulation flag, applies the run-time ones and returns. Otherwise runs
 * this script again with the missing flags added, and exits with its exit code: nothing after
 * the call runs in this process.
 */
export async function restartWithSimulationFlags(): Promise<void> {
  const missing = missingSimulationFlags();
  if (missing.length === 0) {
    tuneV8ForSimulation();
    return;
  }
  process.exit(await rerunWithFlags(missing, process.argv[1]!, process.argv[1]!));
}
