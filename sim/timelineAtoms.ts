/**
 * The bounds and zod building blocks every timeline event is made of. A timeline is data from
 * outside, so every number and name in it is bounded; the event kinds (`timeline.ts` for the
 * bot's actions, `faults/` for the network's) share these so the limits are stated once.
 */
import { z } from 'zod';

/** Limits: a timeline is data from outside; everything in it is bounded. */
export const timelineLimits = Object.freeze({
  eventsMax: 10_000,
  /** Latest event time: one virtual day. */
  atMsMax: 86_400_000,
  delayMsMax: 3_600_000,
  noticeMsMax: 60_000,
  latencyMsMax: 60_000,
  textLengthMax: 4096,
  mediaBytesMax: 100_000_000,
  reconnectDelayMsMax: 3_600_000,
  reconnectFactorMax: 10,
  replyDeadlineMsMax: 86_400_000,
  /** Longest Baileys socket timing a config may carry (`keepAliveIntervalMs`, ...): an hour. */
  socketTimingMsMax: 3_600_000,
  /** Restarts of the bot in one timeline. */
  restartsMax: 100,
  /** Problems listed in one `TimelineError` before the rest are summarised. */
  issuesMax: 20,
});

/** A timeline chat name: `c1`, `support-2`. */
export const chatNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, "_" or "-"');
/** A name other events refer to (`msg`, `key`). */
export const refNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, "_", ".", ":" or "-"');
/** A virtual time, ms since the run began. */
export const atSchema = z.int().min(0).max(timelineLimits.atMsMax);
/** A delay, ms. */
export const delayMsSchema = z.int().min(0).max(timelineLimits.delayMsMax);
