/**
 * The stated limits the `bounded` property judges by, and their defaults. Apart from the
 * checker (`properties/bounded.ts`) so that the checker type (`checker.ts`), which passes them
 * to every checker, needs no checker to name them.
 */

/** Stated limits of the `bounded` property. */
export interface BoundLimits {
  /** Send attempts (message frames) per logical reply, sends the server refused with 429 apart. */
  attemptsPerReplyMax: number;
  /**
   * Sends of one reply the server refused with 429 (`rate-overlimit`): a path that waits out a
   * long rate limit with growing pauses makes several, one that retries at once makes dozens.
   */
  rateLimitedAttemptsPerReplyMax: number;
  /** Send-path timers alive at once (it must not grow with the number of pending replies). */
  pathTimersAliveMax: number;
  /**
   * Connection attempts within any sliding window of `connectWindowMs`, counted per series: a
   * working connection lost to the network starts a new series (see `connectSeries`).
   */
  connectsPerWindowMax: number;
  connectWindowMs: number;
  /**
   * Listeners of one event registered at once on one socket (`listeners[event].aliveMax`): it
   * must not grow with the number of replies a socket carries.
   */
  listenersAliveMax: number;
}

/**
 * Defaults: the reference uses at most 8 attempts, 2 timers and 1 listener per event; a storm is
 * > 12 connects a minute in one series; 8 listeners of one event stay under Node's EventEmitter
 * warning (more than 10) with room for a path that listens from a few places.
 */
export const defaultBoundLimits: Readonly<BoundLimits> = Object.freeze({
  attemptsPerReplyMax: 10,
  rateLimitedAttemptsPerReplyMax: 12,
  pathTimersAliveMax: 8,
  connectsPerWindowMax: 12,
  connectWindowMs: 60_000,
  listenersAliveMax: 8,
});
