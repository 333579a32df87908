/**
 * The resend bookkeeping pinned for mutation testing: counters after settling, confirmation by
 * the keep-alive window (pruned on later writes), what the counters say across a resend, the
 * limit on held writes, and the edges of a reply's life (a write reported after its socket's
 * close, the exact deadline instant, the pending count after a failure).
 */
import { Boom } from '@hapi/boom';
import { describe, expect, it } from 'vitest';
import type { InboundMessage, SendPathConfig } from '../../src/ports.js';
import { confirmWindowMs } from '../../src/baileysFacts.js';
import { createReferenceSendPath, type ReferenceOptions } from '../../src/reference.js';
import { HandWorld } from './support/handSocket.js';
import { startedPath } from './support/startedPath.js';

const chat = '15551234567@s.whatsapp.net';
const otherChat = '15557654321@s.whatsapp.net';
/**
 * Keep-alive 1 s: the confirmation window is 2 × 1 s + 5 s (keep-alive) + 30 s (ws close) + 5 s
 * (two trips) = 42 s.
 */
const keepAliveIntervalMs = 1000;
const windowMs = confirmWindowMs(keepAliveIntervalMs);

/** Starts the reference path with `options`, opens socket 1 and delivers inbound m1 on it. */
const started = (
  world: HandWorld,
  options: ReferenceOptions = { socketConfig: { keepAliveIntervalMs } },
  config: Partial<SendPathConfig> = {},
) => startedPath(world, chat, createReferenceSendPath(options), config);

/**
 * Starts the reference path with `maxUnconfirmed`, opens socket 1 and delivers one message in each
 * of two chats.
 */
async function startedInTwoChats(world: HandWorld, maxUnconfirmed: number) {
  const inbound: InboundMessage[] = [];
  const path = createReferenceSendPath({ maxUnconfirmed, socketConfig: { keepAliveIntervalMs } })(
    world.env(),
  );
  await path.start((msg) => inbound.push(msg));
  world.latest.open();
  world.latest.deliver(chat, 'mA', 'hello');
  world.latest.deliver(otherChat, 'mB', 'hello');
  await world.settle();
  return { path, inbound };
}

describe('outbox counters', () => {
  it('count a written reply as unconfirmed, not pending, until its window passes', async () => {
    // Arrange
    const world = new HandWorld();
    const { path, message } = await started(world);
    // Act
    await message.reply('r1');
    await message.reply('r2');
    // Assert
    expect(path.stats()).toMatchObject({
      pending: 0,
      unconfirmed: 2,
      resending: 0,
      resends: 0,
      lost: 0,
    });
    await path.stop();
  });

  it(
    'prune confirmed writes when a later write ' + 'is recorded, and resend only the unconfirmed',
    async () => {
      // Arrange: r1 is written, then the socket outlives r1's window; r2 is written later.
      const world = new HandWorld();
      const { path, message } = await started(world);
      await message.reply('r1');
      await world.advance(windowMs + 1);
      await message.reply('r2');
      expect(path.stats().unconfirmed).toBe(1);
      // Act: the socket closes; only r2 may have vanished with it.
      await world.loseAndReconnect();
      // Assert
      expect(world.sends.map((s) => [s.text, s.generation])).toEqual([
        ['r1', 1],
        ['r2', 1],
        ['r2', 2],
      ]);
      expect(path.stats()).toMatchObject({ pending: 0, unconfirmed: 1, resending: 0, resends: 1 });
      await path.stop();
    },
  );

  it('resend a write exactly at the window edge, but not one just older', async () => {
    // Arrange
    const world = new HandWorld();
    const { path, message } = await started(world);
    await message.reply('old');
    await world.advance(1);
    await message.reply('edge');
    // Act: close exactly one window after 'edge' was written (and one window + 1 ms after 'old').
    await world.advance(windowMs);
    await world.loseAndReconnect();
    // Assert
    expect(world.sends.filter((s) => s.generation === 2).map((s) => s.text)).toEqual(['edge']);
    await path.stop();
  });

  it('keeps a write exactly one window older than a later write, and resends it', async () => {
    // Arrange: r1 at t, r2 at t + window: r1 sits on the pruning edge, still unconfirmed.
    const world = new HandWorld();
    const { path, message } = await started(world);
    await message.reply('r1');
    await world.advance(windowMs);
    await message.reply('r2');
    // Act: the socket closes at once; both writes lie inside the window before the close.
    await world.loseAndReconnect();
    // Assert
    expect(world.sends.filter((s) => s.generation === 2).map((s) => s.text)).toEqual(['r1', 'r2']);
    await path.stop();
  });

  it('does not resend when the resend is switched off', async () => {
    const world = new HandWorld();
    const { path, message } = await started(world, { resendUnconfirmed: false });
    await message.reply('r1');
    await world.loseAndReconnect();
    expect(world.sends.map((s) => s.generation)).toEqual([1]);
    expect(path.stats()).toMatchObject({ unconfirmed: 0, resends: 0 });
    await path.stop();
  });
});

