/**
 * The differential fidelity test: every fidelity scenario runs on the fake (sim/, through
 * `simulate` and the same scripted send path the real runner uses), and its trace must match
 * rc14's (test/fidelity/scenarios.ts, which fidelity.real.test.ts re-measures on real rc14)
 * within the tolerance of `compareTraces`.
 */
import { describe, expect, it } from 'vitest';
import { runFake } from '../fidelity/fakeRunner.js';
import { fidelityCases } from '../fidelity/scenarios.js';
import { compareTraces } from '../fidelity/trace.js';

describe('the fake against rc14 on each fidelity scenario', () => {
  it.each(fidelityCases.map((c) => [c.scenario.name, c] as const))('%s', async (_name, c) => {
    // Act
    const { trace, unsupported } = await runFake(c.scenario);
    // Assert
    expect(unsupported, 'faults the fake cannot express').toEqual([]);
    expect(compareTraces(c.rc14, trace), 'differences from rc14').toEqual([]);
  });

  it(
    'runs the same scenario to the same trace ' + 'twice (the fake side is deterministic)',
    async () => {
      const c = fidelityCases.find((x) => x.scenario.name === 'silent-link')!;
      expect((await runFake(c.scenario)).trace).toEqual((await runFake(c.scenario)).trace);
    },
  );
});
