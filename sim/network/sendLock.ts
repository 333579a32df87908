/**
 * The one lock every send on a socket takes in rc14. `relayMessage`
 * (`lib/Socket/messages-send.js`) runs its device queries, encryption and the write inside
 * `keys.transaction(work)` with no key, and `addTransactionCapability`
 * (`lib/Utils/auth-utils.js`) serializes transactions of one key with an `async-mutex` `Mutex`,
 * which is FIFO. `makeSocket` (`lib/Socket/socket.js`) wraps the auth state's keys anew for each
 * socket, so the lock is the socket's: its sends start their pre-write queries only once the send
 * called before them was written or failed, in any chat, and one stuck in a query holds up the
 * rest of that socket's sends; a newer socket has a lock of its own. Media uploads
 * (`generateWAMessage`) run before the lock.
 */

/** Most sends waiting for the lock at once (a limit on everything; the attempts limit is lower). */
const sendLockWaitersMax = 1_000_000;

/** A FIFO lock over async work. */
export class SendLock {
  #tail: Promise<void> = Promise.resolve();
  #waiters = 0;

  /** Runs `work` once every earlier `run` settled; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#waiters >= sendLockWaitersMax)
      throw new Error(`send lock: more than ${sendLockWaitersMax} sends waiting`);
    this.#waiters += 1;
    const result = this.#tail.then(work);
    this.#tail = result.then(this.#release, this.#release);
    return result;
  }

  /** One function releases every send's turn: nothing to allocate per send. */
  readonly #release = (): void => {
    this.#waiters -= 1;
  };
}
