import { initAuthCreds } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { productionEnv, systemClock, systemRandom } from '../../src/index.js';

describe('productionEnv', () => {
  it('wires Baileys-shaped ids, the default policy and the real clock without connecting', () => {
    // Arrange
    const auth = { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => {} } };
    // Act
    const env = productionEnv({
      socketConfig: { auth } as never,
      logger: pino({ level: 'silent' }),
    });
    // Assert
    expect(env.messageIds()).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(env.messageIds()).not.toBe(env.messageIds());
    expect(env.config.reconnect.maxAttempts).toBe(12);
    expect(env.config.replyDeadlineMs).toBe(120_000);
    expect(env.clock).toBe(systemClock);
    expect(env.random).toBe(systemRandom);
  });

  it('honours an explicit config and defaults the logger', () => {
    const auth = { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => {} } };
    const reconnect = { initialMs: 1, maxMs: 2, factor: 1, jitter: 0, maxAttempts: 1 };
    const env = productionEnv({
      socketConfig: { auth } as never,
      config: { reconnect, replyDeadlineMs: 5 },
    });
    expect(env.config).toEqual({ reconnect, replyDeadlineMs: 5 });
    expect(typeof env.logger.info).toBe('function');
  });

  it('the system clock runs real timers that can be cancelled', async () => {
    const start = systemClock.now();
    let fired = 0;
    const cancelled = systemClock.setTimeout(() => (fired += 10), 1);
    systemClock.clearTimeout(cancelled);
    await new Promise<void>((resolve) => systemClock.setTimeout(() => resolve(), 2));
    expect(fired).toBe(0);
    expect(systemClock.now()).toBeGreaterThanOrEqual(start);
    const draw = systemRandom();
    expect(draw >= 0 && draw < 1).toBe(true);
  });
});
