import { describe, expect, it } from 'vitest';
import { checkAll, defaultBoundLimits } from '../../properties/judging/checkers.js';
import { runFacts } from '../../report/facts.js';
import { renderReportHtml } from '../../report/html.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { simulate } from '../../sim/simulate.js';
import { storeLimits } from '../../sim/store.js';
import {
  parseTimeline,
  TimelineError,
  timelineFormat,
  type TimelineEvent,
} from '../../sim/timeline.js';
import { testConfig, timelineOf } from './helpers.js';

/** A message, its reply, a restart with the bot down 2 s, a message meanwhile and its reply. */
const restartEvents: TimelineEvent[] = [
  { at: 0, do: 'receiptsLost', untilAt: 1000 },
  { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 300, do: 'reply', to: 'm1', key: 'r1' },
  { at: 5000, do: 'restart', downMs: 2000 },
  { at: 6000, do: 'inbound', chat: 'c1', msg: 'm2' },
  { at: 6500, do: 'reply', to: 'm1', key: 'r3' },
  { at: 8000, do: 'reply', to: 'm2', key: 'r2' },
  { at: 9000, do: 'heal' },
];

describe('restart', () => {
  it(
    'stops the path, starts a new one from the ' + 'factory after the downtime, and records both',
    async () => {
      // Arrange
      let built = 0;
      const counting: SendPathFactory = (env) => {
        built += 1;
        return referenceSendPath(env);
      };
      // Act
      const history = await simulate(timelineOf(restartEvents), counting);
      // Assert
      expect(built).toBe(2);
      expect(history.restarts).toEqual([
        {
          eventIndex: 3,
          stopRequestedAt: 5000,
          stopResult: 'completed',
          stopCompletedAt: 5020,
          pathTimersAlive: 0,
          startedAt: 7000,
          startResult: 'ok',
        },
      ]);
      expect(history.sockets.map((s) => s.createdAt)).toEqual([0, 7000]);
    },
  );

  it(
    'delivers what came while the bot was down to the new path, and asks replies of ' +
      'messages only it handed over',
    async () => {
      // Act
      const history = await simulate(timelineOf(restartEvents), referenceSendPath);
      // Assert
      const m2 = history.inbound.find((m) => m.msg === 'm2')!;
      expect(m2.deliveries).toEqual([{ at: expect.any(Number), generation: 2, type: 'append' }]);
      expect(history.requests.find((r) => r.key === 'r2')).toMatchObject({ outcome: 'ok' });
      // The old process handed m1 over and is gone: nobody is left to make r3.
      expect(history.requests.find((r) => r.key === 'r3')).toMatchObject({ outcome: 'pending' });
      expect(history.requests.find((r) => r.key === 'r3')?.calledAt).toBeUndefined();
    },
  );

  it(
    'keeps the store through the restart: the reference does not hand a redelivered ' +
      'message over again',
    async () => {
      // Act
      const history = await simulate(timelineOf(restartEvents), referenceSendPath);
      // Assert
      const m1 = history.inbound.find((m) => m.msg === 'm1')!;
      expect(m1.deliveries.map((d) => `${d.type}@${d.generation}`)).toEqual([
        'notify@1',
        'append@2',
      ]);
      expect(m1.handedCount).toBe(1);
    },
  );

  it('starts no new path when the run stops while the bot is down', async () => {
    // Arrange
    const events: TimelineEvent[] = [
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 1000, do: 'restart', downMs: 5000 },
      { at: 3000, do: 'stop' },
      { at: 4000, do: 'heal' },
    ];
    // Act
    const history = await simulate(timelineOf(events), referenceSendPath);
    // Assert
    expect(history.restarts?.[0]?.startedAt).toBeUndefined();
    expect(history.sockets).toHaveLength(1);
    expect(history.stop).toMatchObject({ result: 'completed', requestedAt: 3000 });
  });

  it('records the timers a stopped path left, and the new path still starts', async () => {
    // Arrange: a path whose stop() forgets a timer
    const leaky: SendPathFactory = (env) => {
      const path = referenceSendPath(env);
      return {
        start: (onMessage) => path.start(onMessage),
        async stop() {
          env.clock.setTimeout(() => undefined, 60_000);
          await path.stop();
        },
      };
    };
    // Act
    const history = await simulate(
      timelineOf([
        { at: 100, do: 'restart' },
        { at: 200, do: 'heal' },
      ]),
      leaky,
    );
    // Assert
    expect(history.restarts?.[0]).toMatchObject({
      stopResult: 'completed',
      pathTimersAlive: 1,
      startedAt: expect.any(Number),
    });
  });

  it('leaves the history without a restarts key when the timeline has none', async () => {
    // Act
    const history = await simulate(
      timelineOf([
        { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 200, do: 'heal' },
      ]),
      referenceSendPath,
    );
    // Assert
    expect('restarts' in history).toBe(false);
  });
});

