/**
 * The numbers a send path meets read in words with the number kept: every error the fake raises
 * as rc14 builds it, every `DisconnectReason` code, the bare close codes and Node's socket errors.
 */
import { DisconnectReason } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import * as fakeErrors from '../../sim/network/baileysErrors.js';
import { dropReasons } from '../../src/dropFacts.js';
import { errorRecord } from '../../sim/history.js';
import { errorInWords, statusCodeWords } from '../../src/errorWords.js';

/** Every error the fake socket raises, built by its own builders. */
const fakeRaises: [string, unknown][] = [
  ['connectionClosedError', fakeErrors.connectionClosedError()],
  ['timedOutError', fakeErrors.timedOutError()],
  ['connectRefusedError', fakeErrors.connectRefusedError()],
  ['handshakeTimedOutError', fakeErrors.handshakeTimedOutError()],
  ['loginFailureError(null)', fakeErrors.loginFailureError(null)],
  ['loginFailureError(401)', fakeErrors.loginFailureError(401)],
  ['mediaUploadFailedError', fakeErrors.mediaUploadFailedError()],
  ['mediaConnError', fakeErrors.mediaConnError()],
  ...dropReasons.map((reason): [string, unknown] => [
    `dropError(${reason})`,
    fakeErrors.dropError(reason),
  ]),
  ['close code 1006', 1006],
  ['close code 1005', 1005],
];

describe('errorInWords', () => {
  it('reads a bare close code as what happened, with the code', () => {
    // Act
    const text = errorInWords(errorRecord(1006));
    // Assert
    expect(text).toBe('the connection dropped mid-send (close code 1006)');
  });

  it.each(fakeRaises)('reads %s in words, its number quoted', (_name, error) => {
    // Arrange
    const record = errorRecord(error);
    // Act
    const text = errorInWords(record);
    // Assert: words first, then the number in parentheses; never the bare name and message.
    const number = record.statusCode ?? Number(record.message);
    expect(text).toMatch(new RegExp(`^[A-Za-z][^(]+ \\((close code )?${number}\\b`));
    expect(text).not.toMatch(/^(Error|number|Object):/);
  });

  it.each(Object.entries(DisconnectReason).filter(([, code]) => typeof code === 'number'))(
    'has words for DisconnectReason.%s',
    (_name, code) => {
      // Act
      const text = errorInWords({
        name: 'Error',
        message: 'something of our own',
        statusCode: code as number,
      });
      // Assert
      expect(statusCodeWords[code as number]).toBeDefined();
      expect(text).toBe(`${statusCodeWords[code as number]} (${code} something of our own)`);
    },
  );

  it("tells rc14's two 408s apart by their messages", () => {
    // Act
    const timedOut = errorInWords(errorRecord(fakeErrors.timedOutError()));
    const lost = errorInWords(errorRecord(fakeErrors.dropError('connectionLost')));
    // Assert
    expect(timedOut).toBe('a query got no answer in time (408 Timed Out)');
    expect(lost).toBe('the keep-alive found the link dead (408 Connection was lost)');
  });

  it("reads a socket error code the message quotes, the path's own error included", () => {
    // Act
    const text = errorInWords({ name: 'Error', message: 'read ECONNRESET' });
    // Assert
    expect(text).toBe('the connection was reset by the server (Error: read ECONNRESET)');
  });

  it('leaves an error no table knows as its name and message', () => {
    // Act
    const plain = errorInWords({
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
    });
    const coded = errorInWords({ name: 'HttpError', message: 'teapot', statusCode: 418 });
    // Assert
    expect(plain).toBe("TypeError: Cannot read properties of undefined (reading 'id')");
    expect(coded).toBe('HttpError: teapot (status 418)');
  });
});
