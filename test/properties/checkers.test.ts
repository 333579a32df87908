import { describe, expect, it } from 'vitest';
import {
  checkAll,
  connectSeries,
  defaultBoundLimits,
  healedFor,
  checkProperty,
} from '../../properties/judging/checkers.js';
import type { History, RetryRequestRecord } from '../../sim/history.js';
import {
  attempt,
  baseHistory,
  endedSocket,
  makeVisible,
  refusedAttempt,
  request,
  socket,
} from './historyBuilder.js';

describe('checkers on a correct history', () => {
  it('flag nothing when every reply is visible once, in order, on a live socket', () => {
    // Arrange
    const h = baseHistory();
    h.requests.push(
      request('r1'),
      request('r2', { eventIndex: 2, requestedAt: 150, calledAt: 150, callSeq: 2 }),
    );
    h.attempts.push(attempt(1, 'r1'), attempt(2, 'r2', { at: 150 }));
    makeVisible(h, 'r1', 150);
    makeVisible(h, 'r2', 160);
    // Act / Assert
    expect(checkAll(h)).toEqual([]);
  });
});

describe('exactly-once', () => {
  it('flags a reply visible twice under two ids', () => {
    const h = baseHistory();
    h.requests.push(request('r1'));
    makeVisible(h, 'r1', 150, 'A');
    makeVisible(h, 'r1', 900, 'B', 2);
    expect(checkProperty('exactly-once', h)).toEqual([
      {
        property: 'exactly-once',
        key: 'r1',
        generation: 2,
        at: 900,
        message: 'r1 is visible 2 times (ids A, B)',
      },
    ]);
  });

  it('flags a reply reported ok that never became visible', () => {
    const h = baseHistory();
    h.requests.push(request('r1'));
    expect(checkProperty('exactly-once', h)).toMatchObject([
      { key: 'r1', message: 'r1 was reported sent but never became visible' },
    ]);
  });

  it('accepts an ambiguous (info) reply that is visible once or not at all', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'info' }), request('r2', { outcome: 'info' }));
    makeVisible(h, 'r1', 150);
    expect(checkProperty('exactly-once', h)).toEqual([]);
  });

  it('ignores composing requests, which show nothing', () => {
    const h = baseHistory();
    h.requests.push(request('k', { kind: 'composing' }));
    expect(checkProperty('exactly-once', h)).toEqual([]);
  });

  /** A 200 s run, stopped at 199_000. */
  const longRun = () => {
    const h = baseHistory();
    h.endedAt = 200_000;
    h.stop = { ...h.stop, requestedAt: 199_000, completedAt: 199_000 };
    return h;
  };

  /**
   * Socket 1 went silent at 50; the keep-alive noticed at 60_060 and its close came ws's 30 s
   * later.
   */
  const silentSocket1 = () =>
    socket({
      generation: 1,
      openedAt: 10,
      silentAt: 50,
      state: 'closed',
      cause: 'silent',
      diedAt: 60_060,
      closeEmittedAt: 90_060,
      closeError: { name: 'Error', message: 'Connection was lost', statusCode: 408 },
    });

  it('flags a reply written into a silent link when a newer socket opened to resend it on', () => {
    // Arrange
    const h = longRun();
    h.sockets = [silentSocket1(), socket({ generation: 2, createdAt: 92_000, openedAt: 92_060 })];
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
    // Act / Assert
    expect(checkProperty('exactly-once', h)).toMatchObject([
      { key: 'r1', message: 'r1 was reported sent but never became visible' },
    ]);
  });

  it(
    'excuses a reply lost in a silent link when no socket ever opened again (nothing to ' +
      'resend on)',
    () => {
      // Arrange: the reconnect hung until ws's handshake timeout and the run ended.
      const h = longRun();
      h.sockets = [
        silentSocket1(),
        socket({
          generation: 2,
          createdAt: 92_000,
          state: 'closed',
          cause: 'hang',
          diedAt: 112_000,
          closeEmittedAt: 112_000,
        }),
      ];
      h.requests.push(request('r1'));
      h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
      // Act / Assert
      expect(checkProperty('exactly-once', h)).toEqual([]);
    },
  );

  it(
    'excuses a loss the path never heard of: its socket had not emitted close when the run ' +
      'ended',
    () => {
      const h = longRun();
      h.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          silentAt: 50,
          state: 'closing',
          cause: 'silent',
          diedAt: 60_060,
        }),
      ];
      h.requests.push(request('r1'));
      h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
      expect(checkProperty('exactly-once', h)).toEqual([]);
    },
  );

  it(
    'excuses a lost reply when the session ended from outside right after the reconnect, ' +
      'not when the path replaced its own socket',
    () => {
      // Arrange: socket 2 opened, then the device was removed (401) before the resend could go
      // out...
      const loggedOut = longRun();
      loggedOut.sockets = [
        silentSocket1(),
        socket({
          generation: 2,
          createdAt: 92_000,
          openedAt: 92_060,
          state: 'closed',
          cause: 'drop',
          dropReason: 'loggedOut',
          diedAt: 92_100,
          closeEmittedAt: 92_100,
          closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 401 },
        }),
      ];
      loggedOut.requests.push(request('r1'));
      loggedOut.attempts.push(attempt(1, 'r1', { reachedServer: false }));
      // ...or socket 2 got a 440 because the path itself opened socket 3, which lived on.
      const replaced = structuredClone(loggedOut);
      replaced.sockets[1] = socket({
        generation: 2,
        createdAt: 92_000,
        openedAt: 92_060,
        state: 'closed',
        cause: 'replaced',
        dropReason: 'conflict',
        diedAt: 92_300,
        closeEmittedAt: 92_300,
        closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 },
      });
      replaced.sockets.push(socket({ generation: 3, createdAt: 92_200, openedAt: 92_300 }));
      // Act / Assert
      expect(checkProperty('exactly-once', loggedOut)).toEqual([]);
      expect(checkProperty('exactly-once', replaced)).toMatchObject([
        { key: 'r1', message: 'r1 was reported sent but never became visible' },
      ]);
    },
  );

  it('ignores attempts that were never written: they reached nobody', () => {
    // Arrange: attempt 1 was rejected before its write (515 restart); attempt 2 resolved on socket
    // 2, whose link went silent; then another session took over (440 from outside): the session is
    // over.
    const h = baseHistory();
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'drop',
        dropReason: 'restartRequired',
        diedAt: 62,
        closeEmittedAt: 63,
        closeError: {
          name: 'Error',
          message: 'Stream Errored (restart required)',
          statusCode: 515,
        },
      }),
      socket({
        generation: 2,
        createdAt: 64,
        openedAt: 124,
        silentAt: 125,
        state: 'closed',
        cause: 'drop',
        dropReason: 'conflict',
        diedAt: 135,
        closeEmittedAt: 433,
        closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 },
      }),
      socket({ generation: 3, createdAt: 500, openedAt: 560 }),
    ];
    h.requests.push(request('r1'));
    h.attempts.push(
      refusedAttempt(1, 'r1', { at: 61, settledAt: 63 }),
      attempt(2, 'r1', { at: 124, generation: 2, settledAt: 134, reachedServer: false }),
    );
    const onOpenSocket = structuredClone(h);
    onOpenSocket.sockets[1] = socket({
      generation: 2,
      createdAt: 64,
      openedAt: 124,
      state: 'closed',
      cause: 'drop',
      dropReason: 'connectionLost',
      diedAt: 135,
      closeEmittedAt: 433,
      closeError: { name: 'Error', message: 'Connection was lost', statusCode: 408 },
    });
    // Act / Assert
    expect(checkProperty('exactly-once', h)).toEqual([]);
    expect(checkProperty('exactly-once', onOpenSocket)).toMatchObject([
      { key: 'r1', message: 'r1 was reported sent but never became visible' },
    ]);
  });

  it(
    'excuses a frame lost before a drop was heard when nothing opened again, and flags it ' +
      'when a newer socket did',
    () => {
      // Arrange: written in the latency window before a reset; the path heard the close at 300.
      const h = baseHistory();
      h.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          dropReason: 'connectionClosed',
          diedAt: 150,
          closeEmittedAt: 300,
        }),
      ];
      h.requests.push(request('r1'));
      h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
      const reopened = structuredClone(h);
      reopened.sockets.push(socket({ generation: 2, createdAt: 2300, openedAt: 2360 }));
      // Act / Assert
      expect(checkProperty('exactly-once', h)).toEqual([]);
      expect(checkProperty('exactly-once', reopened)).toHaveLength(1);
    },
  );

  it(
    'excuses a loss stop() cut short: stopped before a newer socket opened, or while the ' +
      'resend was in flight',
    () => {
      // Arrange: written in the latency window before a reset heard at 300; socket 2 opened at 2300
      // and the resend began at 2300; stop() was called at 2301, the resend still in its queries.
      // r2, lost the same way, waited behind r1's resend in the chat.
      const h = baseHistory();
      h.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          dropReason: 'connectionClosed',
          diedAt: 150,
          closeEmittedAt: 300,
        }),
        endedSocket({ generation: 2, createdAt: 2200, openedAt: 2300, endAt: 2301 }),
      ];
      h.stop = { ...h.stop, reason: 'event', requestedAt: 2301, completedAt: 2321 };
      h.requests.push(request('r1'), request('r2', { callSeq: 2 }));
      h.attempts.push(
        attempt(1, 'r1', { reachedServer: false }),
        attempt(2, 'r2', { reachedServer: false }),
        attempt(3, 'r1', {
          at: 2300,
          generation: 2,
          result: 'pending',
          settledAt: undefined,
          written: false,
          writtenAt: undefined,
          reachedServer: false,
        }),
      );
      const stoppedBeforeReopen = structuredClone(h);
      stoppedBeforeReopen.stop.requestedAt = 2299;
      stoppedBeforeReopen.attempts.pop();
      const neverResent = structuredClone(stoppedBeforeReopen);
      neverResent.stop.requestedAt = 9000;
      // Act / Assert
      expect(checkProperty('exactly-once', h)).toEqual([]);
      expect(checkProperty('exactly-once', stoppedBeforeReopen)).toEqual([]);
      expect(checkProperty('exactly-once', neverResent).map((v) => v.key)).toEqual(['r1', 'r2']);
    },
  );

  it(
    "excuses a loss the path's own process exit cut short, as a stop, and not one it had a " +
      'chance to repair',
    () => {
      // Arrange: written in the latency window before a reset heard at 300; socket 2 opened at 2300
      // and the resend began there; the path exited its process at 2301, the resend in its queries.
      const h = baseHistory();
      h.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          dropReason: 'connectionClosed',
          diedAt: 150,
          closeEmittedAt: 300,
        }),
        socket({ generation: 2, createdAt: 2200, openedAt: 2300 }),
      ];
      h.exited = { at: 2301, how: 'exit', code: 2 };
      h.requests.push(request('r1'));
      h.attempts.push(
        attempt(1, 'r1', { reachedServer: false }),
        attempt(2, 'r1', {
          at: 2300,
          generation: 2,
          result: 'pending',
          settledAt: undefined,
          written: false,
          writtenAt: undefined,
          reachedServer: false,
        }),
      );
      const neverResent = structuredClone(h);
      neverResent.attempts.pop();
      neverResent.exited = { at: 9000, how: 'exit', code: 2 };
      // Act / Assert
      expect(checkProperty('exactly-once', h)).toEqual([]);
      expect(checkProperty('exactly-once', neverResent).map((v) => v.key)).toEqual(['r1']);
    },
  );

  it('excuses a loss a hung upload held up only until a path gives that upload up', () => {
    // Arrange: r1 was lost before a reset heard at 300; on socket 2, opened at 2300, a media
    // resend in its chat began at 2300 and its upload was never answered; stop() came at 9000.
    const h = baseHistory();
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'drop',
        dropReason: 'connectionClosed',
        diedAt: 150,
        closeEmittedAt: 300,
      }),
      socket({ generation: 2, createdAt: 2200, openedAt: 2300 }),
    ];
    h.stop = { ...h.stop, reason: 'event', requestedAt: 9000, completedAt: 9020 };
    h.requests.push(request('r1'), request('d0', { kind: 'sendMedia', callSeq: 0 }));
    h.attempts.push(
      attempt(1, 'r1', { reachedServer: false }),
      attempt(2, 'd0', {
        at: 2300,
        generation: 2,
        result: 'pending',
        settledAt: undefined,
        written: false,
        writtenAt: undefined,
        reachedServer: false,
        uploadUnanswered: true,
      }),
    );
    makeVisible(h, 'd0', 5);
    const heldPastItsDeadline = structuredClone(h);
    heldPastItsDeadline.stop = {
      ...h.stop,
      requestedAt: 2300 + 120_001,
      completedAt: 2300 + 120_021,
    };
    // The path gave the upload up at its deadline and ended socket 2; stop() came before its close.
    const endedThenStopped = structuredClone(heldPastItsDeadline);
    endedThenStopped.sockets[1]!.endCalledAt = 2300 + 120_000;
    endedThenStopped.endedAt = 2300 + 120_700;
    endedThenStopped.stop = { ...h.stop, requestedAt: 2300 + 120_700, completedAt: 2300 + 120_700 };
    // Act / Assert
    expect(checkProperty('exactly-once', h)).toEqual([]);
    expect(checkProperty('exactly-once', heldPastItsDeadline).map((v) => v.key)).toEqual(['r1']);
    expect(checkProperty('exactly-once', endedThenStopped)).toEqual([]);
  });

  it('excuses a lost media reply whose resend the server refused', () => {
    // Arrange: the media frame was lost before a reset heard at 300; on socket 2 its resend met a
    // media_conn never answered (rc14's TypeError, cached for the socket's life).
    const h = baseHistory();
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'drop',
        dropReason: 'connectionClosed',
        diedAt: 150,
        closeEmittedAt: 300,
      }),
      endedSocket({ generation: 2, createdAt: 2200, openedAt: 2300, endAt: 9000 }),
    ];
    h.requests.push(request('r1', { kind: 'sendMedia' }));
    h.attempts.push(
      attempt(1, 'r1', { reachedServer: false }),
      refusedAttempt(2, 'r1', {
        at: 2300,
        generation: 2,
        settledAt: 8300,
        queryTimeouts: 1,
        error: {
          name: 'TypeError',
          message: "Cannot read properties of undefined (reading 'attrs')",
        },
      }),
    );
    const asText = structuredClone(h);
    asText.requests[0]!.kind = 'reply';
    // Act / Assert
    expect(checkProperty('exactly-once', h)).toEqual([]);
    expect(checkProperty('exactly-once', asText)).toHaveLength(1);
  });

  it('excuses a reply the server nacked, which the recipient never sees', () => {
    const h = baseHistory();
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1', { nacked: true }));
    expect(checkProperty('exactly-once', h)).toEqual([]);
  });

  it(
    'excuses a lost reply when the server refused its chat (403, 429) on the last send ' +
      'there since the loss, not when a later one went out',
    () => {
      // Arrange: r1 written into a dead link on socket 1; on socket 2 its resend is refused, and
      // (second case) a later reply of its chat is written after that.
      const arrange = (data: number, laterWrite: boolean) => {
        const h = baseHistory();
        h.sockets = [
          socket({
            generation: 1,
            openedAt: 10,
            state: 'closed',
            cause: 'silent',
            diedAt: 200,
            closeEmittedAt: 500,
          }),
          socket({ generation: 2, openedAt: 600 }),
        ];
        h.requests.push(request('r1'));
        const error = { name: 'Error', message: 'refused', statusCode: 500, data };
        h.attempts.push(
          attempt(1, 'r1', { reachedServer: false }),
          refusedAttempt(2, 'r1', { at: 600, generation: 2, error }),
        );
        if (laterWrite) h.attempts.push(attempt(3, 'r2', { at: 5000, generation: 2 }));
        return h;
      };
      // Act / Assert
      expect(checkProperty('exactly-once', arrange(403, false))).toEqual([]);
      expect(checkProperty('exactly-once', arrange(429, false))).toEqual([]);
      expect(checkProperty('exactly-once', arrange(403, true))).toEqual([]);
      expect(checkProperty('exactly-once', arrange(429, true))).toHaveLength(1);
      expect(checkProperty('exactly-once', arrange(500, false))).toHaveLength(1);
    },
  );

  it(
    'excuses a reply its recipient could not decrypt only while its retry receipt was ' +
      'never answered, or rc14 would not resend',
    () => {
      // Arrange: r1's frame reached the recipient undecryptable; a retry receipt asked for it.
      const arrange = (answer: RetryRequestRecord['answer']) => {
        const h = baseHistory();
        h.requests.push(request('r1'));
        h.attempts.push(attempt(1, 'r1', { undecryptable: true }));
        const retry: RetryRequestRecord = {
          messageId: h.attempts[0]!.messageId!,
          chat: 'c1',
          chatJid: h.attempts[0]!.chatJid,
          at: 900,
          deliveries: [],
        };
        h.server.retryRequests = [
          answer === undefined
            ? retry
            : { ...retry, deliveries: [{ at: 900, generation: 2 }], answer },
        ];
        return h;
      };
      // Act / Assert
      expect(checkProperty('exactly-once', arrange(undefined))).toEqual([]);
      expect(
        checkProperty('exactly-once', arrange({ at: 950, generation: 2, outcome: 'overLimit' })),
      ).toEqual([]);
      expect(
        checkProperty('exactly-once', arrange({ at: 950, generation: 2, outcome: 'unavailable' })),
      ).toEqual([
        {
          property: 'exactly-once',
          key: 'r1',
          at: 200,
          message:
            'r1 was reported sent but never became visible: its recipient could not decrypt it ' +
            "and asked for it again, and socket 2 had no copy to resend (rc14's cache is per " +
            'socket; pass getMessage)',
        },
      ]);
    },
  );

  it('flags a reply reported sent with no written frame at all', () => {
    const h = baseHistory();
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'drop',
        diedAt: 90,
        closeEmittedAt: 300,
      }),
    ];
    h.requests.push(request('r1'));
    h.attempts.push(refusedAttempt(1, 'r1', { socketState: 'closing' }));
    expect(checkProperty('exactly-once', h)).toMatchObject([
      { key: 'r1', message: 'r1 was reported sent but never became visible' },
    ]);
  });
});

