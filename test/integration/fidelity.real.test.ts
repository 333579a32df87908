/**
 * Real rc14 against the loopback server, one test per fidelity case that needs no more than a few
 * seconds: the normalized trace must match the case's `rc14` trace (test/fidelity/scenarios.ts),
 * times within `timeTolerated`. A Baileys upgrade that changes any of these behaviours fails here.
 * The cases that wait for ws's 30 s close timeout are in fidelity.realSlow.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runReal } from '../fidelity/realRunner.js';
import { fidelityCases } from '../fidelity/scenarios.js';
import { compareTraces } from '../fidelity/trace.js';

/** Wall-clock margin on top of a scenario's own length: teardown and a loaded machine. */
const teardownMarginMs = 15_000;

describe.concurrent('real rc14 (loopback) matches each fidelity case', () => {
  for (const c of fidelityCases.filter(c => !c.long)) {
    it(c.scenario.name, { timeout: c.scenario.endAt + teardownMarginMs }, async () => {
      // Act
      const { trace } = await runReal(c.scenario);
      // Assert
      expect(compareTraces(c.rc14, trace)).toEqual([]);
    });
  }
});
