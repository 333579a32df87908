/**
 * A history indexed once for judging. Every question a checker asks per request (its visible
 * copies, its attempts, a socket by generation, whether a socket opened or the session ended
 * after some time) is answered in O(1) or O(log n) here, so judging a history costs
 * O(n log n) in its size instead of O(requests x n). The index holds facts, never verdicts:
 * what they excuse is the checkers' business.
 */
import type {
  AttemptRecord,
  History,
  RequestRecord,
  SocketRecord,
  VisibleRecord,
} from '../../sim/history.js';
import { isTerminalCode, queryRefusalCodes } from '../../src/baileysFacts.js';

/**
 * rc14 refused a media send before any write: Boom 500 when every upload host failed
 * (`getWAUploadToServer`, `Utils/messages-media.js`) or `media_conn` was answered with an error,
 * a TypeError when `media_conn` was never answered. A failed `media_conn` stays cached for the
 * socket's life (`refreshMediaConn`, `Socket/messages-send.js`): retrying there cannot help.
 * Or the media host took its upload and never answered (no upload timeout in rc14: the send
 * stays pending for good, having written nothing).
 */
export function isMediaRefusal(attempt: AttemptRecord): boolean {
  if (attempt.uploadUnanswered === true) return true;
  if (attempt.written || attempt.result !== 'rejected') return false;
  return attempt.error?.statusCode === 500 || attempt.error?.name === 'TypeError';
}

/**
 * rc14 rejected a send before any write because the server refused a query for its chat with a
 * code that no resend soon can change: 403 (`forbidden`: the bot is not in the group) or 429
 * (`rate-overlimit`). Boom 500 with the code in `data` (`assertNodeErrorFree`).
 */
export function isChatRefusal(attempt: AttemptRecord): boolean {
  const { error } = attempt;
  if (attempt.written || attempt.result !== 'rejected' || error?.statusCode !== 500) return false;
  const { forbidden, rateOverlimit } = queryRefusalCodes;
  return error.data === forbidden || error.data === rateOverlimit;
}

/**
 * The session ended from outside: the socket closed with a terminal code (401 logged out, 403
 * banned, 440 replaced) and the path did not cause it. Cut while open (`drop`: the device was
 * removed, or another session took over) or refused at login (`loginFailure`: after a logout
 * every login fails with 401). A 440 the path provoked by opening a second socket (`replaced`)
 * is not one: the path's own newer socket is the session.
 */
export function isOutsideTerminalClose(socket: SocketRecord): boolean {
  return (
    (socket.cause === 'drop' || socket.cause === 'loginFailure') &&
    socket.closeEmittedAt !== undefined &&
    isTerminalCode(socket.closeError?.statusCode)
  );
}

const noCopies: readonly VisibleRecord[] = Object.freeze([]);

/**
 * Close times (ascending, distinct) and, as of each, whether the reconnect attempts had run out.
 */
interface ExhaustionSteps {
  at: number[];
  exhausted: boolean[];
}

/** See the module comment. Build one per history with `new HistoryIndex(history)`. */
export class HistoryIndex {
  readonly history: History;
  /** Requests that put a visible message in the chat (composing does not), in request order. */
  readonly messageRequests: readonly RequestRecord[];
  /**
   * Message attempts that carry a reply key, per key in call order; keys in order of first attempt.
   */
  readonly messageAttemptsByKey: ReadonlyMap<string, readonly AttemptRecord[]>;
  /** Message attempts per chat name, in call order. */
  readonly messageAttemptsByChat: ReadonlyMap<string, readonly AttemptRecord[]>;
  /** Called message requests per chat name, in call order. */
  readonly calledMessageRequestsByChat: ReadonlyMap<string, readonly RequestRecord[]>;
  /**
   * The first attempt that carried each message id the path sent (its own echoes come back with
   * these ids).
   */
  readonly ownMessageIds: ReadonlyMap<string, AttemptRecord>;
  /**
   * The socket of the earliest close from outside that ended the session ({@link
   * isOutsideTerminalClose}), if any.
   */
  readonly firstOutsideTerminalClose: SocketRecord | undefined;
  /** Visible copies per chat, then per reply key, in the order they became visible. */
  readonly #copies = new Map<string, Map<string, VisibleRecord[]>>();
  readonly #socketByGeneration = new Map<number, SocketRecord>();
  readonly #openedAtMax: number;
  /** Every socket's `openedAt`, ascending. */
  readonly #openedAtSorted: number[];
  readonly #outsideTerminalCloseAt: { first: number; last: number };
  /** Earliest close of the last `maxAttempts` sockets when none of them opened; else undefined. */
  readonly #lastConnectsFailedAt: number | undefined;
  readonly #exhaustion: ExhaustionSteps;