describe('live-socket', () => {
  it('flags an attempt made after its socket emitted close', () => {
    const h = baseHistory();
    h.attempts.push(
      attempt(3, 'r1', { generation: 1, at: 700, closeEmittedBefore: true, socketState: 'closed' }),
    );
    expect(checkProperty('live-socket', h)).toEqual([
      {
        property: 'live-socket',
        key: 'r1',
        generation: 1,
        at: 700,
        message: 'message attempt #3 for r1 on socket 1 after its close was emitted',
      },
    ]);
  });

  it('accepts a 428 while the socket was closing, before the close notice', () => {
    const h = baseHistory();
    h.attempts.push(refusedAttempt(1, 'r1', { socketState: 'closing', closeEmittedBefore: false }));
    expect(checkProperty('live-socket', h)).toEqual([]);
  });
});

describe('liveness', () => {
  /** A run that ends, and is stopped, long after its requests: stop() excuses nothing here. */
  const stoppedLate = () => {
    const h = baseHistory();
    h.endedAt = 300_000;
    h.stop = { ...h.stop, requestedAt: 300_000, completedAt: 300_000 };
    return h;
  };

  it('flags a reply that never settled', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'pending', settledAt: undefined }));
    expect(checkProperty('liveness', h)).toMatchObject([
      { property: 'liveness', key: 'r1', message: 'r1 never settled (called at 100 ms)' },
    ]);
  });

  it('flags a reply given up early with no deadline, terminal close or stop', () => {
    const h = baseHistory();
    h.stop.requestedAt = 9000;
    h.requests.push(
      request('r1', {
        outcome: 'fail',
        settledAt: 300,
        error: { name: 'Error', message: 'no active WhatsApp connection' },
      }),
    );
    expect(checkProperty('liveness', h)).toMatchObject([{ key: 'r1', at: 300 }]);
    expect(checkProperty('liveness', h)[0]!.message).toContain('gave up after 200 ms');
  });

  it('says in words why a reply gave up, with the number kept', () => {
    // Arrange: a send rejected with the bare close code rc14 gives a send in its pre-write queries.
    const h = baseHistory();
    h.stop.requestedAt = 9000;
    h.requests.push(
      request('r1', {
        outcome: 'fail',
        settledAt: 100,
        error: { name: 'number', message: '1006' },
      }),
    );
    // Act
    const violations = checkProperty('liveness', h);
    // Assert
    expect(violations[0]!.message).toContain(
      'r1 gave up after 0 ms: the connection dropped mid-send (close code 1006)',
    );
  });

  it.each([
    [
      'its deadline passed',
      (h: ReturnType<typeof baseHistory>) =>
        h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + 120_000 })),
    ],
    [
      'another session took over first (440 from outside)',
      (h: ReturnType<typeof baseHistory>) => {
        h.sockets[0] = socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          dropReason: 'conflict',
          diedAt: 250,
          closeEmittedAt: 250,
          closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 },
        });
        h.requests.push(request('r1', { outcome: 'fail', settledAt: 300 }));
      },
    ],
    [
      'every login failed with 401 after a logout',
      (h: ReturnType<typeof baseHistory>) => {
        h.server.session.loggedOutAt = 150;
        h.sockets[0] = socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          dropReason: 'loggedOut',
          diedAt: 150,
          closeEmittedAt: 150,
          closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 401 },
        });
        h.sockets.push(
          socket({
            generation: 2,
            createdAt: 2150,
            state: 'closed',
            cause: 'loginFailure',
            diedAt: 2250,
            closeEmittedAt: 2250,
            closeError: { name: 'Error', message: 'Connection Failure', statusCode: 401 },
          }),
        );
        h.requests.push(request('r1', { outcome: 'fail', calledAt: 2000, settledAt: 2300 }));
      },
    ],
    [
      'stop was requested first',
      (h: ReturnType<typeof baseHistory>) => {
        h.stop.reason = 'event';
        h.stop.requestedAt = 250;
        h.requests.push(request('r1', { outcome: 'fail', settledAt: 300 }));
      },
    ],
    [
      'every reconnect allowed was refused',
      (h: ReturnType<typeof baseHistory>) => {
        h.config.reconnect.maxAttempts = 1;
        h.sockets[0] = socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          closeEmittedAt: 200,
          closeError: { name: 'Error', message: 'Connection was lost', statusCode: 408 },
        });
        h.sockets.push(
          socket({
            generation: 2,
            createdAt: 2200,
            refused: true,
            cause: 'refused',
            closeEmittedAt: 2300,
            state: 'closed',
          }),
        );
        h.requests.push(request('r1', { outcome: 'fail', settledAt: 2300 }));
      },
    ],
  ])('accepts a failure when %s', (_why, arrange) => {
    const h = baseHistory();
    h.stop.requestedAt = 9000;
    arrange(h);
    expect(checkProperty('liveness', h)).toEqual([]);
  });

  it('flags a reply given up at a 440 the path provoked by opening a second socket', () => {
    // Arrange: socket 2 opened while socket 1 was open; WhatsApp replaced socket 1 (440).
    const h = baseHistory();
    h.stop.requestedAt = 9000;
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'replaced',
        dropReason: 'conflict',
        diedAt: 260,
        closeEmittedAt: 260,
        closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 },
      }),
      socket({ generation: 2, createdAt: 200, openedAt: 260 }),
    ];
    h.requests.push(
      request('r1', {
        outcome: 'fail',
        settledAt: 300,
        error: { name: 'TerminalConnectionError', message: 'replaced' },
      }),
    );
    // Act / Assert
    expect(checkProperty('liveness', h)).toMatchObject([
      { key: 'r1', message: expect.stringContaining('with no deadline, terminal close or stop') },
    ]);
  });

  it('flags a reply that settled far past its deadline plus the longest attempt', () => {
    const h = baseHistory();
    h.attempts.push(attempt(1, 'r1', { at: 100, settledAt: 1100 }));
    h.requests.push(request('r1', { outcome: 'info', settledAt: 100 + 120_000 + 1000 + 1 }));
    expect(checkProperty('liveness', h)).toMatchObject([
      { message: 'r1 settled after 121001 ms, beyond 121000 ms' },
    ]);
  });

  it('flags a reply that waited out its deadline although the network healed in time', () => {
    // Arrange: heal at 1000; the reply's deadline runs to 120_100, far past 1000 + 37_500 + 30_000.
    const h = stoppedLate();
    h.networkEvents.push({ at: 500, do: 'drop' }, { at: 1000, do: 'heal' });
    h.requests.push(
      request('r1', {
        outcome: 'fail',
        settledAt: 100 + 120_000,
        error: { name: 'ReplyDeadlineError', message: 'late' },
      }),
    );
    // Act
    const violations = checkProperty('liveness', h);
    // Assert
    expect(violations).toMatchObject([{ key: 'r1', property: 'liveness' }]);
    expect(violations[0]!.message).toContain('healed at 1000 ms');
  });

  it.each([
    ['the deadline ended before a correct path could reconnect', 10_000, undefined],
    ['a fault came after the heal', 120_000, { at: 2000, do: 'drop' as const }],
  ])('accepts a deadline failure when %s', (_why, deadlineMs, laterFault) => {
    const h = baseHistory();
    h.config.replyDeadlineMs = deadlineMs;
    h.networkEvents.push({ at: 1000, do: 'heal' });
    if (laterFault) h.networkEvents.push(laterFault);
    h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + deadlineMs }));
    expect(checkProperty('liveness', h)).toEqual([]);
  });

  it(
    "allows a hanging connect twice the path's own connect timeout, as its sockets " +
      'recorded it',
    () => {
      // Arrange: heal at 1000; the deadline runs to 100_100. A correct path with Baileys' default
      // 20 s connect timeout gives up on a hanging connect within 40 s and delivers by 1000 +
      // 37_500 + 40_000 + 10_000 = 88_500; one configured with 60 s may still be waiting on a
      // connect that began before the heal until 168_500.
      const arrange = (connectTimeoutMs: number) => {
        const h = stoppedLate();
        h.config.replyDeadlineMs = 100_000;
        h.sockets[0] = socket({
          generation: 1,
          openedAt: 10,
          timings: { keepAliveIntervalMs: 30_000, connectTimeoutMs, defaultQueryTimeoutMs: 60_000 },
        });
        h.networkEvents.push({ at: 500, do: 'drop' }, { at: 1000, do: 'heal' });
        h.requests.push(
          request('r1', {
            outcome: 'fail',
            settledAt: 100 + 100_000,
            error: { name: 'ReplyDeadlineError', message: 'late' },
          }),
        );
        return h;
      };
      const defaults = arrange(20_000);
      const patient = arrange(60_000);
      // Act / Assert
      expect(checkProperty('liveness', defaults)).toMatchObject([
        { key: 'r1', message: expect.stringContaining('a correct path delivers by 88500 ms') },
      ]);
      expect(checkProperty('liveness', patient)).toEqual([]);
      expect(healedFor(patient)!.by - healedFor(defaults)!.by).toBe(2 * (60_000 - 20_000));
    },
  );

  it('counts from the close of a silent socket, not from the heal', () => {
    const h = baseHistory();
    h.networkEvents.push({ at: 100, do: 'silent' }, { at: 1000, do: 'heal' });
    h.sockets[0] = socket({
      generation: 1,
      openedAt: 10,
      silentAt: 100,
      state: 'closed',
      cause: 'silent',
      diedAt: 65_100,
      closeEmittedAt: 95_100,
    });
    h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + 120_000 }));
    // 95_100 + 37_500 + 40_000 + 10_000 = 182_600 > 120_100: a correct path may not have made it.
    expect(healedFor(h)).toEqual({ at: 1000, by: 182_600 });
    expect(checkProperty('liveness', h)).toEqual([]);
  });

  it(
    "bounds a silent socket's close the run never saw by the socket's own keep-alive " +
      "timings and ws's close timeout",
    () => {
      // Arrange: silent at 100, close never emitted. With a 30 s keep-alive it comes by
      // 100 + 65_000 + 30_000; with a 1 s keep-alive by 100 + 7000 + 30_000. Then backoff (37_500),
      // a hanging connect given up (40_000) and 10 s.
      const arrange = (keepAliveIntervalMs: number) => {
        const h = stoppedLate();
        h.networkEvents.push({ at: 100, do: 'silent' }, { at: 1000, do: 'heal' });
        h.sockets[0] = socket({
          generation: 1,
          openedAt: 10,
          silentAt: 100,
          state: 'closing',
          cause: 'silent',
          diedAt: 7000,
          timings: { keepAliveIntervalMs, connectTimeoutMs: 20_000, defaultQueryTimeoutMs: 60_000 },
        });
        h.config.replyDeadlineMs = 150_000;
        h.requests.push(
          request('r1', {
            outcome: 'fail',
            settledAt: 100 + 150_000,
            error: { name: 'ReplyDeadlineError', message: 'late' },
          }),
        );
        return h;
      };
      const slow = arrange(30_000);
      const fast = arrange(1000);
      // Act / Assert
      expect(healedFor(slow)!.by).toBe(95_100 + 37_500 + 40_000 + 10_000);
      expect(checkProperty('liveness', slow)).toEqual([]);
      expect(healedFor(fast)!.by).toBe(37_100 + 37_500 + 40_000 + 10_000);
      expect(checkProperty('liveness', fast)).toMatchObject([
        { key: 'r1', message: expect.stringContaining('a correct path delivers by 124600 ms') },
      ]);
    },
  );

  it('counts from the end of a send a fault held past the heal: its chat waits behind it', () => {
    // Arrange: r1's pre-write queries went out during a stall and waited 60 s each past the heal
    // at 1000; r2, behind it in the chat, ran out of its deadline meanwhile.
    const h = baseHistory();
    h.endedAt = 200_000;
    h.networkEvents.push({ at: 50, do: 'stallQueries' }, { at: 1000, do: 'heal' });
    h.attempts.push(
      attempt(1, 'r1', { at: 100, queryTimeouts: 2, writtenAt: 120_100, settledAt: 120_100 }),
    );
    h.requests.push(
      request('r1', { settledAt: 120_100 }),
      request('r2', {
        callSeq: 2,
        outcome: 'fail',
        settledAt: 100 + 120_000,
        error: { name: 'ReplyDeadlineError', message: 'late' },
      }),
    );
    makeVisible(h, 'r1', 120_110);
    // Act / Assert
    expect(healedFor(h)).toEqual({ at: 1000, by: 120_100 + 37_500 + 40_000 + 10_000 });
    expect(checkProperty('liveness', h)).toEqual([]);
  });

  it(
    'counts an upload its media host never answered until a deadline after it began, when ' +
      'a path has given it up',
    () => {
      // Arrange: d1's upload went out at 100 and was never answered (rc14 never settles it); the
      // heal came at 1000. A path gives d1 up by 120_100: r2, asked at 150_000, is still owed.
      const h = baseHistory();
      h.endedAt = 400_000;
      h.networkEvents.push({ at: 50, do: 'mediaFails' }, { at: 1000, do: 'heal' });
      h.attempts.push(
        attempt(1, 'd1', {
          at: 100,
          result: 'pending',
          settledAt: undefined,
          written: false,
          writtenAt: undefined,
          reachedServer: false,
          uploadUnanswered: true,
        }),
      );
      const late = {
        outcome: 'fail' as const,
        settledAt: 150_000 + 120_000,
        error: { name: 'ReplyDeadlineError', message: 'late' },
      };
      h.requests.push(
        request('d1', { kind: 'sendMedia', outcome: 'info', settledAt: 120_100 }),
        request('r2', { callSeq: 2, calledAt: 150_000, requestedAt: 150_000, ...late }),
      );
      // Act / Assert
      expect(healedFor(h)).toEqual({ at: 1000, by: 120_100 + 37_500 + 40_000 + 10_000 });
      expect(checkProperty('liveness', h)).toMatchObject([
        { key: 'r2', message: expect.stringContaining('healed at 1000 ms') },
      ]);
    },
  );

  it('adds no wait for a silent link that came back before the keep-alive gave up on it', () => {
    const h = baseHistory();
    h.networkEvents.push({ at: 100, do: 'silent' }, { at: 1000, do: 'heal' });
    h.sockets[0] = socket({ generation: 1, openedAt: 10, silentAt: 100, resumedAt: 1000 });
    expect(healedFor(h)).toEqual({ at: 1000, by: 1000 + 37_500 + 40_000 + 10_000 });
  });

  it(
    'accepts a media request the server refused before any write, but not a text reply ' +
      'failing the same way',
    () => {
      // Arrange: every upload host failed (Boom 500) on the last attempt; no frame was written.
      const arrange = (kind: 'sendMedia' | 'reply') => {
        const h = baseHistory();
        h.requests.push(
          request('r1', {
            kind,
            outcome: 'fail',
            settledAt: 300,
            error: { name: 'Error', message: 'Media upload failed on all hosts' },
          }),
        );
        h.attempts.push(
          refusedAttempt(1, 'r1', {
            settledAt: 300,
            error: { name: 'Error', message: 'Media upload failed on all hosts', statusCode: 500 },
          }),
        );
        return h;
      };
      // Act / Assert
      expect(checkProperty('liveness', arrange('sendMedia'))).toEqual([]);
      expect(checkProperty('liveness', arrange('reply'))).toMatchObject([
        { key: 'r1', message: expect.stringContaining('gave up after 200 ms') },
      ]);
    },
  );

  it(
    'accepts giving up on a chat whose last attempt the server refused (403 not in the ' +
      'group, 429 rate-overlimit), not on other pre-write 500s',
    () => {
      // Arrange: the last attempt was rejected before any write with rc14's Boom 500, code in data.
      const arrange = (data: number | undefined) => {
        const h = baseHistory();
        const error = {
          name: 'Error',
          message: 'refused',
          statusCode: 500,
          ...(data === undefined ? {} : { data }),
        };
        h.requests.push(request('r1', { outcome: 'fail', settledAt: 300, error }));
        h.attempts.push(refusedAttempt(1, 'r1', { settledAt: 300, error }));
        return h;
      };
      // Act / Assert
      expect(checkProperty('liveness', arrange(403))).toEqual([]);
      expect(checkProperty('liveness', arrange(429))).toEqual([]);
      expect(checkProperty('liveness', arrange(undefined))).toMatchObject([
        { key: 'r1', message: expect.stringContaining('gave up after 200 ms') },
      ]);
    },
  );

  it('does not excuse a connect left connecting forever after an HTTP 503 on the upgrade', () => {
    // Arrange: socket 1 dropped; the reconnect's upgrade was answered 503, so rc14 leaves it
    // connecting with no close. A correct path gives up on it (its own connect watchdog).
    const h = stoppedLate();
    h.networkEvents.push({ at: 500, do: 'drop' }, { at: 1000, do: 'heal' });
    h.sockets = [
      socket({
        generation: 1,
        openedAt: 10,
        state: 'closed',
        cause: 'drop',
        diedAt: 500,
        closeEmittedAt: 600,
      }),
      socket({ generation: 2, createdAt: 900, state: 'connecting', cause: 'upgradeRejected' }),
    ];
    h.requests.push(
      request('r1', {
        outcome: 'fail',
        settledAt: 100 + 120_000,
        error: { name: 'ReplyDeadlineError', message: 'late' },
      }),
    );
    // Act / Assert
    expect(checkProperty('liveness', h)).toMatchObject([
      { key: 'r1', message: expect.stringContaining('healed at 1000 ms') },
    ]);
  });

  it('ignores a request whose inbound never reached the bot', () => {
    const h = baseHistory();
    h.requests.push(
      request('r1', { outcome: 'pending', calledAt: undefined, settledAt: undefined }),
    );
    expect(checkProperty('liveness', h)).toEqual([]);
  });
});

