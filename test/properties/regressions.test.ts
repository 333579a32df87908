/**
 * Every file in `test/regressions/` is replayed on every `npm test`: a specimen's saved failure
 * must still fail with the same properties, and a reference scenario must still pass.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFailureFile, replayFailure } from '../../properties/campaigns/failureFile.js';
import { specimens } from '../../properties/specimens/index.js';

const dir = 'test/regressions';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('regressions', () => {
  it('has one file per specimen, and no file of a specimen that is gone', () => {
    // Arrange
    const expected = specimens.map((s) => `specimen-${s.name}.json`).sort();
    // Act
    const present = files.filter((f) => f.startsWith('specimen-'));
    // Assert
    expect(present).toEqual(expected);
  });

  it.each(files)('%s replays to the same verdict', async (name) => {
    // Arrange
    const failure = await readFailureFile(join(dir, name));
    // Act
    const first = await replayFailure(failure);
    const second = await replayFailure(failure);
    // Assert
    expect(first.violations.map((v) => v.property).sort()).toEqual(
      failure.violations.map((v) => v.property).sort(),
    );
    expect(first.reproduced).toBe(true);
    expect(second.fingerprint).toBe(first.fingerprint);
  });
});
