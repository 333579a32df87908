/**
 * Specimen `ignores-terminal`.
 * BUG: the bot's close handler never reads why the connection closed: every `close` is an
 * ordinary drop, reconnected with backoff. After the linked device was removed (401) it keeps
 * logging in with a dead session; after another session took over (440) each reconnect
 * replaces that session, which replaces this one again (conflict ping-pong). The supervisor's
 * close rule is the reference's; the specimen hides the status code of every close from it,
 * which is what a handler that never reads the code amounts to.
 * Caught by: terminal-respected (a connect after a terminal close from outside).
 */
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { SendPathFactory, SocketFactory, SocketLike } from '../../src/ports.js';
import { forwardingSocket, retryingSend, specimenPath } from './host.js';

type Listener = (arg: never) => void;
type Events = SocketLike['ev'];

/** The close as the bot's handler reads it: closed, for no reason in particular. */
function withoutReason(
  update: BaileysEventMap['connection.update'],
): BaileysEventMap['connection.update'] {
  if (update.connection !== 'close') return update;
  return {
    ...update,
    lastDisconnect: { error: undefined, date: update.lastDisconnect?.date ?? new Date(0) },
  };
}

/** Events of `socket` whose `connection.update` listeners never see a close's status code. */
function reasonlessEvents(ev: Events): Events {
  const wrapped = new Map<Listener, Listener>();
  return {
    on(event, listener) {
      if (event !== 'connection.update') return ev.on(event, listener);
      const read = listener as (update: BaileysEventMap['connection.update']) => void;
      const wrapper = (update: BaileysEventMap['connection.update']) => read(withoutReason(update));
      wrapped.set(listener as Listener, wrapper as Listener);
      return ev.on('connection.update', wrapper);
    },
    off(event, listener) {
      const wrapper = wrapped.get(listener as Listener) ?? listener;
      wrapped.delete(listener as Listener);
      return ev.off(event, wrapper as typeof listener);
    },
  };
}

const reasonless =
  (makeSocket: SocketFactory): SocketFactory =>
  (config) => {
    const socket = makeSocket(config);
    return forwardingSocket(socket, { ev: reasonlessEvents(socket.ev) });
  };

/** The ignores-terminal specimen. */
export const ignoresTerminal: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { wrapFactory: reasonless });