describe('order', () => {
  it('flags a later request becoming visible first', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { eventIndex: 1 }), request('r2', { eventIndex: 2, callSeq: 2 }));
    makeVisible(h, 'r2', 150);
    makeVisible(h, 'r1', 160);
    expect(checkProperty('order', h)).toEqual([
      {
        property: 'order',
        key: 'r1',
        generation: 1,
        at: 160,
        message: 'in chat c1, r1 became visible after r2, which was requested later',
      },
    ]);
  });

  it('judges by the order the path was called in, not by timeline order', () => {
    // Two inbound messages arrive late together; the bot asks r3 (for m1) before r2 (for m2).
    const h = baseHistory();
    h.requests.push(
      request('r2', { eventIndex: 2, callSeq: 2 }),
      request('r3', { eventIndex: 3, callSeq: 1 }),
    );
    makeVisible(h, 'r3', 150);
    makeVisible(h, 'r2', 160);
    expect(checkProperty('order', h)).toEqual([]);
  });

  it('accepts a nacked reply that a resend showed late', () => {
    // Arrange: r1's first copy was nacked; r2 showed; r1's resend (same id) showed after it.
    const h = baseHistory();
    h.requests.push(request('r1'), request('r2', { eventIndex: 2, callSeq: 2 }));
    h.attempts.push(
      attempt(1, 'r1', { nacked: true }),
      attempt(2, 'r2'),
      attempt(3, 'r1', { at: 2000, generation: 2 }),
    );
    makeVisible(h, 'r2', 150);
    makeVisible(h, 'r1', 2010);
    const notNacked = structuredClone(h);
    delete notNacked.attempts[0]!.nacked;
    // Act / Assert
    expect(checkProperty('order', h)).toEqual([]);
    expect(checkProperty('order', notNacked)).toHaveLength(1);
  });

  it('accepts a reply its recipient could not decrypt that a resend showed late', () => {
    // Arrange: r1's first copy could not be decrypted; r2 showed; rc14's resend of r1 showed after
    // it.
    const h = baseHistory();
    h.requests.push(request('r1'), request('r2', { eventIndex: 2, callSeq: 2 }));
    h.attempts.push(attempt(1, 'r1', { undecryptable: true }), attempt(2, 'r2'));
    makeVisible(h, 'r2', 150);
    makeVisible(h, 'r1', 700);
    const decrypted = structuredClone(h);
    delete decrypted.attempts[0]!.undecryptable;
    // Act / Assert
    expect(checkProperty('order', h)).toEqual([]);
    expect(checkProperty('order', decrypted)).toHaveLength(1);
  });

  it('accepts a gap where an earlier reply failed and is not visible', () => {
    const h = baseHistory();
    h.requests.push(
      request('r1', { outcome: 'fail' }),
      request('r2', { eventIndex: 2, callSeq: 2 }),
      request('r3', { eventIndex: 3, callSeq: 3 }),
    );
    makeVisible(h, 'r2', 150);
    makeVisible(h, 'r3', 160);
    expect(checkProperty('order', h)).toEqual([]);
  });
});

