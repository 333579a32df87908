import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  computeBackoff,
  defaultReconnectPolicy,
  validateReconnectPolicy,
} from '../../src/reconnectPolicy.js';

describe('validateReconnectPolicy', () => {
  it('fills defaults from openclaw', () => {
    // Arrange / Act
    const policy = validateReconnectPolicy({});
    // Assert
    expect(policy).toEqual({
      initialMs: 2000,
      maxMs: 30000,
      factor: 1.8,
      jitter: 0.25,
      maxAttempts: 12,
    });
  });

  it.each([
    [{ initialMs: -1 }, 'reconnect.initialMs must be between 0 and 9007199254740991 (got -1)'],
    [{ maxMs: Number.NaN }, 'reconnect.maxMs must be a number (got NaN)'],
    [{ factor: 0.5 }, 'reconnect.factor must be between 1 and 100 (got 0.5)'],
    [{ jitter: 1.5 }, 'reconnect.jitter must be between 0 and 1 (got 1.5)'],
    [{ jitter: -0.1 }, 'reconnect.jitter must be between 0 and 1 (got -0.1)'],
    [{ maxAttempts: 0 }, 'reconnect.maxAttempts must be between 1 and 1000 (got 0)'],
    [{ maxAttempts: 2.5 }, 'reconnect.maxAttempts must be a whole number (got 2.5)'],
    [
      { initialMs: 5000, maxMs: 1000 },
      'reconnect.maxMs must be >= reconnect.initialMs (got maxMs 1000 < initialMs 5000)',
    ],
    [{ factor: '2' as unknown as number }, 'reconnect.factor must be a number (got 2)'],
  ])('rejects %j with a message naming the field', (input, message) => {
    // Act / Assert
    expect(() => validateReconnectPolicy(input)).toThrow(message);
  });

  it('accepts every field at its upper bound', () => {
    const policy = validateReconnectPolicy({ factor: 100, jitter: 1, maxAttempts: 1000 });
    expect(policy).toMatchObject({ factor: 100, jitter: 1, maxAttempts: 1000 });
  });

  it('refuses a field just past its upper bound, naming the field path', () => {
    expect(() => validateReconnectPolicy({ jitter: 1.01 }, 'cfg')).toThrow(
      'cfg.jitter must be between 0 and 1 (got 1.01)',
    );
  });
});

describe('computeBackoff', () => {
  it('grows by factor from initialMs and caps at maxMs without jitter', () => {
    // Arrange
    const policy = { ...defaultReconnectPolicy, jitter: 0 };
    // Act
    const delays = [1, 2, 3, 10].map((attempt) => computeBackoff(policy, attempt, () => 0.5));
    // Assert
    expect(delays).toEqual([2000, 3600, 6480, 30000]);
  });

  it('stays within ±jitter of the base delay for any draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, draw) => {
          // Arrange
          const policy = defaultReconnectPolicy;
          const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** (attempt - 1));
          // Act
          const delay = computeBackoff(policy, attempt, () => draw);
          // Assert
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - policy.jitter)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + policy.jitter)));
        },
      ),
    );
  });

  it('rejects a non-positive attempt and a broken random source', () => {
    expect(() => computeBackoff(defaultReconnectPolicy, 0, () => 0)).toThrow(
      'attempt must be a whole number >= 1 (got 0)',
    );
    expect(() => computeBackoff(defaultReconnectPolicy, 1, () => 1)).toThrow(
      'random() must return a number in [0, 1) (got 1)',
    );
  });

  it('accepts a draw of exactly 0, the bottom of [0, 1), as the largest spread downward', () => {
    // base 2000, jitter 0.25, draw 0: 2000 * (1 - 0.25)
    expect(computeBackoff(defaultReconnectPolicy, 1, () => 0)).toBe(1500);
  });

  it('spreads the delay upward for a draw above one half', () => {
    // base 2000, jitter 0.25, draw 0.75: 2000 * (1 + 0.25 * 0.5)
    expect(computeBackoff(defaultReconnectPolicy, 1, () => 0.75)).toBe(2250);
  });

  it('spreads the delay downward for a draw below one half', () => {
    expect(computeBackoff(defaultReconnectPolicy, 1, () => 0.25)).toBe(1750);
  });

  it.each([1, -0.1, Number.NaN])('refuses a random draw of %s (outside [0, 1))', (draw) => {
    expect(() => computeBackoff(defaultReconnectPolicy, 1, () => draw)).toThrow(RangeError);
  });
});
