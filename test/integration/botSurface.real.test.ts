/**
 * Real rc14 against the loopback server, one test per surface case (`ev.process`, `ws`, `user`,
 * `logout()`, the modelled queries): what the scripted bot observes must match the case's `rc14`
 * trace (test/fidelity/surfaceScenarios.ts), times within `timeTolerated`. A Baileys upgrade
 * that changes any of these behaviours fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { warmUp } from '../fidelity/realRunner.js';
import { compareSurface } from '../fidelity/surface.js';
import { runSurfaceReal } from '../fidelity/surfaceRunners.js';
import { surfaceCases } from '../fidelity/surfaceScenarios.js';

/**
 * Wall-clock margin on top of a case's own length: teardown, queueing for a slot, a loaded machine.
 */
const marginMs = 60_000;
/**
 * One more run when a case fails: wall-clock tests on a loaded machine (see fidelity.real.test.ts).
 */
const retry = 1;

beforeAll(warmUp, 30_000);

describe.concurrent('real rc14 (loopback) matches each surface case', () => {
  for (const c of surfaceCases) {
    it(c.scenario.name, { timeout: c.scenario.endAt + marginMs, retry }, async () => {
      // Act
      const trace = await runSurfaceReal(c);
      // Assert
      expect(compareSurface(c.rc14, trace)).toEqual([]);
    });
  }
});
