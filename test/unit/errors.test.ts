/**
 * Typed errors are the send path's contract with its caller (and with the harness, which reads
 * `name` and `ambiguous`): names and messages are asserted exactly. Written to kill StrykerJS
 * string mutants that no behavioural test noticed.
 */
import { describe, expect, it } from 'vitest';
import {
  AmbiguousDeliveryError,
  LiveWaitTimeoutError,
  OutboxFullError,
  ReplyDeadlineError,
  SendAttemptsExhaustedError,
  SendPathStoppedError,
  SendRejectedError,
  TerminalConnectionError,
  WaitersFullError,
} from '../../src/errors.js';
import { ConfigError } from '../../src/reconnectPolicy.js';

describe('typed errors', () => {
  it.each([
    [
      new AmbiguousDeliveryError('ID1', 2, new Error('Timed Out')),
      'AmbiguousDeliveryError',
      'delivery of ID1 is unknown after 2 attempt(s): Timed Out',
      true,
    ],
    [
      new AmbiguousDeliveryError('ID1', 1, 1006),
      'AmbiguousDeliveryError',
      'delivery of ID1 is unknown after 1 attempt(s): 1006',
      true,
    ],
    [
      new ReplyDeadlineError('ID2', 120000, 3),
      'ReplyDeadlineError',
      'reply ID2 not sent within its deadline of 120000 ms (3 attempt(s))',
      false,
    ],
    [
      new OutboxFullError(10),
      'OutboxFullError',
      'outbox is full (maxPending 10); reply refused',
      false,
    ],
    [
      new SendAttemptsExhaustedError('ID3', 8, new Error('Connection Closed')),
      'SendAttemptsExhaustedError',
      'reply ID3 not sent after 8 attempt(s): Connection Closed',
      false,
    ],
    [
      new SendRejectedError('ID4', new Error('forbidden')),
      'SendRejectedError',
      'reply ID4 refused: forbidden',
      false,
    ],
    [
      new TerminalConnectionError('loggedOut', 401),
      'TerminalConnectionError',
      'connection is down for good: loggedOut (401)',
      false,
    ],
    [
      new TerminalConnectionError('reconnectGaveUp', undefined),
      'TerminalConnectionError',
      'connection is down for good: reconnectGaveUp',
      false,
    ],
    [new SendPathStoppedError(), 'SendPathStoppedError', 'send path stopped', false],
    [new LiveWaitTimeoutError(5000), 'LiveWaitTimeoutError', 'no live socket before 5000', false],
    [
      new WaitersFullError(2),
      'WaitersFullError',
      'too many waiters for a live socket (maxWaiters 2)',
      false,
    ],
  ] as const)('%s has its name, message and ambiguity', (error, name, message, ambiguous) => {
    expect(error.name).toBe(name);
    expect(error.message).toBe(message);
    expect(error.ambiguous).toBe(ambiguous);
    expect(String(error)).toBe(`${name}: ${message}`);
  });

  it('names configuration errors', () => {
    expect(new ConfigError('x').name).toBe('ConfigError');
  });
});
