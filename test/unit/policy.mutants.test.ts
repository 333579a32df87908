/**
 * Boundaries of the pure helpers (backoff, policy validation, JID redaction, status codes),
 * each pinned by a case that a StrykerJS mutant of the boundary would get wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  computeBackoff,
  defaultReconnectPolicy,
  validateReconnectPolicy,
} from '../../src/reconnectPolicy.js';
import { redactJid } from '../../src/redact.js';
import { classifySendError, statusCodeOf } from '../../src/sendErrors.js';

describe('computeBackoff', () => {
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

describe('validateReconnectPolicy', () => {
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

describe('redactJid', () => {
  it('hides a user part of exactly four digits entirely', () => {
    expect(redactJid('1234@s.whatsapp.net')).toBe('***@s.whatsapp.net');
  });

  it('keeps the last four digits of a longer number', () => {
    expect(redactJid('12345@s.whatsapp.net')).toBe('***2345@s.whatsapp.net');
  });
});

describe('statusCodeOf', () => {
  it.each([null, undefined, 'Timed Out', 408])('has no status code for %s', (value) => {
    expect(statusCodeOf(value)).toBeUndefined();
  });

  it('treats a null rejection as ambiguous, not as a crash', () => {
    expect(classifySendError(null, { closeHeard: false })).toBe('ambiguous');
  });
});
