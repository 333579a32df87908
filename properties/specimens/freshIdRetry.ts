/**
 * Specimen `fresh-id-retry`.
 * BUG: each retry lets Baileys mint a new message id. After an ambiguous failure (a timeout
 * after the frame was written) the retry is a second message: the user sees the reply twice.
 * Caught by: exactly-once (duplicate visible copies).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sendWithRetry, specimenPath, type SpecimenSend } from './host.js';

// No messageId: every attempt is a brand-new message as far as WhatsApp is concerned.
const send: SpecimenSend = (ctx, chatJid, content) => sendWithRetry(ctx, chatJid, content, { attemptsMax: 5, ids: 'fresh' });

/** The fresh-id-retry specimen. */
export const freshIdRetry: SendPathFactory = (env) => specimenPath(env, send);
