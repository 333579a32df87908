import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock.js';

describe('VirtualClock', () => {
  it('runs a 50-link promise chain started by one timer before the next timer fires', async () => {
    // Arrange
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.path.setTimeout(() => {
      let chain = Promise.resolve();
      for (let i = 0; i < 50; i++) chain = chain.then(() => void seen.push(`link${i}`));
      void chain.then(() => seen.push('chain done'));
    }, 10);
    clock.path.setTimeout(() => seen.push('next timer'), 10);
    // Act
    await clock.run(() => false);
    // Assert
    expect(seen.length).toBe(52);
    expect(seen.at(-2)).toBe('chain done');
    expect(seen.at(-1)).toBe('next timer');
  });

  it('fires timers in time order, then creation order, and advances virtual time', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.network.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.path.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.harness.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    await clock.run(() => false);
    expect(seen).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(20);
  });

  it("counts the path's timers apart from the network's", async () => {
    const clock = new VirtualClock();
    const { setTimeout, clearTimeout } = clock.path; // destructuring must work
    const a = setTimeout(() => {}, 5);
    setTimeout(() => {}, 6);
    clearTimeout(a);
    clearTimeout(12345); // a foreign handle is ignored, as Node ignores it
    clock.network.setTimeout(() => {}, 1);
    expect(clock.path.stats).toEqual({ created: 2, cleared: 1, fired: 0, alive: 1, aliveMax: 2 });
    await clock.run(() => false);
    expect(clock.path.stats).toEqual({ created: 2, cleared: 1, fired: 1, alive: 0, aliveMax: 2 });
    expect(clock.network.stats).toMatchObject({ created: 1, fired: 1, alive: 0 });
    expect(clock.timersFired).toBe(2);
  });

  it('ends a timer loop that never stops with a LoopLimit record (timers fired)', async () => {
    const clock = new VirtualClock({ timersFiredMax: 1000 });
    const again = (): void => void clock.path.setTimeout(again, 0);
    again();
    await clock.run(() => false);
    // A 0 ms timer made inside a timer fires 1 ms later (fake-timers follows Node's 1 ms floor).
    expect(clock.limit).toEqual({
      kind: 'LoopLimit',
      limit: 'timersFired',
      max: 1000,
      at: 999,
      timersFired: 1000,
    });
  });

  it('ends a run at the virtual time limit', async () => {
    const clock = new VirtualClock({ virtualTimeMsMax: 5000 });
    const again = (): void => void clock.path.setTimeout(again, 1000);
    again();
    await clock.run(() => false);
    expect(clock.limit).toMatchObject({
      kind: 'LoopLimit',
      limit: 'virtualTime',
      max: 5000,
      at: 5000,
    });
    expect(clock.now()).toBe(5000);
  });

  it('ends a run when the path holds too many timers alive', async () => {
    const clock = new VirtualClock({ pathTimersAliveMax: 10 });
    for (let i = 0; i < 11; i++) clock.path.setTimeout(() => {}, 100);
    await clock.run(() => false);
    expect(clock.limit).toMatchObject({ limit: 'pathTimersAlive', max: 10, at: 0 });
  });

  it('records a throwing path timer and keeps running', async () => {
    const clock = new VirtualClock();
    const thrown: unknown[] = [];
    clock.path.onThrow = (error) => thrown.push(error);
    let later = false;
    clock.path.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    clock.path.setTimeout(() => (later = true), 2);
    await clock.run(() => false);
    expect((thrown[0] as Error).message).toBe('boom');
    expect(later).toBe(true);
  });

  it('rejects bad limits with a message naming the limit', () => {
    expect(() => new VirtualClock({ timersFiredMax: 0 })).toThrow(
      'clock limit timersFiredMax must be an integer in [1, 100000000], got 0',
    );
  });

  it(
    'after release, keeps its time, fires nothing, and hands a clean fake clock to the ' +
      'next run',
    async () => {
      // Arrange: a run that ends with a timer still pending
      const first = new VirtualClock();
      const fired: string[] = [];
      first.path.setTimeout(() => fired.push('first@1000'), 1000);
      first.path.setTimeout(() => fired.push('first@5000'), 5000);
      await first.run(() => fired.length === 1);
      // Act
      first.release();
      first.release(); // a second release does nothing
      first.path.setTimeout(() => fired.push('after release'), 1);
      const second = new VirtualClock();
      second.path.setTimeout(() => fired.push(`second@${second.now()}`), 10);
      await second.run(() => false);
      // Assert
      expect(first.released).toBe(true);
      expect(first.now()).toBe(1000);
      expect(() => first.fake).toThrow('invariant: the fake clock of a released run was used');
      expect(fired).toEqual(['first@1000', 'second@10']);
      expect(second.timersAlive()).toBe(0);
    },
  );
});
