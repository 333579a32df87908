/**
 * Specimen `answers-itself`.
 * BUG: the `messages.upsert` handler has no `key.fromMe` filter. rc14 echoes every send as a
 * `messages.upsert` `append` with `fromMe` (`emitOwnEvents`, on by default): the bot is handed
 * its own replies as if a user had written them, and a bot that answers everything answers
 * itself, in a loop.
 * Caught by: inbound-handover (the path's own message handed to the bot).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The answers-itself specimen. */
export const answersItself: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { handover: { skipOwn: false } });
