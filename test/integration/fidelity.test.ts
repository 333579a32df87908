/**
 * Fidelity table: every fault is reproduced against the real Baileys rc14 over loopback, and what
 * it raised must equal `baileysFaultTable` / `baileysSendOutcomeTable`. A Baileys upgrade that
 * changes an error code, a message, or the send behaviour fails here (then update the table,
 * `sim/fakeSocket.ts` and DESIGN.md together).
 */
import { describe, expect, it } from 'vitest';
import { Curve, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { createRequire } from 'node:module';
import { baileysFaultTable, baileysSendOutcomeTable, faultMessageMatches } from '../loopback/fidelity.js';
import { observeFault, observeSendFault } from '../loopback/realBaileys.js';

// libsignal (Baileys' dependency) ships no types
const libsignalCurve = createRequire(import.meta.url)('libsignal/src/curve.js') as {
  verifySignature(pubKey: Buffer, msg: Buffer, sig: Buffer): boolean;
};

describe.concurrent('real Baileys fault table (loopback)', () => {
  for (const entry of baileysFaultTable) {
    const timeout = entry.fault === 'connectionLost' ? 12_000 : 5_000;
    it(`${entry.fault} → ${entry.surface} ${entry.statusCode} '${entry.message}'`, { timeout }, async () => {
      const seen = await observeFault(entry.fault);
      expect(seen.statusCode, `statusCode for ${entry.fault}`).toBe(entry.statusCode);
      expect(
        faultMessageMatches(entry.message, seen.message),
        `message for ${entry.fault}: expected '${entry.message}', Baileys said '${seen.message}'`,
      ).toBe(true);
    });
  }

  it('the table covers every fault exactly once', () => {
    const faults = baileysFaultTable.map(e => e.fault);
    expect(new Set(faults).size).toBe(faults.length);
  });
});

describe.concurrent('real Baileys sendMessage outcomes (loopback)', () => {
  // Counting query timeouts by elapsed time: a fault that waits none gets a long query timeout,
  // so a loaded machine (the suite runs files in parallel) cannot push it past the bound.
  const queryTimeoutMsFor = (entry: (typeof baileysSendOutcomeTable)[number]) => (entry.queryTimeouts === 0 ? 1500 : 400);
  for (const entry of baileysSendOutcomeTable) {
    const queryTimeoutMs = queryTimeoutMsFor(entry);
    it(`${entry.fault} → ${entry.outcome}${entry.rejection !== undefined ? ` ${JSON.stringify(entry.rejection)}` : ''}, frame ${entry.frameWritten ? 'written' : 'not written'}`, { timeout: 5_000 }, async () => {
      const seen = await observeSendFault(entry.fault, queryTimeoutMs);
      expect(seen.outcome).toBe(entry.outcome);
      expect(seen.frameWritten).toBe(entry.frameWritten);
      if (typeof entry.rejection === 'number') {
        expect(seen.rejection).toBe(entry.rejection);
        expect(seen.rejectionIsError).toBe(false);
      } else if (entry.rejection) {
        expect(seen.rejection).toEqual(entry.rejection);
        expect(seen.rejectionIsError).toBe(true);
      }
      if (entry.queryTimeouts !== undefined) {
        const n = entry.queryTimeouts;
        expect(seen.elapsedMs).toBeGreaterThanOrEqual(n * queryTimeoutMs - 20);
        expect(seen.elapsedMs).toBeLessThan((n + 2) * queryTimeoutMs);
      }
    });
  }
});

describe('the noise certificate check in rc14 (why a self-made server certificate is accepted)', () => {
  it("Baileys' Curve.verify accepts a signature libsignal rejects", () => {
    // See the header comment of test/loopback/waServer.ts. If this fails, Baileys (or libsignal)
    // fixed the check and the loopback server needs another way to pass it.
    const notWhatsApp = Curve.generateKeyPair();
    const details = Buffer.from('intermediate certificate details');
    const signature = Buffer.from(Curve.sign(notWhatsApp.private, details));
    const rootWithVersionByte = Buffer.concat([Buffer.from([5]), WA_CERT_DETAILS.PUBLIC_KEY]);
    expect(libsignalCurve.verifySignature(rootWithVersionByte, details, signature)).toBe(false);
    expect(Curve.verify(WA_CERT_DETAILS.PUBLIC_KEY, details, signature)).toBe(true);
  });
});
