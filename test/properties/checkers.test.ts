import { describe, expect, it } from 'vitest';
import {
  checkAll,
  checkBounded,
  checkClean,
  checkExactlyOnce,
  checkHonestOutcome,
  checkLiveSocket,
  checkLiveness,
  checkOrder,
  connectSeries,
  healedFor,
} from '../../properties/judging/checkers.js';
import type { History } from '../../sim/history.js';
import { attempt, baseHistory, makeVisible, request, socket } from './historyBuilder.js';

describe('checkers on a correct history', () => {
  it('flag nothing when every reply is visible once, in order, on a live socket', () => {
    // Arrange
    const h = baseHistory();
    h.requests.push(request('r1'), request('r2', { eventIndex: 2, requestedAt: 150, calledAt: 150, callSeq: 2 }));
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
    expect(checkExactlyOnce(h)).toEqual([
      { property: 'exactly-once', key: 'r1', generation: 2, at: 900, message: 'r1 is visible 2 times (ids A, B)' },
    ]);
  });

  it('flags a reply reported ok that never became visible', () => {
    const h = baseHistory();
    h.requests.push(request('r1'));
    expect(checkExactlyOnce(h)).toMatchObject([{ key: 'r1', message: 'r1 was reported sent but never became visible' }]);
  });

  it('accepts an ambiguous (info) reply that is visible once or not at all', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'info' }), request('r2', { outcome: 'info' }));
    makeVisible(h, 'r1', 150);
    expect(checkExactlyOnce(h)).toEqual([]);
  });

  it('ignores composing requests, which show nothing', () => {
    const h = baseHistory();
    h.requests.push(request('k', { kind: 'composing' }));
    expect(checkExactlyOnce(h)).toEqual([]);
  });

  it('flags a reply that vanished into a blackhole when a newer socket opened to resend it on', () => {
    // Arrange: r1 written into socket 1's blackhole; socket 1 found dead at 60060; socket 2 opened.
    const h = baseHistory();
    h.sockets = [
      socket({ generation: 1, openedAt: 10, blackholedAt: 50, state: 'dead', cause: 'blackhole', diedAt: 60_060, closeEmittedAt: 60_061 }),
      socket({ generation: 2, createdAt: 62_000, openedAt: 62_060 }),
    ];
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
    // Act / Assert
    expect(checkExactlyOnce(h)).toMatchObject([{ key: 'r1', message: 'r1 was reported sent but never became visible' }]);
  });

  it('excuses a reply lost in a blackhole when no socket ever opened again (nothing to resend on)', () => {
    // Arrange: socket 1 silent and found dead; the reconnect never opened (refused, gave up).
    const h = baseHistory();
    h.sockets = [
      socket({ generation: 1, openedAt: 10, blackholedAt: 50, state: 'dead', cause: 'blackhole', diedAt: 60_060, closeEmittedAt: 60_061 }),
      socket({ generation: 2, createdAt: 62_000, state: 'dead', cause: 'blackhole', closeEmittedAt: 82_000 }),
    ];
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
    // Act / Assert
    expect(checkExactlyOnce(h)).toEqual([]);
  });

  it('excuses a reply lost in a blackhole when the session ended for good right after the reconnect', () => {
    // Arrange: socket 2 opened, but was logged out (401) before the resend could go out.
    const h = baseHistory();
    h.sockets = [
      socket({ generation: 1, openedAt: 10, blackholedAt: 50, state: 'dead', cause: 'blackhole', diedAt: 60_060, closeEmittedAt: 60_061 }),
      socket({ generation: 2, createdAt: 62_000, openedAt: 62_060, state: 'dead', cause: 'drop', closeEmittedAt: 62_100, closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 401 } }),
    ];
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
    // Act / Assert
    expect(checkExactlyOnce(h)).toEqual([]);
  });

  it('judges the write the path reported, not an earlier attempt that failed', () => {
    // Arrange: attempt 1 on socket 1 failed with a 515 restart; attempt 2 resolved on socket 2,
    // which went silent; socket 2 then closed with a 440 conflict (the session is over).
    const h = baseHistory();
    h.sockets = [
      socket({ generation: 1, openedAt: 10, state: 'dead', cause: 'drop', diedAt: 62, closeEmittedAt: 63, closeError: { name: 'Error', message: 'Stream Errored (restart required)', statusCode: 515 } }),
      socket({ generation: 2, createdAt: 64, openedAt: 124, blackholedAt: 125, state: 'dead', cause: 'drop', diedAt: 135, closeEmittedAt: 433, closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 } }),
    ];
    h.requests.push(request('r1'));
    h.attempts.push(
      attempt(1, 'r1', { at: 61, result: 'rejected', settledAt: 63, reachedServer: false }),
      attempt(2, 'r1', { at: 124, generation: 2, settledAt: 134, reachedServer: false }),
    );
    const onOpenSocket = structuredClone(h);
    onOpenSocket.sockets[1] = socket({ generation: 2, createdAt: 64, openedAt: 124 });
    // Act / Assert
    expect(checkExactlyOnce(h)).toEqual([]);
    expect(checkExactlyOnce(onOpenSocket)).toMatchObject([{ key: 'r1', message: 'r1 was reported sent but never became visible' }]);
  });

  it('does not excuse a lost reply whose frame went out on a socket that was not silent', () => {
    // Arrange
    const h = baseHistory();
    h.sockets = [socket({ generation: 1, openedAt: 10, state: 'dead', cause: 'drop', closeEmittedAt: 300 })];
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1', { reachedServer: false }));
    // Act / Assert
    expect(checkExactlyOnce(h)).toHaveLength(1);
  });
});

