import { describe, expect, it } from 'vitest';
import {
  addCoverage,
  emptyCoverage,
  neverMattered,
  runCoverage,
} from '../../properties/judging/coverage.js';
import { builtInFaults } from '../../sim/faults/index.js';
import type { Timeline } from '../../sim/timeline.js';
import { baseHistory, request } from './historyBuilder.js';

const timeline = (events: Timeline['events']): Timeline => ({
  format: 'baileys-sim/timeline@1',
  seed: 1,
  config: {
    reconnect: { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
    replyDeadlineMs: 120_000,
  },
  events,
});

describe('fault coverage', () => {
  it('counts a fault as mattering when a reply was in progress or came soon after', () => {
    // Arrange
    const h = baseHistory();
    h.requests.push(request('r1', { calledAt: 100, settledAt: 3000 }));
    const t = timeline([
      { at: 500, do: 'drop', reason: 'connectionClosed' },
      { at: 9000, do: 'drop', reason: 'restartRequired' },
      { at: 600, do: 'latency', ms: 100 },
      { at: 700, do: 'blackhole', untilAt: 900 },
    ]);
    // Act
    const coverage = runCoverage(t, h);
    // Assert
    expect(coverage.blackhole).toEqual({ fired: 1, mattered: 1 });
    expect(coverage.drop).toEqual({ fired: 1, mattered: 1 });
    expect(coverage.restart).toEqual({ fired: 1, mattered: 0 });
    expect(coverage.latency).toEqual({ fired: 1, mattered: 1 });
    expect(neverMattered(coverage)).toEqual(
      builtInFaults.swarmKinds.filter((k) => !['drop', 'latency', 'blackhole'].includes(k)),
    );
  });

  it('counts a nack only when a message took it, and ignores faults after the run ended', () => {
    const h = baseHistory();
    const t = timeline([
      { at: 100, do: 'nack', delayMs: 5000 },
      { at: 20_000, do: 'drop', reason: 'connectionClosed' },
    ]);
    const coverage = runCoverage(t, h);
    expect(coverage.nack!.fired).toBe(0);
    expect(coverage.drop!.fired).toBe(0);
  });

  it('adds campaign totals', () => {
    const a = emptyCoverage();
    a.drop = { fired: 2, mattered: 1 };
    const b = emptyCoverage();
    b.drop = { fired: 3, mattered: 3 };
    expect(addCoverage(a, b).drop).toEqual({ fired: 5, mattered: 4 });
  });
});
