/**
 * The outbox turns a logical reply into attempts. Each reply gets one message id, reused on
 * every attempt, so a resend after an ambiguous failure can never become a second visible
 * message (WhatsApp drops a second copy of an id it already has). Replies to one chat go out
 * one at a time in request order; chats progress independently.
 *
 * A written frame is not a delivered one. Baileys resolves `sendMessage` once the frame is written;
 * on a silently dead connection it vanishes, Baileys notices through its keep-alive up to two
 * intervals + 5 s later, and its `end()` then waits ws's 30 s close timeout before `close` reaches
 * the path. So the outbox keeps each written reply as *unconfirmed* until its socket has stayed
 * alive for that whole window after the write (`confirmWindowMs`, with the sources in
 * `baileysFacts.ts`). When a socket closes for any non-terminal reason, every reply written on it
 * within the window before the close is sent again, with the same message id, on the next live
 * socket, ahead of that chat's later replies. The reply's promise resolved at the first write;
 * resends are counted in its {@link Receipt} (`resends`, updated in place) and logged. Confirmation
 * costs no timer: at a close, the write times are compared with the close time, and older entries
 * are pruned whenever a new write is recorded.
 *
 * Limits: `maxPending` replies awaiting their first write (then {@link OutboxFullError}),
 * `maxSendAttempts` per reply up to its first write, and {@link resendAttemptsMax} more for its
 * resends (so failures before the write cannot leave a lost write unresent; resends use what the
 * first write left too, as a flapping connection may reject a few); sends the server refused
 * with 429 count apart, up to {@link rateLimitedAttemptsMax}, as their growing pauses already
 * bound them and a long rate limit must not use up the attempts a flapping connection needs
 * later; a per-reply deadline that bounds its first
 * write (queueing, waits and attempts; a media send Baileys holds past it, as an upload the media
 * host never answers, is given up then), and `maxUnconfirmed` replies held after their write
 * (unconfirmed or waiting to be resent; at the limit the oldest unconfirmed one is treated as
 * confirmed and counted in `unconfirmedEvicted`). The outbox owns no timers: waits are the
 * supervisor's shared wait, deadlines included.
 */
import type { AnyMessageContent, proto } from '@whiskeysockets/baileys';
import {
  SocketClosedInFlightError,
  AmbiguousDeliveryError,
  LiveWaitTimeoutError,
  OutboxFullError,
  ReplyDeadlineError,
  SendAttemptsExhaustedError,
  SendOverdueError,
  SendPathStoppedError,
  SendRejectedError,
} from './errors.js';
import { baileysDefaults, confirmWindowMs } from './baileysFacts.js';
import type { Clock, IdSource, Logger } from './ports.js';
import { invariant } from './invariant.js';
import { redactJid } from './redact.js';
import { classifySendError, type CloseClass } from './sendErrors.js';
import { SentMessages, type SentMessagesStore } from './sentMessages.js';
import type { CloseSignal, LiveSocket, Supervisor } from './supervisor.js';

/** What a reply resolves to once a frame carrying it was written. */
export interface Receipt {
  messageId: string;
  /** Attempts made until the first write, including it. */
  attempts: number;
  /** Socket generation that carried the first write. */
  generation: number;
  outcome: 'ok';
  /**
   * Times the reply was written again, same id, because its socket closed before the write was
   * confirmed. Updated in place after the promise resolved: read it later to see resends.
   */
  resends: number;
}

/** Baileys' default `keepAliveIntervalMs`. */
export const baileysKeepAliveIntervalMs = baileysDefaults.keepAliveIntervalMs;

/**
 * Attempts a written reply may make for its resends beyond `maxSendAttempts` (attempts are
 * counted over the reply's whole life): with the default 8 that is 10, the `bounded`
 * property's limit per reply.
 */
const resendAttemptsMax = 2;