  constructor(history: History) {
    const maxAttempts = history.config.reconnect.maxAttempts;
    // Invariant (the timeline schema enforces it): a path is allowed at least one reconnect.
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new RangeError(
        `config.reconnect.maxAttempts must be a whole number >= 1 (got ${maxAttempts})`,
      );
    this.history = history;
    this.messageRequests = history.requests.filter((r) => r.kind !== 'composing');
    this.messageAttemptsByKey = attemptsByKey(history.attempts);
    this.messageAttemptsByChat = groupBy(
      history.attempts.filter((a) => a.kind === 'message'),
      (a) => a.chat,
    );
    this.calledMessageRequestsByChat = calledByChat(this.messageRequests);
    this.ownMessageIds = firstAttemptById(history.attempts);
    for (const [chat, visible] of Object.entries(history.server.visible))
      this.#copies.set(chat, copiesByKey(visible));
    // The first record of a generation wins, as a search from the front would find it.
    for (const s of history.sockets)
      if (!this.#socketByGeneration.has(s.generation))
        this.#socketByGeneration.set(s.generation, s);
    this.#openedAtSorted = definedTimes(history.sockets, (s) => s.openedAt).sort((a, b) => a - b);
    this.#openedAtMax = this.#openedAtSorted.at(-1) ?? -Infinity;
    // A login refused 401 after the path's own logout() unlinked the session is the path's doing.
    const unlinkedAt = history.server.session.unlinkedAt ?? Infinity;
    const outside = history.sockets.filter(
      (s) => isOutsideTerminalClose(s) && s.createdAt < unlinkedAt,
    );
    const terminal = definedTimes(outside, (s) => s.closeEmittedAt);
    this.#outsideTerminalCloseAt = { first: minOf(terminal), last: maxOf(terminal) };
    this.firstOutsideTerminalClose = outside.find(
      (s) => s.closeEmittedAt === this.#outsideTerminalCloseAt.first,
    );
    this.#lastConnectsFailedAt = lastConnectsFailedAt(history.sockets, maxAttempts);
    this.#exhaustion = exhaustionSteps(history.sockets, maxAttempts);
  }

  /** The recipient-visible copies of `request`'s reply in its chat, in the order they appeared. */
  visibleCopies(request: RequestRecord): readonly VisibleRecord[] {
    return this.#copies.get(request.chat)?.get(request.key) ?? noCopies;
  }

  /** The socket of `generation`, if the run made one. */
  socketOf(generation: number): SocketRecord | undefined {
    return this.#socketByGeneration.get(generation);
  }

  /** Some socket opened at or after `at`. */
  openedAtOrAfter(at: number): boolean {
    return this.#openedAtMax >= at;
  }

  /** Some socket opened at or after `from` and before `to`. */
  openedBetween(from: number, to: number): boolean {
    const first = this.#openedAtSorted[firstAtOrAfter(this.#openedAtSorted, from)];
    return first !== undefined && first < to;
  }

  /**
   * The session ended from outside ({@link isOutsideTerminalClose}) at or after `at`: some such
   * close was emitted then.
   */
  outsideTerminalCloseAtOrAfter(at: number): boolean {
    return this.#outsideTerminalCloseAt.last >= at;
  }

  /** The session ended from outside ({@link isOutsideTerminalClose}) at or before `at`. */
  outsideTerminalCloseBy(at: number): boolean {
    return this.#outsideTerminalCloseAt.first <= at;
  }

  /** The run's last `maxAttempts` sockets all closed at or after `at` without ever opening. */
  lastConnectsFailedSince(at: number): boolean {
    return this.#lastConnectsFailedAt !== undefined && this.#lastConnectsFailedAt >= at;
  }

  /**
   * Out of reconnect attempts by `at`: of the sockets whose close was emitted at or before `at`,
   * the last `maxAttempts` (in creation order) all never opened.
   */
  reconnectsExhaustedBy(at: number): boolean {
    const step = lastAtOrBefore(this.#exhaustion.at, at);
    return step >= 0 && this.#exhaustion.exhausted[step]!;
  }
}

function attemptsByKey(attempts: readonly AttemptRecord[]): Map<string, AttemptRecord[]> {
  const byKey = new Map<string, AttemptRecord[]>();
  for (const a of attempts) {
    if (a.kind !== 'message' || a.key === undefined) continue;
    const list = byKey.get(a.key);
    if (list === undefined) byKey.set(a.key, [a]);
    else list.push(a);
  }
  return byKey;
}

function calledByChat(requests: readonly RequestRecord[]): Map<string, RequestRecord[]> {
  const byChat = groupBy(
    requests.filter((r) => r.callSeq !== undefined),
    (r) => r.chat,
  );
  for (const list of byChat.values()) list.sort((a, b) => a.callSeq! - b.callSeq!);
  return byChat;
}

/** `items` grouped by `keyOf`, each group in the items' order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

function firstAttemptById(attempts: readonly AttemptRecord[]): Map<string, AttemptRecord> {
  const byId = new Map<string, AttemptRecord>();
  for (const a of attempts)
    if (a.messageId !== undefined && !byId.has(a.messageId)) byId.set(a.messageId, a);
  return byId;
}

function copiesByKey(visible: readonly VisibleRecord[]): Map<string, VisibleRecord[]> {
  const byKey = new Map<string, VisibleRecord[]>();
  for (const v of visible) {
    if (v.key === undefined) continue; // no request's key can match it
    const list = byKey.get(v.key);
    if (list === undefined) byKey.set(v.key, [v]);
    else list.push(v);
  }
  return byKey;
}

function definedTimes(
  sockets: readonly SocketRecord[],
  time: (s: SocketRecord) => number | undefined,
): number[] {
  const times: number[] = [];
  for (const s of sockets) {
    const t = time(s);
    if (t !== undefined) times.push(t);
  }
  return times;
}

/**
 * The largest of `values`; -Infinity for none (no spread: a long list would overflow the stack).
 */
function maxOf(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** The smallest of `values`; Infinity for none. */
function minOf(values: readonly number[]): number {
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  return min;
}

function lastConnectsFailedAt(
  sockets: readonly SocketRecord[],
  maxAttempts: number,
): number | undefined {
  const tail = sockets.slice(-maxAttempts);
  if (tail.length !== maxAttempts) return undefined;
  if (!tail.every((s) => s.openedAt === undefined && s.closeEmittedAt !== undefined))
    return undefined;
  return minOf(tail.map((s) => s.closeEmittedAt!));
}

/**
 * {@link HistoryIndex.reconnectsExhaustedBy} for every close time, in one sweep over the
 * sockets in close order. `newestOpened` is the newest (by creation) opened socket closed so
 * far and `unopenedAfter` counts the closed sockets newer than it, which all never opened: the
 * last `maxAttempts` closed sockets never opened exactly when `unopenedAfter >= maxAttempts`.
 * `newestOpened` only moves forward, so the sweep after the sort is O(sockets).
 */
function exhaustionSteps(sockets: readonly SocketRecord[], maxAttempts: number): ExhaustionSteps {
  const closeAt = (i: number): number => sockets[i]!.closeEmittedAt!;
  const order = [...sockets.keys()]
    .filter((i) => sockets[i]!.closeEmittedAt !== undefined)
    .sort((a, b) => closeAt(a) - closeAt(b));
  const closed = new Array<boolean>(sockets.length).fill(false);
  const steps: ExhaustionSteps = { at: [], exhausted: [] };
  let newestOpened = -1;
  let unopenedAfter = 0;
  for (const i of order) {
    closed[i] = true;
    if (sockets[i]!.openedAt === undefined) {
      if (i > newestOpened) unopenedAfter += 1;
    } else if (i > newestOpened) {
      for (let j = newestOpened + 1; j < i; j += 1) if (closed[j]) unopenedAfter -= 1;
      newestOpened = i;
    }
    // Sockets closed at the same time count together: the answer is the one after the last.
    const exhausted = unopenedAfter >= maxAttempts;
    if (steps.at.at(-1) === closeAt(i)) steps.exhausted[steps.exhausted.length - 1] = exhausted;
    else {
      steps.at.push(closeAt(i));
      steps.exhausted.push(exhausted);
    }
  }
  return steps;
}

/** Index of the first value `>= at` in ascending `sorted`, or its length. */
function firstAtOrAfter(sorted: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last value `<= at` in ascending `sorted`, or -1. */
function lastAtOrBefore(sorted: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
