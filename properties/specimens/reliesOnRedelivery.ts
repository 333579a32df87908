/**
 * Specimen `relies-on-redelivery`.
 * BUG: after each connection opens the bot warms up (loads its chats, as bots fetch their
 * groups at `open`), and until it is done its `messages.upsert` handler throws on every message
 * it is handed, counting on WhatsApp to deliver the message again since it never handled it.
 * rc14 sends a message's receipt before it emits the upsert (`handleMessage`,
 * `Socket/messages-recv.js`): the server has the receipt and never delivers the message again.
 * Only that socket's own next flush emits the batch once more, and there is none if no other
 * message arrives on it before it closes or the bot stops: the offline backlog every login
 * brings arrives inside the warm-up and is lost.
 * Caught by: inbound-handover (a delivered message never reached the bot).
 */
import type { SendPathFactory, SocketFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** How long after each `open` the bot refuses messages, ms. */
export const warmUpMs = 2000;

/** The relies-on-redelivery specimen. */
export const reliesOnRedelivery: SendPathFactory = (env) => {
  let readyAt = Number.POSITIVE_INFINITY;
  const noteOpens =
    (makeSocket: SocketFactory): SocketFactory =>
    (config) => {
      const socket = makeSocket(config);
      socket.ev.on('connection.update', (update) => {
        if (update.connection === 'open') readyAt = env.clock.now() + warmUpMs;
      });
      return socket;
    };
  const admits = (): boolean => {
    if (env.clock.now() < readyAt) throw new Error('not ready yet: WhatsApp will deliver it again');
    return true;
  };
  return specimenPath(env, retryingSend, { wrapFactory: noteOpens, handover: { admits } });
};
