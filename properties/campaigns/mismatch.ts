/**
 * What made a run give a different history the second time: the first place the two histories
 * part (in their canonical key order), and the likely source by what differs there and how the
 * path runs (on the seam's ports, or intercepted). One line, for the campaign summary.
 */
import type { History } from '../../sim/history.js';
import type { NamedSendPath } from '../paths/sendPaths.js';

/** Longest shown value of a difference. */
const shownValueMax = 40;
/** Deepest the search goes (a history is a few levels deep; a path's receipt may be deeper). */
const depthMax = 32;

/**
 * The first place `a` and `b` differ, as a path (`attempts[3].messageId`) with both values;
 * undefined when equal.
 */
export function firstDifference(
  a: unknown,
  b: unknown,
  place = '',
  depth = 0,
): { place: string; a: unknown; b: unknown } | undefined {
  if (Object.is(a, b)) return undefined;
  const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null;
  if (!objects || Array.isArray(a) !== Array.isArray(b) || depth >= depthMax)
    return { place: place || '(root)', a, b };
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      const found = firstDifference(a[i], b[i], `${place}[${i}]`, depth + 1);
      if (found) return found;
    }
    return a.length === b.length
      ? undefined
      : { place: `${place}.length`, a: a.length, b: b.length };
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      place ? `${place}.${key}` : key,
      depth + 1,
    );
    if (found) return found;
  }
  return undefined;
}

function shown(value: unknown): string {
  const text = value === undefined ? 'absent' : (JSON.stringify(value) ?? String(value));
  return text.length > shownValueMax ? `${text.slice(0, shownValueMax - 1)}…` : text;
}

/** The likely source of a difference at `place`, for a path run on the seam or intercepted. */
function sourceOf(place: string, path: NamedSendPath): string {
  const ids = /messageId|\.id\b|fakeIds/.test(place);
  const logs = place.startsWith('logs');
  if (path.intercept && path.resets === false) {
    return (
      `module-level state kept from one run to the next: export a reset() from ${path.name}` +
      ` ` +
      `that puts it back as a fresh import has it`
    );
  }
  if (path.intercept) {
    if (ids)
      return (
        'ids drawn from a source baileys-sim does not seed (a generator seeded before the ' +
        'run, or randomness from another thread)'
      );
    if (logs)
      return (
        'log lines carrying values from outside the run (real time kept from before it, a ' +
        'counter kept across runs)'
      );
    return (
      'time, timers or state baileys-sim does not intercept: setImmediate used as a delay, real ' +
      'I/O (files, sockets), a timer or value kept from before the run, worker threads, or ' +
      'module state reset() leaves'
    );
  }
  if (ids)
    return 'message ids made outside env.messageIds (generateMessageIDV2, crypto, Math.random)';
  if (logs) return 'log lines carrying real time or randomness';
  return (
    'time, timers or randomness read outside the SimEnv ports (setTimeout, Date.now, ' +
    'Math.random), or module state kept across runs'
  );
}

/** One line naming where two histories of one timeline part and the likely source. */
export function likelySourceOfMismatch(
  first: History,
  second: History,
  path: NamedSendPath,
): string {
  const found = firstDifference(first, second);
  if (found === undefined) return 'the histories differ only in their fingerprints (key order)';
  return (
    `first difference at ${found.place} (${shown(found.a)} then ${shown(found.b)}); likely ` +
    `source: ${sourceOf(found.place, path)}`
  );
}
