import { describe, expect, it } from 'vitest';

describe('package exports', () => {
  it('resolve the library entry points by package name', async () => {
    // Act
    const main = await import('baileys-sim');
    const sim = await import('baileys-sim/sim');
    const properties = await import('baileys-sim/properties');
    // Assert
    expect(typeof main.referenceSendPath).toBe('function');
    expect(typeof sim.simulate).toBe('function');
    expect(typeof properties.runCampaign).toBe('function');
    expect(properties.specimens.length).toBeGreaterThanOrEqual(9);
  });
});
