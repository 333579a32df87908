/**
 * The naïve harness the bench compares against: the same simulator, but time advanced the way a
 * typical fake-timers test does it, with fake-timers' own async stepping (`await
 * clock.nextAsync()` per timer: a native macrotask before and after each timer, plus promise
 * plumbing), instead of our loop (`next()` then one `setImmediate`).
 *
 * sim/clock.ts builds its fake clocks over a private global that has only `Date`, so fake-timers
 * leaves out the `*Async` methods. This module, imported before sim/clock.ts is first evaluated,
 * adds the native `Promise` and `setImmediate` to that private global (nothing is installed on
 * the real globals) so `nextAsync` exists. Our own stepping never calls it, so it is unaffected.
 */
import FakeTimers from '@sinonjs/fake-timers';

type WithGlobal = typeof FakeTimers.withGlobal;
const original: WithGlobal = FakeTimers.withGlobal;
(FakeTimers as { withGlobal: WithGlobal }).withGlobal = ((global: object) =>
  original({ Promise, setImmediate, ...global } as unknown as typeof globalThis)) as WithGlobal;

/** The part of `VirtualClock` the naïve loop needs (structural, to keep sim/ untouched). */
interface SteppedClock {
  fake: { nextAsync?: () => Promise<number> };
  limit: unknown;
  timersFired: number;
  limits: { timersFiredMax: number };
  timersAlive(): number;
  hitLimit(limit: 'timersFired', max: number): void;
}

/**
 * `VirtualClock.prototype.run`, naïve edition: same stop rules as the real loop (done, limit,
 * quiescent after one idle turn), but each step is `await fake.nextAsync()`.
 */
async function naiveRun(this: SteppedClock, isDone: () => boolean): Promise<void> {
  const nextAsync = this.fake.nextAsync;
  if (nextAsync === undefined)
    throw new Error('benchNaiveHarness must be imported before sim/clock.ts');
  let idleTurns = 0;
  await new Promise<void>((resolve) => setImmediate(resolve));
  for (;;) {
    if (this.limit !== undefined || isDone()) return;
    if (this.timersAlive() === 0) {
      if (++idleTurns > 1) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    idleTurns = 0;
    if (this.timersFired >= this.limits.timersFiredMax) {
      this.hitLimit('timersFired', this.limits.timersFiredMax);
      return;
    }
    await nextAsync.call(this.fake);
  }
}

/** Runs `body` with `target.run` swapped for {@link naiveRun}; restores it afterwards. */
export async function withNaiveStepping<T>(
  target: { run: unknown },
  body: () => Promise<T>,
): Promise<T> {
  const ours = target.run;
  target.run = naiveRun;
  try {
    return await body();
  } finally {
    target.run = ours;
  }
}
