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

/** The JID a group chat's member writes from (the sender of its messages in the fake). */
export function memberJidOf(groupJid: string): string {
  return `1555${groupJid.replace(/\D/g, '').slice(-7)}@s.whatsapp.net`;
}

/**
 * The `WAMessage` rc14 upserts for one inbound message of each kind. Its `messageTimestamp` is
 * the stanza's `t` (`decryptMessageNode`, `Utils/decode-wa-message.js`): when the message was
 * sent, so an offline or redelivered message carries its original time, not its delivery's.
 */
export function inboundWaMessage(message: QueuedInbound): WAMessage {
  const timestamp = Math.floor(message.sentAt / 1000);
  // In a group every message names its sender.
  const key = message.chatJid.endsWith('@g.us')
    ? { remoteJid: message.chatJid, id: message.id, fromMe: false, participant: memberJidOf(message.chatJid) }
    : { remoteJid: message.chatJid, id: message.id, fromMe: false };
  switch (message.kind) {
    case 'text':
    case 'group':
      return { key, message: { conversation: message.text }, messageTimestamp: timestamp };
    case 'media':
      return { key, message: { imageMessage: { caption: message.text, mimetype: 'image/jpeg' } }, messageTimestamp: timestamp };
    case 'reaction':
      return { key, message: { reactionMessage: { key: { remoteJid: message.chatJid, id: `${message.id}R`, fromMe: true }, text: '👍' } }, messageTimestamp: timestamp };
    case 'revoke':
      return { key, message: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { remoteJid: message.chatJid, id: `${message.id}R`, fromMe: false } } }, messageTimestamp: timestamp };
    case 'stub':
      return { key, messageStubType: proto.WebMessageInfo.StubType.GROUP_PARTICIPANT_ADD, messageStubParameters: [message.chatJid], messageTimestamp: timestamp };
    case 'empty':
      return { key, messageTimestamp: timestamp };
    case 'status':
      return { key: { ...key, remoteJid: 'status@broadcast', participant: message.chatJid }, message: { conversation: message.text }, messageTimestamp: timestamp };
  }
}

/** The `messages.upsert` Baileys emits for a batch of inbound messages (`notify` live, `append` offline). */
export function inboundUpsert(
  batch: readonly QueuedInbound[],
  type: 'notify' | 'append',
): BaileysEventMap['messages.upsert'] {
  return { messages: batch.map((message) => inboundWaMessage(message)), type };
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

/**
 * What `sendMessage` resolves to: a `proto.WebMessageInfo` (`generateWAMessageFromContent`,
 * `Utils/messages.js`) with status PENDING and a Long `messageTimestamp`.
 */
export function sentWaMessage(sent: SentMessage): proto.WebMessageInfo {
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
  return proto.WebMessageInfo.fromObject({
    key: { remoteJid: sent.chatJid, fromMe: true, id: sent.messageId },
    message,
    messageTimestamp: Math.floor(sent.at / 1000),
    messageStubParameters: [],
    status: proto.WebMessageInfo.Status.PENDING,
  });
}

/** `messages.update` of a server nack (`handleBadAck`, `Socket/messages-recv.js`): status ERROR. */
export function nackUpdate(sent: { chatJid: string; messageId?: string }): BaileysEventMap['messages.update'] {
  return [{ key: { remoteJid: sent.chatJid, id: sent.messageId, fromMe: true }, update: { status: proto.WebMessageInfo.Status.ERROR } }];
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
