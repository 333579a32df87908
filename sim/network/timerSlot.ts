/**
 * A slot for one timer of a socket on the network's clock: at most one pending at a time, empty
 * again once it fired or was cleared. rc14 keeps such timers in its socket's own variables
 * (`keepAliveReq`, `qrTimer`: `Socket/socket.js:274-275`), which `end()` clears.
 */
import type { TimerHandle } from '../../src/ports.js';
import type { ClockView } from '../clock.js';

/** See the module comment. */
export class TimerSlot {
  readonly #timers: ClockView;
  #handle: TimerHandle | undefined;

  /** An empty slot on `timers`. */
  constructor(timers: ClockView) {
    this.#timers = timers;
  }

  /** Whether a timer is pending in the slot. */
  get pending(): boolean {
    return this.#handle !== undefined;
  }

  /** `fire` runs `delayMs` from now (the slot is empty again by then), unless cleared first. */
  start(fire: () => void, delayMs: number): void {
    this.clear();
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined;
      fire();
    }, delayMs);
  }

  /** Cancels the pending timer, if any. */
  clear(): void {
    if (this.#handle !== undefined) this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
