/**
 * The replay's story (`runFacts`, which `replay`, the vitest failure text and the HTML report all
 * tell): each inbound message emitted to the path and handed to the bot, every second copy, each
 * request the bot made and how its promise settled, `stop()` and how it settled; and facts of one
 * millisecond in the order they happened, cause before effect.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runArb } from '../../properties/generation/arbitraries.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { runFacts, type Fact } from '../../report/facts.js';
import type { History } from '../../sim/history.js';
import { simulate } from '../../sim/simulate.js';
import type { Timeline } from '../../sim/timeline.js';
import type { SendPathFactory } from '../../src/ports.js';
import { timelineOf } from '../sim/helpers.js';
import { redeliveredTimeline } from './timelines.js';

/** The lines of a run's story. */
function story(timeline: Timeline, history: History): string[] {
  return runFacts(timeline, history).facts.map((f) => f.text);
}

/** Index of the first line that `matches`, failing loudly when there is none. */
function lineOf(
  lines: readonly string[],
  matches: (line: string) => boolean,
  what: string,
): number {
  const index = lines.findIndex(matches);
  if (index < 0) throw new Error(`no line ${what} in:\n${lines.join('\n')}`);
  return index;
}

describe('the story of a run', () => {
  it(
    'tells each message handed to the bot, the reply it asked for and how its promise ' +
      'settled, then stop()',
    async () => {
      // Arrange
      const timeline = timelineOf([
        { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 2000, do: 'reply', to: 'm1', key: 'r1' },
        { at: 5000, do: 'stop' },
      ]);
      // Act
      const history = await simulate(timeline, builtInSendPath('reference').factory);
      const lines = story(timeline, history);
      // Assert
      const emitted = lineOf(
        lines,
        (l) => l.startsWith('m1 emitted to the path on socket 1'),
        'of the emission',
      );
      const handed = lineOf(lines, (l) => l === 'm1 handed to the bot', 'of the hand-over');
      const called = lineOf(
        lines,
        (l) => l === 'the bot calls reply(r1) on m1 (chat c1)',
        'of the call',
      );
      const resolved = lineOf(lines, (l) => l === 'reply(r1) resolved', 'of the settlement');
      const stopCalled = lineOf(
        lines,
        (l) => l === 'the harness calls stop() (a stop event)',
        'of stop()',
      );
      const stopResolved = lineOf(lines, (l) => l === 'stop() resolved', 'of stop() resolving');
      expect([emitted, handed, called, resolved, stopCalled, stopResolved]).toEqual(
        [...[emitted, handed, called, resolved, stopCalled, stopResolved]].sort((a, b) => a - b),
      );
    },
  );

  it('tells every second copy of a message, emitted and handed to the bot again', async () => {
    // Arrange: a lost receipt makes the server deliver m1 again at the next login; the specimen
    // hands every copy over.
    const timeline = redeliveredTimeline();
    // Act
    const history = await simulate(timeline, builtInSendPath('specimen:no-inbound-dedupe').factory);
    const lines = story(timeline, history);
    // Assert
    expect(lines).toContainEqual(
      expect.stringMatching(/^m1 emitted to the path on socket \d+ again \(append: 2nd copy\)$/),
    );
    expect(lines).toContain('m1 handed to the bot again (2nd time): a second copy');
  });

  it('says how a rejected reply settled, in words', async () => {
    // Arrange: the specimen keeps sending on the socket it captured, whose close was emitted.
    const timeline = timelineOf([
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 10, do: 'reply', to: 'm1', key: 'r1' },
      { at: 150, do: 'drop', reason: 'connectionClosed' },
      { at: 5000, do: 'stop' },
    ]);
    // Act
    const history = await simulate(timeline, builtInSendPath('specimen:captured-socket').factory);
    const lines = story(timeline, history);
    // Assert
    const rejected = history.requests.filter((r) => r.outcome === 'fail');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(lines).toContain(
        `reply(${r.key}) rejected: the socket was not open, so nothing was written (428 ` +
          `Connection Closed)`,
      );
    }
  });
});

