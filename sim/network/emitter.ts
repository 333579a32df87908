/**
 * The fake socket's `ev`: Baileys' event emitter as a send path sees it. rc14's emitter is a
 * plain Node `EventEmitter` underneath (`Utils/event-buffer.js`): listeners run synchronously in
 * the order they were added, and a listener that throws stops the emission there — later
 * listeners are skipped — and the error escapes into the async code that emitted, surfacing as an
 * unhandled rejection of the process (measured: `listener-throws-*` in test/fidelity). The fake
 * does the same: the throw is re-raised as a rejected promise nobody handles.
 *
 * Every `on` / `off` is counted per event (the `bounded` property bounds listeners per socket).
 */
import type { ListenerCount } from '../history.js';

type Listener = (arg: never) => void;

/** Most listeners one event may hold before the emitter refuses more (a limit on everything). */
export const listenersPerEventMax = 100_000;

/** Listeners of one socket, with counts for the history. */
export class FakeEmitter {
  readonly #listeners = new Map<string, Listener[]>();
  readonly #counts: Record<string, ListenerCount>;
  #destroyed = false;

  /** An emitter whose counts are written into `counts` (the socket's history record). */
  constructor(counts: Record<string, ListenerCount>) {
    this.#counts = counts;
  }

  /** Baileys' `ev.on`: adds a listener (ignored once the socket closed and `ev` was destroyed). */
  on(event: string, listener: Listener): void {
    if (this.#destroyed) return;
    const list = this.#listeners.get(event) ?? [];
    if (list.length >= listenersPerEventMax) throw new RangeError(`ev.on('${event}'): more than ${listenersPerEventMax} listeners`);
    list.push(listener);
    this.#listeners.set(event, list);
    const count = (this.#counts[event] ??= { added: 0, removed: 0, aliveMax: 0 });
    count.added += 1;
    count.aliveMax = Math.max(count.aliveMax, list.length);
  }

  /** Baileys' `ev.off`: removes one registration of `listener`. */
  off(event: string, listener: Listener): void {
    const list = this.#listeners.get(event);
    const index = list?.indexOf(listener) ?? -1;
    if (list === undefined || index < 0) return;
    list.splice(index, 1);
    this.#counts[event]!.removed += 1;
  }

  /** Whether anyone listens to `event`. */
  has(event: string): boolean {
    return (this.#listeners.get(event)?.length ?? 0) > 0;
  }

  /**
   * Emits synchronously. Returns false when a listener threw: the later listeners were skipped
   * and the error was re-raised as an unhandled rejection, as rc14's emitter does.
   */
  emit(event: string, arg: unknown): boolean {
    const list = this.#listeners.get(event);
    if (list === undefined || list.length === 0) return true;
    // A listener may remove itself (or another) while the emission runs: iterate a copy.
    for (const listener of list.length === 1 ? list : list.slice()) {
      try {
        (listener as (arg: unknown) => void)(arg);
      } catch (error) {
        void Promise.reject(error);
        return false;
      }
    }
    return true;
  }

  /** `ev.removeAllListeners` + `ev.destroy()` after `close`: nothing is heard any more. */
  destroy(): void {
    this.#destroyed = true;
    for (const [event, list] of this.#listeners) {
      const count = this.#counts[event];
      if (count !== undefined) count.removed += list.length;
    }
    this.#listeners.clear();
  }
}
