/**
 * Specimen `unordered`.
 * BUG: each reply runs its own retry loop, with no per-chat queue, and spreads retries with a
 * little random delay "to avoid a thundering herd". Two replies to one chat that both hit a
 * reconnect gap retry in random order: the second answer can arrive before the first.
 * Caught by: order (per-chat request order broken).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sendWithRetry, sleep, specimenPath, type SpecimenSend } from './host.js';

const spreadMsMax = 1500;

const send: SpecimenSend = (ctx, chatJid, content) =>
  sendWithRetry(ctx, chatJid, content, {
    attemptsMax: 8,
    pause: (c) => sleep(c.env, Math.floor(c.env.random() * spreadMsMax)),
  });

/** The unordered specimen. */
export const unordered: SendPathFactory = (env) => specimenPath(env, send);
