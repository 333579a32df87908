/**
 * What one rc14 socket remembers to answer retry receipts (a recipient that could not decrypt a
 * message asks for it again): the messages it wrote lately and how often it resent each.
 *
 * - rc14 keeps each message it writes (`messageRetryManager.addRecentMessage`, after the write in
 *   `relayMessage`, `Socket/messages-send.js`): 512 messages for 5 minutes
 *   (`Utils/message-retry-manager.js`). Answering a retry takes the message out
 *   (`markRetrySuccess`); the resend writes it again and so puts it back. The manager is made by
 *   each `makeSocket`: a new socket remembers nothing, and only the path's `getMessage` can
 *   answer a retry for a message an older socket wrote.
 * - `msgRetryCache` (per socket unless the path passes `msgRetryCounterCache`) counts per id:
 *   `handleReceipt` goes on while the count is below `maxMsgRetryCount` (5) and adds one, and
 *   `sendMessagesAgain` checks and adds one again before it resends: a socket resends one id at
 *   most twice.
 */
import type { proto } from '@whiskeysockets/baileys';
import type { FrameKind, RetryAnswer } from './server.js';

/** A message the socket wrote, as it can write it again. */
export interface RecentSend {
  text: string | undefined;
  kind: FrameKind;
  /** The send attempt that wrote it. */
  attemptSeq: number;
  writtenAt: number;
}

/** rc14's limits (`Utils/message-retry-manager.js`, `Defaults/index.js`). */
const resendCacheLimits = Object.freeze({
  messagesMax: 512,
  ttlMs: 5 * 60_000,
  retryCountMax: 5,
});

/** One socket's cache (see the module comment). */
export class ResendCache {
  readonly #recent = new Map<string, RecentSend>();
  readonly #retryCounts = new Map<string, number>();

  /** The socket wrote `id`: remember it (the oldest goes at the limit). */
  remember(id: string, send: RecentSend): void {
    this.#recent.delete(id);
    if (this.#recent.size >= resendCacheLimits.messagesMax)
      this.#recent.delete(this.#recent.keys().next().value!);
    this.#recent.set(id, send);
  }

  /** Takes `id` out if the socket still has it (not older than the TTL at `now`). */
  take(id: string, now: number): RecentSend | undefined {
    const send = this.#recent.get(id);
    this.#recent.delete(id);
    return send !== undefined && now - send.writtenAt <= resendCacheLimits.ttlMs ? send : undefined;
  }

  /** `handleReceipt`'s check and count: false when this socket already went as far as it goes. */
  admitRetry(id: string): boolean {
    const count = this.#retryCounts.get(id) ?? 0;
    if (count >= resendCacheLimits.retryCountMax) return false;
    this.#retryCounts.set(id, count + 1);
    return true;
  }

  /** `sendMessagesAgain`'s check and count, for a message found: 'resent' or 'overLimit'. */
  admitResend(id: string): Extract<RetryAnswer, 'resent' | 'overLimit'> {
    const count = this.#retryCounts.get(id) ?? 0;
    if (count >= resendCacheLimits.retryCountMax) return 'overLimit';
    this.#retryCounts.set(id, count + 1);
    return 'resent';
  }
}

/** Text (or caption) and kind of the `proto.IMessage` a path's `getMessage` returned, if any. */
export function resendOfMessage(
  message: proto.IMessage | null | undefined,
): { text: string | undefined; kind: FrameKind } | undefined {
  if (message === null || message === undefined || typeof message !== 'object') return undefined;
  if (typeof message.conversation === 'string') return { text: message.conversation, kind: 'text' };
  if (message.extendedTextMessage)
    return { text: message.extendedTextMessage.text ?? undefined, kind: 'text' };
  if (message.imageMessage)
    return { text: message.imageMessage.caption ?? undefined, kind: 'image' };
  if (message.documentMessage)
    return { text: message.documentMessage.caption ?? undefined, kind: 'document' };
  return { text: undefined, kind: 'other' };
}
