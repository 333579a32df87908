/**
 * judgedBy: per property, whether a run gave it anything to judge. A run of a path that never
 * connected gives nothing to any property; a full run gives something to every one.
 */
import { describe, expect, it } from 'vitest';
import { judgedBy, propertyNames, type PropertyName } from '../../properties/judging/checkers.js';
import type { History } from '../../sim/history.js';
import {
  attempt,
  baseHistory,
  endedSocket,
  inbound,
  makeVisible,
  request,
  socket,
} from './historyBuilder.js';

/** A run of a path that never connected: the harness stopped it at the deadline. */
function neverConnected(): History {
  const h = baseHistory();
  h.sockets = [];
  h.connects = { count: 0, at: [] };
  h.inbound.push(
    inbound('m1', {
      deliveries: [],
      emittedAt: undefined,
      generation: undefined,
      receivedAt: undefined,
      handedCount: 0,
    }),
  );
  h.requests.push(
    request('r1', {
      calledAt: undefined,
      callSeq: undefined,
      settledAt: undefined,
      outcome: 'pending',
    }),
  );
  h.stop = { result: 'not-requested', pendingAttempts: 0, pendingRequests: 1, pathTimersAlive: 0 };
  return h;
}

/**
 * A run that gives every property something: two replies in a chat, one failed, a logout, a
 * reconnect.
 */
function everything(): History {
  const h = baseHistory();
  h.endedAt = 100_000;
  h.stop = { ...h.stop, requestedAt: 99_000, completedAt: 99_000 };
  h.sockets = [
    socket({
      generation: 1,
      openedAt: 10,
      state: 'closed',
      cause: 'drop',
      dropReason: 'loggedOut',
      diedAt: 90_000,
      closeEmittedAt: 90_000,
      closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 401 },
    }),
    endedSocket({ generation: 2, createdAt: 92_000, endAt: 99_000 }),
  ];
  h.inbound.push(inbound('m1'));
  h.requests.push(
    request('r1'),
    request('r2', { callSeq: 2, calledAt: 150, settledAt: 300, outcome: 'fail' }),
  );
  h.attempts.push(attempt(1, 'r1'));
  makeVisible(h, 'r1', 110);
  return h;
}

const none = Object.fromEntries(propertyNames.map((p) => [p, false])) as Record<
  PropertyName,
  boolean
>;

describe('judgedBy', () => {
  it('says a run of a path that never connected gave no property anything to judge', () => {
    expect(judgedBy(neverConnected())).toEqual(none);
  });

  it('says a full run gave every property something to judge', () => {
    expect(judgedBy(everything())).toEqual(Object.fromEntries(propertyNames.map((p) => [p, true])));
  });

  it.each<[PropertyName, (h: History) => void]>([
    ['exactly-once', (h) => h.requests.push(request('r1'))],
    ['liveness', (h) => h.requests.push(request('r1'))],
    ['live-socket', (h) => h.attempts.push(attempt(1, 'r1'))],
    ['order', (h) => h.requests.push(request('r1'), request('r2', { callSeq: 2 }))],
    ['bounded', (h) => (h.connects = { count: 1, at: [0] })],
    ['clean', (h) => (h.stop.requestedAt = 9000)],
    ['honest-outcome', (h) => h.requests.push(request('r1', { outcome: 'fail' }))],
    ['inbound-handover', (h) => h.inbound.push(inbound('m2'))],
    [
      'terminal-respected',
      (h) =>
        h.sockets.push(
          socket({
            generation: 1,
            state: 'closed',
            cause: 'loginFailure',
            closeEmittedAt: 300,
            closeError: { name: 'Error', message: 'Connection Failure', statusCode: 403 },
          }),
        ),
    ],
    [
      'one-socket',
      (h) =>
        h.sockets.push(
          endedSocket({ generation: 1, endAt: 100 }),
          endedSocket({ generation: 2, createdAt: 100, endAt: 200 }),
        ),
    ],
  ])('says %s judged a run once it has its first fact', (name, add) => {
    // Arrange
    const h = neverConnected();
    // Act
    add(h);
    const judged = judgedBy(h);
    // Assert
    expect(judged[name]).toBe(true);
  });

  it(
    'does not count an unanswerable message, or a 440 the path provoked, as something to ' +
      'judge',
    () => {
      // Arrange
      const h = neverConnected();
      h.inbound.push(inbound('m2', { kind: 'reaction', answerable: false }));
      h.sockets.push(
        socket({
          generation: 1,
          state: 'closed',
          cause: 'replaced',
          closeEmittedAt: 300,
          closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 },
        }),
      );
      // Act
      const judged = judgedBy(h);
      // Assert
      expect(judged['inbound-handover']).toBe(false);
      expect(judged['terminal-respected']).toBe(false);
    },
  );
});
