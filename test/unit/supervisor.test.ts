import { describe, expect, it } from 'vitest';
import { LiveWaitTimeoutError, WaitersFullError } from '../../src/errors.js';
import { defaultReconnectPolicy } from '../../src/reconnectPolicy.js';
import { Supervisor } from '../../src/supervisor.js';
import { HandWorld } from './support/handSocket.js';

function supervisorIn(world: HandWorld, maxWaiters?: number): Supervisor {
  const env = world.env();
  return new Supervisor({ ...env, policy: defaultReconnectPolicy, maxWaiters });
}

describe('Supervisor.whenLive', () => {
  it('shares one timer among all waiters, set for the earliest deadline', async () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    // Act
    const waits = [5000, 1000, 3000].map((deadlineAt) =>
      supervisor.whenLive(0, deadlineAt).catch((e: unknown) => e),
    );
    // Assert: the waiters' one timer, beside the connect watchdog of the socket still connecting
    expect(world.clock.countTimers()).toBe(2);
    await world.advance(1000);
    expect(supervisor.waiterCount).toBe(2);
    expect(world.clock.countTimers()).toBe(2);
    expect(await waits[1]).toBeInstanceOf(LiveWaitTimeoutError);
    world.latest.open();
    await world.settle();
    expect(supervisor.waiterCount).toBe(0);
    expect(world.clock.countTimers()).toBe(0);
    expect(await waits[0]).toMatchObject({ generation: 1 });
  });

  it('bounds the number of waiters', async () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = supervisorIn(world, 2);
    supervisor.start();
    const held = [supervisor.whenLive(0, 10_000), supervisor.whenLive(0, 10_000)];
    // Act
    const third = await supervisor.whenLive(0, 10_000).catch((e: unknown) => e);
    // Assert
    expect(third).toBeInstanceOf(WaitersFullError);
    await supervisor.stop();
    await Promise.allSettled(held);
  });

  it('waits for a generation newer than the one a send failed on', async () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    world.latest.open();
    // Act
    const immediate = await supervisor.whenLive(0, 10_000);
    const newer = supervisor.whenLive(1, 60_000);
    world.latest.close(428);
    await world.advance(3000);
    world.latest.open();
    // Assert
    expect(immediate.generation).toBe(1);
    expect(supervisor.generation).toBe(2);
    expect((await newer).generation).toBe(2);
    expect(supervisor.isClosed(1)).toBe(true);
    expect(supervisor.isClosed(2)).toBe(false);
    await supervisor.stop();
  });

  it('rejects at once when the deadline has already passed', async () => {
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    await world.advance(100);
    await expect(supervisor.whenLive(0, 50)).rejects.toBeInstanceOf(LiveWaitTimeoutError);
    await supervisor.stop();
    expect(supervisor.state).toBe('stopped');
  });
});

describe('Supervisor onClose', () => {
  it('reports each close of the current socket once, with its generation and class', async () => {
    // Arrange
    const world = new HandWorld();
    const heard: [number, string][] = [];
    const supervisor = new Supervisor({
      ...world.env(),
      policy: defaultReconnectPolicy,
      onClose: (g, kind) => heard.push([g, kind]),
    });
    supervisor.start();
    world.latest.open();
    // Act
    world.latest.close(408, 'Connection was lost');
    await world.advance(3000);
    world.latest.open();
    world.latest.close(401, 'Stream Errored (conflict)');
    world.sockets[0]!.close(428); // a stale socket's late close is not the current one's
    // Assert
    expect(heard).toEqual([
      [1, 'backoff'],
      [2, 'terminal'],
    ]);
    await supervisor.stop();
  });
});

describe('Supervisor.alarm', () => {
  it(
    'rings each alarm at its time on the one timer of the shared wait, and never a ' +
      'released one',
    async () => {
      // Arrange
      const world = new HandWorld();
      const supervisor = supervisorIn(world);
      supervisor.start();
      world.latest.open();
      const rung: string[] = [];
      const late = supervisor.alarm(3000);
      const early = supervisor.alarm(1000);
      const released = supervisor.alarm(2000);
      void late.rang.then(() => rung.push(`late at ${world.clock.now()}`));
      void early.rang.then(() => rung.push(`early at ${world.clock.now()}`));
      void released.rang.then(() => rung.push('released'));
      // Act
      const timers = world.clock.countTimers();
      released.release();
      await world.advance(5000);
      // Assert
      expect(timers).toBe(1);
      expect(rung).toEqual(['early at 1000', 'late at 3000']);
      expect(world.clock.countTimers()).toBe(0);
      await supervisor.stop();
    },
  );

  it('rings an alarm for a time already past at once', async () => {
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    await world.advance(500);
    await expect(supervisor.alarm(500).rang).resolves.toBe('alarm');
  });

  it('leaves no timer and rings nothing once stopped', async () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    world.latest.open();
    let rang = false;
    void supervisor.alarm(1000).rang.then(() => (rang = true));
    // Act
    await supervisor.stop();
    await world.advance(2000);
    // Assert
    expect(world.clock.countTimers()).toBe(0);
    expect(rang).toBe(false);
  });
});
