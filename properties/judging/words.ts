/**
 * How violation messages write what they quote: virtual times and durations with thousands
 * separators, and where the path made a socket or a timer, when the history knows
 * (`history.sites`, recorded when a run is simulated with creation sites).
 */
import type { History, PendingTimerRecord } from '../../sim/history.js';

/** A virtual time or duration in ms as a message shows it: `1,020 ms`. */
export function ms(value: number): string {
  return `${value.toLocaleString('en-US')} ms`;
}

/**
 * ` by src/bot.ts:41:18 (makeWASocket)` for a socket whose creation site the history knows; empty
 * otherwise.
 */
export function socketSite(history: History, generation: number): string {
  const site = history.sites?.sockets[generation];
  return site === undefined ? '' : ` by ${site.at} (${site.call})`;
}

/**
 * A pending timer: `a 30,000 ms timer created at 1,020 ms in src/bot.ts:88:5` (the site when
 * known).
 */
export function timerText(history: History, timer: PendingTimerRecord): string {
  const site = history.sites?.timers[timer.id];
  const what = timer.repeats ? `${ms(timer.delayMs)} interval` : `${ms(timer.delayMs)} timer`;
  return `a ${what} created at ${ms(timer.createdAt)}${site === undefined ? '' : ` in ${site.at}`}`;
}
