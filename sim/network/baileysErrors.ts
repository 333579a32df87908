/**
 * The errors the fake socket raises, built exactly as Baileys 7.0.0-rc14 builds them (message,
 * `output.statusCode`, `data`), from the shapes in `src/baileysFacts.ts` and the same `@hapi/boom`
 * copy Baileys uses. Each builder cites the Baileys source it mirrors; `test/sim/baileysErrors`
 * compares every one with what Baileys' own code produces.
 */
import { Boom } from '@hapi/boom';
import {
  baileysErrorShapes,
  webSocketErrorStatusCode,
  type ErrorShape,
} from '../../src/baileysFacts.js';
import { dropErrorFacts, type DropErrorFact, type DropReason } from '../../src/dropFacts.js';

export type { DropReason } from '../../src/dropFacts.js';

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
  return webSocketError(cause);
}

/**
 * A connect into a blackhole: no answer, so `ws`'s `handshakeTimeout` (Baileys passes its
 * `connectTimeoutMs`) aborts with `Opening handshake has timed out`, which Baileys maps through
 * `mapWebSocketError` (Socket/socket.js); `getCodeFromWSError` gives 408 for 'timed out'.
 */
export function handshakeTimedOutError(): Boom {
  const cause = stackless(() => new Error('Opening handshake has timed out'));
  return webSocketError(cause);
}

/** `mapWebSocketError` (Socket/socket.js): the ws error as `data`, its status from the facts. */
function webSocketError(cause: Error): Boom {
  const message = `WebSocket Error (${cause.message})`;
  return stackless(() => new Boom(message, { statusCode: webSocketErrorStatusCode, data: cause }));
}

/**
 * The error a dropped connection ends with, per reason: the shape and node data
 * `src/dropFacts.ts` holds for it (with the rc14 source of each). The data is copied, so each
 * error has its own, as each of rc14's does.
 */
export function dropError(reason: DropReason): Boom {
  const { shape, data }: DropErrorFact = dropErrorFacts[reason];
  const statusCode = shape.statusCode;
  if (data === undefined) return stackless(() => new Boom(shape.message, { statusCode }));
  const copy = { tag: data.tag, attrs: { ...data.attrs } };
  return stackless(() => new Boom(shape.message, { statusCode, data: copy }));
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
  // The error node's code is its status: `<error code="500" text="internal-server-error">`.
  return stackless(() => new Boom(message, { statusCode, data: statusCode }));
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
