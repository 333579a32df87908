/**
 * Specimen `notify-only`.
 * BUG: the `messages.upsert` handler answers only `type: 'notify'`, reading `append` as history.
 * rc14 delivers every message that arrived while the bot was offline, and every redelivery of a
 * message whose receipt the server did not get, as `append` (`upsertMessage(msg,
 * node.attrs.offline ? 'append' : 'notify')`, `Socket/messages-recv.js`): the bot never sees
 * them. Bulk history comes on `messaging-history.set`, not here.
 * Caught by: inbound-handover (delivered, never reached the bot).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The notify-only specimen. */
export const notifyOnly: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { handover: { types: ['notify'] } });