describe('live-socket', () => {
  it('flags an attempt made after its socket emitted close', () => {
    const h = baseHistory();
    h.attempts.push(attempt(3, 'r1', { generation: 1, at: 700, closeEmittedBefore: true, socketState: 'dead' }));
    expect(checkLiveSocket(h)).toEqual([
      { property: 'live-socket', key: 'r1', generation: 1, at: 700, message: 'message attempt #3 for r1 on socket 1 after its close was emitted' },
    ]);
  });

  it('accepts a 428 in the gap between death and the close notice', () => {
    const h = baseHistory();
    h.attempts.push(attempt(1, 'r1', { socketState: 'dead', closeEmittedBefore: false, result: 'rejected', written: false, reachedServer: false }));
    expect(checkLiveSocket(h)).toEqual([]);
  });
});

describe('liveness', () => {
  it('flags a reply that never settled', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'pending', settledAt: undefined }));
    expect(checkLiveness(h)).toMatchObject([{ property: 'liveness', key: 'r1', message: 'r1 never settled (requested at 100)' }]);
  });

  it('flags a reply given up early with no deadline, terminal close or stop', () => {
    const h = baseHistory();
    h.stop.requestedAt = 9000;
    h.requests.push(request('r1', { outcome: 'fail', settledAt: 300, error: { name: 'Error', message: 'no active WhatsApp connection' } }));
    expect(checkLiveness(h)).toMatchObject([{ key: 'r1', at: 300 }]);
    expect(checkLiveness(h)[0]!.message).toContain('gave up after 200 ms');
  });

  it.each([
    ['its deadline passed', (h: ReturnType<typeof baseHistory>) => h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + 120_000 }))],
    ['a terminal close came first', (h: ReturnType<typeof baseHistory>) => {
      h.sockets[0] = socket({ generation: 1, openedAt: 10, closeEmittedAt: 250, closeError: { name: 'Error', message: 'Stream Errored (conflict)', statusCode: 440 } });
      h.requests.push(request('r1', { outcome: 'fail', settledAt: 300 }));
    }],
    ['stop was requested first', (h: ReturnType<typeof baseHistory>) => {
      h.stop.requestedAt = 250;
      h.requests.push(request('r1', { outcome: 'fail', settledAt: 300 }));
    }],
    ['every reconnect allowed was refused', (h: ReturnType<typeof baseHistory>) => {
      h.config.reconnect.maxAttempts = 1;
      h.sockets[0] = socket({ generation: 1, openedAt: 10, closeEmittedAt: 200, closeError: { name: 'Error', message: 'Connection was lost', statusCode: 408 } });
      h.sockets.push(socket({ generation: 2, createdAt: 2200, refused: true, closeEmittedAt: 2300, state: 'dead' }));
      h.requests.push(request('r1', { outcome: 'fail', settledAt: 2300 }));
    }],
  ])('accepts a failure when %s', (_why, arrange) => {
    const h = baseHistory();
    h.stop.requestedAt = 9000;
    arrange(h);
    expect(checkLiveness(h)).toEqual([]);
  });

  it('flags a reply that settled far past its deadline plus the longest attempt', () => {
    const h = baseHistory();
    h.attempts.push(attempt(1, 'r1', { at: 100, settledAt: 1100 }));
    h.requests.push(request('r1', { outcome: 'info', settledAt: 100 + 120_000 + 1000 + 1 }));
    expect(checkLiveness(h)).toMatchObject([{ message: 'r1 settled after 121001 ms, beyond 121000 ms' }]);
  });

  it('flags a reply that waited out its deadline although the network healed in time', () => {
    // Arrange: heal at 1000; the reply's deadline runs to 120_100, far past 1000 + 37_500 + 30_000.
    const h = baseHistory();
    h.networkEvents.push({ at: 500, do: 'drop' }, { at: 1000, do: 'heal' });
    h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + 120_000, error: { name: 'ReplyDeadlineError', message: 'late' } }));
    // Act
    const violations = checkLiveness(h);
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
    expect(checkLiveness(h)).toEqual([]);
  });

  it("allows a hanging connect the path's own connect timeout, as its sockets recorded it", () => {
    // Arrange: heal at 1000; the deadline runs to 80_100. A correct path with Baileys' default
    // 20 s connect timeout delivers by 1000 + 37_500 + 20_000 + 10_000 = 68_500; one configured
    // with 60 s may still be waiting on a connect that began before the heal until 108_500.
    const arrange = (connectTimeoutMs: number) => {
      const h = baseHistory();
      h.config.replyDeadlineMs = 80_000;
      h.sockets[0] = socket({ generation: 1, openedAt: 10, timings: { keepAliveIntervalMs: 30_000, connectTimeoutMs } });
      h.networkEvents.push({ at: 500, do: 'drop' }, { at: 1000, do: 'heal' });
      h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + 80_000, error: { name: 'ReplyDeadlineError', message: 'late' } }));
      return h;
    };
    const defaults = arrange(20_000);
    const patient = arrange(60_000);
    // Act / Assert
    expect(checkLiveness(defaults)).toMatchObject([{ key: 'r1', message: expect.stringContaining('a correct path delivers by 68500 ms') }]);
    expect(checkLiveness(patient)).toEqual([]);
    expect(healedFor(patient)!.by - healedFor(defaults)!.by).toBe(60_000 - 20_000);
  });

  it('counts from the keep-alive ending a silent socket, not from the heal', () => {
    const h = baseHistory();
    h.networkEvents.push({ at: 100, do: 'blackhole' }, { at: 1000, do: 'heal' });
    h.sockets[0] = socket({ generation: 1, openedAt: 10, blackholedAt: 100, closeEmittedAt: 65_100 });
    h.requests.push(request('r1', { outcome: 'fail', settledAt: 100 + 120_000 }));
    // 65_100 + 37_500 + 30_000 = 132_600 > 120_100: a correct path may not have made it.
    expect(checkLiveness(h)).toEqual([]);
  });

  it('ignores a request whose inbound never reached the bot', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'pending', calledAt: undefined, settledAt: undefined }));
    expect(checkLiveness(h)).toEqual([]);
  });
});

