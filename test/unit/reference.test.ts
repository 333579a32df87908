import { describe, expect, it } from 'vitest';
import {
  AmbiguousDeliveryError,
  OutboxFullError,
  ReplyDeadlineError,
  SendPathStoppedError,
  SendRejectedError,
  TerminalConnectionError,
} from '../../src/errors.js';
import type { InboundMessage, SendPathConfig } from '../../src/ports.js';
import type { Receipt } from '../../src/outbox.js';
import {
  createReferenceSendPath,
  referenceSendPath,
  type ReferenceSendPathFactory,
} from '../../src/reference.js';
import { Boom } from '@hapi/boom';
import { HandWorld } from './support/handSocket.js';
import { startedPath } from './support/startedPath.js';

const chat = '15551234567@s.whatsapp.net';
const otherChat = '15559876543@s.whatsapp.net';

/** Starts the reference path, opens socket 1 and delivers one inbound message on it. */
const started = (
  world: HandWorld,
  factory?: ReferenceSendPathFactory,
  config?: Partial<SendPathConfig>,
) => startedPath(world, chat, factory, config);

describe('reference send path', () => {
  it('sends a reply built on socket A on socket B after A was replaced', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world);
    world.latest.close(428, 'Connection Terminated');
    await world.advance(3000); // backoff ~2 s, then socket 2 connects
    world.latest.open();
    // Act
    const receipt = (await message.reply('r1')) as Receipt;
    // Assert
    expect(world.sockets).toHaveLength(2);
    expect(receipt).toMatchObject({ generation: 2, attempts: 1, outcome: 'ok' });
    expect(world.sends.map((s) => s.generation)).toEqual([2]);
  });

  it('waits through a reconnect gap instead of failing', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world);
    world.latest.close(408, 'Connection was lost');
    // Act
    const reply = message.reply('r1');
    await world.advance(1000);
    const sentDuringGap = world.sends.length;
    await world.advance(2000);
    world.latest.open();
    const receipt = (await reply) as Receipt;
    // Assert
    expect(sentDuringGap).toBe(0);
    expect(receipt.generation).toBe(2);
  });

  it('retries a 408 on the same socket with the same message id and keeps the socket', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world);
    world.scripts.push('timeout408');
    // Act
    const receipt = (await message.reply('r1')) as Receipt;
    // Assert
    expect(world.sends).toHaveLength(2);
    expect(world.sends[0]?.messageId).toBe(world.sends[1]?.messageId);
    expect(world.sends.map((s) => s.generation)).toEqual([1, 1]);
    expect(world.sockets).toHaveLength(1);
    expect(receipt).toMatchObject({
      attempts: 2,
      generation: 1,
      messageId: world.sends[0]?.messageId,
    });
  });

  it(
    'treats a 428 before the close is heard as ' + 'not written and resends on the next socket',
    async () => {
      // Arrange: socket 1 died but its close has not reached the app yet.
      const world = new HandWorld();
      const { message } = await started(world);
      world.latest.isOpen = false;
      // Act
      const reply = message.reply('r1');
      await world.settle();
      world.latest.close(428, 'Connection Terminated');
      await world.advance(3000);
      world.latest.open();
      const receipt = (await reply) as Receipt;
      // Assert
      expect(world.sends.map((s) => s.generation)).toEqual([1, 2]);
      expect(new Set(world.sends.map((s) => s.messageId)).size).toBe(1);
      expect(receipt.attempts).toBe(2);
    },
  );

  it.each([
    [440, 'connectionReplaced'],
    [401, 'loggedOut'],
    [403, 'forbidden'],
  ])(
    'stops reconnecting on %i and fails waiting replies with a typed error',
    async (code, reason) => {
      // Arrange
      const world = new HandWorld();
      const { message } = await started(world);
      world.latest.close(code, 'Stream Errored');
      // Act
      const outcome = await message.reply('r1').catch((err: unknown) => err);
      await world.advance(600_000);
      // Assert
      expect(outcome).toBeInstanceOf(TerminalConnectionError);
      expect(outcome).toMatchObject({ reason, statusCode: code, ambiguous: false });
      expect(world.sockets).toHaveLength(1);
    },
  );

  it('with maxAttempts = 1 still waits once for the reconnect', async () => {
    // Arrange
    const world = new HandWorld();
    const reconnect = { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 1 };
    const { message } = await started(world, referenceSendPath, { reconnect });
    world.latest.close(408, 'Connection was lost');
    // Act
    const reply = message.reply('r1');
    await world.advance(2500);
    world.latest.open();
    const receipt = (await reply) as Receipt;
    // Assert
    expect(world.sockets).toHaveLength(2);
    expect(receipt.generation).toBe(2);
  });

  it('gives up after maxAttempts consecutive failed reconnects with reconnectGaveUp', async () => {
    // Arrange
    const world = new HandWorld();
    const reconnect = { initialMs: 1000, maxMs: 1000, factor: 1, jitter: 0, maxAttempts: 2 };
    const { message } = await started(world, referenceSendPath, { reconnect });
    world.latest.close(408);
    const reply = message.reply('r1').catch((err: unknown) => err);
    // Act: each reconnect is refused.
    for (let i = 0; i < 2; i += 1) {
      await world.advance(1000);
      world.latest.close(408, 'WebSocket Error (connect ECONNREFUSED)');
    }
    // Assert
    expect(await reply).toMatchObject({
      name: 'TerminalConnectionError',
      reason: 'reconnectGaveUp',
    });
    expect(world.sockets).toHaveLength(3);
  });

  it('reconnects at once on 515 restartRequired', async () => {
    // Arrange
    const world = new HandWorld();
    await started(world);
    // Act
    world.latest.close(515, 'Stream Errored (restart required)');
    await world.advance(0);
    // Assert
    expect(world.sockets).toHaveLength(2);
  });

  it(
    'backs off on a second 515 before any connection opened (a failing login, not a ' + 'restart)',
    async () => {
      // Arrange
      const world = new HandWorld();
      const reconnect = { initialMs: 1000, maxMs: 1000, factor: 1, jitter: 0, maxAttempts: 5 };
      await started(world, referenceSendPath, { reconnect });
      world.latest.close(515, 'Stream Errored (restart required)');
      await world.advance(0);
      // Act
      world.latest.close(515, 'Connection Failure');
      await world.advance(999);
      const beforeBackoff = world.sockets.length;
      await world.advance(1);
      // Assert
      expect(beforeBackoff).toBe(2);
      expect(world.sockets).toHaveLength(3);
    },
  );

  it('refuses the 1,001st pending reply with OutboxFullError', async () => {
    // Arrange: no live socket, so every reply stays pending.
    const world = new HandWorld();
    const { message } = await started(world);
    world.latest.close(408);
    const pending = Array.from({ length: 1000 }, (_, i) =>
      message.reply(`r${i}`).catch(() => undefined),
    );
    // Act
    const overflow = await message.reply('one too many').catch((err: unknown) => err);
    // Assert
    expect(overflow).toBeInstanceOf(OutboxFullError);
    expect(overflow).toMatchObject({ maxPending: 1000 });
    await world.advance(3000);
    world.latest.open();
    await Promise.all(pending);
    expect(world.sends).toHaveLength(1000);
  });

  it('keeps per-chat order under concurrent replies while other chats proceed', async () => {
    // Arrange
    const world = new HandWorld();
    const { message, inbound } = await started(world);
    world.latest.deliver(otherChat, 'm2', 'hi');
    await world.settle();
    const other = inbound[1]!;
    world.scripts.push('hang');
    // Act: r1 hangs; r2, r3 queue behind it; the other chat is not blocked.
    const replies = [message.reply('r1'), message.reply('r2'), message.reply('r3')];
    const otherReceipt = (await other.reply('o1')) as Receipt;
    world.sends[0]!.settle('ok');
    await Promise.all(replies);
    // Assert
    expect(otherReceipt.outcome).toBe('ok');
    expect(world.sends.filter((s) => s.jid === chat).map((s) => s.text)).toEqual([
      'r1',
      'r2',
      'r3',
    ]);
  });

  it(
    'reports a send in flight when its socket ' + 'closed as ambiguous, with its message id',
    async () => {
      // Arrange
      const world = new HandWorld();
      const reconnect = { initialMs: 1000, maxMs: 1000, factor: 1, jitter: 0, maxAttempts: 1 };
      const { message } = await started(world, referenceSendPath, {
        reconnect,
        replyDeadlineMs: 5000,
      });
      world.scripts.push('hang');
      const outcome = message.reply('r1').catch((err: unknown) => err);
      await world.settle();
      // Act: the socket closes, then the in-flight send fails; no socket ever comes back.
      world.latest.close(428, 'Connection Terminated');
      world.sends[0]!.settle(new Boom('Connection Terminated', { statusCode: 428 }));
      await world.advance(10_000);
      // Assert
      const err = await outcome;
      expect(err).toBeInstanceOf(AmbiguousDeliveryError);
      expect(err).toMatchObject({ ambiguous: true, messageId: world.sends[0]!.messageId });
    },
  );

  it('fails with ReplyDeadlineError (definite) when no socket comes back in time', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world, referenceSendPath, { replyDeadlineMs: 5000 });
    world.latest.close(408);
    // Act
    const outcome = message.reply('r1').catch((err: unknown) => err);
    await world.advance(1000);
    world.latest.close(408); // reconnect refused
    await world.advance(10_000);
    // Assert
    const err = await outcome;
    expect(err).toBeInstanceOf(ReplyDeadlineError);
    expect(err).toMatchObject({ ambiguous: false });
    expect(world.sends).toHaveLength(0);
  });

  it('does not retry content WhatsApp refuses (4xx) and says it was not sent', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world);
    world.scripts.push({ rejectWith: new Boom('Invalid media type', { statusCode: 400 }) });
    // Act
    const err = await message.reply('r1').catch((e: unknown) => e);
    // Assert
    expect(err).toBeInstanceOf(SendRejectedError);
    expect(world.sends).toHaveLength(1);
  });

  it('bounds attempts per reply', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world, createReferenceSendPath({ maxSendAttempts: 3 }));
    world.scripts.push('timeout408', 'timeout408', 'timeout408', 'ok');
    // Act
    const err = await message.reply('r1').catch((e: unknown) => e);
    // Assert
    expect(err).toBeInstanceOf(AmbiguousDeliveryError);
    expect(world.sends).toHaveLength(3);
  });

  it('sends media and composing through the current socket; composing never throws', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world);
    // Act
    const receipt = (await message.sendMedia({
      kind: 'image',
      caption: 'k1',
      bytes: 16,
    })) as Receipt;
    await message.sendMedia({ kind: 'document', caption: 'k2', bytes: 16 });
    await message.sendComposing();
    world.latest.isOpen = false;
    await expect(message.sendComposing()).resolves.toBeUndefined();
    world.latest.close(408);
    await expect(message.sendComposing()).resolves.toBeUndefined();
    // Assert
    expect(receipt.outcome).toBe('ok');
    expect(world.sends.map((s) => s.text)).toEqual(['k1', 'k2']);
    expect(world.presences).toBe(1);
  });

  it(
    'stop() leaves zero timers, fails queued ' + 'replies as not sent, and refuses new ones',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      world.latest.close(408);
      const queued = [message.reply('r1'), message.reply('r2')].map((p) =>
        p.catch((e: unknown) => e),
      );
      await world.settle();
      expect(world.clock.countTimers()).toBeGreaterThan(0);
      // Act
      await path.stop();
      // Assert
      expect(world.clock.countTimers()).toBe(0);
      for (const err of await Promise.all(queued)) expect(err).toBeInstanceOf(SendPathStoppedError);
      await expect(message.reply('late')).rejects.toBeInstanceOf(SendPathStoppedError);
    },
  );

  it(
    'stop() does not wait for an in-flight send that never settles, and reports it ' + 'ambiguous',
    async () => {
      // Arrange: real Baileys can hold a send for 60 s after end(); this one never settles.
      const world = new HandWorld();
      const { path, message } = await started(world);
      world.scripts.push('hang');
      const outcome = message.reply('r1').catch((e: unknown) => e);
      await world.settle();
      // Act
      await path.stop();
      // Assert
      expect(await outcome).toBeInstanceOf(AmbiguousDeliveryError);
      expect(world.latest.ended).toBe(true);
      expect(world.clock.countTimers()).toBe(0);
    },
  );

  it('ignores our own messages and late events from a replaced socket', async () => {
    // Arrange
    const world = new HandWorld();
    const { inbound } = await started(world);
    const first = world.latest;
    first.close(408);
    await world.advance(3000);
    world.latest.open();
    // Act
    first.deliver(chat, 'stale', 'from the old socket');
    first.open();
    world.latest.emit('messages.upsert', {
      type: 'notify',
      messages: [
        { key: { remoteJid: chat, id: 'mine', fromMe: true }, message: { conversation: 'x' } },
      ],
    });
    world.latest.emit('messages.upsert', { type: 'append', messages: [] });
    // Assert
    expect(inbound.map((m) => m.id)).toEqual(['m1']);
  });

  it('never logs a full JID', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world);
    world.scripts.push('timeout408');
    // Act
    await message.reply('r1');
    world.latest.isOpen = false;
    await message.sendComposing();
    // Assert
    const text = JSON.stringify(world.logs);
    expect(world.logs.length).toBeGreaterThan(0);
    expect(text).not.toContain('15551234567');
    expect(text).toContain('***4567@s.whatsapp.net');
  });

  it('rejects a bad reply deadline with a message naming the option', () => {
    // Arrange
    const world = new HandWorld();
    // Act / Assert
    expect(() => referenceSendPath(world.env({ replyDeadlineMs: -1 }))).toThrow(
      'config.replyDeadlineMs must be a number > 0 (got -1)',
    );
  });

  it(
    'fails a queued reply whose deadline passed ' + 'behind a slow one, without sending it',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { message } = await started(world, referenceSendPath, { replyDeadlineMs: 5000 });
      world.scripts.push('hang');
      const first = message.reply('r1');
      const second = message.reply('r2').catch((e: unknown) => e);
      await world.settle();
      // Act: the first attempt hangs past the second reply's deadline, then succeeds.
      await world.advance(6000);
      world.sends[0]!.settle('ok');
      // Assert
      expect(((await first) as Receipt).outcome).toBe('ok');
      expect(await second).toMatchObject({ name: 'ReplyDeadlineError', attempts: 0 });
      expect(world.sends.map((s) => s.text)).toEqual(['r1']);
    },
  );

  it('reads extended text and reports an empty text for media-only messages', async () => {
    // Arrange
    const world = new HandWorld();
    const { inbound } = await started(world);
    // Act
    world.latest.emit('messages.upsert', {
      type: 'notify',
      messages: [
        {
          key: { remoteJid: chat, id: 'm2', fromMe: false },
          message: { extendedTextMessage: { text: 'quoted' } },
        },
        { key: { remoteJid: chat, id: 'm3', fromMe: false }, message: { imageMessage: {} } },
        { key: { remoteJid: chat, fromMe: false }, message: { conversation: 'no id' } },
      ],
    });
    // Assert
    expect(inbound.map((m) => [m.id, m.text])).toEqual([
      ['m1', 'hello'],
      ['m2', 'quoted'],
      ['m3', ''],
    ]);
  });
});

