/**
 * Two things measured side by side in one process, as a ratio: blocks of the two alternate (which
 * goes first alternating too), so the machine's swings (a shared VM's load moves from one minute
 * to the next) fall on both alike. Used by `npm run bench` for:
 *
 * - a run's cost per fake-timer firing next to the floor, a bare `setImmediate` drain (the
 *   macrotask the run loop yields after each timer: nothing a simulated run does is cheaper);
 *   and the clock's own cost per firing (its run loop, views and fake-timers, timers that do
 *   nothing) next to the same floor;
 * - an audit of the correct as-written fixture (globals intercepted) next to the reference on
 *   the seam, on the same timelines.
 *
 * `cpu` times blocks by the process's CPU time instead of the wall clock: on a machine shared
 * with other work, a block's wall time is mostly its share of the cores, its CPU time its cost.
 */
import os from 'node:os';
import { judge } from '../properties/campaigns/judge.js';
import type { NamedSendPath } from '../properties/paths/sendPaths.js';
import { drain, VirtualClock } from '../sim/clock.js';
import type { Timeline } from '../sim/timeline.js';

/** One side of a comparison: a block of work, returning how many units it did. */
export interface Side {
  block(): Promise<number>;
}

/** Each side's time per unit, and the spread of the block ratios (a / b per unit). */
export interface SideBySide {
  /** ms per unit of side a, then of side b. */
  perUnitMs: [number, number];
  /** Pairs of blocks measured. */
  pairs: number;
  /** Block ratios a / b (per unit): quartiles 0.25, 0.5, 0.75. */
  quartiles: [number, number, number];
  /** The 1-minute load average at the start and at the end of the measurement. */
  load: [number, number];
}

/** The process's CPU time so far (user and system), ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Warm-up before measuring, at most: the JIT's first second runs at half speed. */
const warmUpMsMax = 2000;

/**
 * Runs blocks of `a` and `b` in turns for `seconds` (after a warm-up of the same, at most
 * {@link warmUpMsMax}), timed by `clock`; see the module comment.
 */
export async function sideBySide(
  a: Side,
  b: Side,
  seconds: number,
  clock: () => number,
): Promise<SideBySide> {
  const sides = [a, b];
  const warmEnd = performance.now() + Math.min(warmUpMsMax, seconds * 500);
  while (performance.now() < warmEnd) {
    await a.block();
    await b.block();
  }
  const load0 = os.loadavg()[0]!;
  const spentMs = [0, 0];
  const units = [0, 0];
  const ratios: number[] = [];
  for (const end = performance.now() + seconds * 1000; performance.now() < end;) {
    const perUnit = [0, 0];
    for (const i of ratios.length % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = clock();
      const done = await sides[i]!.block();
      const ms = clock() - t0;
      spentMs[i]! += ms;
      units[i]! += done;
      perUnit[i] = ms / done;
    }
    ratios.push(perUnit[0]! / perUnit[1]!);
  }
  ratios.sort((x, y) => x - y);
  const q = (p: number): number =>
    ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!;
  return {
    perUnitMs: [spentMs[0]! / units[0]!, spentMs[1]! / units[1]!],
    pairs: ratios.length,
    quartiles: [q(0.25), q(0.5), q(0.75)],
    load: [load0, os.loadavg()[0]!],
  };
}

/** Runs judged per block of {@link judgedRuns}. */
const runsPerBlock = 32;

/**
 * Judges `path` on `set` round-robin, {@link runsPerBlock} runs per block; each block's units are
 * its runs, or with `firings` its fake-timer firings (every view's).
 */
export function judgedRuns(path: NamedSendPath, set: readonly Timeline[], firings = false): Side {
  let next = 0;
  return {
    async block() {
      let units = 0;
      for (let i = 0; i < runsPerBlock; i++) {
        const { history } = await judge(set[next++ % set.length]!, path);
        units += firings ? history.timers.firedTotal : 1;
      }
      return units;
    },
  };
}

/** Drains per block of {@link setImmediateDrains}: about as many as a block of runs fires. */
const drainsPerBlock = 4096;

/** The floor: `setImmediate` drains one after the other, as the run loop yields after a timer. */
export function setImmediateDrains(): Side {
  return {
    async block() {
      for (let i = 0; i < drainsPerBlock; i++) await drain();
      return drainsPerBlock;
    },
  };
}

/**
 * The clock alone, as a run drives it (several turns per event-loop iteration): a chain of
 * harness timers, each arming the next 1 ms later, fired by the run loop; units are firings.
 */
export function clockFirings(): Side {
  return {
    async block() {
      const clock = new VirtualClock();
      clock.watchImmediates();
      let fired = 0;
      const arm = (): void => {
        if (++fired < drainsPerBlock) clock.harness.setTimeout(arm, 1);
      };
      clock.harness.setTimeout(arm, 1);
      await clock.run(() => fired >= drainsPerBlock);
      clock.release();
      return fired;
    },
  };
}
