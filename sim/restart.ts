/**
 * The records of a bot's restart (`RestartRecord`), kept apart from the run loop that acts the
 * restart out (`simulate.ts`): what a restart began with, and what its stop left behind.
 */
import type { ErrorRecord, RestartRecord } from './history.js';

/**
 * A restart under way in a run: its record, its old path's stop settling, and whether the run's own
 * stop came first.
 */
export interface RestartInProgress {
  readonly record: RestartRecord;
  /** Settles (never rejects) once the old path's `stop()` settled. */
  readonly stopped: Promise<void>;
  /** The run's stop came while the bot was down: the new path is never started. */
  cancelled: boolean;
}

/**
 * The record of the restart at `eventIndex`, whose stop was requested at `now`: hung until it
 * settles.
 */
export function restartBegun(eventIndex: number, now: number): RestartRecord {
  return { eventIndex, stopRequestedAt: now, stopResult: 'hung', pathTimersAlive: 0 };
}

/**
 * The restart's `stop()` settled at `now` with `timersAlive` send-path timers left (and `error` if
 * it rejected).
 */
export function restartStopSettled(
  record: RestartRecord,
  now: number,
  timersAlive: number,
  error: ErrorRecord | undefined,
): void {
  record.stopCompletedAt = now;
  record.pathTimersAlive = timersAlive;
  record.stopResult = error === undefined ? 'completed' : 'rejected';
  if (error !== undefined) record.stopError = error;
}
