/**
 * What `bindInbound` gives the bot beyond `reply`: composing on the live socket only (a failure
 * is logged, never thrown), the text of plain and extended messages, and media content shapes.
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it, vi } from 'vitest';
import { bindInbound, mediaContent } from '../../src/inbound.js';
import type { Outbox } from '../../src/outbox.js';
import { defaultReconnectPolicy } from '../../src/reconnectPolicy.js';
import { Supervisor } from '../../src/supervisor.js';
import { HandWorld } from './support/handSocket.js';

const jid = '15551234567@s.whatsapp.net';

function bound(world: HandWorld, message: Partial<WAMessage> = {}) {
  const supervisor = new Supervisor({ ...world.env(), policy: defaultReconnectPolicy });
  supervisor.start();
  const inbound = bindInbound(
    {
      key: { remoteJid: jid, id: 'IN1', fromMe: false },
      message: { conversation: 'hi' },
      ...message,
    } as WAMessage,
    {
      outbox: {} as Outbox,
      supervisor,
      logger: world.logger,
    },
  );
  return { inbound: inbound!, supervisor };
}

describe('sendComposing', () => {
  it('sends a composing presence to the chat on the live socket', async () => {
    const world = new HandWorld();
    const { inbound } = bound(world);
    world.latest.open();
    const presence = vi.spyOn(world.latest, 'sendPresenceUpdate');
    await inbound.sendComposing();
    expect(presence).toHaveBeenCalledWith('composing', jid);
  });

  it('does nothing, and logs nothing, without a live socket', async () => {
    const world = new HandWorld();
    const { inbound } = bound(world);
    const logsBefore = world.logs.length;
    await inbound.sendComposing();
    expect(world.logs.length).toBe(logsBefore);
  });

  it(
    'logs a failed presence at debug with the ' + 'redacted chat and the error, and resolves',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { inbound } = bound(world);
      world.latest.open();
      vi.spyOn(world.latest, 'sendPresenceUpdate').mockRejectedValue(new Error('boom'));
      // Act
      await inbound.sendComposing();
      // Assert
      expect(world.logs.at(-1)).toEqual({
        level: 'debug',
        obj: { chat: '***4567@s.whatsapp.net', err: 'boom' },
        msg: 'composing not sent',
      });
    },
  );

  it('logs a presence rejected with a non-error value', async () => {
    const world = new HandWorld();
    const { inbound } = bound(world);
    world.latest.open();
    vi.spyOn(world.latest, 'sendPresenceUpdate').mockRejectedValue(undefined);
    await inbound.sendComposing();
    expect(world.logs.at(-1)).toMatchObject({ msg: 'composing not sent', obj: { err: undefined } });
  });
});

describe('inbound text', () => {
  it('reads an extended text message', () => {
    const world = new HandWorld();
    const { inbound } = bound(world, {
      message: { extendedTextMessage: { text: 'quoted reply' } },
    });
    expect(inbound.text).toBe('quoted reply');
  });

  it('reads an empty text when the message has a body with no text', () => {
    const world = new HandWorld();
    const { inbound } = bound(world, { message: { imageMessage: {} } });
    expect(inbound.text).toBe('');
  });

  it('reads a media caption as the text', () => {
    const world = new HandWorld();
    const { inbound } = bound(world, { message: { imageMessage: { caption: 'look' } } });
    expect(inbound.text).toBe('look');
  });
});

describe('what is handed to the bot', () => {
  it.each([
    ['no body', { message: undefined }],
    ['a reaction', { message: { reactionMessage: { text: '👍' } } }],
    ['a revoke (protocol message)', { message: { protocolMessage: { type: 0 } } }],
    ['a status broadcast', { key: { remoteJid: 'status@broadcast', id: 'S1', fromMe: false } }],
    ['our own echo', { key: { remoteJid: jid, id: 'E1', fromMe: true } }],
    ['a keyless message', { key: { remoteJid: jid, fromMe: false } }],
  ] as const)('skips %s', (_what, fields) => {
    // Arrange
    const world = new HandWorld();
    const supervisor = new Supervisor({ ...world.env(), policy: defaultReconnectPolicy });
    // Act
    const inbound = bindInbound(
      {
        key: { remoteJid: jid, id: 'IN1', fromMe: false },
        message: { conversation: 'hi' },
        ...fields,
      } as WAMessage,
      {
        outbox: {} as Outbox,
        supervisor,
        logger: world.logger,
      },
    );
    // Assert
    expect(inbound).toBeUndefined();
  });
});

describe('mediaContent', () => {
  it('sends an image as an image with its caption', () => {
    const content = mediaContent({ kind: 'image', caption: 'look', bytes: 3 }) as {
      image: Buffer;
      caption: string;
    };
    expect(Object.keys(content).sort()).toEqual(['caption', 'image']);
    expect(content.image.length).toBe(3);
    expect(content.caption).toBe('look');
  });

  it('sends a document as an octet-stream document', () => {
    const content = mediaContent({ kind: 'document', bytes: 2 }) as {
      document: Buffer;
      mimetype: string;
    };
    expect(content.document.length).toBe(2);
    expect(content.mimetype).toBe('application/octet-stream');
    expect('image' in content).toBe(false);
  });
});