describe('order', () => {
  it('flags a later request becoming visible first', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { eventIndex: 1 }), request('r2', { eventIndex: 2, callSeq: 2 }));
    makeVisible(h, 'r2', 150);
    makeVisible(h, 'r1', 160);
    expect(checkOrder(h)).toEqual([
      { property: 'order', key: 'r1', generation: 1, at: 160, message: 'in chat c1, r1 became visible after r2, which was requested later' },
    ]);
  });

  it('judges by the order the path was called in, not by timeline order', () => {
    // Two inbound messages arrive late together; the bot asks r3 (for m1) before r2 (for m2).
    const h = baseHistory();
    h.requests.push(request('r2', { eventIndex: 2, callSeq: 2 }), request('r3', { eventIndex: 3, callSeq: 1 }));
    makeVisible(h, 'r3', 150);
    makeVisible(h, 'r2', 160);
    expect(checkOrder(h)).toEqual([]);
  });

  it('accepts a gap where an earlier reply failed and is not visible', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'fail' }), request('r2', { eventIndex: 2, callSeq: 2 }), request('r3', { eventIndex: 3, callSeq: 3 }));
    makeVisible(h, 'r2', 150);
    makeVisible(h, 'r3', 160);
    expect(checkOrder(h)).toEqual([]);
  });
});

