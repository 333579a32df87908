/**
 * The differential fidelity test: every fidelity scenario runs on the fake (sim/, through
 * `simulate` and the same scripted send path the real runner uses), and its trace is compared
 * with rc14's (test/fidelity/scenarios.ts, which fidelity.real.test.ts re-measures on real rc14).
 * Where the fake cannot express a scenario or differs, the exact lines are listed in
 * test/fidelity/fakeGaps.ts; anything else must match.
 */
import { describe, expect, it } from 'vitest';
import { fakeCannotExpressYet, knownFakeMismatches } from '../fidelity/fakeGaps.js';
import { runFake } from '../fidelity/fakeRunner.js';
import { fidelityCases } from '../fidelity/scenarios.js';
import { compareTraces } from '../fidelity/trace.js';

describe('the fake against rc14 on each fidelity scenario', () => {
  it.each(fidelityCases.map(c => [c.scenario.name, c] as const))('%s', async (name, c) => {
    // Act
    const { trace, unsupported } = await runFake(c.scenario);
    // Assert
    expect(unsupported, 'faults the fake cannot express').toEqual(fakeCannotExpressYet[name] ?? []);
    if (unsupported.length > 0) return;
    expect(compareTraces(c.rc14, trace), 'differences from rc14').toEqual(knownFakeMismatches[name] ?? []);
  });

  it('lists only scenarios that exist, each in one list at most', () => {
    const names = new Set(fidelityCases.map(c => c.scenario.name));
    const listed = [...Object.keys(fakeCannotExpressYet), ...Object.keys(knownFakeMismatches)];
    expect(listed.filter(n => !names.has(n))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(names.size).toBe(fidelityCases.length);
  });

  it('runs the same scenario to the same trace twice (the fake side is deterministic)', async () => {
    const c = fidelityCases.find(x => x.scenario.name === 'silent-link')!;
    expect((await runFake(c.scenario)).trace).toEqual((await runFake(c.scenario)).trace);
  });
});
