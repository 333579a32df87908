/**
 * The fake socket's `ev`: Baileys' event emitter as a send path sees it. rc14's emitter is a
 * plain Node `EventEmitter` underneath (`Utils/event-buffer.js`): listeners run synchronously in
 * the order they were added, and a listener that throws stops the emission there — later
 * listeners are skipped — and the error escapes into the async code that emitted, surfacing as an
 * unhandled rejection of the process (measured: `listener-throws-*` in test/fidelity). The fake
 * does the same: the throw is re-raised as a rejected promise nobody handles.
 *
 * `process(handler)` is rc14's other way to listen (`Utils/event-buffer.js`): the buffer emits
 * every event map on an internal `event` channel whose first listener dispatches each event to
 * the `on` listeners, then hands the whole map to each `process` handler through an `async`
 * wrapper nobody awaits. So a handler sees `{ [event]: data }` after the `on` listeners of the
 * same emission (and not at all when one of them threw), and a handler that throws or rejects
 * surfaces as an unhandled rejection without stopping the other handlers or the emission.
 *
 * Every `on` / `off` is counted per event, and every `process` handler under
 * {@link processListenerName} (the `bounded` property bounds listeners per socket).
 */
import type { ListenerCount } from '../history.js';

type Listener = (arg: never) => void;

/** A handler of `ev.process`: gets one map of events per emission. */
export type ProcessHandler = (events: Record<string, unknown>) => unknown;

/** The name `ev.process` handlers are counted under in a socket's listener counts. */
const processListenerName = 'ev.process';

/** Most listeners one event may hold before the emitter refuses more (a limit on everything). */
const listenersPerEventMax = 100_000;

/** Listeners of one socket, with counts for the history. */
export class FakeEmitter {
  readonly #listeners = new Map<string, Listener[]>();
  readonly #counts: Record<string, ListenerCount>;
  /** `ev.process` handlers, in the order added (rc14's `event` channel after its dispatcher). */
  #processors: ProcessHandler[] = [];
  #destroyed = false;

  /** An emitter whose counts are written into `counts` (the socket's history record). */
  constructor(counts: Record<string, ListenerCount>) {
    this.#counts = counts;
  }

  /** Baileys' `ev.on`: adds a listener (ignored once the socket closed and `ev` was destroyed). */
  on(event: string, listener: Listener): void {
    if (this.#destroyed) return;
    const list = this.#listeners.get(event) ?? [];
    if (list.length >= listenersPerEventMax)
      throw new RangeError(`ev.on('${event}'): more than ${listenersPerEventMax} listeners`);
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

  /**
   * Baileys' `ev.process`: adds a handler of every emitted event map; returns the function that
   * removes it. Ignored (a no-op remover) once the emitter was destroyed, as rc14's `on` is.
   */
  process(handler: ProcessHandler): () => void {
    if (this.#destroyed) return () => undefined;
    if (this.#processors.length >= listenersPerEventMax)
      throw new RangeError(`ev.process: more than ${listenersPerEventMax} handlers`);
    this.#processors.push(handler);
    const count = (this.#counts[processListenerName] ??= { added: 0, removed: 0, aliveMax: 0 });
    count.added += 1;
    count.aliveMax = Math.max(count.aliveMax, this.#processors.length);
    let removed = false;
    return () => {
      const index = this.#processors.indexOf(handler);
      if (removed || index < 0) return;
      removed = true;
      this.#processors.splice(index, 1);
      count.removed += 1;
    };
  }

  /**
   * Baileys' `ev.removeAllListeners(event?)` (Node's, on the buffer's internal emitter): the `on`
   * listeners of `event`; with no event, or with rc14's internal `event` channel, every listener
   * and handler *and* the dispatcher, after which nothing is heard any more (as after `destroy`).
   */
  removeAllListeners(event?: string): void {
    if (event === undefined || event === 'event') return this.destroy();
    const list = this.#listeners.get(event);
    if (list === undefined || list.length === 0) return;
    this.#counts[event]!.removed += list.length;
    this.#listeners.delete(event);
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
    if (list !== undefined && list.length > 0) {
      // A listener may remove itself (or another) while the emission runs: iterate a copy.
      for (const listener of list.length === 1 ? list : list.slice()) {
        try {
          (listener as (arg: unknown) => void)(arg);
        } catch (error) {
          void Promise.reject(error);
          return false;
        }
      }
    }
    if (this.#processors.length > 0) this.#process({ [event]: arg });
    return true;
  }

  /**
   * Hands `events` to every `process` handler, each through an `async` wrapper nobody awaits
   * (rc14's).
   */
  #process(events: Record<string, unknown>): void {
    for (const handler of this.#processors.length === 1
      ? this.#processors
      : this.#processors.slice()) {
      void (async () => {
        await handler(events);
      })();
    }
  }

  /** `ev.removeAllListeners` + `ev.destroy()` after `close`: nothing is heard any more. */
  destroy(): void {
    this.#destroyed = true;
    for (const [event, list] of this.#listeners) {
      const count = this.#counts[event];
      if (count !== undefined) count.removed += list.length;
    }
    this.#listeners.clear();
    const processCount = this.#counts[processListenerName];
    if (processCount !== undefined) processCount.removed += this.#processors.length;
    this.#processors = [];
  }
}
