/**
 * Shrinking a failing timeline for one property: remove events while the property stays broken.
 *
 * The timeline itself is shrunk, not the generator's choices: what a user reads is events, and
 * a generator step (a scene) is several of them, so fast-check's shrinker could leave an event
 * that no longer matters inside a step it could not drop (and spent most of its steps on numbers
 * inside each step). Here blocks of events go first, from the end (what follows a failure rarely
 * causes it), halving the block size down to two; then single events, again and again until a
 * whole pass removes none. The result is **1-minimal**: removing any one of its events (and the
 * replies that cannot exist without a removed message) gives a timeline that no longer breaks the
 * property, or is no timeline at all. Each candidate is validated as a timeline file first; an
 * invalid one costs no simulation.
 *
 * The test keeps the property it was given (not "any violation"), so distinct bugs stay apart:
 * a timeline shrunk for `live-socket` is never reported as a `liveness` failure it drifted to.
 * Deterministic: the same timeline, path and property give the same shrunk timeline.
 */
import {
  parseTimeline,
  TimelineError,
  type Timeline,
  type TimelineEvent,
} from '../../sim/timeline.js';
import type { FaultRegistry } from '../../sim/faults/index.js';

/** Most simulations one shrink may run: a bound on its work (the result is then not 1-minimal). */
const shrinkSimulationsMaxDefault = 2000;

/** Whether a candidate timeline still breaks the property being shrunk. */
export type StillFails = (candidate: Timeline) => Promise<boolean>;

/** Options of {@link shrinkTimeline}. */
export interface ShrinkOptions {
  /** Most simulations (calls of the test); default {@link shrinkSimulationsMaxDefault}. */
  simulationsMax?: number;
  /** Network event kinds candidates may use (default: the built-in faults). */
  faults?: FaultRegistry;
}

/** A shrunk timeline and what shrinking it took. */
export interface Shrunk {
  timeline: Timeline;
  /** Candidates simulated (the test's calls). */
  simulations: number;
  /** No single event can go: false only when the budget ran out first. */
  oneMinimal: boolean;
}

/** Shrinks `timeline`, which must fail `stillFails`; see the module comment. */
export async function shrinkTimeline(
  timeline: Timeline,
  stillFails: StillFails,
  options: ShrinkOptions = {},
): Promise<Shrunk> {
  const simulationsMax = options.simulationsMax ?? shrinkSimulationsMaxDefault;
  if (!Number.isInteger(simulationsMax) || simulationsMax < 0)
    throw new RangeError(`simulationsMax must be a whole number (got ${simulationsMax})`);
  const search = new EventSearch(timeline, stillFails, simulationsMax, options.faults);
  for (
    let size = Math.floor(search.kept.length / 2);
    size >= 2 && !search.exhausted;
    size = Math.floor(size / 2)
  ) {
    await search.removeBlocks(size);
  }
  let removedAny = true;
  while (removedAny && !search.exhausted) removedAny = await search.removeBlocks(1);
  return { timeline: search.best, simulations: search.simulations, oneMinimal: !search.exhausted };
}

/** The state of one shrink: the events kept so far (indexes into the original timeline). */
class EventSearch {
  readonly #original: Timeline;
  readonly #stillFails: StillFails;
  readonly #simulationsMax: number;
  readonly #faults: FaultRegistry | undefined;
  /** For each event, the events that refer to it (the replies to a message). */
  readonly #dependents: number[][];
  /** Candidates already tried (by their kept indexes): never simulated twice. */
  readonly #tried = new Set<string>();
  kept: number[];
  best: Timeline;
  simulations = 0;
  exhausted = false;

  constructor(
    timeline: Timeline,
    stillFails: StillFails,
    simulationsMax: number,
    faults: FaultRegistry | undefined,
  ) {
    this.#original = timeline;
    this.#stillFails = stillFails;
    this.#simulationsMax = simulationsMax;
    this.#faults = faults;
    this.#dependents = dependentsOf(timeline.events);
    this.kept = timeline.events.map((_, i) => i);
    this.best = timeline;
  }

  /**
   * One pass over the kept events in blocks of `size`, from the last block to the first; every
   * block whose removal still fails is removed. True if any was.
   */
  async removeBlocks(size: number): Promise<boolean> {
    let removedAny = false;
    for (let end = this.kept.length; end > 0 && !this.exhausted;) {
      const start = Math.max(0, end - size);
      if (await this.#tryRemoving(this.kept.slice(start, end))) {
        removedAny = true;
        end = Math.min(start, this.kept.length);
      } else {
        end = start;
      }
    }
    return removedAny;
  }

  /**
   * Tries the kept events without `block` (and what depends on it); keeps the candidate if it
   * fails.
   */
  async #tryRemoving(block: readonly number[]): Promise<boolean> {
    const removed = new Set<number>();
    for (const index of block) {
      removed.add(index);
      for (const dependent of this.#dependents[index]!) removed.add(dependent);
    }
    const kept = this.kept.filter((i) => !removed.has(i));
    const key = kept.join(',');
    if (this.#tried.has(key)) return false;
    this.#tried.add(key);
    const candidate = this.#timelineOf(kept);
    if (candidate === undefined) return false;
    if (this.simulations >= this.#simulationsMax) {
      this.exhausted = true;
      return false;
    }
    this.simulations += 1;
    if (!(await this.#stillFails(candidate))) return false;
    this.kept = kept;
    this.best = candidate;
    return true;
  }

  /** The timeline of the kept events, or undefined if that is not a valid timeline. */
  #timelineOf(kept: readonly number[]): Timeline | undefined {
    const events = kept.map((i) => this.#original.events[i]!);
    try {
      return parseTimeline({ ...this.#original, events }, { faults: this.#faults });
    } catch (error) {
      if (error instanceof TimelineError) return undefined;
      throw error;
    }
  }
}

/** For each event, the indexes of the events that name its message (`to`): they go with it. */
function dependentsOf(events: readonly TimelineEvent[]): number[][] {
  const byMessage = new Map<string, number>();
  const dependents = events.map((): number[] => []);
  events.forEach((event, index) => {
    if (event.do === 'inbound') byMessage.set(event.msg, index);
    const to = (event as { to?: unknown }).to;
    const parent = typeof to === 'string' ? byMessage.get(to) : undefined;
    if (parent !== undefined) dependents[parent]!.push(index);
  });
  return dependents;
}
