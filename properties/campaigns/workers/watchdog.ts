/**
 * The watchdog: a request runs in a worker thread, and the thread that started it watches a
 * progress board (sim/progress.ts) the simulator ticks on at every turn and event. A run stuck
 * in synchronous code (a loop waiting for a virtual clock that cannot move while the loop runs,
 * a promise chain that never yields) blocks its own thread, so it cannot report itself; the
 * watcher sees the ticks stand still for the run timeout, terminates the thread, and answers
 * with what the board said: which run, its virtual time, the events fired, and for a run the
 * parent cannot regenerate, its timeline. The next request gets a fresh thread.
 *
 * A tick is a few atomic writes: the watch costs the simulation almost nothing (scripts/bench.ts
 * measures it); the watcher wakes a few times per run timeout. The thread is judged only while
 * it says it is busy: loading a send path module (tsx may compile it for seconds) does not count.
 */
import { Worker } from 'node:worker_threads';
import { ProgressBoard, type ProgressSnapshot } from '../../../sim/progress.js';

/** Default run timeout: generous for a loaded CI machine (a busy run ticks every few µs). */
export const runTimeoutMsDefault = 5000;
/** Shortest run timeout: below it a garbage collection pause could look like a stall. */
export const runTimeoutMsMin = 100;
/** Longest run timeout: an hour. */
export const runTimeoutMsMax = 3_600_000;

/**
 * What a worker is asked: serve `request` with the default export (a `Serve`, see serve.ts) of
 * the module at the URL `module`. Plain data: it crosses a thread or process boundary.
 */
export interface WorkRequest {
  module: string;
  request: unknown;
}

/** What a simulation thread posts back. */
export type ThreadMessage =
  | { kind: 'runs'; runs: number }
  | { kind: 'done'; value: unknown }
  | { kind: 'error'; name: string; message: string };

/** A watched request's outcome: its value, or where the stalled run stood when it was stopped. */
export type Watched<T> = { stalled: false; value: T } | { stalled: true; board: ProgressSnapshot };

/** An error a simulation thread reported (its name is kept: a `SendPathLoadError` is bad input). */
export class SimulationThreadError extends Error {
  override readonly name = 'SimulationThreadError';

  /** `errorName` is the thrown error's own name. */
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a run timeout; the message names the option. */
export function checkRunTimeoutMs(runTimeoutMs: number): number {
  if (
    !Number.isInteger(runTimeoutMs) ||
    runTimeoutMs < runTimeoutMsMin ||
    runTimeoutMs > runTimeoutMsMax
  ) {
    const range = `${runTimeoutMsMin} to ${runTimeoutMsMax}`;
    throw new RangeError(
      `runTimeoutMs must be a whole number of ms from ${range} (got ${runTimeoutMs})`,
    );
  }
  return runTimeoutMs;
}

/** How often the watcher looks: four times per run timeout, between 25 ms and a second. */
function pollMsOf(runTimeoutMs: number): number {
  return Math.min(1000, Math.max(25, Math.floor(runTimeoutMs / 4)));
}

/** A simulation thread and its watcher; one request at a time. */
class WatchedThread {
  #worker: Worker | undefined;
  #board: ProgressBoard | undefined;
  #busy = false;

  /**
   * Runs `request` in the thread (started on first use, or again after a stall) and watches it:
   * stopped after `runTimeoutMs` without progress. `onRuns` hears the thread's run counts.
   */
  async run<T>(
    request: WorkRequest,
    runTimeoutMs: number,
    onRuns?: (runs: number) => void,
  ): Promise<Watched<T>> {
    checkRunTimeoutMs(runTimeoutMs);
    if (this.#busy) throw new Error('invariant: one request at a time per watched thread');
    this.#busy = true;
    try {
      return await this.#watch<T>(request, runTimeoutMs, onRuns);
    } finally {
      this.#busy = false;
    }
  }

  /** Stops the thread (if one is running). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#board = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  #start(): { worker: Worker; board: ProgressBoard } {
    if (this.#worker !== undefined && this.#board !== undefined)
      return { worker: this.#worker, board: this.#board };
    const board = ProgressBoard.create();
    // The process's execArgv is inherited (its V8 flags are the process's anyway); a loader the
    // entry needs it registers itself.
    const worker = new Worker(new URL('./entry.mjs', import.meta.url), {
      workerData: { board: board.buffer },
    });
    // An idle thread does not keep the process alive (a request's watch does, while it lasts):
    // a thread kept for the next campaign never holds up the exit.
    worker.unref();
    this.#worker = worker;
    this.#board = board;
    return { worker, board };
  }

  #watch<T>(
    request: WorkRequest,
    runTimeoutMs: number,
    onRuns?: (runs: number) => void,
  ): Promise<Watched<T>> {
    const { worker, board } = this.#start();
    return new Promise<Watched<T>>((resolve, reject) => {
      let lastTicks = board.ticks();
      let lastChangeAt = performance.now();
      let quietPolls = 0;
      const cleanUp = (): void => {
        clearInterval(watch);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const forget = (): void => {
        if (this.#worker === worker) {
          this.#worker = undefined;
          this.#board = undefined;
        }
      };
      const watch = setInterval(() => {
        const now = performance.now();
        const ticks = board.ticks();
        if (ticks !== lastTicks || !board.busy()) {
          lastTicks = ticks;
          lastChangeAt = now;
          quietPolls = 0;
          return;
        }
        // Two quiet looks in a row: a machine that slept wakes both threads, and the first look
        // after it may come before the simulating thread's next tick.
        if (++quietPolls < 2 || now - lastChangeAt < runTimeoutMs) return;
        cleanUp();
        forget();
        const snapshot = board.snapshot();
        worker.terminate().then(
          () => resolve({ stalled: true, board: snapshot }),
          (error: unknown) => reject(error as Error),
        );
      }, pollMsOf(runTimeoutMs));
      const onMessage = (message: ThreadMessage): void => {
        if (message.kind === 'runs') {
          onRuns?.(message.runs);
          return;
        }
        cleanUp();
        if (message.kind === 'done') resolve({ stalled: false, value: message.value as T });
        else reject(new SimulationThreadError(message.name, message.message));
      };
      const onError = (error: Error): void => {
        cleanUp();
        forget();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanUp();
        forget();
        reject(new Error(`the simulation thread exited with code ${code} before it answered`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });
  }
}

/** Idle watched threads of this process, kept for its next request (a thread loads in a second). */
const idle: WatchedThread[] = [];
/** Most idle threads kept; more are stopped. */
const idleMax = 4;

/** An idle watched thread of this process, or a new one; {@link releaseWatchedThread} it after. */
export function acquireWatchedThread(): WatchedThread {
  return idle.pop() ?? new WatchedThread();
}

/** Gives a watched thread back for the next request (stopped if enough are kept). */
export async function releaseWatchedThread(thread: WatchedThread): Promise<void> {
  if (idle.length < idleMax) idle.push(thread);
  else await thread.close();
}
