/**
 * The supervisor as a host sees it: its `state` and log lines (PII-free, with the facts an
 * operator needs), idempotent start/stop and listener detach, waiters for a live socket (one
 * shared timer, a bound, the generation rule), its close reports and its alarms.
 */
import { describe, expect, it, vi } from 'vitest';
import { LiveWaitTimeoutError, SendPathStoppedError, WaitersFullError } from '../../src/errors.js';
import { defaultReconnectPolicy } from '../../src/reconnectPolicy.js';
import { Supervisor, type SupervisorOptions } from '../../src/supervisor.js';
import { HandWorld } from './support/handSocket.js';

function supervisorIn(world: HandWorld, extra: Partial<SupervisorOptions> = {}): Supervisor {
  return new Supervisor({ ...world.env(), policy: defaultReconnectPolicy, ...extra });
}

describe('Supervisor state and logs', () => {
  it(
    'moves idle -> connecting -> open -> backoff ' + '-> connecting -> terminal, logging each step',
    async () => {
      // Arrange
      const world = new HandWorld();
      const supervisor = supervisorIn(world);
      const states = [supervisor.state];
      // Act
      supervisor.start();
      states.push(supervisor.state);
      world.latest.open();
      states.push(supervisor.state);
      world.latest.close(428, 'Connection Closed');
      states.push(supervisor.state);
      await world.advance(2000);
      states.push(supervisor.state);
      world.latest.close(401, 'logged out');
      states.push(supervisor.state);
      // Assert
      expect(states).toEqual(['idle', 'connecting', 'open', 'backoff', 'connecting', 'terminal']);
      expect(world.logs.map((l) => [l.level, l.msg, l.obj])).toEqual([
        ['debug', 'connecting', { generation: 1 }],
        ['info', 'connection open', { generation: 1 }],
        ['warn', 'connection closed', { generation: 1, statusCode: 428, kind: 'backoff' }],
        ['info', 'reconnect scheduled', { attempt: 1, delayMs: 2000 }],
        ['debug', 'connecting', { generation: 2 }],
        ['warn', 'connection closed', { generation: 2, statusCode: 401, kind: 'terminal' }],
        [
          'error',
          'connection terminal; not reconnecting',
          { reason: 'loggedOut', statusCode: 401 },
        ],
      ]);
    },
  );

  it('treats a close without lastDisconnect as a plain disconnect and reconnects', async () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    world.latest.open();
    // Act
    world.latest.emit('connection.update', { connection: 'close' });
    // Assert
    expect(supervisor.state).toBe('backoff');
    await world.advance(10_000);
    expect(world.sockets.length).toBe(2);
  });
});

describe('Supervisor start and stop', () => {
  it('opens one connection however often start() is called', () => {
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    supervisor.start();
    expect(world.sockets.length).toBe(1);
  });

  it(
    'ends the socket once, stays stopped when the socket reports its close, and leaves no ' +
      'timer',
    async () => {
      // Arrange
      const world = new HandWorld();
      const supervisor = supervisorIn(world);
      supervisor.start();
      world.latest.open();
      const end = vi.spyOn(world.latest, 'end');
      // Act
      await supervisor.stop();
      await supervisor.stop();
      // Assert
      expect(end).toHaveBeenCalledTimes(1);
      expect(supervisor.state).toBe('stopped');
      expect(world.clock.countTimers()).toBe(0);
    },
  );

  it('refuses waiters after stop()', async () => {
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    await supervisor.stop();
    await expect(supervisor.whenLive(0, 10_000)).rejects.toBeInstanceOf(SendPathStoppedError);
    expect(supervisor.waiterCount).toBe(0);
  });

  it('detaches from a socket once it closed', () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    const first = world.latest;
    first.open();
    // Act
    first.close(428);
    // Assert
    expect(first.listeners.get('connection.update')?.size ?? 0).toBe(0);
    expect(first.listeners.get('messages.upsert')?.size ?? 0).toBe(0);
    expect(supervisor.state).toBe('backoff');
  });

  it('accepts inbound messages without an upsert listener', () => {
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    world.latest.open();
    expect(() => world.latest.deliver('1555@s.whatsapp.net', 'M1', 'hi')).not.toThrow();
  });
});

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
    const supervisor = supervisorIn(world, { maxWaiters: 2 });
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

  it('rejects at once, without waiting, when the deadline is now', async () => {
    const world = new HandWorld();
    const supervisor = supervisorIn(world);
    supervisor.start();
    const wait = supervisor.whenLive(0, world.clock.now());
    expect(supervisor.waiterCount).toBe(0);
    await expect(wait).rejects.toBeInstanceOf(LiveWaitTimeoutError);
  });

  it(
    'does not hand a waiter the generation it ' + 'asked to skip, even when that one opens late',
    async () => {
      // Arrange: generation 1 is still connecting; the waiter wants something newer than 1.
      const world = new HandWorld();
      const supervisor = supervisorIn(world);
      supervisor.start();
      // Counted from here: the connect watchdog is not a waiter timer.
      const setTimeout = vi.spyOn(world.clock, 'setTimeout');
      const early = supervisor.whenLive(0, 60_000);
      const newer = supervisor.whenLive(1, 60_000);
      // Act
      world.latest.open();
      await world.settle();
      // Assert: one waiter left, its deadline timer kept as it was (not re-created)
      expect((await early).generation).toBe(1);
      expect(supervisor.waiterCount).toBe(1);
      expect(setTimeout).toHaveBeenCalledTimes(1);
      world.latest.close(428);
      await world.advance(5000);
      world.latest.open();
      expect((await newer).generation).toBe(2);
    },
  );

  it(
    'ends a socket that never opens after twice ' + 'connectTimeoutMs, and reconnects with backoff',
    async () => {
      // Arrange
      const world = new HandWorld();
      const supervisor = new Supervisor({
        ...world.env(),
        policy: defaultReconnectPolicy,
        socketConfig: { connectTimeoutMs: 5000 },
      });
      supervisor.start();
      // Act
      await world.advance(9999);
      const endedEarly = world.sockets[0]!.ended;
      await world.advance(1);
      // Assert
      expect(endedEarly).toBe(false);
      expect(world.sockets[0]!.ended).toBe(true);
      expect(world.logs.some((l) => l.msg === 'connect never completed; ending the socket')).toBe(
        true,
      );
      await world.advance(5000);
      expect(world.sockets).toHaveLength(2);
    },
  );

  it('creates one deadline timer for waiters sharing a deadline', () => {
    // Arrange
    const world = new HandWorld();
    const supervisor = new Supervisor({
      ...world.env(),
      clock: world.clock,
      policy: defaultReconnectPolicy,
    });
    supervisor.start();
    // Counted from here: the connect watchdog is not a waiter timer.
    const setTimeout = vi.spyOn(world.clock, 'setTimeout');
    // Act
    for (let i = 0; i < 3; i++) void supervisor.whenLive(0, 5000).catch(() => undefined);
    // Assert
    expect(setTimeout).toHaveBeenCalledTimes(1);
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
