/**
 * Replaying a failure file: the same timeline, server model and send path give the same history
 * and verdict; another send path is judged on the same timeline.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  replayFailure,
  replayWith,
  type FailureFile,
} from '../../properties/campaigns/failureFile.js';
import { referenceSendPath } from '../../src/reference.js';
import { caughtFailure } from './caughtFailure.js';

describe('replay', () => {
  let failure: FailureFile;

  beforeAll(async () => {
    failure = await caughtFailure();
  });

  it('reproduces a fresh failure file exactly: same history, same properties', async () => {
    // Act
    const replayed = await replayFailure(failure);
    // Assert
    expect(replayed.fingerprint).toBe(failure.fingerprint);
    expect(replayed.sameHistory).toBe(true);
    expect(replayed.reproduced).toBe(true);
    expect(replayed.violations).toEqual(failure.violations);
    expect(replayed.history.requests.length).toBeGreaterThan(0);
  });

  it(
    'judges the same timeline on another send ' + 'path: a fixed path no longer reproduces it',
    async () => {
      // Act
      const replayed = await replayWith(failure, referenceSendPath);
      // Assert
      expect(replayed.violations).toEqual([]);
      expect(replayed.sameHistory).toBe(false);
      expect(replayed.reproduced).toBe(false);
    },
  );

  it('replays the server model the file records', async () => {
    // Arrange
    const deduped = await replayFailure(failure);
    // Act
    const raw = await replayFailure({ ...failure, dedupeById: false });
    // Assert
    expect(deduped.history.server.dedupeById).toBe(true);
    expect(raw.history.server.dedupeById).toBe(false);
  });
});
