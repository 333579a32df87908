/**
 * chat-independence: a fault in one chat never holds up another. A reply whose own chat and
 * socket had no fault becomes visible soon after its turn in its chat came, whatever happens in
 * the other chats (no head-of-line blocking across chats).
 */
import type { AttemptRecord, History, RequestRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import { isChatRefusal, type HistoryIndex } from '../historyIndex.js';
import { queryRefusalCodes } from '../../../src/baileysFacts.js';
import { PrefixMax } from '../prefixMax.js';
import { restartStopRequestedBetween } from '../restarts.js';

const property = 'chat-independence';

/**
 * The bound, ms: a fault-free reply is visible within {@link independenceSlackMs} plus
 * {@link latencyFactor} one-way latencies of its turn. rc14 sends one after up to two usync
 * round trips (the first send per chat per socket; media adds the media_conn round trip and the
 * upload), then the write, then one more latency to the server: under ten one-way latencies.
 * A reply whose first attempt began within {@link independenceSlackMs} of its turn was not held
 * up behind anything, whatever the network then did to it.
 */
const independenceSlackMs = 10_000;
/** One-way latencies a fault-free send may take (see {@link independenceSlackMs}). */
const latencyFactor = 10;

/** A reply the property judges: its turn, and the end of the window it must be visible by. */
interface Judged {
  request: RequestRecord;
  readyAt: number;
  byAt: number;
}

/**
 * The run's one-way latency as measured: the longest time from a write to its frame reaching
 * the server, among frames written on sockets that never went silent (a silent link stalls its
 * frames: that is a fault, not latency). 0 when no such frame exists.
 */
export function measuredLatencyMs(history: History): number {
  const bySeq = new Map(history.attempts.map((a) => [a.seq, a]));
  const silent = new Set(
    history.sockets.filter((s) => s.silentAt !== undefined).map((s) => s.generation),
  );
  let latency = 0;
  for (const frame of history.server.frames) {
    // rc14's own resend repeats an older attempt's write: its delay is the retry's, not latency.
    if (frame.retryResend === true) continue;
    const written = bySeq.get(frame.attemptSeq)?.writtenAt;
    if (written === undefined || silent.has(frame.generation)) continue;
    latency = Math.max(latency, frame.at - written);
  }
  return latency;
}

/**
 * A chat fault: the server nacked the send, a pre-write query stalled (timed out, or was left
 * unanswered), or the send was rejected.
 */
function isChatFault(a: AttemptRecord): boolean {
  return (
    a.kind === 'message' &&
    (a.nacked === true ||
      a.queryTimeouts > 0 ||
      (a.queriesStalled ?? 0) > 0 ||
      a.result === 'rejected')
  );
}

/**
 * A send refused as over the rate limit (429) keeps its chat in fault until the chat's next send
 * begins: the path is backing off there, and a reply of the chat queued meanwhile waits rightly.
 */
function backingOff(attempts: readonly AttemptRecord[], endedAt: number): [number, number][] {
  const intervals: [number, number][] = [];
  attempts.forEach((a, i) => {
    if (!isChatRefusal(a) || a.error?.data !== queryRefusalCodes.rateOverlimit) return;
    intervals.push([a.at, attempts[i + 1]?.at ?? endedAt]);
  });
  return intervals;
}

/** The facts the property reads, built once per index. */
class Facts {
  readonly boundMs: number;
  /**
   * Sockets: opened at -> first trouble (silence, loss, end() or close), for "open and untroubled
   * throughout".
   */
  readonly #sockets: PrefixMax;
  /** Per chat, its faulty attempts as [start, end] intervals. */
  readonly #chatFaults = new Map<string, PrefixMax>();
  /** Per chat, its attempts as [start, end]: until when sends begun before a time kept it busy. */
  readonly #chatBusy = new Map<string, PrefixMax>();
  /** Per chat, when the server refused a send to it as over the rate limit (429). */
  readonly #rateLimitedAt = new Map<string, number[]>();
  readonly judged: Judged[] = [];

  constructor(index: HistoryIndex) {
    const { history } = index;
    this.boundMs = independenceSlackMs + latencyFactor * measuredLatencyMs(history);
    this.#sockets = new PrefixMax(
      history.sockets.flatMap((s) =>
        s.openedAt === undefined
          ? []
          : [
              [
                s.openedAt,
                Math.min(
                  s.silentAt ?? Infinity,
                  s.diedAt ?? Infinity,
                  s.endCalledAt ?? Infinity,
                  s.closeEmittedAt ?? Infinity,
                ),
              ] as const,
            ],
      ),
    );
    const faults = new Map<string, [number, number][]>();
    for (const a of history.attempts) {
      if (!isChatFault(a)) continue;
      const list = faults.get(a.chat) ?? [];
      list.push([a.at, a.settledAt ?? history.endedAt]);
      faults.set(a.chat, list);
    }
    for (const [chat, attempts] of index.messageAttemptsByChat) {
      faults.set(chat, [...(faults.get(chat) ?? []), ...backingOff(attempts, history.endedAt)]);
    }
    for (const [chat, list] of faults) this.#chatFaults.set(chat, new PrefixMax(list));
    for (const a of history.attempts) {
      if (!isChatRefusal(a) || a.error?.data !== queryRefusalCodes.rateOverlimit) continue;
      this.#rateLimitedAt.set(a.chat, [...(this.#rateLimitedAt.get(a.chat) ?? []), a.at]);
    }
    for (const [chat, attempts] of index.messageAttemptsByChat) {
      this.#chatBusy.set(
        chat,
        new PrefixMax(attempts.map((a) => [a.at, a.settledAt ?? history.endedAt] as const)),
      );
    }
    for (const called of index.calledMessageRequestsByChat.values()) {
      called.forEach((request, i) => {
        const judged = this.#judge(index, request, called[i - 1]);
        if (judged !== undefined) this.judged.push(judged);
      });
    }
  }

  /**
   * When `request`'s turn came in its chat: it was called, the request called before it in the
   * chat settled, and every send in the chat begun before its own first attempt (resends of
   * earlier replies included, which go first) was over.
   */
  #turnOf(
    index: HistoryIndex,
    request: RequestRecord,
    previous: RequestRecord | undefined,
  ): number {
    const firstAttemptAt = index.messageAttemptsByKey.get(request.key)?.[0]?.at ?? Infinity;
    const busyUntil = this.#chatBusy.get(request.chat)?.maxBefore(firstAttemptAt) ?? -Infinity;
    return Math.max(request.calledAt!, previous?.settledAt ?? -Infinity, busyUntil);
  }

  /** `request` with its window, when its own chat and socket had no fault in it; else undefined. */
  #judge(
    index: HistoryIndex,
    request: RequestRecord,
    previous: RequestRecord | undefined,
  ): Judged | undefined {
    const { history } = index;
    if (previous !== undefined && previous.settledAt === undefined) return undefined;
    const readyAt = this.#turnOf(index, request, previous);
    const byAt = readyAt + this.boundMs;
    if (byAt > history.endedAt || byAt > request.calledAt! + history.config.replyDeadlineMs)
      return undefined;
    if (history.stop.requestedAt !== undefined && history.stop.requestedAt <= byAt)
      return undefined;
    if (restartStopRequestedBetween(history, request.calledAt!, byAt)) return undefined;
    if (this.#sockets.maxUpTo(readyAt) <= byAt) return undefined;
    if (this.#chatFaults.get(request.chat)?.overlaps(readyAt, byAt)) return undefined;
    // A chat the server rate-limited since the call: backing off there holds the chat up, rightly.
    const limited = this.#rateLimitedAt.get(request.chat) ?? [];
    if (limited.some((at) => at >= request.calledAt! && at <= byAt)) return undefined;
    return { request, readyAt, byAt };
  }
}

const factsOf = new WeakMap<HistoryIndex, Facts>();

function facts(index: HistoryIndex): Facts {
  let f = factsOf.get(index);
  if (f === undefined) {
    f = new Facts(index);
    factsOf.set(index, f);
  }
  return f;
}

/**
 * A faulty attempt of another chat in progress during [from, to], to name what held the reply up.
 */
function blockerOf(
  history: History,
  chat: string,
  from: number,
  to: number,
): AttemptRecord | undefined {
  return history.attempts.find(
    (a) =>
      a.chat !== chat && isChatFault(a) && a.at <= to && (a.settledAt ?? history.endedAt) >= from,
  );
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const { history } = index;
  const f = facts(index);
  const violations: Violation<typeof property>[] = [];
  for (const { request, readyAt, byAt } of f.judged) {
    const visibleAt = index.visibleCopies(request)[0]?.at;
    if (visibleAt !== undefined && visibleAt <= byAt) continue;
    const sentAt = index.messageAttemptsByKey.get(request.key)?.[0]?.at;
    // on time; the network was slow
    if (sentAt !== undefined && sentAt <= readyAt + independenceSlackMs) continue;
    const blocker = blockerOf(history, request.chat, readyAt, byAt);
    const held =
      blocker === undefined
        ? ''
        : `; meanwhile chat ${blocker.chat} had a fault (attempt #${blocker.seq}` +
          `${blocker.key ? ` for ${blocker.key}` : ''})`;
    const seen =
      (visibleAt === undefined ? 'was not visible' : `became visible only at ${visibleAt} ms`) +
      `, ${sentAt === undefined ? 'never sent' : `first sent at ${sentAt} ms`}`;
    violations.push({
      property,
      key: request.key,
      at: byAt,
      message:
        `${request.key} in chat ${request.chat} ${seen}: its turn came at ${readyAt} ms ` +
        `and ` +
        `neither its chat nor its socket had a fault, so it was due by ${byAt} ms (` +
        `${f.boundMs} ms)${held}: head-of-line blocking across chats`,
    });
  }
  return violations;
}

/** Property 11, chat-independence. */
export const chatIndependence: Checker<typeof property> = {
  name: property,
  meaning: "One chat's trouble never holds up the replies of another chat.",
  fix:
    'Keep a queue per chat rather than one for all chats, so a send stuck in one chat ' +
    'cannot block the others.',
  definition:
    'A reply or media request whose own chat and socket had no fault becomes visible within a ' +
    'bound after its turn came, or at least its first send attempt begins within 10 s of its ' +
    'turn (then nothing held it up; the network was slow). Its turn: the latest of its call, the ' +
    'settling of the request called before it in its chat, and the end of every send in its chat ' +
    'begun before its own first attempt (a resend of an earlier reply goes first). The bound: 10 ' +
    "s plus 10 times the run's one-way latency (the longest time from a write to its frame " +
    'reaching the server, on sockets never silent). No fault, throughout [turn, turn + bound]: a ' +
    'socket of the path was open at the turn and had no silence, loss, end() or close in the ' +
    'window; no message attempt to its chat in progress in the window was nacked, had a ' +
    "pre-write query left unanswered, or was rejected; stop() was not called by the window's " +
    'end, nor by a restart since its call. Not judged: a request whose previous one in the chat ' +
    'never settled, whose deadline ends inside the window, or whose window outlasts the run; nor ' +
    'one whose chat the server refused as over the rate limit (Boom 500 with data 429) between ' +
    "its call and the window's end, or before its turn with no send in the chat since: backing " +
    'off is right there. Faults in other chats excuse nothing: that is the point.',
  check,
  judges: (index) => facts(index).judged.length > 0,
};
