/**
 * A bounded set of recently seen ids: remembers the last `capacity` ids, forgets the oldest first.
 * The reference uses it to hand each inbound message to the bot once, though WhatsApp delivers a
 * message again when it did not get the bot's receipt.
 */
export class RecentIds {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  /** A set remembering at most `capacity` ids (a whole number >= 1). */
  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`capacity must be a whole number >= 1 (got ${capacity})`);
    this.#capacity = capacity;
  }

  /** Adds `id`; false if it was already remembered. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    // A Set iterates in insertion order: its first entry is the oldest.
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }

  /** Ids remembered now. */
  get size(): number {
    return this.#ids.size;
  }

  /** The newest `count` ids remembered (all by default), oldest first. */
  newest(count = this.#ids.size): string[] {
    const ids = [...this.#ids];
    return count >= ids.length ? ids : ids.slice(ids.length - count);
  }
}
