/**
 * Specimen `stop-keeps-socket`.
 * BUG: stop() tears down the bot's own state (timers, waiting replies) but never ends the
 * socket. The stopped bot stays connected: it keeps acknowledging messages nobody handles, and
 * the next instance's login replaces it (440) or is replaced by it. The supervisor is the
 * reference's; the specimen cuts its `end()` off at the socket, the one call stop() forgets.
 * Caught by: clean (a socket neither ended nor closed when stop() resolved).
 */
import type { SendPathFactory, SocketFactory } from '../../src/ports.js';
import { forwardingSocket, retryingSend, specimenPath } from './host.js';

const endForgotten =
  (makeSocket: SocketFactory): SocketFactory =>
  (config) =>
    forwardingSocket(makeSocket(config), { end: async () => undefined });

/** The stop-keeps-socket specimen. */
export const stopKeepsSocket: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { wrapFactory: endForgotten });
