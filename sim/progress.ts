/**
 * A progress board: a few counters in a `SharedArrayBuffer` that the thread running simulations
 * writes (with `Atomics`) and a watchdog in another thread reads. A run stuck in synchronous code
 * blocks its own thread, so only a reader outside it can notice that the counters stopped
 * moving, stop the thread and say where the run stood: which run (phase and index), its virtual
 * time, how many timeline events had fired and which was last, and, for runs a parent cannot
 * regenerate from the campaign's seed (shrink candidates, replays), the timeline itself.
 *
 * The simulator ticks once per turn of its run loop and once per event, so a board costs a few
 * atomic writes per virtual timer.
 */

/** What kind of run the board describes. */
export const progressPhases = ['generated', 'determinism', 'shrink', 'replay'] as const;

/** One phase of {@link progressPhases}. */
export type ProgressPhase = (typeof progressPhases)[number];

/** Int32 slots of the board's header. */
const slot = Object.freeze({
  busy: 0,
  ticks: 1,
  phase: 2,
  runIndex: 3,
  eventsFired: 4,
  lastEventIndex: 5,
  virtualMs: 6,
  timelineBytes: 7,
});
const headerSlots = 8;
const headerBytes = headerSlots * Int32Array.BYTES_PER_ELEMENT;

/**
 * Room for a held timeline, bytes: a generated timeline takes a few KB, the largest valid one about
 * 1 MB.
 */
export const timelineBytesMaxDefault = 2 * 1024 * 1024;

/** What a watchdog reads off a board. */
export interface ProgressSnapshot {
  /** A task is running (progress is expected). */
  busy: boolean;
  /** Grows with every run, turn and event: unchanged means no progress. */
  ticks: number;
  phase: ProgressPhase;
  /** Index of the generated run (for `shrink`, the generated run being shrunk). */
  runIndex: number;
  eventsFired: number;
  /** Index of the last event fired; -1 when none has. */
  lastEventIndex: number;
  virtualMs: number;
  /** The timeline's JSON when the run's writer held it; absent otherwise (or when too large). */
  timelineJson?: string;
}

/** The shared counters of one simulating thread; see the module comment. */
export class ProgressBoard {
  readonly buffer: SharedArrayBuffer;
  readonly #header: Int32Array;
  readonly #timeline: Uint8Array;

  /** A board with room for a timeline of `timelineBytesMax` bytes. */
  static create(timelineBytesMax = timelineBytesMaxDefault): ProgressBoard {
    return new ProgressBoard(new SharedArrayBuffer(headerBytes + timelineBytesMax));
  }

  /** The board over `buffer` (as another thread received it). */
  constructor(buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < headerBytes)
      throw new TypeError('a progress board needs a SharedArrayBuffer of at least its header');
    this.buffer = buffer;
    this.#header = new Int32Array(buffer, 0, headerSlots);
    this.#timeline = new Uint8Array(buffer, headerBytes);
  }

  /** Marks a task running (or over): a watchdog only judges a busy board. */
  setBusy(busy: boolean): void {
    Atomics.add(this.#header, slot.ticks, 1);
    Atomics.store(this.#header, slot.busy, busy ? 1 : 0);
  }

  /**
   * Says which run is about to start. `timeline`, for a run no reader can regenerate, is held as
   * JSON; any earlier one is dropped.
   */
  locate(phase: ProgressPhase, runIndex: number, timeline?: unknown): void {
    const header = this.#header;
    Atomics.store(header, slot.phase, progressPhases.indexOf(phase));
    Atomics.store(header, slot.runIndex, runIndex);
    Atomics.store(
      header,
      slot.timelineBytes,
      timeline === undefined ? 0 : this.#hold(JSON.stringify(timeline)),
    );
  }

  /** A simulation starts: no event has fired. */
  runStarted(): void {
    const header = this.#header;
    Atomics.store(header, slot.eventsFired, 0);
    Atomics.store(header, slot.lastEventIndex, -1);
    Atomics.store(header, slot.virtualMs, 0);
    Atomics.add(header, slot.ticks, 1);
  }

  /** The run loop turned (a timer fired, or the loop drained). */
  turned(virtualMs: number): void {
    Atomics.store(this.#header, slot.virtualMs, virtualMs);
    Atomics.add(this.#header, slot.ticks, 1);
  }

  /** Timeline event `index` fired at `virtualMs`. */
  eventFired(index: number, virtualMs: number): void {
    const header = this.#header;
    Atomics.add(header, slot.eventsFired, 1);
    Atomics.store(header, slot.lastEventIndex, index);
    Atomics.store(header, slot.virtualMs, virtualMs);
    Atomics.add(header, slot.ticks, 1);
  }

  /** The ticks alone: what a watchdog polls. */
  ticks(): number {
    return Atomics.load(this.#header, slot.ticks);
  }

  /** Whether a task is running. */
  busy(): boolean {
    return Atomics.load(this.#header, slot.busy) === 1;
  }

  /** Everything on the board now. */
  snapshot(): ProgressSnapshot {
    const header = this.#header;
    const bytes = Atomics.load(header, slot.timelineBytes);
    const snapshot: ProgressSnapshot = {
      busy: Atomics.load(header, slot.busy) === 1,
      ticks: Atomics.load(header, slot.ticks),
      phase: progressPhases[Atomics.load(header, slot.phase)] ?? 'generated',
      runIndex: Atomics.load(header, slot.runIndex),
      eventsFired: Atomics.load(header, slot.eventsFired),
      lastEventIndex: Atomics.load(header, slot.lastEventIndex),
      virtualMs: Atomics.load(header, slot.virtualMs),
    };
    // A copy: TextDecoder does not read shared memory.
    if (bytes > 0) snapshot.timelineJson = new TextDecoder().decode(this.#timeline.slice(0, bytes));
    return snapshot;
  }

  /** Writes `json` into the timeline area; its length, or 0 when it does not fit. */
  #hold(json: string): number {
    const encoded = new TextEncoder().encode(json);
    if (encoded.length > this.#timeline.length) return 0;
    this.#timeline.set(encoded);
    return encoded.length;
  }
}
