/**
 * The harness's requests per chat, for a send path that declared how many it takes at once
 * (`repliesPerChatMax`): a bot that answers one message at a time per chat awaits each reply
 * before it asks for the next, so the harness, playing that bot, calls a chat's next request
 * only once one under way settled. Calls beyond the limit wait in the chat's lane, in the order
 * they came; other chats are never held up. Without a limit every call is made at once.
 */

/** Most requests a lane holds waiting (one per timeline event: the timeline's limit bounds it). */
const waitingPerChatMax = 100_000;

interface Lane<Call> {
  underWay: number;
  waiting: Call[];
}

/** The lanes of one run. */
export class ChatLanes<Call> {
  readonly #max: number | undefined;
  readonly #lanes = new Map<string, Lane<Call>>();

  /** `max`: requests of one chat under way at once (undefined: no limit). */
  constructor(max: number | undefined) {
    if (max !== undefined && !(Number.isInteger(max) && max >= 1)) {
      throw new RangeError(`repliesPerChatMax must be a whole number from 1 (got ${max})`);
    }
    this.#max = max;
  }

  /** Requests of one chat under way at once (undefined: no limit). */
  get max(): number | undefined {
    return this.#max;
  }

  /** Whether calls are limited at all. */
  get limited(): boolean {
    return this.#max !== undefined;
  }

  /** True when `call` of `chat` may be made now (then under way); false when it waits its turn. */
  admit(chat: string, call: Call): boolean {
    if (this.#max === undefined) return true;
    const lane = this.#lanes.get(chat) ?? { underWay: 0, waiting: [] };
    this.#lanes.set(chat, lane);
    if (lane.underWay < this.#max) {
      lane.underWay++;
      return true;
    }
    if (lane.waiting.length >= waitingPerChatMax) {
      throw new Error(`invariant: more than ${waitingPerChatMax} requests waiting in one chat`);
    }
    lane.waiting.push(call);
    return false;
  }

  /**
   * Takes every waiting call out of the lanes (calls under way stay counted until they settle):
   * a restart of the bot drops the work its old process had not begun.
   */
  takeWaiting(): Call[] {
    const taken: Call[] = [];
    for (const lane of this.#lanes.values())
      taken.push(...lane.waiting.splice(0, lane.waiting.length));
    return taken;
  }

  /** A call of `chat` settled: the chat's next waiting call, now under way, if any. */
  settled(chat: string): Call | undefined {
    if (this.#max === undefined) return undefined;
    const lane = this.#lanes.get(chat);
    if (lane === undefined || lane.underWay === 0) {
      throw new Error(`invariant: a request of chat ${chat} settled that was never under way`);
    }
    const next = lane.waiting.shift();
    if (next === undefined) lane.underWay--;
    return next;
  }
}