describe('reference send path: resending what a dead connection swallowed', () => {
  /** Socket 1 closes with 408 (Baileys' keep-alive verdict); socket 2 connects and opens. */
  it(
    'resends replies written on a socket that closed within the keep-alive window, same ' +
      'ids, in order, on socket 2',
    async () => {
      // Arrange: r1, r2 "written" into a silently dead socket 1 (the writes resolve).
      const world = new HandWorld();
      const path = referenceSendPath(world.env());
      const inbound: InboundMessage[] = [];
      await path.start((m) => inbound.push(m));
      world.latest.open();
      world.latest.deliver(chat, 'm1', 'hello');
      await world.settle();
      const message = inbound[0]!;
      const first = (await message.reply('r1')) as Receipt;
      const second = (await message.reply('r2')) as Receipt;
      await world.advance(40_000);
      world.latest.isOpen = false; // dead, not yet heard: r3 waits for the next socket
      const third = message.reply('r3');
      await world.settle();
      // Act
      await world.loseAndReconnect();
      const thirdReceipt = (await third) as Receipt;
      // Assert
      const onSocket2 = world.sends.filter((s) => s.generation === 2);
      expect(onSocket2.map((s) => s.text)).toEqual(['r1', 'r2', 'r3']);
      expect(onSocket2.map((s) => s.messageId)).toEqual([
        first.messageId,
        second.messageId,
        thirdReceipt.messageId,
      ]);
      expect([first.resends, second.resends, thirdReceipt.resends]).toEqual([1, 1, 0]);
      expect(path.stats()).toMatchObject({ resends: 2, resending: 0, lost: 0 });
      const resent = world.logs.filter((l) => l.msg === 'reply resent');
      expect(resent.map((l) => l.obj)).toEqual([
        { chat: '***4567@s.whatsapp.net', messageId: first.messageId, generation: 2, resends: 1 },
        { chat: '***4567@s.whatsapp.net', messageId: second.messageId, generation: 2, resends: 1 },
      ]);
    },
  );

  it(
    'resends a write that used every attempt before it, with its own resend attempts ' +
      '(bounded at 8 + 2)',
    async () => {
      // Arrange: r1 is written at its third and last allowed attempt, then its socket dies.
      const world = new HandWorld();
      const { message } = await started(world, createReferenceSendPath({ maxSendAttempts: 3 }));
      world.scripts.push('timeout408', 'timeout408', 'ok');
      const receipt = (await message.reply('r1')) as Receipt;
      // Act
      await world.loseAndReconnect();
      // Assert
      expect(world.sends.map((s) => [s.text, s.generation])).toEqual([
        ['r1', 1],
        ['r1', 1],
        ['r1', 1],
        ['r1', 2],
      ]);
      expect(receipt.resends).toBe(1);
    },
  );

  it(
    'does not resend a write its socket outlived by the whole window (2 × 30 s + 5 s + 30 ' +
      's + 5 s)',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      await message.reply('old');
      await world.advance(100_001);
      await message.reply('recent');
      // Act
      await world.loseAndReconnect();
      // Assert
      expect(world.sends.map((s) => [s.text, s.generation])).toEqual([
        ['old', 1],
        ['recent', 1],
        ['recent', 2],
      ]);
      expect(path.stats()).toMatchObject({ unconfirmed: 1, resends: 1 });
    },
  );

  it('takes the window from socketConfig.keepAliveIntervalMs (10 s → 60 s)', async () => {
    // Arrange
    const world = new HandWorld();
    const factory = createReferenceSendPath({ socketConfig: { keepAliveIntervalMs: 10_000 } });
    const { message } = await started(world, factory);
    await message.reply('r1');
    await world.advance(60_001);
    // Act
    await world.loseAndReconnect();
    // Assert
    expect(world.sends.map((s) => s.generation)).toEqual([1]);
  });

  it(
    'holds at most maxUnconfirmed writes: at the limit the oldest counts as confirmed and ' +
      'is not resent',
    async () => {
      // Arrange
      const world = new HandWorld();
      const factory = createReferenceSendPath({ maxUnconfirmed: 2 });
      const { path, message } = await started(world, factory);
      for (const text of ['r1', 'r2', 'r3']) await message.reply(text);
      // Act
      await world.loseAndReconnect();
      // Assert
      expect(world.sends.filter((s) => s.generation === 2).map((s) => s.text)).toEqual([
        'r2',
        'r3',
      ]);
      expect(path.stats()).toMatchObject({ unconfirmedEvicted: 1, resends: 2 });
      expect(
        world.logs.some(
          (l) =>
            l.level === 'warn' &&
            l.msg === 'unconfirmed limit reached; oldest write treated as confirmed',
        ),
      ).toBe(true);
    },
  );

  it('refuses a maxUnconfirmed below 1 with a message naming the option', () => {
    // Arrange
    const world = new HandWorld();
    // Act / Assert
    expect(() => createReferenceSendPath({ maxUnconfirmed: 0 })(world.env())).toThrow(
      'maxUnconfirmed must be a whole number >= 1 (got 0)',
    );
  });

  it(
    'cannot resend after a terminal close: logs ' + 'the reply as possibly lost, no full JID',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      await message.reply('r1');
      // Act
      world.latest.close(401, 'Stream Errored (conflict)');
      await world.advance(600_000);
      // Assert
      expect(world.sends).toHaveLength(1);
      expect(path.stats()).toMatchObject({ lost: 1, resending: 0, unconfirmed: 0 });
      const lost = world.logs.find((l) => l.level === 'error' && l.msg?.includes('may be lost'));
      expect(lost?.obj).toMatchObject({
        chat: '***4567@s.whatsapp.net',
        reason: 'TerminalConnectionError',
      });
      expect(JSON.stringify(world.logs)).not.toContain('15551234567');
    },
  );

  it('with resendUnconfirmed: false trusts the write (the trusts-write specimen)', async () => {
    // Arrange
    const world = new HandWorld();
    const { message } = await started(world, createReferenceSendPath({ resendUnconfirmed: false }));
    await message.reply('r1');
    // Act
    await world.loseAndReconnect();
    // Assert
    expect(world.sends.map((s) => s.generation)).toEqual([1]);
  });

  it('a resend waiting for a socket does not hold a queued reply past its deadline', async () => {
    // Arrange: r1 written, then socket 1 closes and no socket comes back in time.
    const world = new HandWorld();
    const { message } = await started(world, referenceSendPath, { replyDeadlineMs: 5000 });
    await message.reply('r1');
    world.latest.close(408, 'Connection was lost');
    const queued = message.reply('r2').catch((e: unknown) => e);
    // Act
    await world.advance(5000);
    // Assert
    expect(await queued).toMatchObject({ name: 'ReplyDeadlineError', attempts: 0 });
    expect(world.sends.map((s) => s.text)).toEqual(['r1']);
  });

  it(
    'stop() with a resend still waiting leaves ' + 'zero timers and logs it as possibly lost',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      await message.reply('r1');
      world.latest.close(408, 'Connection was lost');
      await world.settle();
      // Act
      await path.stop();
      // Assert
      expect(world.clock.countTimers()).toBe(0);
      expect(path.stats()).toMatchObject({ lost: 1, resending: 0 });
    },
  );
});
