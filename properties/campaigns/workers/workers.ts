/**
 * The workers' one door: where requests are served, and watched. {@link openWorkers} gives lanes
 * that each serve one request at a time: this process, and child processes of a tinypool pool.
 * Every lane serves a request with the default export of the same module (`module`, a URL: a
 * worker loads it itself), so this folder knows nothing of what a request is. {@link watchedLane}
 * is a lane of this process alone, for a request that must not hang its caller (a replay).
 *
 * Child processes, not worker threads: on the 2-core reference machine two worker threads ran a
 * campaign no faster than one (1.1 cores busy in all); child processes scale (README has the
 * current figures). With `runTimeoutMs` every request is watched (watchdog.ts): this process
 * serves its lane in a watched thread, and each child process its requests in one of its own, so
 * a run stuck in synchronous code is stopped and told (`Watched`) instead of hanging the caller.
 */
import Tinypool from 'tinypool';
import { simulationProcessV8Flags } from '../../../sim/v8Tuning.js';
import { progressMessageKey, serveRequest, type LaneRequest, type Serve } from './serve.js';
import { checkRunTimeoutMs, type Watched } from './watchdog.js';

export {
  checkRunTimeoutMs,
  runTimeoutMsDefault,
  runTimeoutMsMax,
  runTimeoutMsMin,
  SimulationThreadError,
  type Watched,
} from './watchdog.js';
export type { Serve, ServeHooks } from './serve.js';

/** Most child processes one set of workers may start. */
export const processesMax = 64;

/** Where one request at a time is served. */
export interface Lane {
  /** Serves `request`; `onRuns` hears its run counts until it answers. */
  run<T>(request: unknown, onRuns?: (runs: number) => void): Promise<Watched<T>>;
}

/** Which lanes to open. */
export interface WorkersOptions {
  /** URL of the module whose default export (a {@link Serve}) serves every request. */
  module: string;
  /** Child processes, each a lane: 0 to {@link processesMax}. */
  processes: number;
  /**
   * This process is a lane too: it serves with `here` in this thread, or, when watched, in a
   * watched thread of its own that loads `module`. Absent: only the child processes serve.
   */
  here?: Serve;
  /** Watch every request: a run that makes no progress this long (wall clock, ms) is stopped. */
  runTimeoutMs?: number;
}

/** Open lanes; close them when done. */
export interface Workers {
  /**
   * Every lane, once it can start at once, takes the next item `take` gives and hands it to
   * `work` with itself, until `take` gives none; resolves when every lane is done.
   */
  share<T>(take: () => T | undefined, work: (item: T, lane: Lane) => Promise<void>): Promise<void>;
  /** Stops the child processes. */
  close(): Promise<void>;
}

/** A lane and how to wait until it can start a request at once. */
interface OpenLane extends Lane {
  ready(): Promise<void>;
}

/** Opens lanes as `options` says; see the module comment. */
export function openWorkers(options: WorkersOptions): Workers {
  const { module, processes, here, runTimeoutMs } = options;
  if (!Number.isInteger(processes) || processes < 0 || processes > processesMax) {
    throw new RangeError(
      `processes must be a whole number from 0 to ${processesMax} (got ${processes})`,
    );
  }
  if (runTimeoutMs !== undefined) checkRunTimeoutMs(runTimeoutMs);
  const pool = processes > 0 ? poolOf(processes) : undefined;
  const lanes: OpenLane[] = [];
  if (here !== undefined) lanes.push(hereLane(module, here, runTimeoutMs));
  if (pool !== undefined) {
    for (let i = 0; i < processes; i += 1) lanes.push(poolLane(pool, module, runTimeoutMs));
  }
  return {
    async share(take, work) {
      const lane = async (open: OpenLane): Promise<void> => {
        await open.ready();
        for (let item = take(); item !== undefined; item = take()) await work(item, open);
      };
      await Promise.all(lanes.map(lane));
    },
    close: async () => void (await pool?.destroy()),
  };
}

/** A lane of this process that serves every request with `module` in a watched thread. */
export function watchedLane(module: string, runTimeoutMs: number): Lane {
  checkRunTimeoutMs(runTimeoutMs);
  return hereLane(module, undefined, runTimeoutMs);
}

function hereLane(
  module: string,
  here: Serve | undefined,
  runTimeoutMs: number | undefined,
): OpenLane {
  return {
    ready: async () => undefined,
    run: async <T>(request: unknown, onRuns?: (runs: number) => void) =>
      (await serveRequest({ module, request, runTimeoutMs }, onRuns, here)) as Watched<T>,
  };
}

function poolOf(processes: number): Tinypool {
  return new Tinypool({
    // The JS entry registers tsx itself, so nothing is inherited from this process's flags
    // (vitest's or tsx's own).
    runtime: 'child_process',
    filename: new URL('./entry.mjs', import.meta.url).href,
    minThreads: processes,
    maxThreads: processes,
    // The simulation's V8 settings, plus a garbage collector that keeps to the worker's own core
    // (see sim/v8Tuning.ts).
    execArgv: [...simulationProcessV8Flags],
    // tinypool starts a child process with only its own worker id in the environment unless
    // told otherwise; a user's send path module may read its settings from the environment.
    env: { ...process.env } as Record<string, string>,
  });
}

function poolLane(pool: Tinypool, module: string, runTimeoutMs: number | undefined): OpenLane {
  return {
    // A child process answers this once it has started and loaded serve.ts; only then does its
    // lane take a request, so no request waits on a start-up while this process is idle.
    ready: async () => void (await pool.run(undefined, { name: 'ready' })),
    async run<T>(request: unknown, onRuns?: (runs: number) => void): Promise<Watched<T>> {
      // Progress arrives over the same IPC channel as the answer, so before it; `settled` still
      // keeps a late message from being counted after the answer.
      let settled = false;
      const channel = {
        postMessage: (message: unknown) => {
          const runs = (message as { [progressMessageKey]?: unknown } | null)?.[progressMessageKey];
          if (!settled && typeof runs === 'number') onRuns?.(runs);
        },
      };
      const lane: LaneRequest = {
        module,
        request,
        ...(runTimeoutMs === undefined ? {} : { runTimeoutMs }),
      };
      try {
        return (await pool.run(lane, { channel })) as Watched<T>;
      } finally {
        settled = true;
      }
    },
  };
}
