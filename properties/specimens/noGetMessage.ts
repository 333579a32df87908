/**
 * Specimen `no-get-message`.
 * BUG: gives Baileys no `getMessage`. A recipient that cannot decrypt a message sends a retry
 * receipt; rc14 resends from the cache of the socket that wrote the message, and a newer socket
 * has none of its own: it asks `getMessage`, and without an answer the recipient never gets the
 * message, and the path is never told (`sendMessagesAgain`, `Socket/messages-recv.js`). This is
 * the reference send path with a `getMessage` that finds nothing, as bots that never set it have.
 * Caught by: exactly-once ("... had no copy to resend"), when the retry receipt reaches a socket
 * opened after the write, long enough after it that the path no longer resends the write itself.
 */
import type { SendPathFactory } from '../../src/ports.js';
import { createReferenceSendPath } from '../../src/reference.js';

/** The no-get-message specimen. */
export const noGetMessage: SendPathFactory = createReferenceSendPath({
  socketConfig: { getMessage: async () => undefined },
});
