/**
 * Real rc14 against the loopback server for the fidelity cases that wait for ws's 30 s close
 * timeout (it cannot be set through Baileys): few, and all at once, so the file takes about 40 s.
 */
import { describe, expect, it } from 'vitest';
import { runReal } from '../fidelity/realRunner.js';
import { fidelityCases } from '../fidelity/scenarios.js';
import { compareTraces } from '../fidelity/trace.js';

/** Wall-clock margin on top of a scenario's own length: teardown and a loaded machine. */
const teardownMarginMs = 20_000;
const longCases = fidelityCases.filter(c => c.long);

// vitest runs up to 5 concurrent tests (maxConcurrency): all of these at once.
describe.concurrent('real rc14 (loopback) matches each fidelity case that waits for the close timeout', () => {
  for (const c of longCases) {
    it(c.scenario.name, { timeout: c.scenario.endAt + teardownMarginMs }, async () => {
      // Act
      const { trace } = await runReal(c.scenario);
      // Assert
      expect(compareTraces(c.rc14, trace)).toEqual([]);
    });
  }
});
