/**
 * The simulating side of the watchdog (see watchdog.ts): a worker thread that serves chunk and
 * replay requests one at a time, ticking on the progress board its parent watches. It never
 * watches itself: a run stuck in synchronous code stops this thread, and its parent ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProgressBoard } from '../../sim/progress.js';
import { replayWith } from './failureFile.js';
import { runTask } from './shardWorker.js';
import { loadSendPath } from '../paths/loadSendPath.js';
import { checkConstruction } from '../paths/construction.js';
import type { ThreadMessage, ThreadRequest } from './watchdog.js';

/** A replay as the thread answers it: the send path replayed, and what `replayWith` found. */
export interface ThreadReplay {
  pathName: string;
  result: Awaited<ReturnType<typeof replayWith>>;
}

if (parentPort === null) throw new Error('simulationThread.ts runs as a worker thread (see watchdog.ts)');
const port = parentPort;
const board = new ProgressBoard((workerData as { board: SharedArrayBuffer }).board);

async function serve(request: ThreadRequest): Promise<unknown> {
  if (request.kind === 'task') {
    return runTask(request.task, { progress: board, onRuns: (runs) => port.postMessage({ kind: 'runs', runs } satisfies ThreadMessage) });
  }
  const path = await loadSendPath(request.pathSpec, request.cwd, { intercept: request.failure.intercept === true });
  board.setBusy(true);
  await checkConstruction(path, request.cwd, board);
  const replay: ThreadReplay = { pathName: path.name, result: await replayWith(request.failure, path.factory, { progress: board, twice: request.twice }) };
  return replay;
}

port.on('message', (request: ThreadRequest) => {
  serve(request).then(
    (value) => {
      board.setBusy(false);
      port.postMessage({ kind: 'done', value } satisfies ThreadMessage);
    },
    (error: unknown) => {
      board.setBusy(false);
      const name = (error as { name?: unknown } | null)?.name;
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ kind: 'error', name: typeof name === 'string' ? name : 'Error', message } satisfies ThreadMessage);
    },
  );
});
