/**
 * What a send path does to the process it runs in, recorded per run instead of reaching the
 * terminal or ending the process: its stdout and stderr (history.output), and process.exit, a
 * signal to itself or an uncaught exception (history.exited, which ends the run there).
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendPathFactory } from '../../src/ports.js';
import { outputLimits } from '../../sim/intercept/console.js';
import { simulate } from '../../sim/simulate.js';
import type { TimelineEvent } from '../../sim/timeline.js';
import { checkAll } from '../../properties/judging/checkers.js';
import { timelineOf, tinyPath } from './helpers.js';

const conversation: TimelineEvent[] = [
  { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 2000, do: 'reply', to: 'm1', key: 'r1' },
];

/** `tinyPath` with `act(env)` run once the path started and again when its first reply is asked. */
function pathThat(act: (phase: 'start' | 'reply') => void): SendPathFactory {
  return (env) => {
    const inner = tinyPath(env);
    return {
      start(onMessage) {
        act('start');
        return inner.start((message) =>
          onMessage({ ...message, reply: (text) => (act('reply'), message.reply(text)) }),
        );
      },
      stop: () => inner.stop(),
    };
  };
}

/** What reaches the real stdout and stderr while a test runs. */
let written: string[] = [];
let restoreStreams: () => void = () => undefined;

beforeEach(() => {
  written = [];
  const saved = [process.stdout.write, process.stderr.write];
  const spy = (chunk: unknown): boolean => (written.push(String(chunk)), true);
  process.stdout.write = spy as typeof process.stdout.write;
  process.stderr.write = spy as typeof process.stderr.write;
  restoreStreams = () => {
    [process.stdout.write, process.stderr.write] = saved as [
      typeof process.stdout.write,
      typeof process.stderr.write,
    ];
  };
});
afterEach(() => restoreStreams());

describe("the path's stdout and stderr", () => {
  it(
    'go to history.output with their virtual times and streams, redacted, and never to the ' +
      'terminal',
    async () => {
      // Arrange
      const path = pathThat((phase) => {
        if (phase === 'start') console.log('opened connection as %s', '15551234567@s.whatsapp.net');
        else {
          console.error('\u001b[31mreplying\u001b[39m');
          process.stdout.write('partial ');
          process.stdout.write('line\n');
          fs.writeSync(1, 'pino-style line\n');
        }
      });
      // Act
      const history = await simulate(timelineOf(conversation), path);
      // Assert
      expect(history.output).toEqual({
        lines: [
          { at: 0, stream: 'stdout', text: 'opened connection as ***4567@s.whatsapp.net' },
          { at: 2000, stream: 'stderr', text: 'replying' },
          { at: 2000, stream: 'stdout', text: 'partial line' },
          { at: 2000, stream: 'stdout', text: 'pino-style line' },
        ],
        linesDropped: 0,
        charsDropped: 0,
      });
      expect(written).toEqual([]);
    },
  );

  it(
    'are bounded: the first lines are kept, each cut at its length limit, and the rest ' +
      'counted',
    async () => {
      // Arrange
      const extra = 5;
      const path = pathThat((phase) => {
        if (phase !== 'start') return;
        console.log('x'.repeat(outputLimits.lineLengthMax + 10));
        for (let i = 1; i < outputLimits.linesMax + extra; i++) console.log(`line ${i}`);
      });
      // Act
      const history = await simulate(timelineOf(conversation), path);
      // Assert
      const output = history.output!;
      expect(output.lines).toHaveLength(outputLimits.linesMax);
      expect(output.lines[0]!.text).toBe(`${'x'.repeat(outputLimits.lineLengthMax)}…`);
      expect(output.lines.at(-1)!.text).toBe(`line ${outputLimits.linesMax - 1}`);
      expect(output.linesDropped).toBe(extra);
      const droppedChars = Array.from(
        { length: extra },
        (_, i) => `line ${outputLimits.linesMax + i}`.length,
      ).reduce((a, b) => a + b, 0);
      expect(output.charsDropped).toBe(10 + droppedChars);
    },
  );

  it(
    "are the same in two runs of one timeline, and the console is the process's own again " +
      'after each',
    async () => {
      // Arrange
      const log = console.log;
      const write = process.stdout.write;
      const path = pathThat((phase) => console.info('phase %s, %d chats', phase, 1));
      // Act
      const first = await simulate(timelineOf(conversation), path);
      const second = await simulate(timelineOf(conversation), path);
      // Assert
      expect(first.output!.lines).toEqual([
        { at: 0, stream: 'stdout', text: 'phase start, 1 chats' },
        { at: 2000, stream: 'stdout', text: 'phase reply, 1 chats' },
      ]);
      expect(second.output).toEqual(first.output);
      expect(console.log).toBe(log);
      expect(process.stdout.write).toBe(write);
    },
  );

  it(
    'leave no output record for a path that writes nothing, and are left alone with ' +
      'captureProcess: false',
    async () => {
      // Act
      const silent = await simulate(timelineOf(conversation), tinyPath);
      const loud = await simulate(
        timelineOf(conversation),
        pathThat(() => process.stdout.write('hello\n')),
        { captureProcess: false },
      );
      // Assert
      expect(silent).not.toHaveProperty('output');
      expect(loud).not.toHaveProperty('output');
      expect(written).toEqual(['hello\n', 'hello\n']);
    },
  );
});

