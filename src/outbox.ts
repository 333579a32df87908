/**
 * The outbox turns a logical reply into attempts. Each reply gets one message id, reused on
 * every attempt, so a resend after an ambiguous failure can never become a second visible
 * message (WhatsApp drops a second copy of an id it already has). Replies to one chat go out
 * one at a time in request order; chats progress independently.
 *
 * Limits: `maxPending` replies in total (then {@link OutboxFullError}), `maxSendAttempts` per
 * reply, and a per-reply deadline that bounds its whole life: queueing, waits and attempts.
 * The outbox owns no timers: waits are the supervisor's shared wait, deadlines included.
 */
import type { AnyMessageContent } from '@whiskeysockets/baileys';
import {
  AmbiguousDeliveryError,
  LiveWaitTimeoutError,
  OutboxFullError,
  ReplyDeadlineError,
  SendAttemptsExhaustedError,
  SendPathStoppedError,
  SendRejectedError,
} from './errors.js';
import type { Clock, IdSource, Logger } from './ports.js';
import { redactJid } from './redact.js';
import { classifySendError } from './sendErrors.js';
import type { LiveSocket, Supervisor } from './supervisor.js';

/** What a reply resolves to once a frame carrying it was written. */
export interface Receipt {
  messageId: string;
  /** Attempts made, including the successful one. */
  attempts: number;
  /** Socket generation that carried the successful attempt. */
  generation: number;
  outcome: 'ok';
}

/** Limits and wiring. */
export interface OutboxOptions {
  supervisor: Supervisor;
  clock: Clock;
  messageIds: IdSource;
  logger: Logger;
  /** Whole-life bound per reply. */
  deadlineMs: number;
  /** Replies held at once, queued or in progress (default 1,000). */
  maxPending?: number;
  /** Attempts per reply (default 8). */
  maxSendAttempts?: number;
}

interface Reply {
  chatJid: string;
  content: AnyMessageContent;
  messageId: string;
  deadlineAt: number;
  resolve: (receipt: Receipt) => void;
  reject: (err: Error) => void;
}

/** Outcome of one attempt, as the delivery loop sees it. */
type AttemptResult =
  | { done: true; receipt: Receipt }
  | { done: false; terminal: boolean; mayHaveWritten: boolean; afterGeneration: number; cause: unknown };

