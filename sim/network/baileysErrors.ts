/**
 * The errors the fake socket raises, built exactly as Baileys 7.0.0-rc14 builds them (message,
 * `output.statusCode`, `data`), from the shapes in `src/baileysFacts.ts` and the same `@hapi/boom`
 * copy Baileys uses. Each builder cites the Baileys source it mirrors; `test/sim/baileysErrors`
 * compares every one with what Baileys' own code produces.
 */
import { Boom } from '@hapi/boom';
import { baileysErrorShapes, type ErrorShape } from '../../src/baileysFacts.js';

/**
 * Builds an error without capturing a stack trace. Stack capture dominates the cost of a Boom
 * (the simulator makes thousands per second) and a fake's stack would only show simulator
 * frames; nothing may classify by stack. The global limit is restored before returning.
 */
function stackless<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Why a fake connection ends from outside (the timeline's `drop.reason`):
 * - `connectionClosed`, `connectionReset`, `wsClose`: the server closes the TCP connection (FIN,
 *   RST) or the WebSocket (a close frame without a code): 428 `Connection Terminated`;
 * - `connectionResetUnread`: the server resets the TCP connection and the RST reaches the bot's
 *   host at once, but its event loop has not read it yet: a write until then fails with a plain
 *   `Error('write ECONNRESET')`; then 428 `Connection Terminated`;
 * - `streamEnd`: the server ends the XML stream: 428 `Connection Terminated by Server`;
 * - `restartRequired` (515), `conflict` (440, another session took over), `loggedOut` (401, the
 *   device was removed), `serviceUnavailable` (503), `unknownStreamError` (500): stream errors;
 * - `connectionLost`: the link goes silent for good; Baileys' keep-alive notices and the socket
 *   closes 408 `Connection was lost` after ws's close timeout.
 */
export type DropReason =
  | 'connectionClosed'
  | 'connectionReset'
  | 'connectionResetUnread'
  | 'wsClose'
  | 'streamEnd'
  | 'restartRequired'
  | 'conflict'
  | 'loggedOut'
  | 'serviceUnavailable'
  | 'unknownStreamError'
  | 'connectionLost';

/** Every drop reason, in a fixed order (for validation messages and generators). */
export const dropReasons: readonly DropReason[] = Object.freeze([
  'connectionClosed',
  'connectionReset',
  'connectionResetUnread',
  'wsClose',
  'streamEnd',
  'restartRequired',
  'conflict',
  'loggedOut',
  'serviceUnavailable',
  'unknownStreamError',
  'connectionLost',
]);

/**
 * Drop reasons that are stream errors (or the stream's end): sent as a frame on an open, logged-in
 * socket.
 */
export const streamErrorReasons: ReadonlySet<DropReason> = new Set([
  'streamEnd',
  'restartRequired',
  'conflict',
  'loggedOut',
  'serviceUnavailable',
  'unknownStreamError',
]);

/** A stackless Boom with `shape`'s message and status code. */
function boomOf(shape: ErrorShape): Boom {
  return stackless(() => new Boom(shape.message, { statusCode: shape.statusCode }));
}

/**
 * `sendRawMessage` (Socket/socket.js) when `!ws.isOpen`: the frame is never written, so a resend
 * is safe. Also what `sendMessage` gets before a connection opened.
 */
export function connectionClosedError(): Boom {
  return boomOf(baileysErrorShapes.connectionClosed);
}

/** `promiseTimeout` (Utils/generics.js): the write happened, the response did not come. */
export function timedOutError(): Boom {
  return boomOf(baileysErrorShapes.timedOut);
}

/**
 * A refused connect: `ws.on('error', mapWebSocketError(end))` with Node's ECONNREFUSED error.
 * `getCodeFromWSError` maps any error whose `code` starts with `E` to 408.
 */
export function connectRefusedError(): Boom {
  const cause = Object.assign(
    stackless(() => new Error('connect ECONNREFUSED 127.0.0.1:443')),
    {
      errno: -111,
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: '127.0.0.1',
      port: 443,
    },
  );
  return stackless(
    () => new Boom(`WebSocket Error (${cause.message})`, { statusCode: 408, data: cause }),
  );
}

/**
 * A connect into a blackhole: no answer, so `ws`'s `handshakeTimeout` (Baileys passes its
 * `connectTimeoutMs`) aborts with `Opening handshake has timed out`, which Baileys maps through
 * `mapWebSocketError` (Socket/socket.js); `getCodeFromWSError` gives 408 for 'timed out'.
 */
export function handshakeTimedOutError(): Boom {
  const cause = stackless(() => new Error('Opening handshake has timed out'));
  return stackless(
    () => new Boom(`WebSocket Error (${cause.message})`, { statusCode: 408, data: cause }),
  );
}

/**
 * The error a dropped connection ends with, per reason (the sources in rc14):
 * - connectionClosed, connectionReset(Unread), wsClose: `ws.on('close')`, 428 `Connection
 *   Terminated`;
 * - streamEnd: `CB:xmlstreamend`, 428 `Connection Terminated by Server`;
 * - stream errors: `CB:stream:error` through `getErrorCodeFromStreamError` (Utils/generics.js):
 *   the `code` attribute, else `CODE_MAP` of the first child's tag (`conflict` is 440), else 500;
 *   the message names the child tag (`unknown` without one; 515 reads `restart required`). So
 *   `loggedOut` (`code="401"` with `<conflict type="device_removed"/>`) says `Stream Errored
 *   (conflict)` like `conflict`: only the status code tells them apart;
 * - connectionLost: the keep-alive check, 408 `Connection was lost`.
 */
export function dropError(reason: DropReason): Boom {
  return stackless(() => buildDropError(reason));
}

function buildDropError(reason: DropReason): Boom {
  switch (reason) {
    case 'connectionLost':
      return new Boom(baileysErrorShapes.connectionLost.message, {
        statusCode: baileysErrorShapes.connectionLost.statusCode,
      });
    case 'connectionClosed':
    case 'connectionReset':
    case 'connectionResetUnread':
    case 'wsClose':
      return new Boom(baileysErrorShapes.connectionTerminated.message, {
        statusCode: baileysErrorShapes.connectionTerminated.statusCode,
      });
    case 'streamEnd':
      return new Boom(baileysErrorShapes.streamEnd.message, {
        statusCode: baileysErrorShapes.streamEnd.statusCode,
      });
    case 'restartRequired':
      return new Boom(baileysErrorShapes.restartRequired.message, {
        statusCode: baileysErrorShapes.restartRequired.statusCode,
        // No child node: Baileys' `data: reasonNode || node` falls back to the stream:error node.
        data: { tag: 'stream:error', attrs: { code: '515' } },
      });
    case 'conflict':
      return new Boom(baileysErrorShapes.conflict.message, {
        statusCode: baileysErrorShapes.conflict.statusCode,
        data: { tag: 'conflict', attrs: { type: 'replaced' } },
      });
    case 'loggedOut':
      return new Boom(baileysErrorShapes.loggedOut.message, {
        statusCode: baileysErrorShapes.loggedOut.statusCode,
        data: { tag: 'conflict', attrs: { type: 'device_removed' } },
      });
    case 'serviceUnavailable':
      return new Boom(baileysErrorShapes.serviceUnavailable.message, {
        statusCode: baileysErrorShapes.serviceUnavailable.statusCode,
        data: { tag: 'stream:error', attrs: { code: '503' } },
      });
    case 'unknownStreamError':
      return new Boom(baileysErrorShapes.unknownStreamError.message, {
        statusCode: baileysErrorShapes.unknownStreamError.statusCode,
        data: { tag: 'stream:error', attrs: {} },
      });
  }
}

/**
 * A write into a connection whose RST the process has not read yet: the `write()` syscall fails,
 * Node's `afterWriteDispatched` hands the `ws.send` callback an ErrnoException, and
 * `sendRawMessage` (`Socket/socket.js`) rejects with it as it is: a plain Error, no Boom, no
 * status code. Nothing was written.
 */
export function writeResetError(): Error {
  const error = stackless(() => new Error('write ECONNRESET'));
  return Object.assign(error, { errno: -104, code: 'ECONNRESET', syscall: 'write' });
}

/**
 * `sendPresenceUpdate('composing' | 'paused' | 'recording', toJid)` with no JID (or one without
 * an `@`): `jidDecode` (`WABinary/jid-utils.js`) returns undefined and `const { server } =
 * jidDecode(toJid)` (`Socket/chats.js`) throws, before anything is written, socket open or not.
 */
export function presenceWithoutJidError(): TypeError {
  const message = "Cannot destructure property 'server' of 'jidDecode(...)' as it is undefined.";
  return stackless(() => new TypeError(message));
}

/**
 * `CB:failure` at login (`Socket/socket.js`): `Connection Failure` with the reason as status code
 * (none: 500).
 */
export function loginFailureError(reason: number | null): Boom {
  const statusCode = reason ?? baileysErrorShapes.loginFailure.statusCode;
  return stackless(
    () =>
      new Boom(baileysErrorShapes.loginFailure.message, {
        statusCode,
        data: { reason: reason === null ? undefined : String(reason) },
      }),
  );
}

/** `getWAUploadToServer` (Utils/messages-media.js) after the last media host failed. */
export function mediaUploadFailedError(): Boom {
  return boomOf(baileysErrorShapes.mediaUploadFailed);
}

/**
 * `media_conn` answered with an error: `assertNodeErrorFree` throws a Boom with the error's text,
 * status 500, the error's code in `data`.
 */
export function mediaConnError(): Boom {
  const { message, statusCode } = baileysErrorShapes.mediaConnError;
  return stackless(() => new Boom(message, { statusCode, data: 500 }));
}

/**
 * A pre-write query answered with `<error code text>`: `assertNodeErrorFree`
 * (`WABinary/generic-utils.js`), `new Boom(text, { data: code })`: status 500, the code in `data`.
 */
export function queryRefusedError(refusal: { code: number; text: string }): Boom {
  return stackless(() => new Boom(refusal.text, { data: refusal.code }));
}

/** A group's metadata query unanswered: `extractGroupMetadata(undefined)` (`Socket/groups.js`). */
export function groupMetadataMissingError(): Boom {
  const { message } = baileysErrorShapes.groupMetadataMissing;
  return stackless(() => new Boom(message, { data: undefined }));
}

/** A key fetch unanswered: `createParticipantNodes` encrypted for no device. */
export function allEncryptionsFailedError(): Boom {
  return boomOf(baileysErrorShapes.allEncryptionsFailed);
}

/**
 * `media_conn` unanswered: the query times out to `undefined` and `refreshMediaConn` reads
 * `mediaConnNode.attrs` of it: a TypeError, not a Boom.
 */
export function mediaConnUnansweredError(): TypeError {
  return stackless(() => new TypeError("Cannot read properties of undefined (reading 'attrs')"));
}
