/**
 * Error classification by status code and by what the attempt knew — never by message text.
 *
 * Baileys raises `Boom` errors; their `output.statusCode` is a `DisconnectReason`. Classes are
 * read structurally (`err.output.statusCode`), not with `instanceof`, because a bot may load a
 * second copy of `@hapi/boom`.
 */
import { DisconnectReason } from '@whiskeysockets/baileys';
import { isTerminalCode, preWriteRejectionStatusCode, queryRefusalCodes } from './baileysFacts.js';

/**
 * - `retrySafe`: the frame was certainly not written (Baileys' pre-write `Connection Closed`, or
 *   a write the system refused); resend on a newer socket.
 * - `notWritten`: rc14 failed the send before its write on a socket still open (a Boom 500: a
 *   pre-write query unanswered or refused, media refused); resend on the same socket.
 * - `rateLimited`: as `notWritten`, because the server answered 429 (`rate-overlimit`): wait
 *   before the next attempt.
 * - `ambiguous`: the attempt began on an open socket and then failed; the frame may be on the
 *   server. Resend only with the same message id.
 * - `terminal`: do not resend (logged out, replaced, forbidden, not in the group, content refused).
 */
export type SendErrorClass = 'retrySafe' | 'notWritten' | 'rateLimited' | 'ambiguous' | 'terminal';

/** What the attempt knew when its error arrived. */
export interface AttemptKnowledge {
  /** The attempt's socket had already emitted `close` when the error arrived: it was in flight. */
  closeHeard: boolean;
}

/** How the supervisor reacts to a socket's close. */
export type CloseClass = 'terminal' | 'restartNow' | 'backoff';

/** `err.output.statusCode` when `err` is Boom-shaped, else undefined. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const output = (err as { output?: { statusCode?: unknown } }).output;
  const code = output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Classifies a failed `sendMessage` attempt. */
export function classifySendError(err: unknown, knowledge: AttemptKnowledge): SendErrorClass {
  // Failed because its socket ended mid-flight: the write may have happened before the end.
  if (knowledge.closeHeard) return 'ambiguous';
  if (isRefusedWrite(err)) return 'retrySafe';
  const code = statusCodeOf(err);
  if (code === DisconnectReason.connectionClosed) return 'retrySafe';
  if (code === DisconnectReason.timedOut) return 'ambiguous';
  if (isTerminalCode(code)) return 'terminal';
  if (code === undefined) return isProgrammingError(err) ? 'terminal' : 'ambiguous';
  if (code === preWriteRejectionStatusCode) return classifyPreWriteFailure(err);
  // Other 4xx: the request itself was refused before any write. Other 5xx: the server may have it.
  return code < 500 ? 'terminal' : 'ambiguous';
}

/**
 * A write the operating system refused: Node's error for a failed `write()` syscall (`syscall:
 * 'write'`, an `E…` code such as `ECONNRESET` after a TCP reset the process had not read yet),
 * which rc14's `sendRawMessage` (`Socket/socket.js`) passes on as it is, no Boom. Nothing of that
 * frame was written, and `sendMessage` rejects only before or at its message's write (nothing
 * after `relayMessage`'s write can fail), so the reply was not sent; the connection is going.
 */
function isRefusedWrite(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { syscall, code } = err as { syscall?: unknown; code?: unknown };
  return syscall === 'write' && typeof code === 'string' && code.startsWith('E');
}

/** A pre-write 500 by its query's code: 403, the bot is not in the group; 429, rate-limited. */
function classifyPreWriteFailure(err: unknown): SendErrorClass {
  const data = (err as { data?: unknown }).data;
  if (data === queryRefusalCodes.forbidden) return 'terminal';
  if (data === queryRefusalCodes.rateOverlimit) return 'rateLimited';
  return 'notWritten';
}

/**
 * A TypeError/RangeError is thrown while building the message, before any write: resending the
 * same content fails the same way. Anything else without a status code is unknown territory —
 * real Baileys rejects an in-flight send with the bare WebSocket close code (e.g. 1006) when
 * the server drops the connection — so it counts as ambiguous: resend with the same id only.
 */
function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError;
}

/** Classifies a socket close by `lastDisconnect.error.output.statusCode`. */
export function classifyClose(code: number | undefined): CloseClass {
  if (isTerminalCode(code)) return 'terminal';
  if (code === DisconnectReason.restartRequired) return 'restartNow';
  return 'backoff';
}
