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

/** Why a fake connection dies (the timeline's `drop.reason`). */
export type DropReason = 'connectionLost' | 'connectionClosed' | 'restartRequired' | 'conflict' | 'loggedOut';

/** Every drop reason, in a fixed order (for validation messages and generators). */
export const dropReasons: readonly DropReason[] = Object.freeze([
  'connectionLost',
  'connectionClosed',
  'restartRequired',
  'conflict',
  'loggedOut',
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
  const cause = Object.assign(stackless(() => new Error('connect ECONNREFUSED 127.0.0.1:443')), {
    errno: -111,
    code: 'ECONNREFUSED',
    syscall: 'connect',
    address: '127.0.0.1',
    port: 443,
  });
  return stackless(() => new Boom(`WebSocket Error (${cause.message})`, { statusCode: 408, data: cause }));
}

/**
 * A connect into a blackhole: no answer, so `ws`'s `handshakeTimeout` (Baileys passes its
 * `connectTimeoutMs`) aborts with `Opening handshake has timed out`, which Baileys maps through
 * `mapWebSocketError` (Socket/socket.js); `getCodeFromWSError` gives 408 for 'timed out'.
 */
export function handshakeTimedOutError(): Boom {
  const cause = stackless(() => new Error('Opening handshake has timed out'));
  return stackless(() => new Boom(`WebSocket Error (${cause.message})`, { statusCode: 408, data: cause }));
}

/**
 * The error a dropped connection ends with, per reason:
 * - connectionLost: keep-alive check, `new Boom('Connection was lost', {statusCode: connectionLost})` (408)
 * - connectionClosed: `ws.on('close')`, `new Boom('Connection Terminated', {statusCode: connectionClosed})` (428)
 * - restartRequired: `CB:stream:error` with `code="515"`; `getErrorCodeFromStreamError` renames the
 *   reason to 'restart required' (515)
 * - conflict: `CB:stream:error` `<conflict type="replaced"/>` with no code: `CODE_MAP.conflict` = 440
 * - loggedOut: `CB:stream:error` `code="401"` `<conflict type="device_removed"/>` (what WhatsApp
 *   sends when the linked device is removed while connected): 'Stream Errored (conflict)' 401.
 *   Note the message is the same as for `conflict`: only the status code tells them apart.
 */
export function dropError(reason: DropReason): Boom {
  return stackless(() => buildDropError(reason));
}

function buildDropError(reason: DropReason): Boom {
  switch (reason) {
    case 'connectionLost':
      return new Boom(baileysErrorShapes.connectionLost.message, { statusCode: baileysErrorShapes.connectionLost.statusCode });
    case 'connectionClosed':
      return new Boom(baileysErrorShapes.connectionTerminated.message, { statusCode: baileysErrorShapes.connectionTerminated.statusCode });
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
  }
}

/** The stream:error nodes behind {@link dropError}, for the comparison test. */
export const streamErrorNodes = Object.freeze({
  restartRequired: { tag: 'stream:error', attrs: { code: '515' } },
  conflict: { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] },
  loggedOut: {
    tag: 'stream:error',
    attrs: { code: '401' },
    content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
  },
});
