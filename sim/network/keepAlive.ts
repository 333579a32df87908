/**
 * Baileys' keep-alive, as a pure function: when does it end a socket whose link went silent?
 *
 * rc14 (`startKeepAliveRequest`, `Socket/socket.js`) checks every `keepAliveIntervalMs` from the
 * open: if more than interval + {@link keepAliveGraceMs} passed since the last frame from the
 * server, it ends the socket with 408 `Connection was lost`; otherwise it sends a ping, whose
 * answer is a frame from the server one round trip later. Once the link is silent, nothing more
 * arrives, so the socket ends at the first check that finds the last frame too old.
 */
import { keepAliveGraceMs } from '../../src/baileysFacts.js';

/** What the keep-alive knows of one socket. */
export interface KeepAliveFacts {
  /** When the socket opened (checks run at `openedAt + k * keepAliveIntervalMs`, k >= 1). */
  openedAt: number;
  /** When the link went silent: frames after this never arrive. */
  silentAt: number;
  /** The last frame from the server other than a ping's answer (an inbound message, an ack). */
  lastReceivedAt: number;
  keepAliveIntervalMs: number;
  /** Ping to pong; must not exceed the interval (a slower pong is not modelled). */
  roundTripMs: number;
  /**
   * The link's silence before this one, if it came back from one: a ping or pong caught in it
   * stalled and travelled on only from its end.
   */
  previousSilence?: { fromMs: number; untilMs: number };
}

/**
 * The virtual time of the keep-alive check that ends the socket. Checks before `silentAt` always
 * find a fresh pong (the round trip is within an interval), so the answer is the first check at
 * or after `silentAt` that is more than interval + grace past the last frame heard: the later of
 * `lastReceivedAt` and the last pong that arrived by `silentAt`.
 */
export function keepAliveEndsAt(facts: KeepAliveFacts): number {
  const { openedAt, silentAt, keepAliveIntervalMs: intervalMs, roundTripMs } = facts;
  if (roundTripMs > intervalMs)
    throw new RangeError(
      `keepAliveEndsAt: round trip ${roundTripMs} ms exceeds the interval ${intervalMs} ms`,
    );
  let lastHeardAt = facts.lastReceivedAt;
  const lastTickAt = openedAt + Math.floor((silentAt - openedAt) / intervalMs) * intervalMs;
  // The last check before the silence whose pong made it back: the last one, or the one before.
  for (
    let tickAt = lastTickAt;
    tickAt > openedAt && tickAt >= lastTickAt - intervalMs;
    tickAt -= intervalMs
  ) {
    const pongAt = pongArrivesAt(tickAt, roundTripMs, facts.previousSilence);
    if (pongAt <= silentAt) {
      lastHeardAt = Math.max(lastHeardAt, pongAt);
      break;
    }
  }
  const firstStaleTick =
    Math.floor((lastHeardAt + intervalMs + keepAliveGraceMs - openedAt) / intervalMs) + 1;
  const firstTickFromSilence = Math.ceil((silentAt - openedAt) / intervalMs);
  return openedAt + Math.max(1, firstStaleTick, firstTickFromSilence) * intervalMs;
}

/** When the pong of the ping sent at `tickAt` arrives: late if its trip ran into a silence. */
function pongArrivesAt(
  tickAt: number,
  roundTripMs: number,
  silence: KeepAliveFacts['previousSilence'],
): number {
  const pongAt = tickAt + roundTripMs;
  if (silence === undefined || pongAt <= silence.fromMs || tickAt >= silence.untilMs) return pongAt;
  return silence.untilMs + roundTripMs;
}
