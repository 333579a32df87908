/**
 * The checkers across restarts of the bot: each path answers for what it did while it ran, a
 * restart's stop() keeps stop()'s contract, and a message handed over before a restart must not
 * be handed over again after it. Every history here is the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { checkAll, defaultBoundLimits, checkProperty } from '../../properties/judging/checkers.js';
import { memoryOnlyDedupe } from '../../properties/specimens/memoryOnlyDedupe.js';
import { ignoresTerminal } from '../../properties/specimens/ignoresTerminal.js';
import { stopKeepsTimers } from '../../properties/specimens/stopKeepsTimers.js';
import { trustsWrite } from '../../properties/specimens/trustsWrite.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { simulate } from '../../sim/simulate.js';
import type { TimelineEvent } from '../../sim/timeline.js';
import { timelineOf } from '../sim/helpers.js';

const judge = async (events: TimelineEvent[], path: SendPathFactory) =>
  checkAll(await simulate(timelineOf(events), path), defaultBoundLimits);
const properties = (violations: { property: string }[]) =>
  [...new Set(violations.map((v) => v.property))].sort();

/**
 * A message whose receipt is lost, answered; a restart; the server delivers the message again to
 * the new path.
 */
const redelivered: TimelineEvent[] = [
  { at: 0, do: 'receiptsLost', untilAt: 1000 },
  { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 300, do: 'reply', to: 'm1', key: 'r1' },
  { at: 5000, do: 'restart', downMs: 2000 },
  { at: 9000, do: 'heal' },
];

describe('inbound-handover across a restart', () => {
  it(
    'flags a message handed over before a restart ' + 'and again after it, naming the restart',
    async () => {
      // Act
      const violations = await judge(redelivered, memoryOnlyDedupe);
      // Assert
      expect(violations.map((v) => v.message)).toEqual([
        expect.stringMatching(
          /^m1 \(text in c1, delivered 2x: notify@1, append@2\) reached the bot 2 times: .*restart at 5000 ms.*env\.store$/,
        ),
      ]);
    },
  );

  it('passes the reference, which keeps the handed ids in the store', async () => {
    // Act
    const violations = await judge(redelivered, referenceSendPath);
    // Assert
    expect(violations).toEqual([]);
  });

  it('excuses a message delivered to a path that was stopping for a restart', async () => {
    // Arrange: a path whose stop() stops handing messages over at once but ends its socket 1 s
    // later
    const slowShutdown: SendPathFactory = (env) => {
      let stopping = false;
      const path = referenceSendPath(env);
      return {
        start: (onMessage) => path.start((message) => (stopping ? undefined : onMessage(message))),
        async stop() {
          stopping = true;
          await new Promise<void>((resolve) => env.clock.setTimeout(() => resolve(), 1000));
          await path.stop();
        },
      };
    };
    const events: TimelineEvent[] = [
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 2000, do: 'restart' },
      { at: 2300, do: 'inbound', chat: 'c1', msg: 'm2' },
      { at: 9000, do: 'heal' },
    ];
    // Act
    const history = await simulate(timelineOf(events), slowShutdown);
    // Assert
    const m2 = history.inbound.find((m) => m.msg === 'm2')!;
    expect(m2).toMatchObject({ handedCount: 0, deliveries: [{ generation: 1, type: 'notify' }] });
    expect(
      checkAll(history, defaultBoundLimits).filter((v) => v.property === 'inbound-handover'),
    ).toEqual([]);
  });
});

describe('clean across a restart', () => {
  it("flags the timers and the socket a restart's stop() left behind", async () => {
    // Arrange: the reconnect after the drop is due when the restart stops the path
    const events: TimelineEvent[] = [
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 1000, do: 'drop', reason: 'connectionReset' },
      { at: 1200, do: 'restart', downMs: 5000 },
      { at: 9000, do: 'heal' },
    ];
    // Act
    const violations = await judge(events, stopKeepsTimers);
    // Assert
    expect(violations.filter((v) => v.property === 'clean').map((v) => v.message)).toContainEqual(
      expect.stringMatching(
        /^\d+ send-path timer\(s\) alive after stop\(\) for the restart at 1200 ms/,
      ),
    );
    expect(violations.filter((v) => v.property === 'clean').map((v) => v.message)).toContainEqual(
      expect.stringMatching(
        /send\(s\)|socket 2 .* was neither ended nor closed when stop\(\) for the restart at 1200 ms resolved/,
      ),
    );
  });

  it('passes the reference stopped in the same reconnect wait', async () => {
    // Arrange
    const events: TimelineEvent[] = [
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 1000, do: 'drop', reason: 'connectionReset' },
      { at: 1200, do: 'restart', downMs: 5000 },
      { at: 9000, do: 'heal' },
    ];
    // Act
    const violations = await judge(events, referenceSendPath);
    // Assert
    expect(violations).toEqual([]);
  });
});

