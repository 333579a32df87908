/**
 * Baileys' keep-alive (`startKeepAliveRequest`, rc14 `Socket/socket.js:530-560`), started once
 * the login's handshake is done (`:336`): every `keepAliveIntervalMs` from the open, if more than
 * interval + {@link keepAliveGraceMs} passed since the last frame from the server
 * (`lastDateRecv`, set by every frame that arrives: `:444`), it ends the socket with 408
 * `Connection was lost`; otherwise it sends a ping, whose answer is a frame from the server one
 * round trip later. Once the link is silent, nothing more arrives, so the socket ends at the
 * first check that finds the last frame too old: {@link keepAliveEndsAt} computes it, a pure
 * function, and {@link KeepAlive} sets one timer for it when a socket's link goes silent.
 */
import { keepAliveGraceMs } from '../../src/baileysFacts.js';
import { dropError } from './baileysErrors.js';
import type { Close } from './close.js';
import type { ConnectionShared } from './connectionShared.js';

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

/**
 * One socket's keep-alive: its check runs only while the link is silent (before that every ping
 * is answered), in the shared `keepAliveTimer` that the close clears (`clearInterval`, `:479`).
 */
export class KeepAlive {
  readonly #shared: ConnectionShared;
  readonly #close: Close;

  /** The keep-alive of the connection that shares `shared`, ending it through `close`. */
  constructor(shared: ConnectionShared, close: Close) {
    this.#shared = shared;
    this.#close = close;
  }

  /** The link went silent: an open socket ends at the check that finds the last frame too old. */
  linkWentSilent(): void {
    if (this.#shared.state !== 'open') return;
    const { host, link, record, parts } = this.#shared;
    const now = host.now();
    const { keepAliveIntervalMs } = parts.timings;
    const endsAt = keepAliveEndsAt({
      openedAt: record.openedAt ?? now,
      silentAt: now,
      lastReceivedAt: link.lastReceivedAt,
      keepAliveIntervalMs,
      roundTripMs: Math.min(2 * host.latencyMs(), keepAliveIntervalMs),
      previousSilence: link.previousSilence,
    });
    this.#shared.keepAliveTimer.start(() => {
      this.#shared.lost('silent');
      this.#close.beginEnd(dropError('connectionLost'), 'silent');
    }, endsAt - now);
  }

  /** The link came back: the pings are answered again. */
  linkResumed(): void {
    this.#shared.keepAliveTimer.clear();
  }
}
