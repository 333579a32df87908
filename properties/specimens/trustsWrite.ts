/**
 * Specimen `trusts-write`.
 * BUG: trusts `sendMessage`'s resolution. Baileys resolves once the frame is written; on a
 * silently dead connection (a blackhole) the frame vanishes and the keep-alive only ends the
 * socket up to two intervals + 5 s later. A path that forgets a reply once its write resolved
 * loses every reply written in that window. This is the reference send path with its resend of
 * unconfirmed writes switched off, as most bots' paths are.
 * Caught by: exactly-once ("reported sent but never became visible").
 */
import type { SendPathFactory } from '../../src/ports.js';
import { createReferenceSendPath } from '../../src/reference.js';

/** The trusts-write specimen. */
export const trustsWrite: SendPathFactory = createReferenceSendPath({ resendUnconfirmed: false });
