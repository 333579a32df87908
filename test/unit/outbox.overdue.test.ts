/**
 * A send Baileys holds: a media send whose upload never answers stays pending for good on rc14
 * (no upload timeout), so the reply is given up at its deadline, as ambiguous; the chat's next
 * reply never overtakes the held send; replies queued behind a held send fail on time.
 */
import { describe, expect, it } from 'vitest';
import { referenceSendPath } from '../../src/reference.js';
import { HandWorld } from './support/handSocket.js';
import { startedPath } from './support/startedPath.js';

const chat = '15551234567@s.whatsapp.net';
const deadlineMs = 10_000;

const started = (world: HandWorld) =>
  startedPath(world, chat, referenceSendPath, { replyDeadlineMs: deadlineMs });

/** Settles to `ok`, or the error's name (and whether it says the message may be visible). */
const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: Error & { ambiguous?: boolean }) => `${e.name}${e.ambiguous ? ' (ambiguous)' : ''}`,
  );

describe('a media send Baileys never settles', () => {
  it('gives the reply up at its deadline as ambiguous, not later', async () => {
    // Arrange: the upload never answers.
    const world = new HandWorld();
    const { path, message } = await started(world);
    world.scripts.push('hang');
    const settled: string[] = [];
    void outcome(message.sendMedia({ kind: 'image', caption: 'd1', bytes: 16 })).then((o) =>
      settled.push(o),
    );
    // Act
    await world.advance(deadlineMs - 1);
    const before = [...settled];
    await world.advance(1);
    // Assert
    expect(before).toEqual([]);
    expect(settled).toEqual(['AmbiguousDeliveryError (ambiguous)']);
    await path.stop();
    expect(world.clock.countTimers()).toBe(0);
  });

  it(
    "ends the held send's socket, so the chat's next reply goes on the next one without " +
      'overtaking it',
    async () => {
      // Arrange: the media send hangs past its deadline; the next reply comes before that.
      const world = new HandWorld();
      const { path, message } = await started(world);
      world.scripts.push('hang', 'ok');
      const media = outcome(message.sendMedia({ kind: 'image', caption: 'd1', bytes: 16 }));
      await world.advance(5000);
      const next = outcome(message.reply('r2'));
      // Act
      await world.advance(deadlineMs - 5000);
      const heldSocketEnded = world.sockets[0]!.ended;
      const sentWhileHeld = world.sends.map((s) => s.text);
      await world.advance(3000);
      world.latest.open();
      await world.settle();
      // Assert
      expect(await media).toBe('AmbiguousDeliveryError (ambiguous)');
      expect(heldSocketEnded).toBe(true);
      expect(sentWhileHeld).toEqual(['d1']);
      expect(await next).toBe('ok');
      expect(world.sends.map((s) => `${s.text}@${s.generation}`)).toEqual(['d1@1', 'r2@2']);
      await path.stop();
    },
  );

  it('fails a reply queued behind a held send at its own deadline', async () => {
    // Arrange: the first media send hangs; a reply is queued behind it 4 s later.
    const world = new HandWorld();
    const { path, message } = await started(world);
    world.scripts.push('hang');
    void outcome(message.sendMedia({ kind: 'image', caption: 'd1', bytes: 16 }));
    await world.advance(4000);
    const settled: string[] = [];
    void outcome(message.reply('r2')).then((o) => settled.push(`${o} at ${world.clock.now()}`));
    // Act
    await world.advance(deadlineMs + 1000);
    // Assert: never attempted, failed definitely at 4 s + its deadline.
    expect(settled).toEqual([`ReplyDeadlineError at ${4000 + deadlineMs}`]);
    expect(world.sends.map((s) => s.text)).toEqual(['d1']);
    await path.stop();
  });

  it('still waits for a text send Baileys holds: rc14 bounds every stage of it', async () => {
    // Arrange: the write hangs (a stalled query ends, at the latest, after its own timeout).
    const world = new HandWorld();
    const { path, message } = await started(world);
    world.scripts.push('hang');
    const settled: string[] = [];
    void outcome(message.reply('r1')).then((o) => settled.push(o));
    // Act
    await world.advance(deadlineMs + 5000);
    const whileHeld = [...settled];
    world.sends[0]!.settle('ok');
    await world.settle();
    // Assert
    expect(whileHeld).toEqual([]);
    expect(settled).toEqual(['ok']);
    await path.stop();
  });
});
