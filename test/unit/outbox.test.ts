/**
 * Outbox and reference-path details pinned for mutation testing: refusal after stop, what stop
 * does to queued and in-flight replies, the attempt log lines (redacted chat, message id,
 * attempt, generation, error class), and config checks at construction.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/reconnectPolicy.js';
import type { InboundMessage } from '../../src/ports.js';
import { createReferenceSendPath, referenceSendPath } from '../../src/reference.js';
import { HandWorld } from './support/handSocket.js';
import { startedPath } from './support/startedPath.js';

const chat = '15551234567@s.whatsapp.net';

const started = (world: HandWorld) => startedPath(world, chat);

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: Error) => e.name,
  );

describe('outbox stop', () => {
  it('refuses a reply after stop() as definitely not sent', async () => {
    const world = new HandWorld();
    const { path, message } = await started(world);
    await path.stop();
    await expect(outcome(message.reply('late'))).resolves.toBe('SendPathStoppedError');
    expect(world.sends).toHaveLength(0);
  });

  it('fails queued replies as not sent and the in-flight one as ambiguous', async () => {
    // Arrange: the first reply's write hangs; two more queue behind it in the same chat.
    const world = new HandWorld();
    const { path, message } = await started(world);
    world.scripts.push('hang');
    const first = outcome(message.reply('r1'));
    const queued = [outcome(message.reply('r2')), outcome(message.reply('r3'))];
    await world.settle();
    // Act
    await path.stop();
    // Assert
    expect(await first).toBe('AmbiguousDeliveryError');
    expect(await Promise.all(queued)).toEqual(['SendPathStoppedError', 'SendPathStoppedError']);
    expect(world.sends.map((s) => s.text)).toEqual(['r1']);
    expect(world.clock.countTimers()).toBe(0);
  });
});

describe('outbox attempt logs', () => {
  it(
    'logs a written reply at debug and a failed ' + 'attempt at warn, with the chat redacted',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      world.scripts.push('closed428', 'ok');
      // Act
      const sent = message.reply('r1');
      await world.settle();
      world.latest.close(428);
      await world.advance(5000);
      world.latest.open();
      await sent;
      await path.stop();
      // Assert
      const attempts = world.logs.filter(
        (l) => l.msg === 'reply attempt failed' || l.msg === 'reply written',
      );
      const messageId = world.sends[0]!.messageId;
      expect(attempts[0]).toEqual({
        level: 'warn',
        msg: 'reply attempt failed',
        obj: {
          chat: '***4567@s.whatsapp.net',
          messageId,
          attempt: 1,
          generation: 1,
          kind: 'retrySafe',
        },
      });
      expect(attempts.at(-1)).toEqual({
        level: 'debug',
        msg: 'reply written',
        obj: { chat: '***4567@s.whatsapp.net', messageId, attempt: 2, generation: 2 },
      });
      expect(JSON.stringify(world.logs)).not.toContain('15551234567');
    },
  );
});

describe('reference path config', () => {
  it.each([0, -1, Number.NaN])('refuses replyDeadlineMs %s', (replyDeadlineMs) => {
    const world = new HandWorld();
    expect(() => referenceSendPath(world.env({ replyDeadlineMs }))).toThrow(ConfigError);
  });

  it('names the config path of a bad reconnect policy', () => {
    const world = new HandWorld();
    const env = world.env({
      reconnect: { initialMs: -1, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
    });
    expect(() => referenceSendPath(env)).toThrow('config.reconnect.initialMs must be between');
  });

  it(
    'hands the bot offline (append) and live (notify) messages, each id once, and not its ' +
      'own echoes',
    async () => {
      // Arrange
      const world = new HandWorld();
      const inbound: InboundMessage[] = [];
      const path = referenceSendPath(world.env());
      await path.start((msg) => inbound.push(msg));
      world.latest.open();
      const append = (id: string, fromMe = false) => ({
        type: 'append',
        messages: [{ key: { remoteJid: chat, id, fromMe }, message: { conversation: id } }],
      });
      // Act
      world.latest.emit('messages.upsert', append('offline'));
      world.latest.deliver(chat, 'live', 'live');
      world.latest.emit('messages.upsert', append('offline')); // redelivered: its receipt was lost
      world.latest.emit('messages.upsert', append('echo', true));
      // Assert
      expect(inbound.map((m) => m.id)).toEqual(['offline', 'live']);
      await path.stop();
    },
  );

  it('keeps the socket listening when the bot handler throws, and logs it', async () => {
    // Arrange
    const world = new HandWorld();
    const ids: string[] = [];
    const path = referenceSendPath(world.env());
    await path.start((msg) => {
      ids.push(msg.id);
      throw new Error('bot bug');
    });
    world.latest.open();
    // Act
    world.latest.deliver(chat, 'a', 'a');
    world.latest.deliver(chat, 'b', 'b');
    // Assert
    expect(ids).toEqual(['a', 'b']);
    expect(world.logs.filter((l) => l.msg === 'message handler threw').length).toBe(2);
    await path.stop();
  });
});

describe('reference path socket and resend limits', () => {
  it.each([0, -1, 1.5])('refuses socketConfig.keepAliveIntervalMs %s', (keepAliveIntervalMs) => {
    const world = new HandWorld();
    const factory = createReferenceSendPath({ socketConfig: { keepAliveIntervalMs } });
    expect(() => factory(world.env())).toThrow(
      `socketConfig.keepAliveIntervalMs must be a whole number > 0 (got ${keepAliveIntervalMs})`,
    );
  });

  it('accepts the smallest keep-alive interval and the smallest unconfirmed limit', () => {
    const world = new HandWorld();
    expect(() =>
      createReferenceSendPath({ socketConfig: { keepAliveIntervalMs: 1 }, maxUnconfirmed: 1 })(
        world.env(),
      ),
    ).not.toThrow();
  });

  it.each([0, 2.5])('refuses maxUnconfirmed %s', (maxUnconfirmed) => {
    const world = new HandWorld();
    expect(() => createReferenceSendPath({ maxUnconfirmed })(world.env())).toThrow(ConfigError);
  });
});
