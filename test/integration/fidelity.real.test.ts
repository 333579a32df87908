/**
 * Real rc14 against the loopback server, one test per fidelity case: the normalized trace must
 * match the case's `rc14` trace (test/fidelity/scenarios.ts), times within `timeTolerated`. A
 * Baileys upgrade that changes any of these behaviours fails here.
 *
 * The cases that wait for ws's 30 s close timeout (it cannot be set through Baileys) start first:
 * they hold three of vitest's five concurrent slots for about 40 s while the short cases share
 * the other two, so that part takes about as long as the longest case. A case that blocks the
 * event loop (encoding megabytes, then collecting them) runs alone after them: concurrent cases
 * share that event loop.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { Curve, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { runReal, warmUp } from '../fidelity/realRunner.js';
import { fidelityCases, type FidelityCase } from '../fidelity/scenarios.js';
import { compareTraces } from '../fidelity/trace.js';

/**
 * Wall-clock margin on top of a scenario's own length: teardown, queueing for a slot, a loaded
 * machine.
 */
const marginMs = 60_000;
/**
 * One more run when a case fails: these are wall-clock tests, and a machine loaded well past its
 * cores (other suites, other processes) can stretch a login or a timer past the tolerance once.
 * A changed rc14 behaviour fails both runs.
 */
const retry = 1;
const shared = fidelityCases.filter((c) => !c.cpuHeavy);
const longFirst = [...shared.filter((c) => c.long), ...shared.filter((c) => !c.long)];

beforeAll(warmUp, 30_000);

async function matchesRc14(c: FidelityCase): Promise<void> {
  // Act
  const { trace } = await runReal(c.scenario);
  // Assert
  expect(compareTraces(c.rc14, trace)).toEqual([]);
}

describe.concurrent('real rc14 (loopback) matches each fidelity case', () => {
  for (const c of longFirst) {
    it(c.scenario.name, { timeout: c.scenario.endAt + marginMs, retry }, () => matchesRc14(c));
  }
});

describe(
  'real rc14 (loopback) matches each fidelity ' + 'case that blocks the event loop, alone',
  () => {
    for (const c of fidelityCases.filter((c) => c.cpuHeavy)) {
      it(c.scenario.name, { timeout: c.scenario.endAt + marginMs, retry }, () => matchesRc14(c));
    }
  },
);

// libsignal (Baileys' dependency) ships no types
const libsignalCurve = createRequire(import.meta.url)('libsignal/src/curve.js') as {
  verifySignature(pubKey: Buffer, msg: Buffer, sig: Buffer): boolean;
};

describe(
  'the noise certificate check in rc14 (why ' + 'a self-made server certificate is accepted)',
  () => {
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
  },
);
