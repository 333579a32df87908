/**
 * The messages the path wrote lately, by id, for Baileys' `getMessage`. When a recipient cannot
 * decrypt a message it asks for it again (a retry receipt); rc14 resends from the cache of the
 * socket that wrote it, and a newer socket has no such cache: it asks `getMessage`, and without
 * an answer the recipient never gets the message (`sendMessagesAgain`, `Socket/messages-recv.js`).
 * Bounded: the last `capacity` messages, the oldest forgotten first.
 */
import type { proto } from '@whiskeysockets/baileys';

export class SentMessages {
  readonly #capacity: number;
  readonly #byId = new Map<string, proto.IMessage>();

  /** A store remembering at most `capacity` messages (a whole number >= 1). */
  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`capacity must be a whole number >= 1 (got ${capacity})`);
    this.#capacity = capacity;
  }

  /** Remembers `message` as written with `id` (the newest copy wins). */
  remember(id: string, message: proto.IMessage): void {
    this.#byId.delete(id);
    this.#byId.set(id, message);
    // A Map iterates in insertion order: its first entry is the oldest.
    if (this.#byId.size > this.#capacity) this.#byId.delete(this.#byId.keys().next().value!);
  }

  /** The message written with `id`, if still remembered. */
  get(id: string | null | undefined): proto.IMessage | undefined {
    return id === null || id === undefined ? undefined : this.#byId.get(id);
  }

  /** Messages remembered now. */
  get size(): number {
    return this.#byId.size;
  }
}
