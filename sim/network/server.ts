/**
 * The WhatsApp server model: what each chat's recipient sees. Every frame that reaches the server
 * is logged with the socket generation that carried it and the virtual time; a message whose id
 * the chat already shows is a duplicate and stays invisible (WhatsApp dedupes by message key),
 * unless dedupe is switched off. Inbound messages for the bot wait here while no socket is open
 * and are pushed on the next socket that opens (offline delivery).
 *
 * Logical reply keys travel inside the message text: the harness writes `[key=<key>]` at the
 * start of every reply text and media caption ({@link replyText}); {@link parseReplyKey} finds the
 * first such tag anywhere in the text, so a send path that adds a prefix still gets counted.
 */

import { SERVER_ERROR_CODES } from '@whiskeysockets/baileys';
import type { InboundKind } from '../inboundKinds.js';

/** Marks a logical reply key inside a message text or caption. */
const keyTagPattern = /\[key=([A-Za-z0-9_.:-]{1,64})\]/;

/**
 * The text the harness asks a send path to send for logical reply `key` answering inbound `msg`.
 */
export function replyText(key: string, msg: string): string {
  return `[key=${key}] reply to ${msg}`;
}

/** The caption the harness gives media for logical reply `key` answering inbound `msg`. */
export function mediaCaption(key: string, kind: string, msg: string): string {
  return `[key=${key}] ${kind} for ${msg}`;
}

/** The logical reply key carried by a text, or undefined when it carries none. */
export function parseReplyKey(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return keyTagPattern.exec(text)?.[1];
}

/** What kind of message content a frame carried. */
export type FrameKind = 'text' | 'image' | 'document' | 'other';

/** One message frame that reached the server. */
export interface FrameRecord {
  /** Arrival order, from 1. */
  seq: number;
  /** Virtual arrival time, ms. */
  at: number;
  /** Timeline chat name (the JID itself for a chat the timeline does not know). */
  chat: string;
  chatJid: string;
  messageId: string;
  /** Logical reply key parsed from the text/caption, if any. */
  key?: string;
  kind: FrameKind;
  /** Socket generation that carried the frame. */
  generation: number;
  /** The send attempt (`attempts[].seq`) that wrote it. */
  attemptSeq: number;
  /** The chat already showed this message id: the recipient does not see it again. */
  duplicate: boolean;
  /** The server refused the message (a nack): the recipient never sees it. */
  nacked?: true;
  /**
   * The recipient could not decrypt it: not visible, and the recipient asked for a resend (a
   * retry receipt, {@link RetryRequestRecord}). A later frame with the same id can show it.
   */
  undecryptable?: true;
  /** rc14 wrote it by itself for a retry receipt (same id; `attemptSeq`: the send it repeats). */
  retryResend?: true;
}

/** How rc14 answered a retry receipt (`handleReceipt`, `sendMessagesAgain`, `messages-recv.js`). */
export type RetryAnswer =
  /** it resent the message, same id */
  | 'resent'
  /** it had no copy: not in the socket's cache, and no (or an empty) answer from `getMessage` */
  | 'unavailable'
  /** it resent this id twice on this socket already (`maxMsgRetryCount`, counted twice a retry) */
  | 'overLimit'
  /** its resend failed before the write (a pre-write query refused, or its write timed out) */
  | 'failed';

/**
 * A recipient's request for a resend of a message it could not decrypt (a retry receipt). The
 * server pushes it to the bot's socket; a socket that closes before acknowledging it leaves it to
 * be pushed again at the next login. rc14 acknowledges it after answering it.
 */
export interface RetryRequestRecord {
  messageId: string;
  chat: string;
  chatJid: string;
  /** When the recipient sent it. */
  at: number;
  /** Every push to a socket: the first, and again after a socket closed before acknowledging it. */
  deliveries: { at: number; generation: number }[];
  /** How rc14 answered it, once its acknowledgement reached the server. */
  answer?: { at: number; generation: number; outcome: RetryAnswer };
}

/** One message as the recipient sees it. */
export interface VisibleRecord {
  key?: string;
  messageId: string;
  kind: FrameKind;
  generation: number;
  at: number;
  /** The frame (`frames[].seq`) that made it visible. */
  frameSeq: number;
}

/** A presence update (composing) that reached the server. */
export interface PresenceRecord {
  at: number;
  chat: string;
  chatJid: string;
  type: string;
  generation: number;
  attemptSeq: number;
}

/** The account's session as WhatsApp sees it. */
export interface SessionRecord {
  /** The linked device was removed (a `loggedOut` drop): every later login fails with 401. */
  loggedOutAt?: number;
  /** Another session of this device took over from outside (a `conflict` drop). */
  replacedAt?: number;
  /**
   * The path's own `logout()` reached the server: the companion device was removed (rc14's
   * `remove-companion-device`), and every later login fails with 401.
   */
  unlinkedAt?: number;
}

