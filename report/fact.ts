/**
 * One timed line of a run's story, as the replay, the vitest failure text and the HTML report
 * tell it. Apart from `facts.ts`, which gathers the lines, so that each part that makes lines
 * (`processFacts.ts`) names the type without importing the whole gathering.
 */

/**
 * What a line is about: `event` = a timeline event; the rest are history facts: a socket's life,
 * a send attempt, an inbound message emitted to the path or handed to the bot, a request the bot
 * made and how its promise settled, what reached the server, the harness's `stop()`, what the
 * path threw where nothing could catch it, and (`process`) what the path printed to stdout or
 * stderr and how it ended its process if it did; `path`: the send path's own life, its restarts.
 */
export type FactSource =
  | 'event'
  | 'socket'
  | 'attempt'
  | 'inbound'
  | 'request'
  | 'server'
  | 'stop'
  | 'error'
  | 'process'
  | 'path';

/** ok / fail / info follow Jepsen (info = ambiguous); `neutral` is a plain fact. */
export type FactTone = 'ok' | 'fail' | 'info' | 'neutral';

/** One timed line. */
export interface Fact {
  /** Virtual time, ms since the run began. */
  atMs: number;
  source: FactSource;
  tone: FactTone;
  /** One line, redacted. */
  text: string;
  /** Index into `timeline.events` for a timeline event. */
  eventIndex?: number;
  /** The logical reply key the line is about, if any. */
  key?: string;
  /** The socket generation the line is about, if any. */
  generation?: number;
}
