import { Boom } from '@hapi/boom';
import { describe, expect, it } from 'vitest';
import { classifyClose, classifySendError, statusCodeOf } from '../../src/sendErrors.js';
import { redactJid } from '../../src/redact.js';

const boom = (statusCode: number, message = 'x') => new Boom(message, { statusCode });

describe('classifySendError', () => {
  it.each([
    [boom(428, 'Connection Closed'), false, 'retrySafe'],
    [boom(428, 'Connection Closed'), true, 'ambiguous'],
    [boom(408, 'Timed Out'), false, 'ambiguous'],
    [boom(408, 'Connection was lost'), true, 'ambiguous'],
    [boom(440), false, 'terminal'],
    [boom(401), false, 'terminal'],
    [boom(403), false, 'terminal'],
    [boom(400, 'Invalid media type'), false, 'terminal'],
    [boom(500), false, 'notWritten'],
    [new Boom('forbidden', { data: 403 }), false, 'terminal'],
    [new Boom('rate-overlimit', { data: 429 }), false, 'rateLimited'],
    [
      new Boom('Invalid group metadata response: missing <group> node', { data: undefined }),
      false,
      'notWritten',
    ],
    [new Boom('rate-overlimit', { data: 429 }), true, 'ambiguous'],
    [boom(503), false, 'ambiguous'],
    [boom(515), true, 'ambiguous'],
    [new TypeError('bad content'), false, 'terminal'],
    [new RangeError('too large'), false, 'terminal'],
    [1006, false, 'ambiguous'],
    [new Error('write EPIPE'), false, 'ambiguous'],
    // Node's error for a write() the system refused (an unread TCP reset): nothing written.
    [
      Object.assign(new Error('write ECONNRESET'), {
        code: 'ECONNRESET',
        syscall: 'write',
        errno: -104,
      }),
      false,
      'retrySafe',
    ],
    [
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write', errno: -32 }),
      false,
      'retrySafe',
    ],
    [
      Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET', syscall: 'write' }),
      true,
      'ambiguous',
    ],
    [
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' }),
      false,
      'ambiguous',
    ],
  ] as const)('%s (close heard: %s) is %s', (err, closeHeard, expected) => {
    expect(classifySendError(err, { closeHeard })).toBe(expected);
  });

  it('does not read message text: same code, any text, same class', () => {
    expect(classifySendError(boom(428, 'timed out'), { closeHeard: false })).toBe('retrySafe');
    expect(classifySendError(new Error('Connection Closed'), { closeHeard: false })).toBe(
      'ambiguous',
    );
  });

  it('reads the status code structurally, across Boom copies', () => {
    expect(statusCodeOf({ output: { statusCode: 428 } })).toBe(428);
    expect(statusCodeOf({ output: { statusCode: '428' } })).toBeUndefined();
    expect(statusCodeOf(null)).toBeUndefined();
    expect(statusCodeOf('428')).toBeUndefined();
  });
});

describe('classifyClose', () => {
  it.each([
    [401, 'terminal'],
    [403, 'terminal'],
    [440, 'terminal'],
    [515, 'restartNow'],
    [428, 'backoff'],
    [408, 'backoff'],
    [500, 'backoff'],
    [undefined, 'backoff'],
  ] as const)('%s → %s', (code, expected) => {
    expect(classifyClose(code)).toBe(expected);
  });
});

describe('redactJid', () => {
  it.each([
    ['15551234567@s.whatsapp.net', '***4567@s.whatsapp.net'],
    ['120363012345678901@g.us', '***8901@g.us'],
    ['123@s.whatsapp.net', '***@s.whatsapp.net'],
    ['15551234567', '***4567'],
  ])('%s → %s', (jid, expected) => {
    expect(redactJid(jid)).toBe(expected);
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
