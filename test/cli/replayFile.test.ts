/**
 * `replay` and `report` re-run a failure file through the library's one replay, so the CLI and
 * a test calling `replayFailure` see the same history and verdict.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayFile } from '../../cli/replayCommand.js';
import {
  replayFailure,
  writeFailureFile,
  type FailureFile,
} from '../../properties/campaigns/failureFile.js';
import { caughtFailure } from '../properties/caughtFailure.js';

const silentIo = (cwd: string) => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  progressTty: false,
  cwd,
});

describe('replayFile', () => {
  let failure: FailureFile;

  beforeAll(async () => {
    failure = await caughtFailure();
  });

  it('gives the CLI the same history and verdict as the library', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'bsim-replay-'));
    const file = await writeFailureFile(dir, failure);
    // Act
    const fromCli = await replayFile(file, silentIo(dir), undefined, 5000);
    const fromLibrary = await replayFailure(failure);
    // Assert
    if (fromCli.stalled !== undefined) throw new Error('the replay stalled');
    expect(fromCli.pathName).toBe('specimen:unordered');
    expect(fromCli.fingerprint).toBe(fromLibrary.fingerprint);
    expect(fromCli.violations).toEqual(fromLibrary.violations);
    expect({ sameHistory: fromCli.sameHistory, reproduced: fromCli.reproduced }).toEqual({
      sameHistory: true,
      reproduced: true,
    });
  });
});
