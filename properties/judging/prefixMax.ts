/**
 * "The largest value among entries whose key is at most (or below) x", answered in O(log n)
 * after an O(n log n) build. Checkers ask it per request: does some interval overlap [a, b]
 * (entries start -> end: the largest end among starts <= b reaches a), was some socket open at t
 * and untroubled until u (entries openedAt -> first trouble: the largest among openings <= t
 * passes u), until when was a chat busy with sends begun before t.
 */
export class PrefixMax {
  readonly #keys: number[];
  readonly #maxUpTo: number[];

  /** Entries as [key, value] pairs, in any order. */
  constructor(entries: readonly (readonly [number, number])[]) {
    const sorted = [...entries].sort((a, b) => a[0] - b[0]);
    this.#keys = sorted.map(([key]) => key);
    this.#maxUpTo = [];
    let max = -Infinity;
    for (const [, value] of sorted) {
      max = Math.max(max, value);
      this.#maxUpTo.push(max);
    }
  }

  /** The largest value among entries with key <= `key`; -Infinity when there is none. */
  maxUpTo(key: number): number {
    return this.#maxOfFirst(this.#count((k) => k <= key));
  }

  /** The largest value among entries with key < `key`; -Infinity when there is none. */
  maxBefore(key: number): number {
    return this.#maxOfFirst(this.#count((k) => k < key));
  }

  /** How many keys (a prefix of the sorted keys) satisfy `within`. */
  #count(within: (key: number) => boolean): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (within(this.#keys[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #maxOfFirst(n: number): number {
    return n === 0 ? -Infinity : this.#maxUpTo[n - 1]!;
  }

  /** Some entry, read as the interval [key, value], overlaps [from, to]. */
  overlaps(from: number, to: number): boolean {
    return this.maxUpTo(to) >= from;
  }
}