describe('restart in a timeline', () => {
  const parse = (events: unknown[]) =>
    parseTimeline({ format: timelineFormat, seed: 1, config: testConfig, events });

  it('accepts a restart with and without a downtime, and round-trips it', () => {
    // Act
    const timeline = parse([
      { at: 10, do: 'restart' },
      { at: 20, do: 'restart', downMs: 500 },
    ]);
    // Assert
    expect(timeline.events).toEqual([
      { at: 10, do: 'restart' },
      { at: 20, do: 'restart', downMs: 500 },
    ]);
  });

  it('names the event of a restart after the stop, and of one while the bot is still down', () => {
    // Act
    const issuesOf = (events: unknown[]): readonly string[] => {
      try {
        parse(events);
        return [];
      } catch (error) {
        return (error as TimelineError).issues;
      }
    };
    // Assert
    expect(
      issuesOf([
        { at: 10, do: 'stop' },
        { at: 20, do: 'restart' },
      ]),
    ).toEqual([
      'events[1].do: a "restart" after the "stop" (events[0]): the bot is stopped for good',
    ]);
    expect(
      issuesOf([
        { at: 10, do: 'restart', downMs: 100 },
        { at: 110, do: 'restart' },
      ]),
    ).toEqual([
      'events[1].at: restart while the bot is still down from events[0] (until 110 ms, ' +
        'that instant included)',
    ]);
    expect(issuesOf([{ at: 10, do: 'restart', downMs: -1 }])).toEqual([
      'events[0].downMs: must be >= 0, got -1',
    ]);
  });
});

describe('the store', () => {
  it(
    'refuses a value over its bound with a ' + 'one-line error naming the key and the bound',
    async () => {
      // Arrange
      let error: unknown;
      const writer: SendPathFactory = (env) => ({
        async start() {
          await env.store
            .set('big', 'x'.repeat(storeLimits.valueLengthMax + 1))
            .catch((e: unknown) => (error = e));
        },
        async stop() {},
      });
      // Act
      await simulate(timelineOf([{ at: 10, do: 'heal' }]), writer);
      // Assert
      expect((error as Error).message).toBe(
        `store.set("big"): value of ${storeLimits.valueLengthMax + 1} characters is over ` +
          `the limit of ${storeLimits.valueLengthMax}`,
      );
    },
  );

  it('starts every run empty', async () => {
    // Arrange
    const seen: (string | undefined)[] = [];
    const path: SendPathFactory = (env) => ({
      async start() {
        seen.push(await env.store.get('k'));
        await env.store.set('k', 'v');
      },
      async stop() {},
    });
    // Act
    await simulate(timelineOf([{ at: 10, do: 'heal' }]), path);
    await simulate(timelineOf([{ at: 10, do: 'heal' }]), path);
    // Assert
    expect(seen).toEqual([undefined, undefined]);
  });
});

describe('a restart told by the replay and the report', () => {
  it(
    'has the replay say what the stop left and when the new path started, and the report ' +
      'draw it',
    async () => {
      // Arrange
      const timeline = timelineOf(restartEvents);
      const history = await simulate(timeline, referenceSendPath);
      // Act
      const lines = runFacts(timeline, history).facts.map((f) => `${f.atMs} ${f.text}`);
      const html = renderReportHtml({
        fileLabel: 'f.json',
        pathName: 'reference',
        timeline,
        history,
        violations: [],
        recordedOnly: false,
        verdictLine: 'PASS',
        sameHistory: true,
      });
      // Assert
      expect(lines).toContain('5000 restart (down 2000 ms)');
      expect(lines).toContain('5020 stop() for the restart completed, no timer left');
      expect(lines).toContain('7000 new send path started');
      expect(html).toMatch(
        /<g class="mark slow"[^>]* data-event="3">[^]*?<\/g><text class="tag"[^>]*>restart<\/text>/,
      );
    },
  );
});

describe('a restart with replies waiting their turn in a chat', () => {
  it(
    'drops the calls the old process had not made: they are asked only if a new path hands ' +
      'their message over again',
    async () => {
      // Arrange: one reply per chat at a time; r1 waits for a connection, r2 for r1
      const events: TimelineEvent[] = [
        { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 1000, do: 'refuseConnects', untilAt: 30_000 },
        { at: 1000, do: 'drop', reason: 'connectionReset' },
        { at: 1500, do: 'reply', to: 'm1', key: 'r1' },
        { at: 1600, do: 'reply', to: 'm1', key: 'r2' },
        { at: 5000, do: 'restart' },
        { at: 40_000, do: 'heal' },
      ];
      // Act
      const history = await simulate(timelineOf(events), referenceSendPath, {
        repliesPerChatMax: 1,
      });
      // Assert
      expect(history.requests.map((r) => [r.key, r.outcome, r.calledAt])).toEqual([
        ['r1', 'fail', 1500],
        ['r2', 'pending', undefined],
      ]);
      expect(checkAll(history, defaultBoundLimits)).toEqual([]);
    },
  );
});
