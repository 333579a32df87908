/**
 * Specimen `fresh-id-retry`.
 * BUG: every send lets Baileys mint a new message id, resends included. rc14 resolves a send at
 * the local write, so a path must send again a reply whose socket closed soon after its write
 * (the frame may have been lost); this one holds written replies as long as the reference does,
 * but its resend is a brand-new message: when the first copy did arrive, the user sees the
 * reply twice.
 * Caught by: exactly-once (duplicate visible copies).
 */
import { baileysDefaults, confirmWindowMs } from '../../src/baileysFacts.js';
import type { SendPathFactory } from '../../src/ports.js';
import { resendingPath } from './host.js';

/** The fresh-id-retry specimen. */
export const freshIdRetry: SendPathFactory = (env) =>
  resendingPath(env, {
    heldMs: confirmWindowMs(baileysDefaults.keepAliveIntervalMs),
    ids: 'fresh',
  });
