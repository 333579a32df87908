/**
 * The reference against rc14's rejections before the write (a Boom 500: a group's metadata or a
 * key fetch unanswered, a query refused with its code in `data`) and its `getMessage`, with which
 * rc14 answers a retry receipt that reaches a socket other than the one that wrote the message.
 */
import { Boom } from '@hapi/boom';
import type { proto, WAMessageKey } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { rateLimitedAttemptsMax, rateLimitPauseMs } from '../../src/outbox.js';
import { createReferenceSendPath, type ReferenceOptions } from '../../src/reference.js';
import { HandWorld } from './support/handSocket.js';
import { startedPath } from './support/startedPath.js';

const chat = '120363000000000001@g.us';
const refused = (code: number, text: string) => new Boom(text, { data: code });
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: Error) =>
      `${err.name}${(err as { ambiguous?: boolean }).ambiguous ? ' (ambiguous)' : ''}`,
  );

/** Starts the reference, opens socket 1 and delivers inbound m1 on it. */
const started = (world: HandWorld, options: ReferenceOptions = {}, replyDeadlineMs = 120_000) =>
  startedPath(world, chat, createReferenceSendPath(options), { replyDeadlineMs });

describe('reference: rejections before the write', () => {
  it(
    'fails a reply at once, definitely, when ' + 'the group refuses the bot (403 in data)',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      world.scripts.push({ rejectWith: refused(403, 'forbidden') });
      // Act
      const sent = outcome(message.reply('hi'));
      await world.advance(1000);
      // Assert
      expect(await sent).toBe('SendRejectedError');
      expect(world.sends).toHaveLength(1);
      await path.stop();
    },
  );

  it('waits before each resend after a 429, doubling, on the same socket', async () => {
    // Arrange
    const world = new HandWorld();
    const { path, message } = await started(world);
    world.scripts.push(
      { rejectWith: refused(429, 'rate-overlimit') },
      { rejectWith: refused(429, 'rate-overlimit') },
      'ok',
    );
    // Act
    const sent = outcome(message.reply('hi'));
    await world.settle();
    const times: number[] = world.sends.map(() => world.clock.now());
    for (let t = 0; t < 10_000; t += 100) {
      await world.advance(100);
      while (times.length < world.sends.length) times.push(world.clock.now());
    }
    // Assert
    expect(await sent).toBe('ok');
    expect(world.sends.map((s) => s.generation)).toEqual([1, 1, 1]);
    expect(times).toEqual([0, rateLimitPauseMs.first, 3 * rateLimitPauseMs.first]);
    await path.stop();
  });

  it('keeps its attempts for later failures while a long rate limit refuses it', async () => {
    // Arrange: three attempts in all, five 429s, then a 500 that is not a refusal, then a write.
    const world = new HandWorld();
    const { path, message } = await started(world, { maxSendAttempts: 3 });
    for (let i = 0; i < 5; i += 1)
      world.scripts.push({ rejectWith: refused(429, 'rate-overlimit') });
    world.scripts.push(
      { rejectWith: new Boom('Invalid group metadata response', { data: undefined }) },
      'ok',
    );
    // Act
    const sent = outcome(message.reply('hi'));
    await world.advance(100_000);
    // Assert
    expect(await sent).toBe('ok');
    expect(world.sends).toHaveLength(7);
    await path.stop();
  });

  it('gives a reply up after rateLimitedAttemptsMax refusals with 429', async () => {
    // Arrange
    const world = new HandWorld();
    const { path, message } = await started(world, { maxSendAttempts: 3 }, 3_600_000);
    for (let i = 0; i <= rateLimitedAttemptsMax; i += 1) {
      world.scripts.push({ rejectWith: refused(429, 'rate-overlimit') });
    }
    // Act
    const sent = outcome(message.reply('hi'));
    await world.advance(1_000_000);
    // Assert
    expect(await sent).toBe('SendAttemptsExhaustedError');
    expect(world.sends).toHaveLength(rateLimitedAttemptsMax);
    await path.stop();
  });

  it(
    'retries any other pre-write 500 on the same socket, and reports running out as ' +
      'definite, not ambiguous',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world, { maxSendAttempts: 3 });
      const unanswered = () =>
        new Boom('Invalid group metadata response: missing <group> node', { data: undefined });
      world.scripts.push(
        { rejectWith: unanswered() },
        { rejectWith: unanswered() },
        { rejectWith: unanswered() },
      );
      // Act
      const sent = outcome(message.reply('hi'));
      await world.advance(1000);
      // Assert
      expect(await sent).toBe('SendAttemptsExhaustedError');
      expect(world.sends.map((s) => s.generation)).toEqual([1, 1, 1]);
      await path.stop();
    },
  );
});