/** See the module comment. */
export class Outbox {
  readonly #options: OutboxOptions;
  readonly #maxPending: number;
  readonly #maxSendAttempts: number;
  readonly #queues = new Map<string, Reply[]>();
  readonly #drains = new Set<Promise<void>>();
  #pending = 0;
  #stopped = false;
  /** Resolved by `stop()`: every in-flight attempt races it, so none can hold stop up. */
  #stopSignal: Promise<'stopped'>;
  #signalStop: () => void = () => undefined;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#maxPending = options.maxPending ?? 1000;
    this.#maxSendAttempts = options.maxSendAttempts ?? 8;
    this.#stopSignal = new Promise((resolve) => {
      this.#signalStop = () => resolve('stopped');
    });
  }

  /** Replies held now (queued or in progress). */
  get pending(): number {
    return this.#pending;
  }

  /** Queues `content` for `chatJid`; resolves with a {@link Receipt} or rejects with a typed error. */
  send(chatJid: string, content: AnyMessageContent): Promise<Receipt> {
    if (this.#stopped) return Promise.reject(new SendPathStoppedError());
    if (this.#pending >= this.#maxPending) return Promise.reject(new OutboxFullError(this.#maxPending));
    return new Promise<Receipt>((resolve, reject) => {
      const reply: Reply = {
        chatJid,
        content,
        messageId: this.#options.messageIds(),
        deadlineAt: this.#options.clock.now() + this.#options.deadlineMs,
        resolve,
        reject,
      };
      this.#pending += 1;
      const queue = this.#queues.get(chatJid);
      if (queue) queue.push(reply);
      else this.#startDrain(chatJid, [reply]);
    });
  }

  /**
   * Refuses new replies, fails queued ones, and settles in-progress ones without waiting for
   * their sockets: real Baileys can hold a send for `defaultQueryTimeoutMs` (60 s) after
   * `end()`. An in-progress reply may have been written, so it ends as ambiguous.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signalStop();
    for (const queue of this.#queues.values()) {
      // The head is in progress and settles itself; the rest never started: definitely not sent.
      for (const reply of queue.splice(1)) this.#settle(() => reply.reject(new SendPathStoppedError()));
    }
    await Promise.all(this.#drains);
  }

  #startDrain(chatJid: string, queue: Reply[]): void {
    this.#queues.set(chatJid, queue);
    const drain = this.#drain(queue).finally(() => {
      this.#queues.delete(chatJid);
      this.#drains.delete(drain);
    });
    this.#drains.add(drain);
  }

  async #drain(queue: Reply[]): Promise<void> {
    for (let reply = queue[0]; reply !== undefined; reply = queue[0]) {
      await this.#deliver(reply);
      queue.shift();
    }
  }

  #settle(settle: () => void): void {
    this.#pending -= 1;
    if (this.#pending < 0) throw new Error('invariant: outbox pending count below zero');
    settle();
  }

  /** Runs attempts for one reply until it is sent, refused, out of attempts or out of time. */
  async #deliver(reply: Reply): Promise<void> {
    let attempts = 0;
    let afterGeneration = 0;
    let ambiguousCause: unknown;
    const fail = (definite: Error): void =>
      this.#settle(() =>
        reply.reject(
          ambiguousCause === undefined ? definite : new AmbiguousDeliveryError(reply.messageId, attempts, ambiguousCause),
        ),
      );
    for (;;) {
      if (this.#stopped) return fail(new SendPathStoppedError());
      if (this.#options.clock.now() >= reply.deadlineAt) {
        return fail(new ReplyDeadlineError(reply.messageId, this.#options.deadlineMs, attempts));
      }
      if (attempts >= this.#maxSendAttempts) {
        return fail(new SendAttemptsExhaustedError(reply.messageId, attempts, ambiguousCause));
      }
      const live = await this.#waitLive(reply, afterGeneration, attempts);
      if (live instanceof Error) return fail(live);
      attempts += 1;
      const result = await this.#attempt(reply, live, attempts);
      if (result.done) return this.#settle(() => reply.resolve(result.receipt));
      if (result.mayHaveWritten) ambiguousCause = result.cause;
      if (result.terminal && result.cause instanceof SendPathStoppedError) return fail(result.cause);
      if (result.terminal) return fail(new SendRejectedError(reply.messageId, result.cause));
      afterGeneration = result.afterGeneration;
    }
  }

  async #waitLive(reply: Reply, afterGeneration: number, attempts: number): Promise<LiveSocket | Error> {
    try {
      return await this.#options.supervisor.whenLive(afterGeneration, reply.deadlineAt);
    } catch (err) {
      if (err instanceof LiveWaitTimeoutError) return new ReplyDeadlineError(reply.messageId, this.#options.deadlineMs, attempts);
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  async #attempt(reply: Reply, live: LiveSocket, attempt: number): Promise<AttemptResult> {
    const { logger, supervisor } = this.#options;
    const log = { chat: redactJid(reply.chatJid), messageId: reply.messageId, attempt, generation: live.generation };
    try {
      const sending = live.socket.sendMessage(reply.chatJid, reply.content, { messageId: reply.messageId });
      if ((await Promise.race([sending, this.#stopSignal])) === 'stopped') {
        sending.catch(() => undefined); // settles later, or never; nobody is listening any more
        return { done: false, terminal: true, mayHaveWritten: true, afterGeneration: live.generation, cause: new SendPathStoppedError() };
      }
      logger.debug(log, 'reply written');
      return { done: true, receipt: { messageId: reply.messageId, attempts: attempt, generation: live.generation, outcome: 'ok' } };
    } catch (cause) {
      const closeHeard = supervisor.isClosed(live.generation);
      const kind = classifySendError(cause, { closeHeard });
      logger.warn({ ...log, kind }, 'reply attempt failed');
      return {
        done: false,
        terminal: kind === 'terminal',
        mayHaveWritten: kind === 'ambiguous',
        // A timeout on a socket still open is retried on that same socket; anything else
        // waits for a newer one, because this socket is dead or dying.
        afterGeneration: kind === 'ambiguous' && !closeHeard ? live.generation - 1 : live.generation,
        cause,
      };
    }
  }
}
