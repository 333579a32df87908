/**
 * Binds an inbound message's reply capabilities to the supervisor and outbox — never to the
 * socket the message arrived on. The reply may be produced seconds later, after that socket
 * was replaced; each attempt resolves the live socket at send time.
 */
import type { AnyMessageContent, WAMessage } from '@whiskeysockets/baileys';
import type { Outbox, Receipt } from './outbox.js';
import type { InboundMessage, Logger, MediaSpec } from './ports.js';
import { redactJid } from './redact.js';
import type { Supervisor } from './supervisor.js';

/** What the bound closures need. */
export interface InboundDeps {
  outbox: Outbox;
  supervisor: Supervisor;
  logger: Logger;
}

/**
 * Builds an {@link InboundMessage} for a received message a bot answers; undefined for our own
 * (rc14 echoes every send as an `append` upsert `fromMe`), keyless or body-less ones, status
 * broadcasts, reactions, protocol messages (revokes) and stubs (group events).
 */
export function bindInbound(message: WAMessage, deps: InboundDeps): InboundMessage | undefined {
  const chatJid = message.key?.remoteJid;
  const id = message.key?.id;
  if (message.key?.fromMe || !chatJid || !id || !isAnswerable(message, chatJid)) return undefined;
  return {
    chatJid,
    id,
    text: textOf(message),
    reply: replier(chatJid, deps),
    sendMedia: mediaSender(chatJid, deps),
    sendComposing: composer(chatJid, deps),
  };
}

// The capabilities are closures, not methods: a bot may pass `message.reply` on as a callback.

function replier(chatJid: string, deps: InboundDeps): InboundMessage['reply'] {
  return (text: string): Promise<Receipt> => deps.outbox.send(chatJid, { text });
}

function mediaSender(chatJid: string, deps: InboundDeps): InboundMessage['sendMedia'] {
  return (media: MediaSpec): Promise<Receipt> => deps.outbox.send(chatJid, mediaContent(media));
}

function composer(chatJid: string, deps: InboundDeps): InboundMessage['sendComposing'] {
  return () => sendComposing(chatJid, deps);
}

/** Best effort: a typing indicator is never retried and never throws into the caller. */
async function sendComposing(chatJid: string, deps: InboundDeps): Promise<void> {
  const live = deps.supervisor.current();
  if (!live) return;
  try {
    await live.socket.sendPresenceUpdate('composing', chatJid);
  } catch (err) {
    deps.logger.debug(
      { chat: redactJid(chatJid), err: (err as Error)?.message },
      'composing not sent',
    );
  }
}

function isAnswerable(message: WAMessage, chatJid: string): boolean {
  const body = message.message;
  if (body === undefined || body === null || chatJid === 'status@broadcast') return false;
  return !(body.reactionMessage || body.protocolMessage);
}

function textOf(message: WAMessage): string {
  const body = message.message;
  return (
    body?.conversation ??
    body?.extendedTextMessage?.text ??
    body?.imageMessage?.caption ??
    body?.videoMessage?.caption ??
    body?.documentMessage?.caption ??
    ''
  );
}

/** Baileys content for a media send of `media.bytes` bytes. */
export function mediaContent(media: MediaSpec): AnyMessageContent {
  const bytes = Buffer.alloc(media.bytes);
  if (media.kind === 'image') return { image: bytes, caption: media.caption };
  return { document: bytes, mimetype: 'application/octet-stream', caption: media.caption };
}
