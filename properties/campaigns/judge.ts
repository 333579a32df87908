/**
 * Judging one timeline: simulate it against a send path and check the history, either for every
 * property (a generated run) or for one (a shrink candidate, which only has to keep *its*
 * property violated). The one place that turns a campaign's options into `simulate` options, so
 * generated runs, determinism re-runs and shrink candidates run alike.
 */
import { fingerprint, type History } from '../../sim/history.js';
import type { FaultRegistry } from '../../sim/faults/index.js';
import type { ProgressBoard } from '../../sim/progress.js';
import { simulate, type SimulateOptions } from '../../sim/simulate.js';
import type { Timeline } from '../../sim/timeline.js';
import {
  checkers,
  defaultBoundLimits,
  HistoryIndex,
  verdictOf,
  type BoundLimits,
  type PropertyName,
  type Violation,
} from '../judging/checkers.js';
import { isRunProperty, type VerdictProperty } from '../judging/verdictProperties.js';
import type { NamedSendPath } from '../paths/sendPaths.js';
import { noteUnreadSettings, trackConfigReads } from './settingsReads.js';

/** What judging a timeline needs besides the timeline and the path. */
export interface JudgeOptions {
  limits?: BoundLimits;
  simulate?: SimulateOptions;
  /** Network event kinds (default: the built-in faults). */
  faults?: FaultRegistry;
  /** A board to tick on for a watchdog in another thread. */
  progress?: ProgressBoard;
}

/** A judged run: its history, its violations, and per property whether it judged anything. */
export interface Judged {
  history: History;
  violations: Violation[];
  judged: Record<PropertyName, boolean>;
}

/**
 * Simulates `timeline` and checks every property. A liveness violation whose bound came from a
 * generated setting the path never read says so (see settingsReads.ts).
 */
export async function judge(
  timeline: Timeline,
  path: NamedSendPath,
  options: JudgeOptions = {},
): Promise<Judged> {
  const reads = new Set<string>();
  const history = await simulate(
    timeline,
    trackConfigReads(path.factory, reads),
    simulateOptionsOf(options, path),
  );
  const verdict = verdictOf(history, options.limits ?? defaultBoundLimits);
  const violations = noteUnreadSettings(verdict.violations, timeline.config, path.settings, reads);
  return { history, violations, judged: verdict.judged };
}

/** Simulates `timeline` once more with the same options (a determinism re-run). */
export function simulateAgain(
  timeline: Timeline,
  path: NamedSendPath,
  options: JudgeOptions = {},
): Promise<History> {
  return simulate(timeline, path.factory, simulateOptionsOf(options, path));
}

/**
 * The simulate options of a campaign: its own, with its fault registry and progress board,
 * interception for a path that needs it, and the replies per chat it declared it takes.
 */
function simulateOptionsOf(
  options: JudgeOptions,
  path: NamedSendPath,
): SimulateOptions | undefined {
  const perChat = path.settings?.repliesPerChatMax;
  const plain = options.faults === undefined && options.progress === undefined && !path.intercept;
  if (plain && perChat === undefined) return options.simulate;
  const extra: SimulateOptions = {};
  if (options.faults !== undefined) extra.faults = options.faults;
  if (options.progress !== undefined) extra.progress = options.progress;
  if (path.intercept) extra.globals = 'intercept';
  if (perChat !== undefined) extra.repliesPerChatMax = perChat;
  return { ...options.simulate, ...extra };
}

/** A shrink candidate's verdict: whether it still breaks the property, and the history it made. */
export interface Tested {
  fails: boolean;
  history: History;
  /** The second history, when the property is `deterministic` (it needs two). */
  again?: History;
}

/**
 * Whether `timeline` still breaks `property`: a checker's property is violated in its history,
 * `uses-ports` a global was called, `deterministic` a second simulation gives another history.
 * Only the one checker runs: a candidate is judged on its own property alone.
 */
export async function stillBreaks(
  property: VerdictProperty,
  timeline: Timeline,
  path: NamedSendPath,
  options: JudgeOptions = {},
): Promise<Tested> {
  const history = await simulateAgain(timeline, path, options);
  if (property === 'uses-ports') return { fails: history.globalsUsed !== undefined, history };
  if (property === 'deterministic') {
    const again = await simulateAgain(timeline, path, options);
    return { fails: fingerprint(again) !== fingerprint(history), history, again };
  }
  if (!isRunProperty(property))
    throw new Error(`invariant: ${property} is not judged on one timeline`);
  // A run that called a global is judged for that alone (its other violations are its
  // consequences); one that called an unmodelled socket member is not judged at all.
  if (history.globalsUsed !== undefined || history.unmodelled !== undefined)
    return { fails: false, history };
  const found = checkers[property].check(
    new HistoryIndex(history),
    options.limits ?? defaultBoundLimits,
  );
  return { fails: found.length > 0, history };
}