describe('bounded', () => {
  it('flags too many attempts for one reply', () => {
    const h = baseHistory();
    for (let i = 1; i <= 11; i += 1) h.attempts.push(attempt(i, 'r1', { at: i * 10 }));
    expect(checkProperty('bounded', h)).toMatchObject([
      { key: 'r1', at: 110, message: 'r1 made 11 attempts (limit 10)' },
    ]);
  });

  it('counts sends refused with 429 apart from the other attempts, under their own limit', () => {
    // Arrange: 8 refusals and 9 other attempts pass; 13 refusals do not.
    const refused = (seq: number) =>
      refusedAttempt(seq, 'r1', {
        at: seq * 10,
        error: { name: 'Error', message: 'rate-overlimit', statusCode: 500, data: 429 },
      });
    const waited = baseHistory();
    for (let i = 1; i <= 8; i += 1) waited.attempts.push(refused(i));
    for (let i = 9; i <= 17; i += 1) waited.attempts.push(attempt(i, 'r1', { at: i * 10 }));
    const hammered = baseHistory();
    for (let i = 1; i <= 13; i += 1) hammered.attempts.push(refused(i));
    // Act
    const verdicts = [checkProperty('bounded', waited), checkProperty('bounded', hammered)];
    // Assert
    expect(verdicts[0]).toEqual([]);
    expect(verdicts[1]).toMatchObject([
      {
        key: 'r1',
        at: 130,
        message: expect.stringContaining('r1 made 13 attempts the server refused with 429'),
      },
    ]);
  });

  it('holds refusals with 429 to their own limit when it is the tighter one', () => {
    // Arrange: 3 refusals, within 10 attempts in all, over a limit of 2 refusals.
    const h = baseHistory();
    for (let i = 1; i <= 3; i += 1) {
      h.attempts.push(
        refusedAttempt(i, 'r1', {
          at: i * 10,
          error: { name: 'Error', message: 'rate-overlimit', statusCode: 500, data: 429 },
        }),
      );
    }
    const limits = { ...defaultBoundLimits, rateLimitedAttemptsPerReplyMax: 2 };
    // Act
    const violations = checkProperty('bounded', h, limits);
    // Assert
    expect(violations).toMatchObject([{ key: 'r1', at: 30 }]);
  });

  it('flags too many timers alive at once and a run cut by its loop limit', () => {
    const h = baseHistory();
    h.timers.path.aliveMax = 9;
    h.limit = {
      kind: 'LoopLimit',
      limit: 'timersFired',
      max: 200_000,
      at: 5000,
      timersFired: 200_000,
    };
    expect(checkProperty('bounded', h).map((v) => v.message)).toEqual([
      'LoopLimit: the run hit its timersFired limit (200000); the send path never goes quiet',
      'the send path held 9 timers at once (limit 8)',
    ]);
  });

  it('flags a reconnect storm but not a backed-off reconnect series', () => {
    const storm = baseHistory();
    storm.connects.at = Array.from({ length: 13 }, (_, i) => i * 1000);
    const backedOff = baseHistory();
    backedOff.connects.at = Array.from({ length: 13 }, (_, i) => i * 5000);
    expect(checkProperty('bounded', storm)).toMatchObject([{ at: 12_000 }]);
    expect(checkProperty('bounded', backedOff)).toEqual([]);
  });

  /** 13 connects a second apart; sockets 2, 5, 8 and 11 open at +100 ms and end as `cause` says. */
  function connectsWithLosses(cause: 'drop' | 'silent' | 'end' | 'replaced'): History {
    const h = baseHistory();
    h.connects.at = Array.from({ length: 13 }, (_, i) => i * 1000);
    h.sockets = h.connects.at.map((at, i) =>
      [1, 4, 7, 10].includes(i)
        ? socket({
            generation: i + 1,
            createdAt: at,
            openedAt: at + 100,
            diedAt: at + 500,
            closeEmittedAt: at + 600,
            cause,
            state: 'closed',
          })
        : socket({
            generation: i + 1,
            createdAt: at,
            diedAt: at + 50,
            closeEmittedAt: at + 50,
            cause: 'refused',
            refused: true,
            state: 'closed',
          }),
    );
    return h;
  }

  it('starts a new series when a working connection is lost to the network', () => {
    // Arrange: four working connections dropped (or found silent) among 13 connects in 12 s
    const dropped = connectsWithLosses('drop');
    const silenced = connectsWithLosses('silent');
    // Act / Assert
    expect(connectSeries(dropped)).toEqual([
      [0, 1000],
      [2000, 3000, 4000],
      [5000, 6000, 7000],
      [8000, 9000, 10_000],
      [11_000, 12_000],
    ]);
    expect(checkProperty('bounded', dropped)).toEqual([]);
    expect(checkProperty('bounded', silenced)).toEqual([]);
  });

  it('keeps one series across closes the path caused itself', () => {
    // Arrange: the same connects, but the path ended its own sockets or replaced them
    const ended = connectsWithLosses('end');
    const replaced = connectsWithLosses('replaced');
    // Act / Assert
    expect(connectSeries(ended)).toHaveLength(1);
    expect(checkProperty('bounded', ended)).toMatchObject([{ property: 'bounded', at: 12_000 }]);
    expect(checkProperty('bounded', replaced)).toMatchObject([{ property: 'bounded', at: 12_000 }]);
  });

  it('does not start a series before the path heard of the loss', () => {
    // Arrange: socket 1 opened and dropped at 500, but the close notice comes at 5000
    const h = baseHistory();
    h.connects.at = [0, 1000, 5000];
    h.sockets = [
      socket({
        generation: 1,
        createdAt: 0,
        openedAt: 10,
        diedAt: 500,
        closeEmittedAt: 5000,
        cause: 'drop',
        state: 'closed',
      }),
      socket({ generation: 2, createdAt: 1000 }),
      socket({ generation: 3, createdAt: 5000 }),
    ];
    // Act / Assert
    expect(connectSeries(h)).toEqual([[0, 1000], [5000]]);
  });
});