describe('facts of one millisecond', () => {
  /** Generated runs as campaigns draw them: scenes put faults right beside sends. */
  const runs = fc.sample(runArb(), { seed: 42, numRuns: 80 }).map((run) => run.timeline);

  /** Where an attempt and its socket's close emitted stand in the story: [attempt, close]. */
  function places(timeline: Timeline, history: History, seq: number): [number, number] {
    const facts = runFacts(timeline, history).facts;
    const generation = history.attempts[seq - 1]!.generation;
    return [
      facts.findIndex((f: Fact) => f.source === 'attempt' && f.text.startsWith(`attempt #${seq} `)),
      facts.findIndex(
        (f: Fact) =>
          f.source === 'socket' && f.text.startsWith(`socket ${generation} close emitted`),
      ),
    ];
  }

  it('lists a send before the close that followed it in the same millisecond', async () => {
    // Arrange: m1 comes at the login at 160 ms, the instant the cut at 150 ms is heard; the
    // specimen sends its reply at once, before Baileys emits the close.
    const timeline = timelineOf([
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 10, do: 'reply', to: 'm1', key: 'r1' },
      { at: 150, do: 'drop', reason: 'connectionClosed' },
      { at: 3000, do: 'stop' },
    ]);
    // Act
    const history = await simulate(timeline, builtInSendPath('specimen:captured-socket').factory);
    // Assert
    const first = history.attempts[0]!;
    expect(first).toMatchObject({
      at: history.sockets[0]!.closeEmittedAt,
      closeEmittedBefore: false,
    });
    const [attempt, close] = places(timeline, history, first.seq);
    expect(attempt).toBeLessThan(close);
  });

  it('lists a send after the close that came before it in the same millisecond', async () => {
    // Arrange: a path that answers the close by sending on the closed socket, at once.
    const sendsOnClose: SendPathFactory = (env) => ({
      start() {
        const socket = env.makeSocket({});
        socket.ev.on('connection.update', ({ connection }) => {
          if (connection === 'close')
            void socket
              .sendMessage('15550000001@s.whatsapp.net', { text: '[key=r9] late' })
              .catch(() => undefined);
        });
      },
      async stop() {},
    });
    const timeline = timelineOf([
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 500, do: 'drop', reason: 'connectionClosed' },
      { at: 3000, do: 'stop' },
    ]);
    // Act
    const history = await simulate(timeline, sendsOnClose);
    // Assert
    const late = history.attempts[0]!;
    expect(late).toMatchObject({
      at: history.sockets[0]!.closeEmittedAt,
      closeEmittedBefore: true,
    });
    const [attempt, close] = places(timeline, history, late.seq);
    expect(attempt).toBeGreaterThan(close);
  });

  it(
    'keeps effects after their causes: emitted before handed, called before settled, ' +
      'stop() called before it resolved',
    async () => {
      for (const timeline of runs.slice(0, 20)) {
        // Arrange / Act
        const history = await simulate(timeline, builtInSendPath('reference').factory);
        const lines = story(timeline, history);
        // Assert
        for (const m of history.inbound.filter((i) => i.receivedAt !== undefined)) {
          expect(lines.indexOf(`${m.msg} handed to the bot`)).toBeGreaterThan(
            lines.findIndex((l) => l.startsWith(`${m.msg} emitted to the path`)),
          );
        }
        for (const r of history.requests.filter(
          (q) => q.calledAt !== undefined && q.kind === 'reply',
        )) {
          const called = lines.findIndex((l) => l.startsWith(`the bot calls reply(${r.key}) `));
          const settled = lines.findIndex((l) => l.startsWith(`reply(${r.key}) `));
          expect(settled).toBeGreaterThan(called);
        }
        expect(lines.indexOf('stop() resolved')).toBeGreaterThan(
          lines.findIndex((l) => l.startsWith('the harness calls stop()')),
        );
      }
    },
  );

  it('tells a history recorded without a journal in time order, as gathered', async () => {
    // Arrange
    const timeline = runs[0]!;
    const history = await simulate(timeline, builtInSendPath('reference').factory);
    const { order: _order, ...withoutJournal } = history;
    // Act
    const facts = runFacts(timeline, withoutJournal as History).facts;
    // Assert
    expect(facts.map((f) => f.atMs)).toEqual([...facts.map((f) => f.atMs)].sort((a, b) => a - b));
    expect(facts.length).toBe(runFacts(timeline, history).facts.length);
  });
});
