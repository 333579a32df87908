/**
 * The wire under one fake socket: frames in flight between the bot and the server. A frame takes
 * the one-way latency; while the link is silent it stalls (TCP keeps it in its buffers) and
 * arrives one latency after the link resumes; if ws destroys the socket first, or the server cut
 * the connection, a frame toward the server is lost. Frames toward the bot that were already on
 * their way when the server cut the connection still arrive (they precede its FIN). Each way is
 * FIFO, as TCP is: a frame sent after the latency fell arrives no earlier than the frame before it.
 */
import type { TimerHandle } from '../../src/ports.js';
import type { ClockView } from '../clock.js';

/** Which way a frame travels. */
type Direction = 'toServer' | 'toBot';

interface Flight {
  readonly direction: Direction;
  readonly arrive: () => void;
  timer: TimerHandle | undefined;
}

/** Most frames in flight on one wire at once (a limit on everything). */
const flightsMax = 100_000;

/** Frames in flight on one connection. */
export class Wire {
  readonly #timers: ClockView;
  readonly #latencyMs: () => number;
  readonly #flights = new Set<Flight>();
  #silent = false;
  #cut = false;
  /**
   * Per direction, when the last scheduled frame arrives (virtual ms): later frames never overtake
   * it.
   */
  readonly #lastArrivalAt: Record<Direction, number> = { toServer: 0, toBot: 0 };

  /** A wire on the network's timer view whose latency is read at each send. */
  constructor(timers: ClockView, latencyMs: () => number) {
    this.#timers = timers;
    this.#latencyMs = latencyMs;
  }

  /** Whether frames currently stall (the link went silent and has not come back). */
  get silent(): boolean {
    return this.#silent;
  }

  /** Whether the server cut the connection: nothing more reaches it. */
  get cut(): boolean {
    return this.#cut;
  }

  /** Sends a frame; `arrive` runs when it reaches the other end (never, if it is lost). */
  send(direction: Direction, arrive: () => void): void {
    if (this.#cut && direction === 'toServer') return;
    if (this.#flights.size >= flightsMax)
      throw new Error(`wire: more than ${flightsMax} frames in flight`);
    const flight: Flight = { direction, arrive, timer: undefined };
    this.#flights.add(flight);
    if (!this.#silent) this.#schedule(flight);
  }

  /** The link goes silent: frames in flight, and every frame sent from now on, stall. */
  silence(): void {
    if (this.#silent) return;
    this.#silent = true;
    for (const flight of this.#flights) this.#unschedule(flight);
  }

  /** The link comes back: stalled frames arrive one latency from now. */
  resume(): void {
    if (!this.#silent) return;
    this.#silent = false;
    for (const flight of this.#flights) this.#schedule(flight);
  }

  /**
   * The server cut the connection: frames toward it are lost; frames toward the bot still arrive.
   */
  cutByServer(): void {
    this.#cut = true;
    this.#drop('toServer');
  }

  /** ws destroyed the socket: whatever is still in flight is lost, both ways. */
  destroy(): void {
    this.#cut = true;
    this.#drop('toServer');
    this.#drop('toBot');
  }

  #schedule(flight: Flight): void {
    const now = this.#timers.now();
    // Same-time timers fire in the order they were set, so an equal arrival keeps the order too.
    const arriveAt = Math.max(now + this.#latencyMs(), this.#lastArrivalAt[flight.direction]);
    this.#lastArrivalAt[flight.direction] = arriveAt;
    flight.timer = this.#timers.setTimeout(() => {
      this.#flights.delete(flight);
      flight.arrive();
    }, arriveAt - now);
  }

  #unschedule(flight: Flight): void {
    if (flight.timer === undefined) return;
    this.#timers.clearTimeout(flight.timer);
    flight.timer = undefined;
  }

  #drop(direction: Direction): void {
    for (const flight of [...this.#flights]) {
      if (flight.direction !== direction) continue;
      this.#unschedule(flight);
      this.#flights.delete(flight);
    }
  }
}
