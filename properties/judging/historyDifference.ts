/**
 * Where two histories of one timeline part: the first value that differs, as a JSON path and
 * both values. A determinism failure shows it, so a reader sees what the send path did
 * differently the second time (an id, a time, a socket more) instead of two hashes.
 *
 * "First" is in reading order, causes before effects: the sockets and the frames the path
 * wrote (attempts) first, then what the bot saw (inbound, requests and their receipts), the
 * server's log, the rest of the record, and last the totals (`endedAt`, timer counts, `stop`),
 * which differ whenever anything before them does, and the order the facts were recorded in.
 * Each record's fields in their own order.
 */
import type { History } from '../../sim/history.js';

/** The first place two histories differ. */
export interface HistoryDifference {
  /** JSON path, e.g. `$.attempts[2].messageId`. */
  path: string;
  /** The first history's value there, shortened; absent when it has none. */
  first?: unknown;
  /** The second history's value there, shortened; absent when it has none. */
  second?: unknown;
}

/** Top-level fields read first: what the path did on the wire, then what the bot saw. */
const recordsFirst: readonly string[] = ['sockets', 'attempts', 'inbound', 'requests', 'server'];
/** Top-level fields read last: totals and summaries that change whenever a record does. */
const totalsLast: readonly string[] = [
  'endedAt',
  'connects',
  'timers',
  'logsDropped',
  'limit',
  'stop',
  'order',
];

/** Depth and width of a value shown in a difference (a whole socket record is not needed). */
const shownDepthMax = 2;
const shownItemsMax = 8;

/** The first difference between two histories, or undefined when they are equal. */
export function firstHistoryDifference(a: History, b: History): HistoryDifference | undefined {
  // Creation sites say where in the source, not what the run did (see `fingerprint`).
  const keys = orderedKeys(
    a as unknown as Record<string, unknown>,
    b as unknown as Record<string, unknown>,
  ).filter((key) => key !== 'sites');
  // A stable sort: records first (in their order), totals last (in theirs), the rest between.
  const rank = (key: string): number =>
    recordsFirst.includes(key)
      ? recordsFirst.indexOf(key) - recordsFirst.length
      : totalsLast.indexOf(key) + 1;
  keys.sort((x, y) => rank(x) - rank(y));
  return differenceIn(
    a as unknown as Record<string, unknown>,
    b as unknown as Record<string, unknown>,
    keys,
    '$',
  );
}

/** The first difference between two JSON values, or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): HistoryDifference | undefined {
  if (Object.is(a, b)) return undefined;
  const kindA = kindOf(a);
  if (kindA !== kindOf(b) || kindA === 'value') return { path, first: shown(a), second: shown(b) };
  if (kindA === 'array') {
    const left = a as unknown[];
    const right = b as unknown[];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const item = `${path}[${i}]`;
      if (i >= left.length) return { path: item, second: shown(right[i]) };
      if (i >= right.length) return { path: item, first: shown(left[i]) };
      const found = firstDifference(left[i], right[i], item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  return differenceIn(left, right, orderedKeys(left, right), path);
}

function differenceIn(
  left: Record<string, unknown>,
  right: Record<string, unknown>,
  keys: readonly string[],
  path: string,
): HistoryDifference | undefined {
  for (const key of keys) {
    const at = `${path}${keyPath(key)}`;
    const inLeft = Object.hasOwn(left, key) && left[key] !== undefined;
    const inRight = Object.hasOwn(right, key) && right[key] !== undefined;
    if (!inRight && inLeft) return { path: at, first: shown(left[key]) };
    if (!inLeft && inRight) return { path: at, second: shown(right[key]) };
    const found = firstDifference(left[key], right[key], at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The first object's keys in its order, then the second's it lacks. */
function orderedKeys(left: Record<string, unknown>, right: Record<string, unknown>): string[] {
  const keys = Object.keys(left);
  const seen = new Set(keys);
  for (const key of Object.keys(right)) if (!seen.has(key)) keys.push(key);
  return keys;
}

function kindOf(value: unknown): 'array' | 'object' | 'value' {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' && value !== null ? 'object' : 'value';
}

function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A value as a difference shows it: JSON values as they are, nested ones cut short. */
function shown(value: unknown, depth = 0): unknown {
  const kind = kindOf(value);
  if (kind === 'value') return value;
  if (depth >= shownDepthMax) return kind === 'array' ? '[…]' : '{…}';
  if (kind === 'array') {
    const items = (value as unknown[])
      .slice(0, shownItemsMax)
      .map((item) => shown(item, depth + 1));
    if ((value as unknown[]).length > shownItemsMax) items.push('…');
    return items;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  );
  const out: Record<string, unknown> = Object.fromEntries(
    entries.slice(0, shownItemsMax).map(([k, v]) => [k, shown(v, depth + 1)]),
  );
  if (entries.length > shownItemsMax) out['…'] = `${entries.length - shownItemsMax} more`;
  return out;
}

/**
 * A difference in one line: `$.attempts[2].messageId: "3EB0…A1" the first time, "3EB0…B2" the
 * second`.
 */
export function formatDifference(difference: HistoryDifference, shownLengthMax = 80): string {
  const text = (value: unknown): string => {
    const json = JSON.stringify(value) ?? String(value);
    return json.length > shownLengthMax ? `${json.slice(0, shownLengthMax - 1)}…` : json;
  };
  const first = 'first' in difference ? text(difference.first) : '(absent)';
  const second = 'second' in difference ? text(difference.second) : '(absent)';
  return `${difference.path}: ${first} the first time, ${second} the second`;
}
