/**
 * Specimen `group-failure-sent`.
 * BUG: takes a group send's rejection for a delivery. rc14 asks for a group's metadata before
 * every group send and rejects with Boom 500 when the query goes unanswered (`Invalid group
 * metadata response`) or the bot is no longer in the group (`forbidden`): nothing was written.
 * A path that logs the error and reports the reply sent loses it. This is the reference send
 * path with a socket whose group sends resolve instead of rejecting with status 500.
 * Caught by: exactly-once ("reported sent but never became visible").
 */
import type { SendPathFactory, SocketLike } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { statusCodeOf } from '../../src/sendErrors.js';
import { forwardingSocket } from './host.js';

/** A socket whose group sends resolve with nothing when rc14 rejects them with status 500. */
function swallowingGroupFailures(socket: SocketLike): SocketLike {
  const sendMessage: SocketLike['sendMessage'] = async (jid, content, options) => {
    try {
      return await socket.sendMessage(jid, content, options);
    } catch (error) {
      if (jid.endsWith('@g.us') && statusCodeOf(error) === 500) return undefined;
      throw error;
    }
  };
  return forwardingSocket(socket, { sendMessage });
}

/** The group-failure-sent specimen. */
export const groupFailureSent: SendPathFactory = (env) =>
  referenceSendPath({
    ...env,
    makeSocket: (config) => swallowingGroupFailures(env.makeSocket(config)),
  });
