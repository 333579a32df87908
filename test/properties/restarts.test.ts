/**
 * The checkers across restarts of the bot: each path answers for what it did while it ran, a
 * restart's stop() keeps stop()'s contract, and a message handed over before a restart must not
 * be handed over again after it. Every history here is the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { checkAll, defaultBoundLimits } from '../../properties/judging/checkers.js';
import { memoryOnlyDedupe } from '../../properties/specimens/memoryOnlyDedupe.js';
import { ignoresTerminal } from '../../properties/specimens/ignoresTerminal.js';
import { stopKeepsTimers } from '../../properties/specimens/stopKeepsTimers.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { simulate } from '../../sim/simulate.js';
import type { TimelineEvent } from '../../sim/timeline.js';
import { timelineOf } from '../sim/helpers.js';

const judge = async (events: TimelineEvent[], path: SendPathFactory) => checkAll(await simulate(timelineOf(events), path), defaultBoundLimits);
const properties = (violations: { property: string }[]) => [...new Set(violations.map((v) => v.property))].sort();

/** A message whose receipt is lost, answered; a restart; the server delivers the message again to the new path. */
const redelivered: TimelineEvent[] = [
  { at: 0, do: 'receiptsLost', untilAt: 1000 },
  { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 300, do: 'reply', to: 'm1', key: 'r1' },
  { at: 5000, do: 'restart', downMs: 2000 },
  { at: 9000, do: 'heal' },
];

describe('inbound-handover across a restart', () => {
  it('flags a message handed over before a restart and again after it, naming the restart', async () => {
    // Act
    const violations = await judge(redelivered, memoryOnlyDedupe);
    // Assert
    expect(violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^m1 \(text in c1, delivered 2x: notify@1, append@2\) reached the bot 2 times: .*restart at 5000 ms.*env\.store$/),
    ]);
  });

  it('passes the reference, which keeps the handed ids in the store', async () => {
    // Act
    const violations = await judge(redelivered, referenceSendPath);
    // Assert
    expect(violations).toEqual([]);
  });

  it('excuses a message delivered to a path that was stopping for a restart', async () => {
    // Arrange: a path whose stop() stops handing messages over at once but ends its socket 1 s later
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
    expect(checkAll(history, defaultBoundLimits).filter((v) => v.property === 'inbound-handover')).toEqual([]);
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
      expect.stringMatching(/^\d+ send-path timer\(s\) alive after stop\(\) for the restart at 1200 ms/),
    );
    expect(violations.filter((v) => v.property === 'clean').map((v) => v.message)).toContainEqual(
      expect.stringMatching(/send\(s\)|socket 2 .* was neither ended nor closed when stop\(\) for the restart at 1200 ms resolved/),
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

describe('terminal-respected across a restart', () => {
  const conflict: TimelineEvent[] = [
    { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 1000, do: 'drop', reason: 'conflict' },
    { at: 5000, do: 'restart' },
    { at: 9000, do: 'heal' },
  ];

  it("excuses a restarted bot's new path for connecting after the old one's terminal close", async () => {
    // Act
    const violations = await judge(conflict, referenceSendPath);
    // Assert
    expect(properties(violations)).toEqual([]);
  });

  it('still flags a path that reconnects itself after the terminal close', async () => {
    // Act
    const violations = await judge(conflict, ignoresTerminal);
    // Assert
    expect(properties(violations)).toContain('terminal-respected');
  });
});
