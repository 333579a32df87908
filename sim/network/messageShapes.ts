/**
 * The Baileys-shaped values the fake socket hands a send path: the `connection.update` close
 * payload, the `messages.upsert` of an inbound message, the `WAMessage` a send resolves to, and
 * how a `sendMessage` content argument reads (its text or caption, its kind).
 */
import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import type { FrameKind, QueuedInbound } from './server.js';

/** The `connection.update` `close` payload Baileys emits from `end(error)`. */
export function closeUpdate(error: Error | undefined, now: number): BaileysEventMap['connection.update'] {
  return { connection: 'close', lastDisconnect: { error, date: new Date(now) } };
}

/** The `messages.upsert` Baileys emits for a plain-text message from a user. */
export function inboundUpsert(message: QueuedInbound, now: number): BaileysEventMap['messages.upsert'] {
  return {
    messages: [
      {
        key: { remoteJid: message.chatJid, id: message.id, fromMe: false },
        message: { conversation: message.text },
        messageTimestamp: Math.floor(now / 1000),
      },
    ],
    type: 'notify',
  };
}

/** What a sent message was, for the `WAMessage` a send resolves to. */
export interface SentMessage {
  chatJid: string;
  messageId: string;
  text: string | undefined;
  kind: FrameKind;
  /** When the send was called, virtual ms. */
  at: number;
}

/** The `WAMessage` (status PENDING) `sendMessage` resolves to. */
export function sentWaMessage(sent: SentMessage): WAMessage {
  const { text } = sent;
  let message: proto.IMessage;
  switch (sent.kind) {
    case 'text':
      message = { extendedTextMessage: { text: text ?? '' } };
      break;
    case 'image':
      message = { imageMessage: text === undefined ? {} : { caption: text } };
      break;
    case 'document':
      message = { documentMessage: text === undefined ? {} : { caption: text } };
      break;
    default:
      message = {};
  }
  return {
    key: { remoteJid: sent.chatJid, fromMe: true, id: sent.messageId },
    message,
    messageTimestamp: Math.floor(sent.at / 1000),
    status: proto.WebMessageInfo.Status.PENDING,
  };
}

/** Text (or caption) and kind of a `sendMessage` content argument. */
export function describeContent(content: unknown): { text: string | undefined; kind: FrameKind } {
  if (typeof content !== 'object' || content === null) return { text: undefined, kind: 'other' };
  const c = content as Record<string, unknown>;
  if (typeof c['text'] === 'string') return { text: c['text'], kind: 'text' };
  const caption = typeof c['caption'] === 'string' ? c['caption'] : undefined;
  if ('image' in c) return { text: caption, kind: 'image' };
  if ('document' in c) return { text: caption, kind: 'document' };
  return { text: caption, kind: 'other' };
}
