/**
 * The report's time axis. Runs idle for long stretches (a reply deadline of two minutes after a
 * failure that took 60 ms), and a linear axis would squash everything that matters into a few
 * pixels. So the axis is piecewise linear over the run's moments of activity, and any idle gap
 * longer than a break length is drawn at that length with a visible break mark.
 */

/** A compressed idle gap: real times and the real duration left out. */
interface AxisBreak {
  fromMs: number;
  toMs: number;
}

/** Maps virtual time to x and back. */
export interface TimeScale {
  /** x (px) of virtual time `ms`. */
  x(ms: number): number;
  /** Virtual time at x (px), the inverse of {@link TimeScale.x} (for tick labels). */
  msAt(x: number): number;
  breaks: AxisBreak[];
  endMs: number;
}

/** At most this many anchor times shape the axis (more are thinned, keeping the extremes). */
const anchorsMax = 4000;
/** An idle gap is never drawn shorter than this, however long the run (ms of display time). */
const breakMsMin = 250;

/**
 * A scale from `[0, endMs]` to `[x0, x1]` px shaped by `times` (moments something happened).
 * A gap between consecutive times longer than the break length (twice the 80th percentile
 * gap, at least 250 ms) is shown as exactly the break length.
 */
export function timeScale(
  times: readonly number[],
  endMs: number,
  x0: number,
  x1: number,
): TimeScale {
  const end = Math.max(1, endMs);
  let anchors = [
    ...new Set([0, end, ...times.filter((t) => Number.isFinite(t) && t >= 0 && t <= end)]),
  ].sort((a, b) => a - b);
  if (anchors.length > anchorsMax) {
    const step = anchors.length / anchorsMax;
    anchors = [
      ...new Set([
        0,
        ...Array.from({ length: anchorsMax }, (_, i) => anchors[Math.floor(i * step)]!),
        end,
      ]),
    ].sort((a, b) => a - b);
  }
  const gaps = anchors.slice(1).map((t, i) => t - anchors[i]!);
  const sortedGaps = [...gaps].sort((a, b) => a - b);
  const p80 = sortedGaps[Math.floor(sortedGaps.length * 0.8)] ?? end;
  const breakMs = Math.max(breakMsMin, p80 * 2);
  // display[i] = display-time position of anchors[i].
  const display: number[] = [0];
  const breaks: AxisBreak[] = [];
  gaps.forEach((gap, i) => {
    if (gap > breakMs) breaks.push({ fromMs: anchors[i]!, toMs: anchors[i + 1]! });
    display.push(display[i]! + Math.min(gap, breakMs));
  });
  const displayEnd = display[display.length - 1]! || 1;
  const width = x1 - x0;
  const segmentOf = (ms: number): number => {
    // Last anchor at or before ms (binary search).
    let lo = 0;
    let hi = anchors.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (anchors[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return Math.min(lo, anchors.length - 2);
  };
  const displayOf = (ms: number): number => {
    const clamped = Math.min(Math.max(ms, 0), end);
    const i = Math.max(0, segmentOf(clamped));
    const a = anchors[i]!;
    const b = anchors[i + 1] ?? a;
    const span = b - a;
    const frac = span > 0 ? (clamped - a) / span : 0;
    return display[i]! + frac * ((display[i + 1] ?? display[i]!) - display[i]!);
  };
  return {
    x: (ms) => x0 + (displayOf(ms) / displayEnd) * width,
    msAt: (x) => {
      const d = ((x - x0) / width) * displayEnd;
      let i = 0;
      while (i < display.length - 2 && display[i + 1]! < d) i++;
      const da = display[i]!;
      const db = display[i + 1] ?? da;
      const frac = db > da ? (d - da) / (db - da) : 0;
      return anchors[i]! + frac * ((anchors[i + 1] ?? anchors[i]!) - anchors[i]!);
    },
    breaks,
    endMs: end,
  };
}