/** The server's side of a history. */
export interface ServerRecord {
  dedupeById: boolean;
  session: SessionRecord;
  frames: FrameRecord[];
  /** Per chat name, in order of visibility. */
  visible: Record<string, VisibleRecord[]>;
  presence: PresenceRecord[];
  /**
   * Frames of the bot's socket surface that reached the server, per kind (`receipt:read`,
   * `presence:subscribe`, `remove-companion-device`); absent when none.
   */
  nodes?: Record<string, number>;
  /** Retry receipts of recipients, in the order sent (absent when none). */
  retryRequests?: RetryRequestRecord[];
}

/** Most surface frames counted per kind (the count saturates: a limit on everything). */
const nodesCountedMax = 1_000_000;

/**
 * The reasons the server gives a login it refuses (`<failure reason>`). rc14 reads the reason in
 * `CB:failure` (`Socket/socket.js`) and closes with Boom `Connection Failure`, the reason as its
 * status code (500 only when the server gives none): a logged-out device, a banned one, a
 * multi-device mismatch, a bad session, an unavailable service, a restart request (the
 * `DisconnectReason` of each code).
 */
export const loginFailureCodes = Object.freeze({
  loggedOut: 401,
  forbidden: 403,
  multideviceMismatch: 411,
  badSession: 500,
  unavailableService: 503,
  restartRequired: 515,
} as const);

/**
 * The codes the server sends in a nack (`<ack class="message" error>`) that rc14 reads by name
 * (`SERVER_ERROR_CODES`, `Utils/decode-wa-message.js`, compared in `handleBadAck`,
 * `Socket/messages-recv.js`): 479 `smax-invalid` (a stanza the server rejected), 463 an account
 * restricted from starting chats.
 */
export const nackCodes = Object.freeze({
  smaxInvalid: SERVER_ERROR_CODES.SmaxInvalid,
  accountRestricted: SERVER_ERROR_CODES.MessageAccountRestriction,
});

/**
 * The HTTP status a load balancer in front of the WhatsApp server answers a WebSocket upgrade it
 * sheds with (503 Service Unavailable): ws emits `unexpected-response`, which rc14's
 * `Socket/Client/websocket.js` forwards and nothing listens to.
 */
export const upgradeRejectionStatus = 503;

/** A frame as the fake socket hands it to the server. */
export interface IncomingFrame {
  chatJid: string;
  messageId: string;
  text: string | undefined;
  kind: FrameKind;
  generation: number;
  attemptSeq: number;
  /** The recipient cannot decrypt it (see {@link FrameRecord.undecryptable}). */
  undecryptable?: boolean;
  /** rc14 resent it by itself, answering a retry receipt. */
  retryResend?: boolean;
}

/** An inbound chat message the server pushes to the bot. */
export interface QueuedInbound {
  chatJid: string;
  id: string;
  text: string;
  /** What kind of message it is (see `InboundKind`). */
  kind: InboundKind;
  /** Timeline msg name, for the harness. */
  msg: string;
  /** When the server took it from its sender (virtual ms): the stanza's `t`, redeliveries too. */
  sentAt: number;
  /** In a group chat: the member who wrote it (their JID). */
  participantJid?: string;
}

/**
 * A receipt for the bot from the recipient of one of its messages (`<receipt>`): delivered
 * (status DELIVERY_ACK), read (READ), or a request to send it again (`retry`).
 */
export interface ReceiptForBot {
  type: 'delivery' | 'read' | 'retry';
  chatJid: string;
  messageId: string;
  /** In a group chat: the member whose device sent it. */
  participantJid?: string;
  /** A retry receipt's record (updated in place as it is delivered and answered). */
  retry?: RetryRequestRecord;
}

/** Server model options. */
export interface ServerOptions {
  /** Dedupe by message id per chat, as WhatsApp does (default true). */
  dedupeById: boolean;
  /** Timeline chat name per JID. */
  chatNames: ReadonlyMap<string, string>;
  /** Inbound messages queued at once before the run is broken (a limit on everything). */
  inboundQueueMax: number;
  /** A frame reached the server now (its seq): the journal's note (journal.ts). */
  onFrame?(seq: number): void;
}

/** The WhatsApp server of one run. */
export class ServerModel {
  readonly #options: ServerOptions;
  readonly #frames: FrameRecord[] = [];
  readonly #visible: Record<string, VisibleRecord[]> = {};
  readonly #presence: PresenceRecord[] = [];
  /** `${chatJid}\u0000${messageId}` of every message a chat shows. */
  readonly #seenIds = new Set<string>();
  readonly #inbound: QueuedInbound[] = [];
  /** Receipts waiting for a socket (offline stanzas). */
  readonly #receipts: ReceiptForBot[] = [];
  readonly #retryRequests: RetryRequestRecord[] = [];