describe('bounded: listeners', () => {
  it(
    'flags more listeners of one event alive at once on a socket than the limit, naming ' +
      'the socket and the event',
    () => {
      // Arrange: a listener added per reply on socket 2 and never removed; socket 1 churned.
      const h = baseHistory();
      h.sockets = [
        socket({
          generation: 1,
          openedAt: 10,
          state: 'closed',
          cause: 'drop',
          closeEmittedAt: 400,
          listeners: { 'connection.update': { added: 500, removed: 499, aliveMax: 2 } },
        }),
        socket({
          generation: 2,
          createdAt: 500,
          openedAt: 560,
          listeners: {
            'connection.update': { added: 9, removed: 0, aliveMax: 9 },
            'messages.upsert': { added: 1, removed: 0, aliveMax: 1 },
          },
        }),
      ];
      // Act
      const violations = checkProperty('bounded', h);
      // Assert
      expect(violations).toEqual([
        {
          property: 'bounded',
          generation: 2,
          at: h.endedAt,
          message:
            "socket 2 held 9 'connection.update' listeners at once (9 added, 0 removed; limit 8)",
        },
      ]);
    },
  );

  it('accepts exactly the limit, and takes the limit from the caller', () => {
    const h = baseHistory();
    h.sockets[0] = socket({
      generation: 1,
      openedAt: 10,
      listeners: { 'connection.update': { added: 8, removed: 0, aliveMax: 8 } },
    });
    expect(checkProperty('bounded', h)).toEqual([]);
    expect(
      checkProperty('bounded', h, { ...defaultBoundLimits, listenersAliveMax: 7 }),
    ).toHaveLength(1);
  });
});

