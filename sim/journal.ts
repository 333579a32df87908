/**
 * The order in which a run's facts were recorded. A history stamps facts with virtual time only,
 * and many facts share a millisecond (a send and the close that followed it, a message handed
 * to the bot and the reply it asked for): the journal keeps the order the simulator recorded
 * them in, cause before effect, so a replay never lists a send after the close that followed it.
 *
 * An entry is two numbers: the fact's kind ({@link factKinds}) and its id within that kind (a
 * socket's generation, an attempt's seq, an event's index; see each kind). Numbers, not text: a
 * run records a few hundred of them and must not get slower for it.
 */

/** What a journal entry records, and what its id is. */
export const factKinds = Object.freeze({
  /** A timeline event fired (id: its index in the timeline). */
  eventFired: 0,
  /** `makeSocket` made a socket (id: its generation). */
  socketCreated: 1,
  /** The socket logged in (`open` emitted; id: generation). */
  socketOpened: 2,
  /** The connection was lost under it, or refused (id: generation). */
  socketDied: 3,
  /** The path called `end()` on it, first call (id: generation). */
  endCalled: 4,
  /** `close` was emitted to the path (id: generation). */
  closeEmitted: 5,
  /** Its link went silent (id: generation). */
  linkSilent: 6,
  /** Its silent link came back (id: generation). */
  linkResumed: 7,
  /** A send attempt was made (id: the attempt's seq). */
  attemptMade: 8,
  /** Its frame was written (id: seq). */
  attemptWritten: 9,
  /** It settled (id: seq). */
  attemptSettled: 10,
  /** A frame reached the server (id: the frame's seq). */
  frameReached: 11,
  /** `messages.upsert` carried an inbound message to the path (id: {@link inboundFactId}). */
  inboundEmitted: 12,
  /** The path handed an inbound message to the bot (id: {@link inboundFactId}, n-th hand-over). */
  inboundHanded: 13,
  /** The harness called a request's method (id: its index in `history.requests`). */
  requestCalled: 14,
  /** Its promise settled (id: index). */
  requestSettled: 15,
  /** The harness called the path's `stop()` (id: 0). */
  stopCalled: 16,
  /** `stop()` settled (id: 0). */
  stopSettled: 17,
});

/** One kind of journal entry. */
export type FactKind = (typeof factKinds)[keyof typeof factKinds];

/** Emissions and hand-overs recorded per inbound message (the history keeps no more either). */
const inboundFactsPerMessageMax = 1000;

/** The id of the `n`-th (from 0) emission or hand-over of inbound message `index`. */
export function inboundFactId(index: number, n: number): number {
  return index * inboundFactsPerMessageMax + Math.min(n, inboundFactsPerMessageMax - 1);
}

/** Journal entries a run keeps; later facts are left unordered (listed by time alone). */
const journalEntriesMax = 200_000;

/** A run's journal: kind and id, pair after pair, in recording order. */
export class Journal {
  /** `[kind, id, kind, id, ...]`. */
  readonly entries: number[] = [];

  /** Notes that a fact of `kind` with `id` was recorded now. */
  note(kind: FactKind, id: number): void {
    if (this.entries.length < 2 * journalEntriesMax) this.entries.push(kind, id);
  }
}

/**
 * Each fact's place in the journal, by kind and id (the first place a fact was noted), for
 * ordering facts of one instant; undefined for a fact the journal does not hold.
 */
export function journalPlaces(
  entries: readonly number[] | undefined,
): (kind: FactKind, id: number) => number | undefined {
  const places = new Map<number, number>();
  if (entries !== undefined) {
    for (let i = 0; i + 1 < entries.length; i += 2) {
      const key = entries[i]! * 2 ** 32 + entries[i + 1]!;
      if (!places.has(key)) places.set(key, i / 2);
    }
  }
  return (kind, id) => places.get(kind * 2 ** 32 + id);
}