describe('bounded', () => {
  it('flags too many attempts for one reply', () => {
    const h = baseHistory();
    for (let i = 1; i <= 11; i += 1) h.attempts.push(attempt(i, 'r1', { at: i * 10 }));
    expect(checkBounded(h)).toMatchObject([{ key: 'r1', at: 110, message: 'r1 made 11 attempts (limit 10)' }]);
  });

  it('flags too many timers alive at once and a run cut by its loop limit', () => {
    const h = baseHistory();
    h.timers.path.aliveMax = 9;
    h.limit = { kind: 'LoopLimit', limit: 'timersFired', max: 200_000, at: 5000, timersFired: 200_000 };
    expect(checkBounded(h).map((v) => v.message)).toEqual([
      'LoopLimit: the run hit its timersFired limit (200000); the send path never goes quiet',
      'the send path held 9 timers at once (limit 8)',
    ]);
  });

  it('flags a reconnect storm but not a backed-off reconnect series', () => {
    const storm = baseHistory();
    storm.connects.at = Array.from({ length: 13 }, (_, i) => i * 1000);
    const backedOff = baseHistory();
    backedOff.connects.at = Array.from({ length: 13 }, (_, i) => i * 5000);
    expect(checkBounded(storm)).toMatchObject([{ at: 12_000 }]);
    expect(checkBounded(backedOff)).toEqual([]);
  });

  /** 13 connects a second apart; sockets 2, 5, 8 and 11 open at +100 ms and end as `cause` says. */
  function connectsWithLosses(cause: 'drop' | 'blackhole' | 'end' | 'replaced'): History {
    const h = baseHistory();
    h.connects.at = Array.from({ length: 13 }, (_, i) => i * 1000);
    h.sockets = h.connects.at.map((at, i) =>
      [1, 4, 7, 10].includes(i)
        ? socket({ generation: i + 1, createdAt: at, openedAt: at + 100, diedAt: at + 500, closeEmittedAt: at + 600, cause, state: 'dead' })
        : socket({ generation: i + 1, createdAt: at, diedAt: at + 50, closeEmittedAt: at + 50, cause: 'refused', refused: true, state: 'dead' }),
    );
    return h;
  }

  it('starts a new series when a working connection is lost to the network', () => {
    // Arrange: four working connections dropped (or blackholed) among 13 connects in 12 s
    const dropped = connectsWithLosses('drop');
    const blackholed = connectsWithLosses('blackhole');
    // Act / Assert
    expect(connectSeries(dropped)).toEqual([[0, 1000], [2000, 3000, 4000], [5000, 6000, 7000], [8000, 9000, 10_000], [11_000, 12_000]]);
    expect(checkBounded(dropped)).toEqual([]);
    expect(checkBounded(blackholed)).toEqual([]);
  });

  it('keeps one series across closes the path caused itself', () => {
    // Arrange: the same connects, but the path ended its own sockets or replaced them
    const ended = connectsWithLosses('end');
    const replaced = connectsWithLosses('replaced');
    // Act / Assert
    expect(connectSeries(ended)).toHaveLength(1);
    expect(checkBounded(ended)).toMatchObject([{ property: 'bounded', at: 12_000 }]);
    expect(checkBounded(replaced)).toMatchObject([{ property: 'bounded', at: 12_000 }]);
  });

  it('does not start a series before the path heard of the loss', () => {
    // Arrange: socket 1 opened and dropped at 500, but the close notice comes at 5000
    const h = baseHistory();
    h.connects.at = [0, 1000, 5000];
    h.sockets = [
      socket({ generation: 1, createdAt: 0, openedAt: 10, diedAt: 500, closeEmittedAt: 5000, cause: 'drop', state: 'dead' }),
      socket({ generation: 2, createdAt: 1000 }),
      socket({ generation: 3, createdAt: 5000 }),
    ];
    // Act / Assert
    expect(connectSeries(h)).toEqual([[0, 1000], [5000]]);
  });
});

describe('clean', () => {
  it('flags timers, sends and requests left after stop, and unhandled rejections', () => {
    const h = baseHistory();
    h.stop = { ...h.stop, pathTimersAlive: 2, pendingAttempts: 1, pendingRequests: 2 };
    h.requests.push(request('r1', { outcome: 'pending', settledAt: undefined }));
    h.requests.push(request('r2', { outcome: 'pending', settledAt: undefined, calledAt: undefined }));
    h.unhandledRejections.push({ at: 50, error: { name: 'Error', message: 'boom' } });
    h.thrown.push({ at: 60, where: 'listener', error: { name: 'TypeError', message: 'x is undefined' } });
    expect(checkClean(h).map((v) => v.message)).toEqual([
      '2 send-path timer(s) alive after stop()',
      '1 send(s) still pending after stop()',
      '1 request(s) never settled after stop()',
      'unhandled rejection: Error: boom',
      'thrown in listener: TypeError: x is undefined',
    ]);
  });

  it('flags a stop() that hung', () => {
    const h = baseHistory();
    h.stop = { ...h.stop, result: 'hung', completedAt: undefined };
    expect(checkClean(h)).toMatchObject([{ property: 'clean', message: 'stop() hung' }]);
  });
});

describe('honest-outcome', () => {
  it('flags a definite failure that is visible', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'fail', error: { name: 'Error', message: 'send failed: Connection was lost' } }));
    makeVisible(h, 'r1', 150);
    expect(checkHonestOutcome(h)).toMatchObject([{ property: 'honest-outcome', key: 'r1', generation: 1 }]);
  });

  it('accepts an ambiguous failure that is visible', () => {
    const h = baseHistory();
    h.requests.push(request('r1', { outcome: 'info' }));
    makeVisible(h, 'r1', 150);
    expect(checkHonestOutcome(h)).toEqual([]);
  });
});
