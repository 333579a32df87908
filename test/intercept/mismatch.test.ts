/** Naming the likely source of a determinism mismatch: where two histories part, and why. */
import { describe, expect, it } from 'vitest';
import { firstDifference, likelySourceOfMismatch } from '../../properties/campaigns/mismatch.js';
import type { History } from '../../sim/history.js';

/** Two histories that differ in when the run ended (the rest of a history does not matter here). */
const endedAt = (ms: number) =>
  ({ format: 'baileys-sim/history@2', endedAt: ms, sockets: [] }) as unknown as History;

describe('firstDifference', () => {
  it('finds the first differing place in key order, with both values', () => {
    expect(firstDifference({ b: [1, { id: 'x' }], a: 1 }, { b: [1, { id: 'y' }], a: 1 })).toEqual({
      place: 'b[1].id',
      a: 'x',
      b: 'y',
    });
    expect(firstDifference({ list: [1, 2] }, { list: [1, 2, 3] })).toEqual({
      place: 'list.length',
      a: 2,
      b: 3,
    });
    expect(firstDifference({ a: 1 }, { a: 1, z: 2 })).toEqual({ place: 'z', a: undefined, b: 2 });
    expect(firstDifference({ a: [1] }, { a: [1] })).toBeUndefined();
  });
});

describe('likelySourceOfMismatch', () => {
  it('blames module state for an as-written module without reset()', () => {
    // Arrange
    const first = endedAt(1000);
    const second = endedAt(1200);
    // Act
    const line = likelySourceOfMismatch(first, second, {
      name: './bot.ts',
      factory: () => ({ start() {}, async stop() {} }),
      intercept: true,
      resets: false,
    });
    // Assert
    expect(line).toBe(
      'first difference at endedAt (1000 then 1200); likely source: module-level state ' +
        'kept from one run to the next: export a reset() from ./bot.ts that puts it back as a ' +
        'fresh import has it',
    );
  });

  it('names what a seam path reads outside its ports', () => {
    // Arrange
    const first = endedAt(1000);
    const second = endedAt(1200);
    // Act
    const line = likelySourceOfMismatch(first, second, {
      name: './path.ts',
      factory: () => ({ start() {}, async stop() {} }),
    });
    // Assert
    expect(line).toContain(
      'likely source: time, timers or randomness read outside the SimEnv ports',
    );
  });
});
