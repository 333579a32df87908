import { describe, expect, it } from 'vitest';
import { messageIdPattern, messageIdSource, streamFor } from '../../sim/random.js';

const draws = (seed: number, name: Parameters<typeof streamFor>[1], n: number) => {
  const s = streamFor(seed, name);
  return Array.from({ length: n }, () => s.uniform());
};

describe('seeded streams', () => {
  it('gives the same draws for the same seed and component', () => {
    expect(draws(42, 'jitter', 20)).toEqual(draws(42, 'jitter', 20));
  });

  it('gives different components and seeds different draws', () => {
    expect(draws(42, 'jitter', 5)).not.toEqual(draws(42, 'network', 5));
    expect(draws(42, 'jitter', 5)).not.toEqual(draws(43, 'jitter', 5));
  });

  it('keeps uniform() in [0, 1) and int() in its inclusive range', () => {
    const s = streamFor(1, 'network');
    const ints = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const u = s.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      ints.add(s.int(3, 6));
    }
    expect([...ints].sort()).toEqual([3, 4, 5, 6]);
    expect(() => s.int(5, 4)).toThrow('RandomStream.int: bad range [5, 4]');
  });

  it("makes message ids in Baileys' shape, distinct and reproducible", () => {
    const a = messageIdSource(streamFor(9, 'messageIds'));
    const b = messageIdSource(streamFor(9, 'messageIds'));
    const ids = Array.from({ length: 1000 }, () => a());
    for (const id of ids) expect(id).toMatch(messageIdPattern);
    expect(new Set(ids).size).toBe(1000);
    expect(b()).toBe(ids[0]);
  });

  it('rejects a seed outside unsigned 32 bits', () => {
    expect(() => streamFor(-1, 'network')).toThrow(
      'seed must be an integer in [0, 4294967295], got -1',
    );
  });
});
