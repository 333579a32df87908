/**
 * The fake socket factory against real Baileys: for every fault the simulator models, the error
 * the fake raises has the statusCode and message that real Baileys rc14 raised for the same
 * fault on the loopback server (`baileysFaultTable`, measured by fidelity.test.ts). When a
 * Baileys upgrade changes an error, fidelity.test.ts fails; when the fake drifts, this does.
 */
import { describe, expect, it } from 'vitest';
import { connectionClosedError, connectRefusedError, dropError, type DropReason } from '../../sim/network/baileysErrors.js';
import { baileysFaultTable, faultMessageMatches, type BaileysFault } from '../loopback/fidelity.js';

/** How the simulator produces each real fault it models. */
const fakeErrorFor: Partial<Record<BaileysFault, () => Error & { output: { statusCode: number } }>> = {
  connectionClosed: () => dropError('connectionClosed' satisfies DropReason),
  connectionLost: () => dropError('connectionLost'),
  restartRequired: () => dropError('restartRequired'),
  conflict: () => dropError('conflict'),
  loggedOut: () => dropError('loggedOut'),
  connectRefused: () => connectRefusedError(),
  sendWhileClosed: () => connectionClosedError(),
};

const modelled = baileysFaultTable.filter((entry) => fakeErrorFor[entry.fault] !== undefined);

describe('fake socket fidelity', () => {
  it('models at least the drop reasons, refused connects and sends on a closed socket', () => {
    expect(modelled.map((e) => e.fault).sort()).toEqual(
      ['conflict', 'connectRefused', 'connectionClosed', 'connectionLost', 'loggedOut', 'restartRequired', 'sendWhileClosed'].sort(),
    );
  });

  it.each(modelled)('$fault: the fake raises $statusCode "$message" as real Baileys does', (entry) => {
    // Act
    const error = fakeErrorFor[entry.fault]!();
    // Assert
    expect(error.output.statusCode).toBe(entry.statusCode);
    expect(faultMessageMatches(entry.message, error.message)).toBe(true);
  });
});
