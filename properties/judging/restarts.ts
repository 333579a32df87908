/**
 * The bot's restarts as the checkers read them. A run with restarts has several send paths, one
 * after the other: the first from the run's start, each next one from a restart's `startedAt`.
 * Each path answers for what happened while it ran; a path stopped for a restart is excused what
 * a stop excuses, from the moment that stop was requested.
 */
import type { History, RestartRecord, SocketRecord } from '../../sim/history.js';

const noRestarts: readonly never[] = Object.freeze([]);

/** The restarts of `history` (none when absent). */
export function restartsOf(history: History): readonly RestartRecord[] {
  return history.restarts ?? noRestarts;
}

/**
 * Index of the path that was running at `at` (0: the first; k: the one the k-th restart started).
 */
export function pathAt(history: History, at: number): number {
  let path = 0;
  for (const restart of restartsOf(history)) {
    if (restart.startedAt === undefined || restart.startedAt > at) break;
    path += 1;
  }
  return path;
}

/** Index of the path that made `socket`. */
export function pathOfSocket(history: History, socket: SocketRecord): number {
  return pathAt(history, socket.createdAt);
}

/**
 * When path `path` was asked to stop: the restart that ended it, or the run's own stop for the
 * last path (undefined if never).
 */
export function stopRequestedOf(history: History, path: number): number | undefined {
  const restarts = restartsOf(history);
  return path < restarts.length ? restarts[path]!.stopRequestedAt : history.stop.requestedAt;
}

/** A restart asked the running path to stop at some time in [from, to]. */
export function restartStopRequestedBetween(history: History, from: number, to: number): boolean {
  return restartsOf(history).some((r) => r.stopRequestedAt >= from && r.stopRequestedAt <= to);
}

/** Start times of the paths after the first (each restart's new path that started), ascending. */
export function restartStarts(history: History): number[] {
  const starts: number[] = [];
  for (const restart of restartsOf(history))
    if (restart.startedAt !== undefined) starts.push(restart.startedAt);
  return starts;
}