describe('outbox limits on held writes', () => {
  it(
    'at maxUnconfirmed treats the oldest write as confirmed and resends only the rest, in ' +
      'order',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world, {
        maxUnconfirmed: 2,
        socketConfig: { keepAliveIntervalMs },
      });
      // Act
      for (const text of ['r1', 'r2', 'r3']) await message.reply(text);
      const held = path.stats();
      await world.loseAndReconnect();
      // Assert
      expect(held).toMatchObject({ unconfirmed: 2, unconfirmedEvicted: 1 });
      expect(world.sends.filter((s) => s.generation === 2).map((s) => s.text)).toEqual([
        'r2',
        'r3',
      ]);
      await path.stop();
    },
  );

  it('counts writes still waiting to be resent against maxUnconfirmed', async () => {
    // Arrange: one reply per chat written on socket 1, both owed a resend after it closes.
    const world = new HandWorld();
    const { path, inbound } = await startedInTwoChats(world, 2);
    for (const msg of inbound) await msg.reply(`first to ${msg.chatJid}`);
    // On socket 2 the first resend is written, the second hangs: one held write, one resending.
    world.scripts.push('ok', 'hang');
    await world.loseAndReconnect();
    const hanging = world.sends.at(-1)!;
    const free = inbound.find((msg) => msg.chatJid !== hanging.jid)!;
    // Act: a new reply in the chat that is not blocked is written: 1 held + 1 resending + 1 new.
    await free.reply('second');
    // Assert: over the limit of 2, so the oldest held write is treated as confirmed.
    expect(path.stats()).toMatchObject({ unconfirmed: 1, resending: 1, unconfirmedEvicted: 1 });
    hanging.settle('ok');
    await path.stop();
  });

  // 0: r2 is queued in the same turn as the close, before r1's resend starts waiting; 1000 ms:
  // after that wait began (it must still wake at r2's deadline, not at the one it computed).
  it.each([0, 1000])(
    "fails a reply queued %i ms after its chat's resend began waiting, at its own deadline",
    async (queuedAfterMs) => {
      // Arrange: r1 is written, its socket closes, and no socket comes back for a long time.
      const world = new HandWorld();
      const { path, message } = await started(
        world,
        { socketConfig: { keepAliveIntervalMs } },
        { replyDeadlineMs: 5000 },
      );
      await message.reply('r1');
      world.latest.close(408, 'Connection was lost');
      if (queuedAfterMs > 0) await world.advance(queuedAfterMs);
      const requestedAt = world.clock.now();
      const queued = message.reply('r2').then(
        () => ({ name: 'ok', at: world.clock.now() }),
        (err: Error) => ({ name: err.name, at: world.clock.now() }),
      );
      // Act: every reconnect is refused for 20 s.
      for (let i = 0; i < 8; i += 1) {
        await world.advance(2500);
        world.latest.close(408, 'WebSocket Error (connect ECONNREFUSED)');
      }
      // Assert
      const outcome = await queued;
      expect(outcome.name).toBe('ReplyDeadlineError');
      expect(outcome.at - requestedAt).toBeLessThanOrEqual(5000);
      expect(world.sends.map((s) => s.text)).toEqual(['r1']);
      await path.stop();
    },
  );
});

