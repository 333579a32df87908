/**
 * Stopping the bot at a chosen moment of a reconnect, for good (the run's `stop`) or for a
 * restart. A stop rarely lands there by chance: a backoff wait lasts a second or two in a run of
 * minutes, so a path that leaves its reconnect timer alive after `stop()` was caught about once
 * in 4,000 runs. A moment is planned from the run's own settings (its reconnect policy, latency
 * and socket timings): the faults that put a path there, and when to stop it.
 *
 * - `idle`: no fault; the bot is stopped with its connection up.
 * - `wait`: the connection is reset; the path hears it one latency later and waits its first
 *   backoff (`initialMs` less its jitter at the shortest): stopped inside that wait.
 * - `connect`: the connection is reset and the network goes dark (a blackhole), so the first
 *   reconnect hangs until `connectTimeoutMs`: stopped while it hangs.
 * - `resend`: a reply was written just before the reset, so a correct path resends it on the next
 *   socket; the chat's device queries stall there (`stallQueries`), holding the resend in flight
 *   for `defaultQueryTimeoutMs`: stopped while it is.
 */
import { baileysDefaults } from '../../src/baileysFacts.js';
import type { ReconnectPolicy } from '../../src/reconnectPolicy.js';
import type { FaultStepBase } from '../../sim/faults/fault.js';

/** Where a reconnect is when the bot is stopped (see the module comment). */
export type Moment = 'idle' | 'wait' | 'connect' | 'resend';

/** Every moment, `idle` first (what shrinking heads toward). */
export const moments: readonly Moment[] = Object.freeze(['idle', 'wait', 'connect', 'resend']);

/** What a moment is planned from: the run's settings. */
export interface MomentTiming {
  reconnect: ReconnectPolicy;
  /** One-way latency the run starts with, ms. */
  latencyMs: number;
  /** The path's declared socket timings, if any (Baileys' defaults otherwise). */
  socket?:
    | { connectTimeoutMs?: number | undefined; defaultQueryTimeoutMs?: number | undefined }
    | undefined;
}

/** A fault a moment needs, `at` a time. */
export interface PlannedFault {
  at: number;
  step: FaultStepBase & Record<string, unknown>;
}

/** The faults that put the path in the moment, and when to stop it. */
export interface MomentPlan {
  faults: PlannedFault[];
  haltAt: number;
}

/** Slack for timers and the connect itself, ms: keeps a planned stop inside its window. */
const slackMs = 100;

/**
 * Plans `moment` from `at` (when the connection is reset; for `resend`, a reply was written just
 * before). `fraction` in [0, 1] says where in the moment's window the stop lands.
 */
export function planMoment(
  moment: Moment,
  fraction: number,
  at: number,
  timing: MomentTiming,
): MomentPlan {
  if (!(fraction >= 0 && fraction <= 1))
    throw new RangeError(`fraction must be in [0, 1] (got ${fraction})`);
  const { initialMs, jitter } = timing.reconnect;
  const heardAt = at + timing.latencyMs;
  const reset: PlannedFault = {
    at,
    step: { do: 'drop', reason: 'connectionReset', noticeMs: undefined },
  };
  const waitShortestMs = Math.floor(initialMs * (1 - jitter));
  const waitLongestMs = Math.ceil(initialMs * (1 + jitter));
  const connectTimeoutMs = timing.socket?.connectTimeoutMs ?? baileysDefaults.connectTimeoutMs;
  switch (moment) {
    case 'idle':
      return { faults: [], haltAt: at };
    case 'wait':
      return {
        faults: [reset],
        haltAt: heardAt + Math.floor(fraction * Math.max(0, waitShortestMs - slackMs)),
      };
    case 'connect': {
      // The reconnect begins by the longest wait and hangs until connectTimeoutMs after the
      // shortest.
      const hangFromAt = heardAt + waitLongestMs + slackMs;
      const hangUntilAt = heardAt + waitShortestMs + connectTimeoutMs - slackMs;
      const dark: PlannedFault = {
        at,
        step: { do: 'blackhole', forMs: waitLongestMs + connectTimeoutMs + 2 * slackMs },
      };
      return {
        faults: [reset, dark],
        haltAt: hangFromAt + Math.floor(fraction * Math.max(0, hangUntilAt - hangFromAt)),
      };
    }
    case 'resend': {
      const queryTimeoutMs =
        timing.socket?.defaultQueryTimeoutMs ?? baileysDefaults.defaultQueryTimeoutMs;
      // The next socket opens by the longest wait plus its connect; its first send then stalls.
      const resendFromAt = heardAt + waitLongestMs + 4 * timing.latencyMs + 2 * slackMs;
      const stall: PlannedFault = {
        at,
        step: { do: 'stallQueries', forMs: waitLongestMs + queryTimeoutMs, iq: 'usync' },
      };
      return {
        faults: [reset, stall],
        haltAt: resendFromAt + Math.floor(fraction * Math.max(0, queryTimeoutMs - 4 * slackMs)),
      };
    }
  }
}