/**
 * Sends of one reply the server may refuse with 429 (`rate-overlimit`), apart from its other
 * attempts: with pauses of 2, 4, 8, 16, 32, then 60 s, ten of them wait out a limit of about
 * five minutes. The `bounded` property allows 12.
 */
export const rateLimitedAttemptsMax = 10;

/** Limits and wiring. */
export interface OutboxOptions {
  supervisor: Supervisor;
  clock: Clock;
  messageIds: IdSource;
  logger: Logger;
  /** Whole-life bound per reply, up to its first write. */
  deadlineMs: number;
  /** Replies held at once, queued or in progress (default 1,000). */
  maxPending?: number;
  /**
   * Attempts per reply up to its first write (default 8); with its resends, {@link
   * resendAttemptsMax} more.
   */
  maxSendAttempts?: number;
  /**
   * Resend what a closing socket may have swallowed (default true). Off, a resolved write is
   * trusted: the `trusts-write` specimen, which loses replies written into a dead connection.
   */
  resendUnconfirmed?: boolean;
  /**
   * Give up a media send Baileys still holds at its reply's deadline (default true): the reply
   * ends as ambiguous and the send's socket is ended, since rc14 gives an upload no timeout. Off,
   * the reply waits for it for good.
   */
  boundMediaSends?: boolean;
  /** Replies held after their write, unconfirmed or waiting for a resend (default 1,000). */
  maxUnconfirmed?: number;
  /** The sockets' `keepAliveIntervalMs`; sets the confirmation window (default Baileys' 30,000). */
  keepAliveIntervalMs?: number;
  /** Written messages kept for {@link Outbox.sentMessage} (`getMessage`; default 1,000). */
  sentMessagesRemembered?: number;
  /** Where the newest written messages outlive the process (absent: memory only). */
  sentMessagesStore?: SentMessagesStore;
}

/**
 * Pauses before resending after the server answered 429 (`rate-overlimit`): the first, doubled
 * for each one in a row, up to the last.
 */
export const rateLimitPauseMs = Object.freeze({ first: 2000, max: 60_000 });

/** Counters for logs and benches. */
export interface OutboxStats {
  /** Replies awaiting their first write. */
  pending: number;
  /** Written replies not yet confirmed (their socket has not outlived the window yet). */
  unconfirmed: number;
  /** Written replies waiting to be written again after their socket closed. */
  resending: number;
  /** Resends written so far. */
  resends: number;
  /** Unconfirmed replies dropped at the `maxUnconfirmed` limit (treated as confirmed). */
  unconfirmedEvicted: number;
  /** Written, unconfirmed replies whose resend was given up (terminal close, attempts, stop). */
  lost: number;
}

interface Reply {
  /** Request order across the outbox: a chat's lane is kept sorted by it. */
  readonly seq: number;
  readonly chatJid: string;
  readonly content: AnyMessageContent;
  readonly messageId: string;
  readonly deadlineAt: number;
  readonly resolve: (receipt: Receipt) => void;
  readonly reject: (err: Error) => void;
  attempts: number;
  /** Wait for a socket newer than this one before the next attempt. */
  afterGeneration: number;
  /** Rate-limited attempts in a row, and the time before which the next one waits. */
  rateLimits: number;
  pauseUntil: number;
  /** Rate-limited attempts over the reply's life: part of `attempts`, counted apart. */
  rateLimitedAttempts: number;
  ambiguousCause: unknown;
  /** Set at the first write: the promise resolved; from then on the reply is a resend candidate. */
  receipt: Receipt | undefined;
  /** The promise was rejected or the resend given up: nothing more to do. */
  finished: boolean;
}

/** A chat's replies that still need a write, in request order, and the one being worked on. */
interface Lane {
  readonly replies: Reply[];
  active: Reply | undefined;
  /** Wakes the active attempt's wait (see `#firstOf`): a reply was queued behind it. */
  onQueued: (() => void) | undefined;
}

/** A write not yet confirmed: which socket carried it and when the outbox learned of it. */
interface Unconfirmed {
  readonly reply: Reply;
  readonly generation: number;
  readonly writtenAt: number;
}