describe('a path that ends its process', () => {
  it(
    'process.exit(1) in a reply: recorded with its time, the run stops there, and clean ' +
      'names it',
    async () => {
      // Arrange
      let stopCalled = false;
      const base = pathThat((phase) => {
        if (phase === 'reply') process.exit(1);
      });
      const path: SendPathFactory = (env) => {
        const inner = base(env);
        return {
          start: (onMessage) => inner.start(onMessage),
          stop: () => ((stopCalled = true), inner.stop()),
        };
      };
      const events: TimelineEvent[] = [
        ...conversation,
        { at: 5000, do: 'inbound', chat: 'c1', msg: 'm2' },
      ];
      // Act
      const history = await simulate(timelineOf(events), path);
      const violations = checkAll(history);
      // Assert
      expect(history.exited).toEqual({ at: 2000, how: 'exit', code: 1 });
      expect(history.endedAt).toBe(2000);
      expect(stopCalled).toBe(false);
      expect(history.thrown).toEqual([]);
      expect(history.unhandledRejections).toEqual([]);
      expect(history.inbound[1]!.emittedAt).toBeUndefined();
      expect(violations).toEqual([
        {
          property: 'clean',
          at: 2000,
          message:
            'the bot exited the process with code 1 (process.exit) at 2,000 ms: the run ' +
            'ended there, and stop() was never called',
        },
      ]);
    },
  );

  it(
    'process.kill(process.pid) is taken as SIGTERM to itself; signal 0 only asks and ' +
      'answers true',
    async () => {
      // Arrange
      const answers: boolean[] = [];
      const path = pathThat((phase) => {
        if (phase === 'start') answers.push(process.kill(process.pid, 0));
        else process.kill(process.pid);
      });
      // Act
      const history = await simulate(timelineOf(conversation), path);
      // Assert
      expect(answers).toEqual([true]);
      expect(history.exited).toEqual({ at: 2000, how: 'signal', signal: 'SIGTERM' });
    },
  );

  it('an exception nobody catches ends the run as it ends a process, with the error', async () => {
    // Arrange
    const path = pathThat((phase) => {
      if (phase === 'reply') setImmediate(() => JSON.parse('{'));
    });
    // Act
    const history = await simulate(timelineOf(conversation), path);
    // Assert
    expect(history.exited).toMatchObject({
      at: 2000,
      how: 'uncaught',
      code: 1,
      error: { name: 'SyntaxError' },
    });
    expect(checkAll(history).map((v) => v.property)).toEqual(['clean']);
  });

  it(
    'leaves the process as it was: exit, kill and its uncaughtException listeners are its ' +
      'own again',
    async () => {
      // Arrange
      const exit = process.exit;
      const kill = process.kill;
      const listeners = process.listeners('uncaughtException');
      // Act
      await simulate(
        timelineOf(conversation),
        pathThat((phase) => phase === 'reply' && process.exit(3)),
      );
      // Assert
      expect(process.exit).toBe(exit);
      expect(process.kill).toBe(kill);
      expect(process.listeners('uncaughtException')).toEqual(listeners);
    },
  );
});
