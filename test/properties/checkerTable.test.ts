/**
 * The checker table: every property has one entry, named by its key, and `checkAll` is exactly
 * the table's checkers run once each, in table order, on one index of the history.
 */
import { test as fcTest } from '@fast-check/vitest';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runArb } from '../../properties/generation/arbitraries.js';
import {
  checkAll,
  checkers,
  checkProperty,
  HistoryIndex,
  propertyNames,
  type BoundLimits,
} from '../../properties/judging/checkers.js';
import { builtInSendPath, builtInSendPathNames } from '../../properties/paths/sendPaths.js';
import { simulate } from '../../sim/simulate.js';
import { attempt, baseHistory, makeVisible, request } from './historyBuilder.js';

/** Limits from tight (every run breaks some) to the defaults. */
const limitsArb: fc.Arbitrary<BoundLimits> = fc.record({
  attemptsPerReplyMax: fc.integer({ min: 1, max: 10 }),
  rateLimitedAttemptsPerReplyMax: fc.integer({ min: 1, max: 12 }),
  pathTimersAliveMax: fc.integer({ min: 0, max: 8 }),
  connectsPerWindowMax: fc.integer({ min: 1, max: 12 }),
  connectWindowMs: fc.constantFrom(5000, 60_000),
  listenersAliveMax: fc.integer({ min: 0, max: 8 }),
});

describe('the checker table', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lists the properties in their documented order', () => {
    expect(propertyNames).toEqual([
      'exactly-once',
      'live-socket',
      'liveness',
      'order',
      'bounded',
      'clean',
      'honest-outcome',
      'inbound-handover',
      'terminal-respected',
      'one-socket',
      'chat-independence',
      'keeps-session',
    ]);
  });

  it.each(propertyNames)('files %s under its own name, with a definition in words', (name) => {
    const checker = checkers[name];
    expect(checker.name).toBe(name);
    expect(checker.definition).toMatch(/^[A-Z].{80,}\.$/s);
  });

  it('runs every checker exactly once per history, all on one index', () => {
    // Arrange
    const h = baseHistory();
    h.requests.push(request('r1'));
    h.attempts.push(attempt(1, 'r1'));
    makeVisible(h, 'r1', 150);
    const spies = propertyNames.map((name) => vi.spyOn(checkers[name], 'check'));
    // Act
    checkAll(h);
    // Assert
    for (const spy of spies) expect(spy).toHaveBeenCalledOnce();
    const index = spies[0]!.mock.calls[0]![0];
    expect(index).toBeInstanceOf(HistoryIndex);
    for (const spy of spies) expect(spy.mock.calls[0]![0]).toBe(index);
  });

  fcTest.prop([runArb(), fc.constantFrom(...builtInSendPathNames), limitsArb], { numRuns: 60 })(
    'checkAll is each checker in table order, each reporting only its own property',
    async (run, pathName, limits) => {
      // Arrange
      const history = await simulate(run.timeline, builtInSendPath(pathName).factory);
      // Act
      const all = checkAll(history, limits);
      const each = propertyNames.map((name) => checkProperty(name, history, limits));
      // Assert
      expect(all).toEqual(each.flat());
      each.forEach((violations, i) => {
        for (const v of violations) expect(v.property).toBe(propertyNames[i]);
      });
    },
  );
});