  /** A fresh server with empty chats. */
  constructor(options: ServerOptions) {
    this.#options = options;
  }

  /**
   * Logs a message frame arriving at `at`; returns whether it was a duplicate. A `nacked` frame is
   * logged but never visible (the recipient's device could not display it).
   */
  receiveMessage(frame: IncomingFrame, at: number, nacked = false): boolean {
    const chat = this.#options.chatNames.get(frame.chatJid) ?? frame.chatJid;
    const dedupeKey = frame.chatJid + '\u0000' + frame.messageId;
    const duplicate = !nacked && this.#options.dedupeById && this.#seenIds.has(dedupeKey);
    const key = parseReplyKey(frame.text);
    const record: FrameRecord = {
      seq: this.#frames.length + 1,
      at,
      chat,
      chatJid: frame.chatJid,
      messageId: frame.messageId,
      kind: frame.kind,
      generation: frame.generation,
      attemptSeq: frame.attemptSeq,
      duplicate,
    };
    if (key !== undefined) record.key = key;
    if (nacked) record.nacked = true;
    if (frame.undecryptable === true) record.undecryptable = true;
    if (frame.retryResend === true) record.retryResend = true;
    this.#frames.push(record);
    this.#options.onFrame?.(record.seq);
    if (!duplicate && !nacked && frame.undecryptable !== true) {
      this.#seenIds.add(dedupeKey);
      const visible: VisibleRecord = {
        messageId: frame.messageId,
        kind: frame.kind,
        generation: frame.generation,
        at,
        frameSeq: record.seq,
      };
      if (key !== undefined) visible.key = key;
      (this.#visible[chat] ??= []).push(visible);
    }
    return duplicate;
  }

  /** Logs a presence update arriving at `at`. */
  receivePresence(
    chatJid: string,
    type: string,
    generation: number,
    attemptSeq: number,
    at: number,
  ): void {
    const chat = this.#options.chatNames.get(chatJid) ?? chatJid;
    this.#presence.push({ at, chat, chatJid, type, generation, attemptSeq });
  }

  /** See {@link ServerRecord.nodes}. */
  readonly #nodes: Record<string, number> = {};
  #nodesAny = false;

  /** A frame of the bot's surface of `kind` arrived (see {@link ServerRecord.nodes}). */
  nodeReceived(kind: string): void {
    this.#nodes[kind] = Math.min((this.#nodes[kind] ?? 0) + 1, nodesCountedMax);
    this.#nodesAny = true;
  }

  /** The session as WhatsApp sees it (updated in place by drops and logins). */
  readonly session: SessionRecord = {};

  /** Holds an inbound message until a socket opens (an offline message, or one to redeliver). */
  queueInbound(message: QueuedInbound): void {
    if (this.#inbound.length >= this.#options.inboundQueueMax) {
      throw new Error(`server: inbound queue over its limit of ${this.#options.inboundQueueMax}`);
    }
    this.#inbound.push(message);
  }

  /** Inbound messages waiting for a socket. */
  get queuedInbound(): number {
    return this.#inbound.length;
  }

  /** Takes every queued inbound message, oldest first. */
  takeQueuedInbound(): QueuedInbound[] {
    return this.#inbound.splice(0, this.#inbound.length);
  }

  /** Holds a receipt for the bot until a socket opens. */
  queueReceipt(receipt: ReceiptForBot): void {
    if (this.#receipts.length >= this.#options.inboundQueueMax) {
      throw new Error(`server: receipt queue over its limit of ${this.#options.inboundQueueMax}`);
    }
    this.#receipts.push(receipt);
  }

  /** Takes every queued receipt, oldest first. */
  takeQueuedReceipts(): ReceiptForBot[] {
    return this.#receipts.splice(0, this.#receipts.length);
  }

  /** A recipient asks for a resend of `messageId` in `chatJid` (a retry receipt), now. */
  retryRequest(chatJid: string, messageId: string, at: number): RetryRequestRecord {
    if (this.#retryRequests.length >= this.#options.inboundQueueMax) {
      const max = this.#options.inboundQueueMax;
      throw new Error(`server: retry requests over their limit of ${max}`);
    }
    const chat = this.#options.chatNames.get(chatJid) ?? chatJid;
    const record: RetryRequestRecord = { messageId, chat, chatJid, at, deliveries: [] };
    this.#retryRequests.push(record);
    return record;
  }

  /** The server's record for the history (the live arrays: take it once, at the end). */
  snapshot(): ServerRecord {
    const record: ServerRecord = {
      dedupeById: this.#options.dedupeById,
      session: this.session,
      frames: this.#frames,
      visible: this.#visible,
      presence: this.#presence,
      ...(this.#retryRequests.length > 0 ? { retryRequests: this.#retryRequests } : {}),
    };
    if (this.#nodesAny) record.nodes = this.#nodes;
    return record;
  }
}
