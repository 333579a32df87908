/**
 * The Baileys-shaped values the fake socket hands a send path: the `connection.update` close
 * payload, the `messages.upsert` of an inbound message, the `WAMessage` a send resolves to, and
 * how a `sendMessage` content argument reads (its text or caption, its kind).
 */
import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { ACCOUNT_RESTRICTED_TEXT, NACK_REASONS, proto } from '@whiskeysockets/baileys';
import { defaultMemberJidOf } from '../chatJids.js';
import type { FrameKind, QueuedInbound, ReceiptForBot } from './server.js';

/** The `connection.update` `close` payload Baileys emits from `end(error)`. */
export function closeUpdate(
  error: Error | undefined,
  now: number,
): BaileysEventMap['connection.update'] {
  return { connection: 'close', lastDisconnect: { error, date: new Date(now) } };
}

/**
 * The `WAMessage` rc14 upserts for one inbound message of each kind. Its `messageTimestamp` is
 * the stanza's `t` (`decryptMessageNode`, `Utils/decode-wa-message.js`): when the message was
 * sent, so an offline or redelivered message carries its original time, not its delivery's.
 */
function inboundWaMessage(message: QueuedInbound): WAMessage {
  const timestamp = Math.floor(message.sentAt / 1000);
  // In a group every message names its sender (`handleMessage`, `Socket/messages-recv.js`).
  const direct = { remoteJid: message.chatJid, id: message.id, fromMe: false };
  const participant = message.participantJid ?? defaultMemberJidOf(message.chatJid);
  const inGroup = message.chatJid.endsWith('@g.us');
  const key = inGroup ? { ...direct, participant, addressingMode: 'pn' } : direct;
  switch (message.kind) {
    case 'text':
    case 'group':
      return { key, message: { conversation: message.text }, messageTimestamp: timestamp };
    case 'media':
      return {
        key,
        message: { imageMessage: { caption: message.text, mimetype: 'image/jpeg' } },
        messageTimestamp: timestamp,
      };
    case 'reaction':
      return {
        key,
        message: {
          reactionMessage: {
            key: { remoteJid: message.chatJid, id: `${message.id}R`, fromMe: true },
            text: '👍',
          },
        },
        messageTimestamp: timestamp,
      };
    case 'revoke':
      return {
        key,
        message: {
          protocolMessage: {
            type: proto.Message.ProtocolMessage.Type.REVOKE,
            key: { remoteJid: message.chatJid, id: `${message.id}R`, fromMe: false },
          },
        },
        messageTimestamp: timestamp,
      };
    case 'stub':
      return {
        key,
        messageStubType: proto.WebMessageInfo.StubType.GROUP_PARTICIPANT_ADD,
        messageStubParameters: [message.chatJid],
        messageTimestamp: timestamp,
      };
    case 'empty':
      return { key, messageTimestamp: timestamp };
    case 'status':
      return {
        key: { ...key, remoteJid: 'status@broadcast', participant: message.chatJid },
        message: { conversation: message.text },
        messageTimestamp: timestamp,
      };
  }
}

/**
 * The `messages.upsert` Baileys emits for a batch of inbound messages (`notify` live, `append`
 * offline).
 */
export function inboundUpsert(
  batch: readonly QueuedInbound[],
  type: 'notify' | 'append',
): BaileysEventMap['messages.upsert'] {
  return { messages: batch.map((message) => inboundWaMessage(message)), type };
}

/** What a sent message was, for the `WAMessage` a send resolves to. */
interface SentMessage {
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

/**
 * `messages.update` of a server nack (`handleBadAck`, `Socket/messages-recv.js`): status ERROR,
 * the nack's code in `messageStubParameters`, and for 463 (`SenderReachoutTimelocked`: the
 * account may not start new chats) the restriction text after it.
 */
export function nackUpdate(
  sent: { chatJid: string; messageId?: string },
  code: string,
): BaileysEventMap['messages.update'] {
  const restricted = code === String(NACK_REASONS.SenderReachoutTimelocked);
  const messageStubParameters = restricted ? [code, ACCOUNT_RESTRICTED_TEXT] : [code];
  const key = { remoteJid: sent.chatJid, id: sent.messageId, fromMe: true };
  return [{ key, update: { status: proto.WebMessageInfo.Status.ERROR, messageStubParameters } }];
}

/** An event and its argument, as the fake emits it. */
type Emission =
  | { event: 'messages.update'; arg: BaileysEventMap['messages.update'] }
  | { event: 'message-receipt.update'; arg: BaileysEventMap['message-receipt.update'] };

/**
 * What rc14 emits for a delivery or read receipt from a recipient (`handleReceipt`,
 * `Socket/messages-recv.js`; `getStatusFromReceiptType`, `Utils/generics.js`): in a 1:1 chat
 * `messages.update` with status DELIVERY_ACK (3) or READ (4) and the receipt's time in seconds;
 * in a group, per member, `message-receipt.update` with its `receiptTimestamp` or `readTimestamp`.
 */
export function receiptUpdate(receipt: ReceiptForBot, now: number): Emission {
  const key = { remoteJid: receipt.chatJid, id: receipt.messageId, fromMe: true };
  const seconds = Math.floor(now / 1000);
  const read = receipt.type === 'read';
  const member = receipt.participantJid;
  if (member !== undefined) {
    const timestamp = read ? { readTimestamp: seconds } : { receiptTimestamp: seconds };
    const memberKey = { ...key, participant: member };
    const arg = [{ key: memberKey, receipt: { userJid: member, ...timestamp } }];
    return { event: 'message-receipt.update', arg };
  }
  const { READ, DELIVERY_ACK } = proto.WebMessageInfo.Status;
  const update = { status: read ? READ : DELIVERY_ACK, messageTimestamp: seconds };
  return { event: 'messages.update', arg: [{ key, update }] };
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
