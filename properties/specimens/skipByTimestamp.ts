/**
 * Specimen `skip-by-timestamp`.
 * BUG: the common "ignore old messages" filter: the handover skips every message whose
 * `messageTimestamp` is older than the moment its connection opened, to keep the bot from
 * answering history. rc14 stamps a message with the stanza's send time (`t`,
 * `Utils/decode-wa-message.js`), not its delivery's, so every message that arrived while the
 * bot was offline, and every redelivery after a lost receipt, is older than the connection that
 * delivers it: the bot never answers them.
 * Caught by: inbound-handover (a delivered message never reached the bot).
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import type { SendPathFactory, SocketFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The skip-by-timestamp specimen. */
export const skipByTimestamp: SendPathFactory = (env) => {
  // Seconds, as the snippets compare them: `messageTimestamp` is in seconds.
  let openedAtS = Number.POSITIVE_INFINITY;
  const noteOpens =
    (makeSocket: SocketFactory): SocketFactory =>
    (config) => {
      const socket = makeSocket(config);
      socket.ev.on('connection.update', (update) => {
        if (update.connection === 'open') openedAtS = Math.floor(env.clock.now() / 1000);
      });
      return socket;
    };
  const admits = (message: WAMessage): boolean =>
    Number(message.messageTimestamp ?? 0) >= openedAtS;
  return specimenPath(env, retryingSend, { wrapFactory: noteOpens, handover: { admits } });
};