/** Outcome of one attempt, as the delivery loop sees it. */
type AttemptResult =
  | { done: true; generation: number }
  | {
      done: false;
      terminal: boolean;
      mayHaveWritten: boolean;
      rateLimited: boolean;
      afterGeneration: number;
      cause: unknown;
    };

/** See the module comment. */
export class Outbox {
  readonly #options: OutboxOptions;
  readonly #maxPending: number;
  readonly #maxSendAttempts: number;
  readonly #resendUnconfirmed: boolean;
  readonly #boundMediaSends: boolean;
  readonly #maxUnconfirmed: number;
  readonly #confirmWindowMs: number;
  readonly #lanes = new Map<string, Lane>();
  readonly #drains = new Set<Promise<void>>();
  readonly #sent: SentMessages;
  /** Oldest write first; only writes on sockets not yet heard closed. */
  #unconfirmed: Unconfirmed[] = [];
  #resending = 0;
  #seq = 0;
  #pending = 0;
  #resends = 0;
  #evicted = 0;
  #lost = 0;
  #stopped = false;
  /** Resolved by `stop()`: every in-flight attempt races it, so none can hold stop up. */
  #stopSignal: Promise<'stopped'>;
  #signalStop: () => void = () => undefined;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#maxPending = options.maxPending ?? 1000;
    this.#maxSendAttempts = options.maxSendAttempts ?? 8;
    this.#resendUnconfirmed = options.resendUnconfirmed ?? true;
    this.#boundMediaSends = options.boundMediaSends ?? true;
    this.#maxUnconfirmed = options.maxUnconfirmed ?? 1000;
    this.#confirmWindowMs = confirmWindowMs(
      options.keepAliveIntervalMs ?? baileysKeepAliveIntervalMs,
    );
    this.#sent = new SentMessages(
      options.sentMessagesRemembered ?? 1000,
      options.sentMessagesStore,
    );
    this.#stopSignal = new Promise((resolve) => {
      this.#signalStop = () => resolve('stopped');
    });
  }

  /** Replies held now awaiting their first write (queued or in progress). */
  get pending(): number {
    return this.#pending;
  }

  /** Written replies held until confirmed or resent (bounded by `maxUnconfirmed`). */
  get unconfirmedCount(): number {
    return this.#unconfirmed.length + this.#resending;
  }

  /**
   * The message written with `id`, for Baileys' `getMessage`: a retry receipt that reaches a
   * newer socket than the one that wrote it can only be answered with it.
   */
  sentMessage(id: string | null | undefined): proto.IMessage | undefined {
    return this.#sent.get(id);
  }

  /** Reads the written messages a previous process persisted (see {@link SentMessages}). */
  async loadSentMessages(): Promise<void> {
    await this.#sent.load();
  }

  /** Resolves once every written message kept so far was persisted. */
  async flushSentMessages(): Promise<void> {
    await this.#sent.flush();
  }

  /** Counters for logs and benches. */
  stats(): OutboxStats {
    return {
      pending: this.#pending,
      unconfirmed: this.#unconfirmed.length,
      resending: this.#resending,
      resends: this.#resends,
      unconfirmedEvicted: this.#evicted,
      lost: this.#lost,
    };
  }

  /**
   * Queues `content` for `chatJid`; resolves with a {@link Receipt} or rejects with a typed error.
   */
  send(chatJid: string, content: AnyMessageContent): Promise<Receipt> {
    if (this.#stopped) return Promise.reject(new SendPathStoppedError());
    if (this.#pending >= this.#maxPending)
      return Promise.reject(new OutboxFullError(this.#maxPending));
    return new Promise<Receipt>((resolve, reject) => {
      const reply: Reply = {
        seq: ++this.#seq,
        chatJid,
        content,
        messageId: this.#options.messageIds(),
        deadlineAt: this.#options.clock.now() + this.#options.deadlineMs,
        resolve,
        reject,
        attempts: 0,
        afterGeneration: 0,
        rateLimits: 0,
        pauseUntil: 0,
        rateLimitedAttempts: 0,
        ambiguousCause: undefined,
        receipt: undefined,
        finished: false,
      };
      this.#pending += 1;
      this.#enqueue(reply);
    });
  }

  /**
   * The supervisor heard socket `generation` close. Writes on it inside the confirmation window
   * before now may have vanished: they go back to their chats' lanes, ahead of later replies.
   * Older ones are confirmed (the socket outlived the window after them) and forgotten.
   */
  socketClosed(generation: number, kind: CloseClass): void {
    if (!this.#resendUnconfirmed || this.#unconfirmed.length === 0) return;
    const windowStartAt = this.#options.clock.now() - this.#confirmWindowMs;
    const kept: Unconfirmed[] = [];
    const again: Unconfirmed[] = [];
    for (const entry of this.#unconfirmed) {
      if (entry.generation !== generation) kept.push(entry);
      else if (entry.writtenAt >= windowStartAt) again.push(entry);
    }
    this.#unconfirmed = kept;
    for (const { reply, writtenAt } of again) {
      this.#options.logger.info(
        { chat: redactJid(reply.chatJid), messageId: reply.messageId, generation, writtenAt, kind },
        'socket closed before the write was confirmed; resending',
      );
      // A terminal close leaves no socket: the lane's wait fails and the loss is logged there.
      reply.afterGeneration = generation;
      this.#beginResend(reply);
      this.#enqueue(reply);
    }
  }

  /**
   * Refuses new replies, fails queued ones, and settles in-progress ones without waiting for
   * their sockets: real Baileys can hold a send for `defaultQueryTimeoutMs` (60 s) after
   * `end()`. An in-progress reply may have been written, so it ends as ambiguous. Replies
   * waiting for a resend are given up (logged as possibly lost).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signalStop();
    for (const lane of this.#lanes.values()) {
      // The active reply settles itself; the rest never started (or wait to be resent).
      const idle = lane.replies.filter((reply) => reply !== lane.active);
      lane.replies.splice(0, lane.replies.length, ...(lane.active ? [lane.active] : []));
      for (const reply of idle) this.#fail(reply, new SendPathStoppedError());
    }
    this.#unconfirmed = [];
    await Promise.all(this.#drains);
  }

  /** Puts `reply` in its chat's lane in request order, starting the lane's worker if idle. */
  #enqueue(reply: Reply): void {
    const lane = this.#lanes.get(reply.chatJid);
    if (lane === undefined) {
      this.#startDrain(reply.chatJid, { replies: [reply], active: undefined, onQueued: undefined });
      return;
    }
    const replies = lane.replies;
    let index = replies.length;
    while (index > 0 && replies[index - 1]!.seq > reply.seq) index -= 1;
    replies.splice(index, 0, reply);
    lane.onQueued?.();
  }

  #startDrain(chatJid: string, lane: Lane): void {
    this.#lanes.set(chatJid, lane);
    const drain = this.#drain(lane).finally(() => {
      this.#lanes.delete(chatJid);
      this.#drains.delete(drain);
    });
    this.#drains.add(drain);
  }

  async #drain(lane: Lane): Promise<void> {
    for (let reply = lane.replies[0]; reply !== undefined; reply = lane.replies[0]) {
      lane.active = reply;
      const finished = await this.#step(reply, lane);
      lane.active = undefined;
      if (finished) lane.replies.splice(lane.replies.indexOf(reply), 1);
    }
  }

  /**
   * One turn for `reply`: wait for a live socket and make one attempt. Returns true once the
   * reply leaves the lane (written, or failed for good); false to go round again — after a
   * retryable failure, or because an earlier reply of the chat came back for a resend and must
   * go first.
   */
  async #step(reply: Reply, lane: Lane): Promise<boolean> {
    const first = reply.receipt === undefined;
    if (this.#stopped) return this.#fail(reply, new SendPathStoppedError());
    if (first && this.#options.clock.now() >= reply.deadlineAt) {
      return this.#fail(
        reply,
        new ReplyDeadlineError(reply.messageId, this.#options.deadlineMs, reply.attempts),
      );
    }
    if (this.#attemptsUsedUp(reply, first)) {
      return this.#fail(
        reply,
        new SendAttemptsExhaustedError(reply.messageId, reply.attempts, reply.ambiguousCause),
      );
    }
    if (!first) this.#expireQueued(lane);
    const paused = await this.#pause(reply, lane);
    if (paused === 'expired') return false;
    if (paused instanceof Error) return this.#fail(reply, paused);
    const live = await this.#waitLive(reply, lane);
    if (live === 'expired') return false;
    if (live instanceof Error) return this.#fail(reply, live);
    if (lane.replies[0] !== reply) return false;
    // Replies queued behind a resend must not outlive their deadline by more than one attempt.
    if (!first) this.#expireQueued(lane);
    reply.attempts += 1;
    const result = await this.#attempt(reply, live, lane);
    // Given up at its deadline while Baileys held the send (see #firstOf): already settled.
    if (reply.finished) return true;
    if (result.done) return this.#written(reply, result.generation);
    if (result.mayHaveWritten) reply.ambiguousCause = result.cause;
    if (result.terminal && result.cause instanceof SendPathStoppedError)
      return this.#fail(reply, result.cause);
    if (result.terminal)
      return this.#fail(reply, new SendRejectedError(reply.messageId, result.cause));
    reply.afterGeneration = result.afterGeneration;
    reply.rateLimits = result.rateLimited ? reply.rateLimits + 1 : 0;
    if (result.rateLimited) {
      reply.rateLimitedAttempts += 1;
      const doubled = rateLimitPauseMs.first * 2 ** (reply.rateLimits - 1);
      const pauseMs = Math.min(rateLimitPauseMs.max, doubled);
      reply.pauseUntil = this.#options.clock.now() + pauseMs;
    }
    return false;
  }

  /** The reply's attempts are spent: those the server refused with 429 apart from the rest. */
  #attemptsUsedUp(reply: Reply, first: boolean): boolean {
    invariant(
      reply.rateLimitedAttempts <= reply.attempts,
      'rate-limited attempts are part of attempts',
    );
    const counted = reply.attempts - reply.rateLimitedAttempts;
    const limit = this.#maxSendAttempts + (first ? 0 : resendAttemptsMax);
    return counted >= limit || reply.rateLimitedAttempts >= rateLimitedAttemptsMax;
  }

  /**
   * Waits out a rate limit: until `pauseUntil` or a newer socket, through the supervisor's shared
   * wait. It wakes earlier for a deadline (a first send's own; a resend's, the earliest of the
   * chat's replies queued behind it, which must fail on time, and `deadlineMs` from now at the
   * latest, as {@link #waitLive} does: a pause may outlast the deadline of a reply queued during
   * it): `'expired'` then, to go round again. An Error when the wait ended for good (stop, a
   * terminal close).
   */
  async #pause(reply: Reply, lane: Lane): Promise<Error | 'expired' | undefined> {
    const { clock, supervisor, deadlineMs } = this.#options;
    if (reply.pauseUntil <= clock.now()) return undefined;
    const first = reply.receipt === undefined;
    const queuedBy = Math.min(this.#earliestDeadlineAt(lane), clock.now() + deadlineMs);
    const deadlineAt = first ? reply.deadlineAt : queuedBy;
    const wakeAt = Math.min(reply.pauseUntil, deadlineAt);
    try {
      // stop() rejects the supervisor's waiters: no race with the stop signal needed.
      await supervisor.whenLive(supervisor.generation, wakeAt);
    } catch (err) {
      if (err instanceof LiveWaitTimeoutError)
        return wakeAt < reply.pauseUntil ? 'expired' : undefined;
      return err instanceof Error ? err : new Error(String(err));
    }
    return this.#stopped ? new SendPathStoppedError() : undefined;
  }

  /**
   * A write of `reply` on `generation` resolved: settle or count it, and track it until confirmed.
   */
  #written(reply: Reply, generation: number): boolean {
    const { logger, supervisor, clock } = this.#options;
    if (reply.receipt === undefined) {
      reply.receipt = {
        messageId: reply.messageId,
        attempts: reply.attempts,
        generation,
        outcome: 'ok',
        resends: 0,
      };
      this.#settlePending();
      reply.resolve(reply.receipt);
    } else {
      this.#endResend();
      this.#resends += 1;
      reply.receipt.resends += 1;
      invariant(reply.receipt.resends < reply.attempts, 'every resend is an attempt after a write');
      logger.info(
        {
          chat: redactJid(reply.chatJid),
          messageId: reply.messageId,
          generation,
          resends: reply.receipt.resends,
        },
        'reply resent',
      );
    }
    if (!this.#resendUnconfirmed) return true;
    // The socket closed while the write was being reported: it is already owed a resend.
    if (supervisor.isClosed(generation)) {
      reply.afterGeneration = generation;
      this.#beginResend(reply);
      return false;
    }
    this.#track({ reply, generation, writtenAt: clock.now() });
    return true;
  }

  /** A written reply is owed a resend: it counts as resending until written again or lost. */
  #beginResend(reply: Reply): void {
    invariant(reply.receipt !== undefined, 'only a written reply is resent');
    this.#resending += 1;
  }

  /** A resend ended: written again, or given up as lost. */
  #endResend(): void {
    invariant(this.#resending > 0, 'a resend ends only after it began');
    this.#resending -= 1;
  }

  /** A reply never written settled: resolved at its first write, or rejected. */
  #settlePending(): void {
    invariant(this.#pending > 0, 'a reply settles once, after it was accepted');
    this.#pending -= 1;
  }

  /** Records an unconfirmed write: prunes confirmed ones, evicts the oldest at the limit. */
  #track(entry: Unconfirmed): void {
    const list = this.#unconfirmed;
    const confirmedBeforeAt = entry.writtenAt - this.#confirmWindowMs;
    let confirmed = 0;
    while (confirmed < list.length && list[confirmed]!.writtenAt < confirmedBeforeAt)
      confirmed += 1;
    if (confirmed > 0) list.splice(0, confirmed);
    if (list.length + this.#resending >= this.#maxUnconfirmed) {
      const oldest = list.shift();
      this.#evicted += 1;
      const evicted = oldest ?? entry;
      this.#options.logger.warn(
        {
          chat: redactJid(evicted.reply.chatJid),
          messageId: evicted.reply.messageId,
          maxUnconfirmed: this.#maxUnconfirmed,
        },
        'unconfirmed limit reached; oldest write treated as confirmed',
      );
      if (oldest === undefined) return;
    }
    list.push(entry);
  }

  /**
   * Ends `reply` with `error`: rejects a reply never written; logs a resend given up as possibly
   * lost.
   */
  #fail(reply: Reply, error: Error): true {
    if (reply.finished) return true;
    reply.finished = true;
    if (reply.receipt === undefined) {
      this.#settlePending();
      const ambiguous = reply.ambiguousCause;
      reply.reject(
        ambiguous === undefined
          ? error
          : new AmbiguousDeliveryError(reply.messageId, reply.attempts, ambiguous),
      );
      return true;
    }
    this.#endResend();
    this.#lost += 1;
    this.#options.logger.error(
      {
        chat: redactJid(reply.chatJid),
        messageId: reply.messageId,
        attempts: reply.attempts,
        resends: reply.receipt.resends,
        reason: error.name,
      },
      'reply was written but not confirmed and cannot be resent: it may be lost',
    );
    return true;
  }

  /**
   * Waits for a live socket newer than the reply's last. A first send waits until its deadline.
   * A resend (its promise resolved) waits as long as the supervisor keeps reconnecting, but wakes
   * by the earliest deadline of the chat's replies queued behind it, which must fail on time
   * (`'expired'`: they were failed, wait again). A reply queued during the wait has a deadline
   * at least `deadlineMs` after the wait began, so waking no later than that catches it too.
   */
  async #waitLive(reply: Reply, lane: Lane): Promise<LiveSocket | Error | 'expired'> {
    const resend = reply.receipt !== undefined;
    const now = this.#options.clock.now();
    const deadlineAt = resend
      ? Math.min(this.#earliestDeadlineAt(lane), now + this.#options.deadlineMs)
      : reply.deadlineAt;
    try {
      return await this.#options.supervisor.whenLive(reply.afterGeneration, deadlineAt);
    } catch (err) {
      if (err instanceof LiveWaitTimeoutError) {
        if (!resend)
          return new ReplyDeadlineError(reply.messageId, this.#options.deadlineMs, reply.attempts);
        this.#expireQueued(lane);
        return 'expired';
      }
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** The earliest deadline of a lane's replies still awaiting their first write, `except` one. */
  #earliestDeadlineAt(lane: Lane, except?: Reply): number {
    let earliest = Infinity;
    for (const r of lane.replies) {
      if (r.receipt === undefined && r !== except) earliest = Math.min(earliest, r.deadlineAt);
    }
    return earliest;
  }

  /** Fails the lane's queued first sends whose deadline has passed, as their own turn would. */
  #expireQueued(lane: Lane): void {
    const now = this.#options.clock.now();
    const expired = lane.replies.filter(
      (r) => r.receipt === undefined && r !== lane.active && r.deadlineAt <= now,
    );
    for (const r of expired) {
      lane.replies.splice(lane.replies.indexOf(r), 1);
      this.#fail(r, new ReplyDeadlineError(r.messageId, this.#options.deadlineMs, r.attempts));
    }
  }

  async #attempt(reply: Reply, live: LiveSocket, lane: Lane): Promise<AttemptResult> {
    const { logger, supervisor } = this.#options;
    const log = {
      chat: redactJid(reply.chatJid),
      messageId: reply.messageId,
      attempt: reply.attempts,
      generation: live.generation,
    };
    const close = supervisor.closeSignal(live.generation);
    const startedAt = this.#options.clock.now();
    try {
      const sending = live.socket.sendMessage(reply.chatJid, reply.content, {
        messageId: reply.messageId,
      });
      // A send resolves at its write; one the close overtook is never written, but Baileys may
      // hold its promise 60 s (see SocketClosedInFlightError): the next socket need not wait.
      const first = await this.#firstOf(sending, close, reply, lane, live, startedAt);
      if (first === 'stopped' || first === 'closed') {
        sending.catch(() => undefined); // settles later, or never; nobody is listening any more
        if (first === 'closed') throw new SocketClosedInFlightError(live.generation);
        return {
          done: false,
          terminal: true,
          mayHaveWritten: true,
          rateLimited: false,
          afterGeneration: live.generation,
          cause: new SendPathStoppedError(),
        };
      }
      logger.debug(log, 'reply written');
      // Kept for getMessage: what Baileys wrote (for media, with the upload's keys and URL).
      const message = (first as { message?: proto.IMessage | null } | undefined)?.message;
      if (message) this.#sent.remember(reply.messageId, message);
      return { done: true, generation: live.generation };
    } catch (cause) {
      const closeHeard = supervisor.isClosed(live.generation);
      const kind = classifySendError(cause, { closeHeard });
      logger.warn({ ...log, kind }, 'reply attempt failed');
      // A timeout on a socket still open, and a failure before the write on one, are retried
      // on that same socket; anything else waits for a newer one: this socket is dead or dying.
      const notWritten = kind === 'notWritten' || kind === 'rateLimited';
      const sameSocket = (kind === 'ambiguous' && !closeHeard) || notWritten;
      return {
        done: false,
        terminal: kind === 'terminal',
        mayHaveWritten: kind === 'ambiguous',
        rateLimited: kind === 'rateLimited',
        afterGeneration: sameSocket ? live.generation - 1 : live.generation,
        cause,
      };
    } finally {
      close.release();
    }
  }

  /**
   * The first of: the send settles, `stop()`, or its socket's close. Meanwhile the chat's replies
   * queued behind it that reach their deadlines are failed on time, and a media send Baileys
   * still holds at its time is given up ({@link #giveUpHeld}): rc14 bounds every stage of a send
   * but a media upload, which it gives no timeout, so a media host that never answers leaves the
   * send pending for good. The attempt is still waited for, until its socket's close: it may yet
   * be written, and the chat's next reply must not overtake it.
   */
  async #firstOf(
    sending: Promise<unknown>,
    close: CloseSignal,
    reply: Reply,
    lane: Lane,
    live: LiveSocket,
    startedAt: number,
  ): Promise<unknown> {
    const { clock, supervisor, deadlineMs } = this.#options;
    const media = this.#boundMediaSends && isMediaContent(reply.content);
    const giveUpFrom = reply.receipt === undefined ? reply.deadlineAt : startedAt + deadlineMs;
    let giveUpAt = media ? giveUpFrom : Infinity;
    // Every turn ends on news: the send settled, stop, a close, a reply queued, or a deadline due.
    for (;;) {
      const wakeAt = Math.min(giveUpAt, this.#earliestDeadlineAt(lane, reply));
      const alarm = wakeAt === Infinity ? undefined : supervisor.alarm(wakeAt);
      const queued = new Promise<'queued'>((resolve) => (lane.onQueued = () => resolve('queued')));
      try {
        const news = [
          sending,
          this.#stopSignal,
          close.closed,
          queued,
          ...(alarm ? [alarm.rang] : []),
        ];
        const first = await Promise.race(news);
        if (first !== 'alarm' && first !== 'queued') return first;
      } finally {
        lane.onQueued = undefined;
        alarm?.release();
      }
      this.#expireQueued(lane);
      if (this.#earliestDeadlineAt(lane, reply) <= clock.now()) {
        throw new Error('invariant: a queued reply outlived its deadline');
      }
      if (clock.now() < giveUpAt) continue;
      giveUpAt = Infinity;
      this.#giveUpHeld(reply, live, startedAt);
    }
  }

  /**
   * A media send Baileys still holds at the reply's deadline (a resend: `deadlineMs` after it
   * began). A first send's reply ends now, as ambiguous: nothing was written yet, but its upload
   * may still complete. Its socket is ended, because rc14 never writes a send after the close:
   * once the close is heard the held send can no longer be written, and the chat's later replies
   * and resends go on the next socket without overtaking it, instead of waiting for good.
   */
  #giveUpHeld(reply: Reply, live: LiveSocket, startedAt: number): void {
    const cause = new SendOverdueError(live.generation, this.#options.clock.now() - startedAt);
    const { messageId, chatJid } = reply;
    const log = {
      chat: redactJid(chatJid),
      messageId,
      generation: live.generation,
      waitedMs: cause.waitedMs,
    };
    this.#options.logger.warn(log, 'media send held past its deadline; ending its socket');
    if (reply.receipt === undefined) {
      reply.ambiguousCause ??= cause;
      this.#fail(
        reply,
        new ReplyDeadlineError(messageId, this.#options.deadlineMs, reply.attempts),
      );
    }
    this.#options.supervisor.restart(live.generation, cause);
  }
}

/** The content keys of media, whose send uploads first (with no timeout in rc14). */
const mediaKeys = ['image', 'video', 'audio', 'document', 'sticker'] as const;

/** Media content. */
function isMediaContent(content: AnyMessageContent): boolean {
  return typeof content === 'object' && content !== null && mediaKeys.some((key) => key in content);
}
