/**
 * Serving a request inside a process: the module a request names is loaded once per thread, and
 * its default export (a {@link Serve}) is called with hooks for progress. A request with a run
 * timeout is served in a watched thread of this process instead (watchdog.ts): a run stuck in
 * synchronous code would stop this thread, which must stay free to watch it. The campaign's own
 * process serves its lane so, each child process of the pool serves its requests so (the pool's
 * handler, {@link serveProcessRequest}), and a watched thread serves its parent's requests one
 * at a time ({@link serveThread}), ticking on the board its parent watches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProgressBoard } from '../../../sim/progress.js';
import {
  acquireWatchedThread,
  releaseWatchedThread,
  type ThreadMessage,
  type Watched,
  type WorkRequest,
} from './watchdog.js';

/** What a served request may report through, and tick on. */
export interface ServeHooks {
  /** Told, now and then, that `runs` more generated runs finished. */
  onRuns?: (runs: number) => void;
  /** A board to tick on for a watchdog in another thread; the request marks it busy once loaded. */
  progress?: ProgressBoard;
}

/** What a module that serves requests exports as its default: one request in, its value out. */
export type Serve = (request: never, hooks: ServeHooks) => Promise<unknown>;

/** A request for a lane: served watched when it carries a run timeout, ms. */
export interface LaneRequest extends WorkRequest {
  runTimeoutMs?: number;
}

/** Key of a progress message a child process sends: `{ [progressMessageKey]: runs }`. */
export const progressMessageKey = 'baileysSimShardRuns';

/**
 * Wall time between progress reports of one request. A post per few runs cost the parent and the
 * workers a few percent of two cores in IPC alone (a chunk of 100 runs takes about 20 ms); four
 * posts a second still move a bar smoothly, and the rest is reported when the request ends.
 */
const progressEveryMs = 250;

/** Serving modules loaded by this thread, by URL. */
const loaded = new Map<string, Promise<Serve>>();
/** At most this many modules kept per thread: a long-lived pool must not grow without bound. */
const loadedMax = 8;

function serveOf(module: string): Promise<Serve> {
  let serve = loaded.get(module);
  if (serve === undefined) {
    if (loaded.size >= loadedMax) loaded.clear();
    serve = import(module).then((imported: { default: Serve }) => imported.default);
    // A failed import is not kept: the error goes to the caller, the next request tries again.
    serve.catch(() => loaded.delete(module));
    loaded.set(module, serve);
  }
  return serve;
}

/**
 * Serves `lane` in this process: in a watched thread when it has a run timeout, else in this
 * thread with `here` (when given) or its module's export. `onRuns` hears the run counts.
 */
export async function serveRequest(
  lane: LaneRequest,
  onRuns?: (runs: number) => void,
  here?: Serve,
): Promise<Watched<unknown>> {
  const { module, request, runTimeoutMs } = lane;
  if (runTimeoutMs !== undefined) {
    const thread = acquireWatchedThread();
    try {
      return await thread.run({ module, request }, runTimeoutMs, onRuns);
    } finally {
      await releaseWatchedThread(thread);
    }
  }
  const serve = here ?? (await serveOf(module));
  const runs = batched(onRuns);
  const value = await serve(request as never, { onRuns: runs?.add });
  runs?.flush();
  return { stalled: false, value };
}

/**
 * The pool's task handler, in a child process: progress goes to the parent over IPC (tinypool
 * hands messages that are not its own to the task's channel).
 */
export function serveProcessRequest(lane: LaneRequest): Promise<Watched<unknown>> {
  const send = process.send?.bind(process);
  const onRuns =
    send === undefined ? undefined : (runs: number) => void send({ [progressMessageKey]: runs });
  return serveRequest(lane, onRuns);
}

/**
 * Serves the requests of this watched thread's parent, one at a time. It never watches itself: a
 * run stuck in synchronous code stops this thread, and its parent ends it.
 */
export function serveThread(): void {
  if (parentPort === null) throw new Error('serveThread runs in a worker thread (see watchdog.ts)');
  const port = parentPort;
  const board = new ProgressBoard((workerData as { board: SharedArrayBuffer }).board);
  const post = (message: ThreadMessage): void => port.postMessage(message);
  port.on('message', (work: WorkRequest) => {
    const runs = batched((count) => post({ kind: 'runs', runs: count }))!;
    serveOf(work.module)
      .then((serve) => serve(work.request as never, { progress: board, onRuns: runs.add }))
      .then(
        (value) => {
          runs.flush();
          board.setBusy(false);
          post({ kind: 'done', value });
        },
        (error: unknown) => {
          board.setBusy(false);
          const name = (error as { name?: unknown } | null)?.name;
          const message = error instanceof Error ? error.message : String(error);
          post({ kind: 'error', name: typeof name === 'string' ? name : 'Error', message });
        },
      );
  });
}

/** Run counts gathered and passed on at most every {@link progressEveryMs}, and at the end. */
function batched(
  onRuns: ((runs: number) => void) | undefined,
): { add: (runs: number) => void; flush: () => void } | undefined {
  if (onRuns === undefined) return undefined;
  let pending = 0;
  let reportedAt = performance.now();
  return {
    add: (runs) => {
      pending += runs;
      // Wall time decides only when a bar moves, never what a run does.
      const now = performance.now();
      if (now - reportedAt < progressEveryMs) return;
      onRuns(pending);
      pending = 0;
      reportedAt = now;
    },
    flush: () => {
      if (pending > 0) onRuns(pending);
      pending = 0;
    },
  };
}
