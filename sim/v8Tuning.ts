/**
 * V8 settings for a process that runs many simulations. A process-wide choice, so the library
 * never makes it on import: entry points (the CLI, shard workers, the bench scripts) call
 * {@link tuneV8ForSimulation} first thing, and a user's own runner may do the same.
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
import v8 from 'node:v8';

/** The V8 flags a simulation process runs with (also passed to shard worker processes). */
export const simulationV8Flags: readonly string[] = Object.freeze(['--no-allocation-site-pretenuring']);

/**
 * Flags for a shard worker process, given on its command line. A pool runs one worker per core,
 * so each worker's garbage collector should stay on its own core: with V8's helper threads, two
 * workers on the 2-core reference machine took 9.2 s for 60,000 runs, with
 * `--single-threaded-gc` 8.2 s (one worker alone: 14.7 s and 11.7 s). Startup only: set at run
 * time with `v8.setFlagsFromString` it aborts V8 at the next major GC, so
 * {@link tuneV8ForSimulation} never applies it.
 */
export const shardWorkerV8Flags: readonly string[] = Object.freeze([...simulationV8Flags, '--single-threaded-gc']);

/**
 * Applies {@link simulationV8Flags} to this process. Call it before the simulator's code has run
 * hot (first thing in an entry point): V8 reads the flag when it next judges an allocation site,
 * so sites judged earlier keep their old verdict.
 */
export function tuneV8ForSimulation(): void {
  for (const flag of simulationV8Flags) v8.setFlagsFromString(flag);
}