describe('reference: a rate-limited resend and the replies behind it', () => {
  it(
    'wakes from its pause for the deadline of a ' + 'reply queued behind it, which fails on time',
    async () => {
      // Arrange: r1 written on socket 1, which closes at once: r1 is resent on socket 2, where
      // every send is refused 429; r2 of the same chat waits behind r1's resend.
      const world = new HandWorld();
      const { path, message } = await started(world, {}, 10_000);
      await message.reply('r1');
      for (let i = 0; i < 12; i += 1)
        world.scripts.push({ rejectWith: refused(429, 'rate-overlimit') });
      await world.loseAndReconnect();
      const startedAt = world.clock.now();
      let failedAt: number | undefined;
      void message.reply('r2').catch(() => (failedAt = world.clock.now()));
      // Act
      await world.advance(60_000);
      // Assert: r1's pauses grow past r2's 10 s deadline; r2 fails then, not at the next attempt.
      expect(failedAt).toBeDefined();
      expect(failedAt! - startedAt).toBeLessThanOrEqual(10_000);
      await path.stop();
    },
  );
});

describe('reference: a reply queued while a rate-limited resend pauses', () => {
  it('fails on time although the pause under way outlasts its deadline', async () => {
    // Arrange: r1 is resent on socket 2, refused 429 again and again: its pauses double to 16 s,
    // longer than the 10 s deadline of r2, asked for during that pause.
    const world = new HandWorld();
    const { path, message } = await started(world, {}, 10_000);
    await message.reply('r1');
    for (let i = 0; i < 12; i += 1)
      world.scripts.push({ rejectWith: refused(429, 'rate-overlimit') });
    await world.loseAndReconnect();
    await world.advance(15_000);
    const calledAt = world.clock.now();
    let failedAt: number | undefined;
    // Act
    void message.reply('r2').catch(() => (failedAt = world.clock.now()));
    await world.advance(60_000);
    // Assert
    expect(failedAt).toBeDefined();
    expect(failedAt! - calledAt).toBeLessThanOrEqual(10_000);
    await path.stop();
  });
});

describe('reference: getMessage', () => {
  it(
    'passes a getMessage that answers with the message it wrote for an id, and none for an ' +
      'unknown one',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      const receipt = (await message.reply('hi')) as { messageId: string };
      const { getMessage } = world.configs[0] as {
        getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
      };
      // Act
      const found = await getMessage({ remoteJid: chat, id: receipt.messageId, fromMe: true });
      const unknown = await getMessage({ remoteJid: chat, id: '3EB0NOTHINGSENT', fromMe: true });
      // Assert
      expect(found).toEqual({ extendedTextMessage: { text: 'hi' } });
      expect(unknown).toBeUndefined();
      await path.stop();
    },
  );

  it(
    "keeps the path's own getMessage (a persistent store) and forgets the oldest beyond " +
      'its limit',
    async () => {
      // Arrange
      const own = async () => ({ conversation: 'from the store' });
      const world = new HandWorld();
      await started(world, { socketConfig: { getMessage: own } });
      const limited = new HandWorld();
      const { path, message } = await started(limited, { sentMessagesRemembered: 1 });
      const first = (await message.reply('one')) as { messageId: string };
      const second = (await message.reply('two')) as { messageId: string };
      const { getMessage } = limited.configs[0] as {
        getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
      };
      // Act / Assert
      expect((world.configs[0] as { getMessage: unknown }).getMessage).toBe(own);
      expect(await getMessage({ id: first.messageId })).toBeUndefined();
      expect(await getMessage({ id: second.messageId })).toEqual({
        extendedTextMessage: { text: 'two' },
      });
      await path.stop();
    },
  );
});
