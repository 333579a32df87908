/**
 * The drop-in for a Baileys mock on a bot written the way Baileys' own example is (the example
 * bot: ev.process, useMultiFileAuthState, makeCacheableSignalKeyStore, fetchLatestBaileysVersion):
 * the helpers answer in memory and offline, so the bot runs and stops clean inside a test; and a
 * bot that calls a socket member the fake does not model gets the harness's limit named, not a
 * verdict.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Baileys from '@whiskeysockets/baileys';
import { whatsapp } from '../../vitest/index.js';
import * as exampleBot from '../../examples/example-bot/bot-fixed.js';

vi.mock('@whiskeysockets/baileys', async (importOriginal) => {
  const { fakeBaileysModule } = await import('../../vitest/fakeBaileysModule.js');
  return fakeBaileysModule(await importOriginal<typeof Baileys>());
});

beforeEach(() => {
  whatsapp.begin();
  exampleBot.reset();
});
afterEach(() => whatsapp.end());

describe('the example bot in a test, with the drop-in', () => {
  it(
    'answers once, and stops with nothing left: no timer of the key cache, no file, no ' +
      'network',
    async () => {
      // Arrange
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      await exampleBot.start({
        onMessage: (message) => setTimeout(() => void message.reply('the weather is fine'), 2000),
      });
      await whatsapp.advance(1000);
      // Act
      whatsapp.inbound('alice', 'weather?');
      await whatsapp.advance(10_000);
      await whatsapp.stopped(() => exampleBot.stop());
      // Assert
      expect(whatsapp.sent('alice')).toEqual(['the weather is fine']);
      expect(log).toHaveBeenCalledWith('opened connection');
      expect(whatsapp.history().stop.pathTimersAlive).toBe(0);
      whatsapp.expectProperties();
      log.mockRestore();
    },
  );

  it(
    'the helpers are answered in memory and offline: a paired state, fresh per session; ' +
      "rc14's own version",
    async () => {
      // Arrange
      const baileys = await import('@whiskeysockets/baileys');
      // Act
      const first = await baileys.useMultiFileAuthState('auth');
      whatsapp.end();
      whatsapp.begin();
      const second = await baileys.useMultiFileAuthState('auth');
      const version = await baileys.fetchLatestBaileysVersion();
      // Assert
      expect(first.state.creds.registered).toBe(true);
      expect(second).not.toBe(first);
      expect(version).toEqual({
        version: baileys.DEFAULT_CONNECTION_CONFIG.version,
        isLatest: true,
      });
    },
  );
});

describe('a member the fake does not model', () => {
  it('makes the judgement throw the line naming it, instead of blaming the bot', async () => {
    // Arrange
    const { default: makeWASocket } = await import('@whiskeysockets/baileys');
    const sock = makeWASocket({} as never) as unknown as {
      fetchBlocklist(): Promise<unknown>;
      end(e: undefined): Promise<void>;
    };
    await whatsapp.advance(1000);
    // Act
    const call = sock.fetchBlocklist().catch(() => 'threw');
    await whatsapp.stopped(() => sock.end(undefined));
    // Assert
    expect(await call).toBe('threw');
    expect(() => whatsapp.violations()).toThrow(
      /^baileys-sim: the bot called sock\.fetchBlocklist\(\) \(socket 1 at 1000 ms\), which the simulated socket does not model: a limit of the harness, not a bug of the bot; stub it/,
    );
  });
});
