/**
 * Every file in `test/regressions/` is replayed on every `npm test`: a specimen's saved failure
 * must still fail with the same properties, and a reference scenario must still pass.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFailureFile, replayFailure } from '../../properties/campaigns/failureFile.js';

const dir = 'test/regressions';
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('regressions', () => {
  it('has one file per specimen and the seed scenarios', () => {
    expect(files.filter((f) => f.startsWith('specimen-')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.startsWith('reference-')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s replays to the same verdict', async (name) => {
    // Arrange
    const failure = await readFailureFile(join(dir, name));
    // Act
    const first = await replayFailure(failure);
    const second = await replayFailure(failure);
    // Assert
    expect(first.violations.map((v) => v.property).sort()).toEqual(failure.violations.map((v) => v.property).sort());
    expect(first.reproduced).toBe(true);
    expect(second.fingerprint).toBe(first.fingerprint);
  });
});
