/**
 * Typed outcomes a reply can reject with. Each says whether the message may have been sent:
 * only {@link AmbiguousDeliveryError} means "maybe"; every other error means "definitely not".
 * A caller that resends on a definite failure therefore can never create a duplicate.
 */
import type { TerminalCloseReason } from './baileysFacts.js';

/** Base for the send path's own errors. */
export abstract class SendPathError extends Error {
  /** True only when the message may have reached WhatsApp. */
  readonly ambiguous: boolean = false;
}

/**
 * The reply ended after a frame may have been written (a timeout after the write, a close
 * while in flight). It may be visible. Do not resend with a new id; `messageId` identifies it.
 */
export class AmbiguousDeliveryError extends SendPathError {
  override readonly name = 'AmbiguousDeliveryError';
  override readonly ambiguous = true;
  constructor(
    readonly messageId: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`delivery of ${messageId} is unknown after ${attempts} attempt(s): ${describe(cause)}`);
  }
}

/** The reply's deadline passed before any frame could have been written. Not sent. */
export class ReplyDeadlineError extends SendPathError {
  override readonly name = 'ReplyDeadlineError';
  constructor(
    readonly messageId: string,
    readonly deadlineMs: number,
    readonly attempts: number,
  ) {
    super(
      `reply ${messageId} not sent within its deadline of ${deadlineMs} ms (${attempts} ` +
        `attempt(s))`,
    );
  }
}

/** The outbox already holds `maxPending` replies. Not sent; retry later or raise the limit. */
export class OutboxFullError extends SendPathError {
  override readonly name = 'OutboxFullError';
  constructor(readonly maxPending: number) {
    super(`outbox is full (maxPending ${maxPending}); reply refused`);
  }
}

/** Every attempt failed before writing and the attempt limit is reached. Not sent. */
export class SendAttemptsExhaustedError extends SendPathError {
  override readonly name = 'SendAttemptsExhaustedError';
  constructor(
    readonly messageId: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`reply ${messageId} not sent after ${attempts} attempt(s): ${describe(cause)}`);
  }
}

/** WhatsApp refused the message itself (bad content, forbidden). Not sent; do not retry. */
export class SendRejectedError extends SendPathError {
  override readonly name = 'SendRejectedError';
  constructor(
    readonly messageId: string,
    override readonly cause: unknown,
  ) {
    super(`reply ${messageId} refused: ${describe(cause)}`);
  }
}

/** Why the connection will not come back without the operator: a terminal close, or none left. */
export type TerminalReason = TerminalCloseReason | 'reconnectGaveUp';

/** The supervisor stopped reconnecting (logged out, replaced, banned, or out of attempts). */
export class TerminalConnectionError extends SendPathError {
  override readonly name = 'TerminalConnectionError';
  constructor(
    readonly reason: TerminalReason,
    readonly statusCode: number | undefined,
  ) {
    super(
      `connection is down for good: ${reason}${statusCode === undefined ? '' : ` (${statusCode})`}`,
    );
  }
}

/** The send path was stopped before the reply could be sent. Not sent. */
export class SendPathStoppedError extends SendPathError {
  override readonly name = 'SendPathStoppedError';
  constructor() {
    super('send path stopped');
  }
}

/**
 * The supervisor gave up on a connect that never completed (the error its own `end()` passes, so
 * the close that follows reads as an ordinary failed connect).
 */
export class ConnectStuckError extends SendPathError {
  override readonly name = 'ConnectStuckError';
  constructor() {
    super('connect never completed');
  }
}

/** No live socket appeared before the caller's deadline. */
export class LiveWaitTimeoutError extends SendPathError {
  override readonly name = 'LiveWaitTimeoutError';
  constructor(readonly deadlineAt: number) {
    super(`no live socket before ${deadlineAt}`);
  }
}

/** Too many callers are already waiting for a live socket. */
export class WaitersFullError extends SendPathError {
  override readonly name = 'WaitersFullError';
  constructor(readonly maxWaiters: number) {
    super(`too many waiters for a live socket (maxWaiters ${maxWaiters})`);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * The socket's close was heard while a send on it had not settled. rc14 never writes a send
 * after its socket closed (a send still in its pre-write queries then rejects with a bare close
 * code, or waits out `defaultQueryTimeoutMs` after an `end()` Baileys began itself): the attempt
 * is over. Counted as ambiguous all the same, so the resend keeps the message id.
 */
export class SocketClosedInFlightError extends SendPathError {
  override readonly name = 'SocketClosedInFlightError';
  constructor(readonly generation: number) {
    super(`socket ${generation} closed while the send was in flight`);
  }
}

/**
 * A media send was still pending at the reply's deadline (for a resend: `deadlineMs` after it
 * began). rc14 gives a media upload no timeout (`uploadWithNodeHttp`, `Utils/messages-media.js`):
 * a media host that takes the upload and never answers leaves `sendMessage` pending for good.
 * Nothing was written yet (the upload comes before the relay), but the send may still be written
 * if the upload completes before its socket closes: counted as ambiguous, so any resend keeps
 * the message id. The reference ends that socket with this error.
 */
export class SendOverdueError extends SendPathError {
  override readonly name = 'SendOverdueError';
  constructor(
    readonly generation: number,
    readonly waitedMs: number,
  ) {
    super(
      `media send on socket ${generation} still pending after ${waitedMs} ms (an upload ` +
        `never answered?)`,
    );
  }
}