describe('clean', () => {
  it('flags timers, sends and requests left after stop, and unhandled rejections', () => {
    // Arrange: socket 1 was never ended, and a send on it is still pending.
    const h = baseHistory();
    h.sockets = [socket({ generation: 1, openedAt: 10 })];
    h.stop = { ...h.stop, pathTimersAlive: 2, pendingAttempts: 1, pendingRequests: 2 };
    h.attempts.push(
      attempt(1, 'r1', {
        result: 'pending',
        settledAt: undefined,
        written: false,
        writtenAt: undefined,
        reachedServer: false,
      }),
    );
    h.requests.push(request('r1', { outcome: 'pending', settledAt: undefined }));
    h.requests.push(
      request('r2', { outcome: 'pending', settledAt: undefined, calledAt: undefined }),
    );
    h.unhandledRejections.push({ at: 50, error: { name: 'Error', message: 'boom' } });
    h.thrown.push({
      at: 60,
      where: 'listener',
      error: { name: 'TypeError', message: 'x is undefined' },
    });
    // Act / Assert
    expect(checkProperty('clean', h).map((v) => v.message)).toEqual([
      '2 send-path timer(s) still pending after stop()',
      '1 send(s) still pending after stop() on sockets it neither ended nor lost',
      '1 request(s) never settled after stop()',
      'socket 1, made at 0 ms, was neither ended nor closed when stop() resolved (open ' +
        'when the run ended)',
      'unhandled rejection: Error: boom',
      'thrown in listener: TypeError: x is undefined',
    ]);
  });

  it(
    'excuses a send rc14 still holds on a socket the path ended or lost: nothing can ' +
      'cancel it',
    () => {
      // Arrange: stop() ended socket 1 at 9000 while a send was in its pre-write queries (rc14
      // holds it 60 s more); socket 2, found silent, was closing with a stuck write.
      const h = baseHistory();
      h.sockets.push(
        socket({
          generation: 2,
          createdAt: 100,
          openedAt: 160,
          state: 'closing',
          cause: 'silent',
          silentAt: 200,
          diedAt: 8000,
        }),
      );
      h.stop = { ...h.stop, pendingAttempts: 2 };
      h.attempts.push(
        attempt(1, 'r1', {
          at: 8990,
          result: 'pending',
          settledAt: undefined,
          written: false,
          writtenAt: undefined,
          reachedServer: false,
        }),
        attempt(2, 'r2', {
          at: 7000,
          generation: 2,
          result: 'pending',
          settledAt: undefined,
          reachedServer: false,
        }),
      );
      // Act / Assert
      expect(checkProperty('clean', h)).toEqual([]);
    },
  );

  it(
    'flags a socket neither ended nor closed when stop() resolved, but not one ended, lost ' +
      'or closed by then',
    () => {
      // Arrange: stop() resolved at 9000.
      const h = baseHistory();
      h.sockets = [
        endedSocket({ generation: 1, openedAt: 10, endAt: 9000 }),
        socket({
          generation: 2,
          createdAt: 100,
          openedAt: 160,
          state: 'closing',
          cause: 'silent',
          silentAt: 200,
          diedAt: 8000,
        }),
        socket({ generation: 3, createdAt: 200, state: 'connecting', cause: 'upgradeRejected' }),
        socket({
          generation: 4,
          createdAt: 300,
          openedAt: 360,
          endCalledAt: 9500,
          endCalls: 1,
          state: 'closed',
          cause: 'end',
          closeEmittedAt: 9500,
        }),
      ];
      // Act
      const violations = checkProperty('clean', h);
      // Assert
      expect(violations).toEqual([
        {
          property: 'clean',
          generation: 3,
          at: 9000,
          message:
            'socket 3, made at 200 ms, was neither ended nor closed when stop() resolved ' +
            '(connecting when the run ended)',
        },
        {
          property: 'clean',
          generation: 4,
          at: 9000,
          message:
            'socket 4, made at 300 ms, was neither ended nor closed when stop() resolved ' +
            '(closed when the run ended)',
        },
      ]);
    },
  );

  it('names each timer left pending after stop(): its delay, when and where it was made', () => {
    // Arrange: two timers pending at the end; the history knows where the first was made.
    const h = baseHistory();
    h.stop = { ...h.stop, pathTimersAlive: 3 };
    h.timers.path = {
      ...h.timers.path,
      aliveAtEnd: 3,
      pending: [
        { id: 4, createdAt: 1020, delayMs: 30_000 },
        { id: 7, createdAt: 2500, delayMs: 600_000, repeats: true },
      ],
    };
    h.sites = { sockets: {}, timers: { 4: { at: 'src/bot.ts:88:5', call: 'setTimeout' } } };
    // Act
    const messages = checkProperty('clean', h).map((v) => v.message);
    // Assert
    expect(messages).toEqual([
      'a 30,000 ms timer created at 1,020 ms in src/bot.ts:88:5, still pending after stop()',
      'a 600,000 ms interval created at 2,500 ms, still pending after stop()',
      '1 more send-path timer(s) still pending after stop()',
    ]);
  });

  it('says so of a timer made after stop() resolved', () => {
    // Arrange: stop() resolved at 9000; the path set a timer at 12,000 ms anyway.
    const h = baseHistory();
    h.stop = { ...h.stop, pathTimersAlive: 1 };
    h.timers.path = {
      ...h.timers.path,
      aliveAtEnd: 1,
      pending: [{ id: 3, createdAt: 12_000, delayMs: 1000 }],
    };
    // Act
    const messages = checkProperty('clean', h).map((v) => v.message);
    // Assert
    expect(messages).toEqual([
      'a 1,000 ms timer created at 12,000 ms, made after stop() resolved and still pending',
    ]);
  });

  it('names where a socket left open was made, when the history knows', () => {
    // Arrange
    const h = baseHistory();
    h.sockets = [
      endedSocket({ generation: 1, openedAt: 10, endAt: 1000 }),
      socket({ generation: 2, createdAt: 4300, openedAt: 4360 }),
    ];
    h.sites = { sockets: { 2: { at: 'src/bot.ts:41:18', call: 'makeWASocket' } }, timers: {} };
    // Act
    const violations = checkProperty('clean', h);
    // Assert
    expect(violations.map((v) => v.message)).toEqual([
      'socket 2, made at 4,300 ms by src/bot.ts:41:18 (makeWASocket), was neither ended ' +
        'nor closed when stop() resolved (open when the run ended)',
    ]);
  });

  it('flags a socket made after stop() resolved', () => {
    const h = baseHistory();
    h.sockets = [
      endedSocket({ generation: 1, openedAt: 10, endAt: 9000 }),
      endedSocket({ generation: 2, createdAt: 9100, endAt: 9900 }),
    ];
    expect(checkProperty('clean', h)).toMatchObject([
      {
        generation: 2,
        message:
          'socket 2, made at 9,100 ms, was neither ended nor closed when stop() resolved ' +
          '(closed when the run ended)',
      },
    ]);
  });

  it('flags sends begun after stop() was called, but not one at the very time of the call', () => {
    // Arrange: stop() called at 9000.
    const h = baseHistory();
    h.sockets = [endedSocket({ generation: 1, openedAt: 10, endAt: 9000 })];
    h.attempts.push(
      attempt(1, 'r1', { at: 9000 }),
      refusedAttempt(2, 'r2', { at: 9001, socketState: 'closing' }),
      refusedAttempt(3, 'r2', { at: 9400, socketState: 'closed' }),
    );
    // Act / Assert
    expect(checkProperty('clean', h)).toEqual([
      {
        property: 'clean',
        generation: 1,
        at: 9001,
        key: 'r2',
        message:
          '2 send(s) after stop() was called at 9000 ms (first: message attempt #2 on ' +
          'socket 1 at 9001 ms)',
      },
    ]);
  });

  it('flags a stop() that hung', () => {
    const h = baseHistory();
    h.stop = { ...h.stop, result: 'hung', completedAt: undefined };
    expect(checkProperty('clean', h)).toMatchObject([
      { property: 'clean', message: 'stop() hung' },
    ]);
  });
});

describe('honest-outcome', () => {
  it('flags a definite failure that is visible', () => {
    const h = baseHistory();
    h.requests.push(
      request('r1', {
        outcome: 'fail',
        error: { name: 'Error', message: 'send failed: Connection was lost' },
      }),
    );
    makeVisible(h, 'r1', 150);
    expect(checkProperty('honest-outcome', h)).toMatchObject([
      { property: 'honest-outcome', key: 'r1', generation: 1 },
    ]);
  });

  it('accepts an ambiguous failure that is visible', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'info' }));
    makeVisible(h, 'r1', 150);
    expect(checkProperty('honest-outcome', h)).toEqual([]);
  });
});
