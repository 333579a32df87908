/**
 * The drop-in for a hand-made Baileys mock, in a test written the way bot repositories write
 * theirs: `vi.mock` of Baileys, the bot's own module started and stopped, a message pushed,
 * time advanced, and assertions on what the chat shows. The bot modules are the as-written
 * fixtures (`test/fixtures/as-written/`); the network is scripted with `whatsapp`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Baileys from '@whiskeysockets/baileys';
import { whatsapp } from '../../vitest/index.js';
import * as capturedBot from '../fixtures/as-written/captured-socket.js';
import * as correctBot from '../fixtures/as-written/correct.js';

vi.mock('@whiskeysockets/baileys', async (importOriginal) => {
  // In a bot's repository: `await import('baileys-sim/vitest')`.
  const { fakeBaileysModule } = await import('../../vitest/fakeBaileysModule.js');
  return fakeBaileysModule(await importOriginal<typeof Baileys>());
});

type Bot = typeof correctBot;
type Message = { chatJid: string; text: string; reply(text: string): Promise<unknown> };

/**
 * The bot's brain, as tests stub it: answers every message after thinking for `thinkMs`, with
 * `answer`.
 */
function answering(thinkMs: number, answer: (text: string) => string, outcomes: string[]) {
  return {
    onMessage: (message: Message) => {
      setTimeout(() => {
        message.reply(answer(message.text)).then(
          () => outcomes.push('sent'),
          (error: Error) => outcomes.push(`failed: ${error.message}`),
        );
      }, thinkMs);
    },
  };
}

beforeEach(() => {
  whatsapp.begin();
  capturedBot.reset();
  correctBot.reset();
});

afterEach(() => {
  whatsapp.end();
});

describe.each([
  ['the correct bot', correctBot],
  ['the captured-socket bot', capturedBot],
] as [string, Bot][])('%s on a healthy network', (_name, bot) => {
  it('answers a message once', async () => {
    // Arrange
    const outcomes: string[] = [];
    await bot.start(answering(2000, (text) => `echo: ${text}`, outcomes));
    await whatsapp.advance(1000);
    // Act
    whatsapp.inbound('alice', 'hello');
    await whatsapp.advance(5000);
    await whatsapp.stopped(() => bot.stop());
    // Assert
    expect(outcomes).toEqual(['sent']);
    expect(whatsapp.sent('alice')).toEqual(['echo: hello']);
    whatsapp.expectProperties();
  });
});

describe('a connection dropped while the bot thinks', () => {
  it('the correct bot replies on the new socket, once', async () => {
    // Arrange
    const outcomes: string[] = [];
    await correctBot.start(answering(5000, () => 'the weather is fine', outcomes));
    await whatsapp.advance(1000);
    whatsapp.inbound('alice', 'weather?');
    await whatsapp.advance(1000);
    // Act
    whatsapp.drop();
    await whatsapp.advance(60_000);
    await whatsapp.stopped(() => correctBot.stop());
    // Assert
    expect(outcomes).toEqual(['sent']);
    expect(whatsapp.sent('alice')).toEqual(['the weather is fine']);
    whatsapp.expectProperties();
  });

  it('the captured-socket bot sends on the dead socket, and the failure says so', async () => {
    // Arrange
    const outcomes: string[] = [];
    await capturedBot.start(answering(5000, () => 'the weather is fine', outcomes));
    await whatsapp.advance(1000);
    whatsapp.inbound('alice', 'weather?');
    await whatsapp.advance(1000);
    // Act
    whatsapp.drop();
    await whatsapp.advance(60_000);
    await whatsapp.stopped(() => capturedBot.stop());
    // Assert
    expect(whatsapp.sent('alice')).toEqual([]);
    expect(outcomes).toEqual(['failed: Connection Closed']);
    expect(() => whatsapp.expectProperties()).toThrowError(
      /^whatsapp: live-socket violated\n {2}live-socket +at +\d+ ms {2}message attempt #1 for "the weather is fine" on socket 1 after its close was emitted/,
    );
    expect(() => whatsapp.expectProperties()).toThrowError(/drop connectionClosed/);
  });
});

describe('the session', () => {
  it(
    'puts setTimeout, Date and Math.random on ' + 'its clock, and gives them back at the end',
    async () => {
      // Arrange
      whatsapp.end();
      const realSetTimeout = globalThis.setTimeout;
      const fired: number[] = [];
      whatsapp.begin();
      // Act
      setTimeout(() => fired.push(Date.now()), 30_000);
      const draws = [Math.random(), Math.random()];
      await whatsapp.advance(30_000);
      whatsapp.end();
      whatsapp.begin();
      const again = [Math.random(), Math.random()];
      whatsapp.end();
      // Assert
      expect(fired).toEqual([30_000]);
      expect(again).toEqual(draws);
      expect(globalThis.setTimeout).toBe(realSetTimeout);
    },
  );

  it('refuses makeWASocket with no session open, naming what to do', async () => {
    // Arrange
    whatsapp.end();
    // Act
    const starting = correctBot.start({ onMessage: () => undefined });
    // Assert
    await expect(starting).rejects.toThrow(
      'makeWASocket was called with no whatsapp session open; call whatsapp.begin() first',
    );
  });
});
