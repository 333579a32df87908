/**
 * Specimen `one-queue`.
 * BUG: one FIFO for every chat, "to keep replies in order". Order only matters within a chat:
 * a reply stuck in one chat (its pre-write queries waiting out their timeout, a slow media
 * upload) holds every other chat's replies behind it.
 * Caught by: chat-independence (a healthy chat's reply held up by another chat's fault).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath, type SpecimenSend } from './host.js';

/** The one-queue specimen. */
export const oneQueue: SendPathFactory = (env) => {
  let tail: Promise<unknown> = Promise.resolve();
  const send: SpecimenSend = (ctx, chatJid, content) => {
    const turn = tail.then(() => retryingSend(ctx, chatJid, content));
    tail = turn.catch(() => undefined);
    return turn;
  };
  return specimenPath(env, send);
};
