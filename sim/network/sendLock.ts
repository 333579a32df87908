/**
 * The one lock every send of a session takes in rc14. `relayMessage`
 * (`lib/Socket/messages-send.js`) runs its device queries, encryption and the write inside
 * `authState.keys.transaction(work)` with no key, and `addTransactionCapability`
 * (`lib/Utils/auth-utils.js`) serializes transactions of one key with an `async-mutex` `Mutex`,
 * which is FIFO. So a send starts its pre-write queries only once the send called before it was
 * written or failed, in any chat and on any socket of the session: sends are written in the
 * order they were called, and one stuck in a query or behind a full buffer holds up the rest.
 * Media uploads (`generateWAMessage`) run before the lock.
 */

/** Most sends waiting for the lock at once (a limit on everything; the attempts limit is lower). */
export const sendLockWaitersMax = 1_000_000;

/** A FIFO lock over async work. */
export class SendLock {
  #tail: Promise<void> = Promise.resolve();
  #waiters = 0;

  /** Sends waiting for the lock or holding it. */
  get waiters(): number {
    return this.#waiters;
  }

  /** Runs `work` once every earlier `run` settled; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#waiters >= sendLockWaitersMax) throw new Error(`send lock: more than ${sendLockWaitersMax} sends waiting`);
    this.#waiters += 1;
    const result = this.#tail.then(work);
    const release = (): void => {
      this.#waiters -= 1;
    };
    this.#tail = result.then(release, release);
    return result;
  }
}