describe('liveness across a restart', () => {
  it('excuses a reply the restart stopped, and judges the new path on its own', async () => {
    // Arrange: r1 waits for a connection when the restart comes
    const events: TimelineEvent[] = [
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 1000, do: 'refuseConnects', untilAt: 30_000 },
      { at: 1000, do: 'drop', reason: 'connectionReset' },
      { at: 1500, do: 'reply', to: 'm1', key: 'r1' },
      { at: 5000, do: 'restart' },
      { at: 40_000, do: 'heal' },
    ];
    // Act
    const history = await simulate(timelineOf(events), referenceSendPath);
    // Assert
    expect(history.requests[0]).toMatchObject({ key: 'r1', outcome: 'fail', settledAt: 5000 });
    expect(checkAll(history, defaultBoundLimits)).toEqual([]);
  });
});

describe('exactly-once across a restart', () => {
  // r2 is written in the latency window before a reset; on socket 2 the chat is over the rate
  // limit (429), so the resends wait; the restart stops that path; the new one writes r3 there.
  const rateLimitedThenRestart: TimelineEvent[] = [
    { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 1000, do: 'reply', to: 'm1', key: 'r1' },
    { at: 6000, do: 'latency', ms: 1864 },
    { at: 6300, do: 'queryRejects', untilAt: 70_000, reason: 'rateOverlimit', chat: 'c1' },
    { at: 9000, do: 'inbound', chat: 'c1', msg: 'm2' },
    { at: 9300, do: 'reply', to: 'm2', key: 'r2' },
    { at: 11_400, do: 'drop', reason: 'connectionReset' },
    { at: 20_000, do: 'restart', downMs: 5000 },
    { at: 23_000, do: 'inbound', chat: 'c1', msg: 'm3' },
    { at: 26_000, do: 'reply', to: 'm3', key: 'r3' },
  ];

  it('excuses a loss its refused chat kept out until the restart, whatever came next', async () => {
    // Act
    const history = await simulate(timelineOf(rateLimitedThenRestart), referenceSendPath);
    // Assert: r2 lost on the wire, the old path's resend refused 429, r3 written by the new one
    const r2 = history.attempts.filter((a) => a.key === 'r2');
    expect(r2.map((a) => [a.written, a.reachedServer])).toEqual([[true, false]]);
    expect(history.attempts.some((a) => a.key === 'r3' && a.reachedServer)).toBe(true);
    expect(properties(checkAll(history, defaultBoundLimits))).toEqual([]);
  });

  it('still flags a path that never tried to resend on its socket before the restart', async () => {
    // Act
    const violations = await judge(rateLimitedThenRestart, trustsWrite);
    // Assert
    expect(violations.filter((v) => v.property === 'exactly-once').map((v) => v.key)).toContain(
      'r2',
    );
  });
});

describe('order across a restart', () => {
  // r2 is written into a link gone silent; the restart's stop ends that socket; the new path
  // answers r3; the heal then lets the silent link deliver r2's frame, after r3.
  const silentThenRestart: TimelineEvent[] = [
    { at: 3000, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 7900, do: 'reply', to: 'm1', key: 'r1' },
    { at: 7920, do: 'inbound', chat: 'c1', msg: 'm2' },
    { at: 27_800, do: 'drop', reason: 'connectionLost' },
    { at: 28_100, do: 'reply', to: 'm2', key: 'r2' },
    { at: 58_200, do: 'blackhole', untilAt: 58_210 },
    { at: 74_200, do: 'restart', downMs: 1700 },
    { at: 75_400, do: 'inbound', chat: 'c1', msg: 'm3' },
    { at: 78_000, do: 'reply', to: 'm3', key: 'r3' },
    { at: 84_000, do: 'heal' },
  ];
  const policy = { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0.5, maxAttempts: 6 };

  it("does not count a copy the old path's silent link delivered after its restart", async () => {
    // Act
    const config = { reconnect: policy, replyDeadlineMs: 120_000 };
    const timeline = { ...timelineOf(silentThenRestart), config };
    const history = await simulate(timeline, referenceSendPath);
    // Assert: r2's only copy came after r3's, from socket 1, after the restart's stop
    const visible = history.server.visible['c1']!.map((v) => [v.key, v.generation]);
    expect(visible).toEqual([
      ['r1', 1],
      ['r3', 2],
      ['r2', 1],
    ]);
    expect(checkProperty('order', history)).toEqual([]);
    const noRestartRecorded = { ...history, restarts: [] };
    expect(checkProperty('order', noRestartRecorded).map((v) => v.key)).toEqual(['r2']);
  });
});

describe('terminal-respected across a restart', () => {
  const conflict: TimelineEvent[] = [
    { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 1000, do: 'drop', reason: 'conflict' },
    { at: 5000, do: 'restart' },
    { at: 9000, do: 'heal' },
  ];

  it(
    "excuses a restarted bot's new path for " + "connecting after the old one's terminal close",
    async () => {
      // Act
      const violations = await judge(conflict, referenceSendPath);
      // Assert
      expect(properties(violations)).toEqual([]);
    },
  );

  it('still flags a path that reconnects itself after the terminal close', async () => {
    // Act
    const violations = await judge(conflict, ignoresTerminal);
    // Assert
    expect(properties(violations)).toContain('terminal-respected');
  });
});
