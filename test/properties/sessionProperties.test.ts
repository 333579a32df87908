/** terminal-respected and one-socket: must-flag and must-not-flag histories. */
import { describe, expect, it } from 'vitest';
import { checkProperty } from '../../properties/judging/checkers.js';
import type { ErrorRecord, SocketRecord } from '../../sim/history.js';
import { baseHistory, endedSocket, socket } from './historyBuilder.js';

const conflict440: ErrorRecord = {
  name: 'Error',
  message: 'Stream Errored (conflict)',
  statusCode: 440,
};
const loggedOut401: ErrorRecord = {
  name: 'Error',
  message: 'Stream Errored (conflict)',
  statusCode: 401,
};

/** Socket 1 cut from outside at 300 with `closeError` (a stream error), close emitted at once. */
function cutFromOutside(
  closeError: ErrorRecord,
  dropReason: SocketRecord['dropReason'],
): SocketRecord {
  return socket({
    generation: 1,
    openedAt: 10,
    state: 'closed',
    cause: 'drop',
    dropReason,
    diedAt: 300,
    closeEmittedAt: 300,
    closeError,
  });
}

describe('terminal-respected', () => {
  it.each([
    [
      '440: another session took over',
      conflict440,
      'conflict' as const,
      'conflict ping-pong',
      'another session of this device took over',
    ],
    [
      '401: the device was removed',
      loggedOut401,
      'loggedOut' as const,
      'logged-out session',
      'the device was logged out, removed from the account',
    ],
  ])('flags a reconnect after %s', (_why, closeError, dropReason, harm, words) => {
    // Arrange
    const h = baseHistory();
    h.sockets = [
      cutFromOutside(closeError, dropReason),
      endedSocket({ generation: 2, createdAt: 2300, openedAt: 2360, endAt: 9000 }),
    ];
    // Act
    const violations = checkProperty('terminal-respected', h);
    // Assert
    expect(violations).toMatchObject([{ property: 'terminal-respected', generation: 2, at: 2300 }]);
    expect(violations[0]!.message).toContain(
      `after socket 1 closed at 300 ms: ${words} (${closeError.statusCode} Stream ` +
        `Errored ` +
        `(conflict))`,
    );
    expect(violations[0]!.message).toContain(harm);
  });

  it('flags a reconnect after every login failed with 401 following a logout', () => {
    const h = baseHistory();
    h.server.session.loggedOutAt = 100;
    h.sockets = [
      socket({
        generation: 1,
        createdAt: 0,
        state: 'closed',
        cause: 'loginFailure',
        diedAt: 300,
        closeEmittedAt: 300,
        closeError: { name: 'Error', message: 'Connection Failure', statusCode: 401 },
      }),
      socket({
        generation: 2,
        createdAt: 2300,
        state: 'closed',
        cause: 'loginFailure',
        diedAt: 2500,
        closeEmittedAt: 2500,
        closeError: { name: 'Error', message: 'Connection Failure', statusCode: 401 },
      }),
    ];
    expect(checkProperty('terminal-respected', h)).toMatchObject([{ generation: 2, at: 2300 }]);
  });

  it(
    'accepts stopping after a terminal close, and a socket made before the close was ' + 'emitted',
    () => {
      // Arrange: socket 2 was made at 250, before socket 1's 440 came out at 300, and nothing
      // after.
      const h = baseHistory();
      h.sockets = [
        cutFromOutside(conflict440, 'conflict'),
        endedSocket({ generation: 2, createdAt: 250, endAt: 280 }),
      ];
      // Act / Assert
      expect(checkProperty('terminal-respected', h)).toEqual([]);
    },
  );

  it('accepts a reconnect after a 440 the path provoked itself, and after ordinary closes', () => {
    const h = baseHistory();
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'replaced',
        dropReason: 'conflict',
        diedAt: 300,
        closeEmittedAt: 300,
        closeError: conflict440,
      }),
      socket({
        generation: 2,
        createdAt: 200,
        openedAt: 300,
        state: 'closed',
        cause: 'drop',
        dropReason: 'restartRequired',
        diedAt: 900,
        closeEmittedAt: 900,
        closeError: {
          name: 'Error',
          message: 'Stream Errored (restart required)',
          statusCode: 515,
        },
      }),
      endedSocket({ generation: 3, createdAt: 1000, openedAt: 1060, endAt: 9000 }),
    ];
    expect(checkProperty('terminal-respected', h)).toEqual([]);
  });
});

describe('one-socket', () => {
  it('accepts sockets one after another: each ended, lost or closed before the next', () => {
    const h = baseHistory();
    h.sockets = [
      endedSocket({ generation: 1, openedAt: 10, endAt: 500 }),
      socket({
        generation: 2,
        createdAt: 500,
        openedAt: 560,
        state: 'closed',
        cause: 'silent',
        silentAt: 600,
        diedAt: 40_000,
        closeEmittedAt: 70_000,
      }),
      socket({
        generation: 3,
        createdAt: 40_000,
        state: 'closed',
        cause: 'refused',
        refused: true,
        diedAt: 40_000,
        closeEmittedAt: 40_001,
      }),
      endedSocket({ generation: 4, createdAt: 42_000, openedAt: 42_060, endAt: 90_000 }),
    ];
    expect(checkProperty('one-socket', h)).toEqual([]);
  });

  it(
    'flags a new socket while the old one was still open, even if WhatsApp then replaced ' +
      'the old one',
    () => {
      const h = baseHistory();
      h.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'replaced',
          dropReason: 'conflict',
          diedAt: 560,
          closeEmittedAt: 560,
          closeError: conflict440,
        }),
        endedSocket({ generation: 2, createdAt: 500, openedAt: 560, endAt: 9000 }),
      ];
      expect(checkProperty('one-socket', h)).toEqual([
        {
          property: 'one-socket',
          generation: 2,
          at: 500,
          message:
            'socket 2 was created at 500 ms while socket 1 (created at 0 ms) was still ' +
            'open: end() the old socket before opening a new one',
        },
      ]);
    },
  );

  it(
    'flags a socket left connecting forever (HTTP 503 on the upgrade) and every socket ' +
      'opened beside it',
    () => {
      // Arrange: socket 1 stuck connecting; a watchdog opened socket 2, then 3, never ending 1.
      const h = baseHistory();
      h.sockets = [
        socket({ generation: 1, createdAt: 0, state: 'connecting', cause: 'upgradeRejected' }),
        endedSocket({ generation: 2, createdAt: 20_000, openedAt: 20_060, endAt: 30_000 }),
        endedSocket({ generation: 3, createdAt: 30_000, openedAt: 30_060, endAt: 90_000 }),
      ];
      // Act
      const violations = checkProperty('one-socket', h);
      // Assert
      expect(violations.map((v) => [v.generation, v.at])).toEqual([
        [2, 20_000],
        [3, 30_000],
      ]);
      expect(violations[0]!.message).toContain('socket 1 (created at 0 ms) was still connecting');
    },
  );
});
