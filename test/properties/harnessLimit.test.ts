/**
 * A bot that calls a socket member the fake does not model: the run records it, no checker
 * judges the run (what the bot would have done with a real answer is unknown), and the line that
 * reports it names the member and how to stub it.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import { generatedTimeline } from '../../properties/campaigns/search.js';
import {
  checkAll,
  checkProperty,
  judgedBy,
  propertyNames,
  unmodelledLine,
  verdictOf,
} from '../../properties/judging/checkers.js';
import { checkSendPath } from '../../vitest/checkSendPath.js';
import { resolveSuiteOptions } from '../../vitest/options.js';
import { simulate } from '../../sim/simulate.js';
import type { SendPathFactory, SocketLike } from '../../src/ports.js';
import { timelineOf } from '../sim/helpers.js';
import { baseHistory } from './historyBuilder.js';

/** A seam path that calls `fetchBlocklist()` once its socket opened, and stops cleanly. */
const callsUnmodelled: SendPathFactory = (env) => {
  let sock: SocketLike | undefined;
  return {
    start() {
      const s = env.makeSocket();
      sock = s;
      s.ev.on('connection.update', ({ connection }) => {
        if (connection === 'open')
          void (s as unknown as { fetchBlocklist(): Promise<unknown> }).fetchBlocklist();
      });
    },
    async stop() {
      await sock?.end(undefined);
    },
  };
};

describe('a run whose bot called an unmodelled socket member', () => {
  it('records the member, the socket and the time in the history', async () => {
    // Arrange
    const timeline = timelineOf([{ at: 1000, do: 'stop' }]);
    // Act
    const history = await simulate(timeline, callsUnmodelled);
    // Assert
    expect(history.unmodelled).toEqual({ method: 'fetchBlocklist', at: 60, generation: 1 });
  });

  it('is judged by no checker, though its bot threw where nobody caught it', async () => {
    // Arrange
    const history = await simulate(timelineOf([{ at: 1000, do: 'stop' }]), callsUnmodelled);
    const unjudged = { ...history, unmodelled: undefined };
    delete unjudged.unmodelled;
    // Act
    const verdict = verdictOf(history);
    // Assert: the same run without the record fails clean (the unhandled rejection of the throw).
    expect(checkAll(unjudged).map((v) => v.property)).toContain('clean');
    expect(checkAll(history)).toEqual([]);
    expect(verdict.violations).toEqual([]);
    expect(Object.values(judgedBy(history)).some(Boolean)).toBe(false);
    expect(propertyNames.flatMap((name) => checkProperty(name, history))).toEqual([]);
  });

  it(
    'reports the member and how to stub it in one line; ev and ws members can only be ' + 'avoided',
    () => {
      // Arrange
      const method = { method: 'fetchBlocklist', at: 1020, generation: 2 };
      const evMember = { method: 'ev.buffer', at: 5, generation: 1 };
      // Act
      const lines = [unmodelledLine(method, './src/bot.ts'), unmodelledLine(evMember)];
      // Assert
      expect(lines[0]).toBe(
        'baileys-sim: the bot called sock.fetchBlocklist() (socket 2 at 1020 ms), which ' +
          'the simulated socket does not model: a limit of the harness, not a bug of the bot; ' +
          'stub it in ./src/bot.ts: export const socketStubs = { fetchBlocklist: async (...args) ' +
          '=> /* what WhatsApp would answer */ undefined } (docs/bot-surface.md)',
      );
      expect(lines[1]).toContain('sock.ev.buffer() (socket 1 at 5 ms)');
      expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    },
  );

  it('a history without the record is judged as before', () => {
    // Arrange
    const history = baseHistory();
    history.stop.result = 'hung';
    // Act
    const violations = checkAll(history);
    // Assert
    expect(violations.map((v) => v.property)).toEqual(['clean']);
  });
});

/**
 * The first run of seed 1 whose socket opens, so the path calls the member (a run may open none).
 */
async function firstRunCalling(): Promise<number> {
  for (let index = 0; index < 20; index += 1) {
    const history = await simulate(await generatedTimeline({ seed: 1 }, index), callsUnmodelled);
    if (history.unmodelled !== undefined) return index;
  }
  throw new Error('no run of seed 1 among the first 20 opened a socket');
}

describe('a campaign whose path calls an unmodelled socket member', () => {
  it(
    'stops at that run: the harness limit recorded ' + 'with its run, nothing shrunk or reported',
    async () => {
      // Arrange
      const path = { name: 'calls-unmodelled', factory: callsUnmodelled };
      const runIndex = await firstRunCalling();
      // Act
      const result = await runCampaign({ path, seed: 1, numRuns: 50 });
      // Assert
      expect(result.harnessLimit).toMatchObject({
        method: 'fetchBlocklist',
        generation: 1,
        runIndex,
      });
      expect(result.stoppedAt).toBe(runIndex);
      expect(result.runs).toBe(runIndex + 1);
      expect(result.failures).toEqual([]);
    },
  );

  it('fails a vitest suite with the one line, and writes no failure file', async () => {
    // Arrange
    const options = resolveSuiteOptions('harness limit', { runs: 20, seed: 1 }, process.cwd());
    const run = (await firstRunCalling()) + 1;
    // Act
    const check = await checkSendPath('harness limit', callsUnmodelled, options, process.cwd());
    // Assert
    expect(check.passed).toBe(false);
    expect(check.failureFiles).toEqual([]);
    expect(check.message).toMatch(
      new RegExp(
        `^baileys-sim: the bot called sock\\.fetchBlocklist\\(\\) \\(run ${run} of seed ` +
          `1, socket 1 at \\d+ ms\\)`,
      ),
    );
  });
});