describe("outbox edges of a reply's life", () => {
  it(
    "ends an attempt in flight when its socket's close is heard, and sends again with the " +
      'same id on the next socket',
    async () => {
      // Arrange: r1's send hangs on socket 1 (as rc14 holds a send 60 s after an end() of its own).
      const world = new HandWorld();
      const { path, message } = await started(world);
      world.scripts.push('hang');
      const sent = message.reply('r1');
      await world.settle();
      // Act: socket 1 closes; the hung send settles only later, and nobody waits for it.
      world.latest.close(408, 'Connection was lost');
      await world.advance(3000);
      world.latest.open();
      await world.advance(10);
      world.sends[0]!.settle(new Boom('Connection Closed', { statusCode: 428 }));
      await world.settle();
      // Assert: written on socket 2 with the same id, resolved there; nothing owed a resend.
      await expect(sent).resolves.toMatchObject({ generation: 2, attempts: 2 });
      expect(world.sends.map((s) => [s.text, s.generation])).toEqual([
        ['r1', 1],
        ['r1', 2],
      ]);
      expect(world.sends[1]!.messageId).toBe(world.sends[0]!.messageId);
      expect(path.stats()).toMatchObject({ pending: 0, resending: 0, resends: 0 });
      await path.stop();
    },
  );

  it('does not try again once the deadline has come, even at the exact instant', async () => {
    // Arrange: deadline 5 s. r1's send hangs on socket 1; socket 1 closes, and the next socket
    // opens exactly at the deadline.
    const world = new HandWorld();
    const reconnect = { initialMs: 4000, maxMs: 4000, factor: 1, jitter: 0, maxAttempts: 5 };
    const { path, message } = await started(world, undefined, { replyDeadlineMs: 5000, reconnect });
    world.scripts.push('hang');
    const sent = message.reply('r1').then(
      () => 'ok',
      (err: Error) => err.name,
    );
    await world.settle();
    await world.advance(1000);
    world.latest.close(408, 'Connection was lost');
    // Act
    await world.advance(4000);
    world.latest.open();
    await world.settle();
    // Assert: a live socket is there, but the reply's time is up: no second attempt, and the
    // outcome says the first one may have gone out.
    expect(await sent).toBe('AmbiguousDeliveryError');
    expect(world.sends.map((s) => s.generation)).toEqual([1]);
    await path.stop();
  });

  it('counts a reply that failed before any write as no longer pending', async () => {
    // Arrange: no socket comes back before the reply's deadline.
    const world = new HandWorld();
    const { path, message } = await started(world, undefined, { replyDeadlineMs: 5000 });
    world.latest.close(408, 'Connection was lost');
    const sent = message.reply('r1').then(
      () => 'ok',
      (err: Error) => err.name,
    );
    // Act
    await world.advance(6000);
    // Assert
    expect(await sent).toBe('ReplyDeadlineError');
    expect(path.stats()).toMatchObject({ pending: 0, unconfirmed: 0, resending: 0 });
    await path.stop();
  });
});

describe('outbox held-write records', () => {
  it(
    'logs each resend it owes with the redacted ' + 'chat, id, socket, write time and close kind',
    async () => {
      // Arrange
      const world = new HandWorld();
      const { path, message } = await started(world);
      await message.reply('r1');
      const writtenAt = world.clock.now();
      const messageId = world.sends[0]!.messageId;
      // Act
      world.latest.close(408, 'Connection was lost');
      await world.settle();
      // Assert
      expect(world.logs).toContainEqual({
        level: 'info',
        obj: {
          chat: '***4567@s.whatsapp.net',
          messageId,
          generation: 1,
          writtenAt,
          kind: 'backoff',
        },
        msg: 'socket closed before the write was confirmed; resending',
      });
      await path.stop();
    },
  );

  it(
    'treats a new write as confirmed when the limit is taken up by writes waiting to be ' +
      'resent',
    async () => {
      // Arrange: maxUnconfirmed 1. One chat's write is owed a resend that hangs on socket 2.
      const world = new HandWorld();
      const { path, inbound } = await startedInTwoChats(world, 1);
      const [first, second] = inbound;
      await first!.reply('held');
      world.scripts.push('hang');
      await world.loseAndReconnect();
      // Act: a write in the other chat finds no held write to evict: nothing older to give up.
      await second!.reply('new');
      const messageId = world.sends.at(-1)!.messageId;
      // Assert: the new write itself counts as confirmed, and the eviction is logged.
      expect(path.stats()).toMatchObject({ unconfirmed: 0, resending: 1, unconfirmedEvicted: 1 });
      expect(world.logs).toContainEqual({
        level: 'warn',
        obj: { chat: '***4321@s.whatsapp.net', messageId, maxUnconfirmed: 1 },
        msg: 'unconfirmed limit reached; oldest write treated as confirmed',
      });
      world.sends.at(-2)!.settle('ok');
      await path.stop();
    },
  );
});
