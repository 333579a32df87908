/**
 * The differential surface test: every surface case runs on the fake (through `simulate`, the
 * same scripted bot the real runner uses), and what the bot observes must match rc14's
 * (test/fidelity/surfaceScenarios.ts, which botSurface.real.test.ts re-measures on real rc14).
 */
import { describe, expect, it } from 'vitest';
import { compareSurface } from '../fidelity/surface.js';
import { runSurfaceFake } from '../fidelity/surfaceRunners.js';
import { surfaceCases } from '../fidelity/surfaceScenarios.js';

describe('the fake against rc14 on each surface case', () => {
  it.each(surfaceCases.map((c) => [c.scenario.name, c] as const))('%s', async (_name, c) => {
    // Act
    const { trace, unsupported } = await runSurfaceFake(c);
    // Assert
    expect(unsupported, 'faults the fake cannot express').toEqual([]);
    expect(compareSurface(c.rc14, trace), 'differences from rc14').toEqual([]);
  });

  it(
    'a changed behaviour shows as a difference ' + 'naming the entry (the comparison can fail)',
    async () => {
      // Arrange
      const c = surfaceCases.find((x) => x.scenario.name === 'surface-logout')!;
      const { trace } = await runSurfaceFake(c);
      // Act
      trace.calls[0]!.what = 'logout:rejected';
      // Assert
      expect(compareSurface(c.rc14, trace)[0]).toMatch(/^calls: expected \[1:logout:resolved null/);
    },
  );
});
