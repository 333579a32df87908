/**
 * V8 settings for a process that runs many simulations. A process-wide choice, so the library
 * never makes it on import: entry points (the CLI, shard workers, the bench scripts) call
 * {@link tuneV8ForSimulation} first thing or start with {@link simulationProcessV8Flags}, and a
 * user's own runner may do the same.
 *
 * Why: V8's allocation-site pretenuring misreads a simulation campaign. Objects a run allocates
 * early live for the whole run, so some allocation sites look long-lived and V8 starts allocating
 * their objects straight in the old generation. Those old objects then point at the run's young
 * ones, which every scavenge must copy and promote although the run ended long ago: measured on
 * the reference path (2 vCPU VM, Node 20), 21 % of everything allocated was promoted, scavenges
 * took about a quarter of the wall time, and GC helper threads used another quarter of a core.
 * With pretenuring off, promotion fell from 249 MB to 3 MB per 1.2 GB allocated and throughput
 * rose from about 1,900 to about 2,900 runs/s (scripts/bench.ts prints the current figure).
 * GC settings cannot change what a run does, only how fast: histories are identical either way.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import v8 from 'node:v8';

/** V8 flags that are safe to set while running (see {@link tuneV8ForSimulation}). */
export const simulationV8Flags: readonly string[] = Object.freeze([
  '--no-allocation-site-pretenuring',
]);

/**
 * Flags for a process started to simulate, given on its command line: the CLI restarts itself
 * with them for `run` and `audit`, shard worker processes get them, and so do the bench scripts
 * (they measure what the CLI runs).
 *
 * `--single-threaded-gc` keeps a process's garbage collector on its own core, which matters once
 * every core runs a simulating process: on the 2-core reference machine a 100,000-run campaign
 * went from 20.7 to 17.4 s on 1 worker and from 12.7 to 11.1 s on 2 (bench means before and
 * after). Startup only: set at run time with `v8.setFlagsFromString` it aborts V8 at the next
 * major GC, so {@link tuneV8ForSimulation} never applies it.
 *
 * `--min-semi-space-size=16` starts the young generation at 16 MB instead of growing it from
 * 1 MB as survival rates allow. A run's objects die young, but whether V8 grew the young
 * generation early was a matter of chance per process: of four processes auditing the as-written
 * correct fixture, one spent 15 % of its time in GC and 9 % copying receipts and two about 10 %
 * and 3 % (1,060 to 1,334 µs a run); started at 16 MB, four of four spent 10 % and 1 % (1,010 to
 * 1,029 µs). Reference campaigns are unchanged by it. Startup only (the heap is laid out when the
 * isolate starts).
 */
export const simulationProcessV8Flags: readonly string[] = Object.freeze([
  ...simulationV8Flags,
  '--single-threaded-gc',
  '--min-semi-space-size=16',
]);

/**
 * Applies {@link simulationV8Flags} to this process. Call it before the simulator's code has run
 * hot (first thing in an entry point): V8 reads the flag when it next judges an allocation site,
 * so sites judged earlier keep their old verdict.
 */
export function tuneV8ForSimulation(): void {
  for (const flag of simulationV8Flags) v8.setFlagsFromString(flag);
}

/** The flags of {@link simulationProcessV8Flags} this process was not started with. */
export function missingSimulationFlags(): string[] {
  return simulationProcessV8Flags.filter((flag) => !process.execArgv.includes(flag));
}

/**
 * Runs `script` again with this process's arguments, in a child started with this process's Node
 * options (loaders included) and `flags` added: how an entry point gets the startup-only flags.
 * Signals this process gets are passed on (Ctrl-C reaches both anyway). Resolves with the child's
 * exit code, 128 + the signal's number when a signal ended it, or 3 when node could not start
 * (said on stderr after `who`).
 */
export function rerunWithFlags(
  flags: readonly string[],
  script: string,
  who: string,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, ...flags, script, ...process.argv.slice(2)],
      { stdio: 'inherit' },
    );
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.on(signal, () => child.kill(signal));
    child.on('error', (error) => {
      console.error(`${who}: cannot start node: ${error.message}`);
      resolve(3);
    });
    child.on('exit', (code, signal) =>
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
}
