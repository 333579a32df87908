/**
 * How a connection ends from outside, and the error rc14 ends it with, per cause: the facts the
 * fake network drops a socket by (the timeline's `drop.reason`), kept beside `baileysFacts.ts`
 * so that the error shapes and the node data each drop carries are written once. Sources under
 * `node_modules/@whiskeysockets/baileys/lib/`.
 */
import { baileysErrorShapes, type ErrorShape } from './baileysFacts.js';

/** The node rc14 puts in a stream error's `data` (`reasonNode || node`, `Socket/socket.js`). */
export interface StreamErrorData {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
}

/** The error one drop ends its socket with: its shape, and its `data` when rc14 sets one. */
export interface DropErrorFact {
  readonly shape: ErrorShape;
  readonly data?: StreamErrorData;
}

/**
 * Why a connection ends from outside, each with the error rc14 closes the socket with:
 * - `connectionClosed`, `connectionReset`, `wsClose`: the server closes the TCP connection (FIN,
 *   RST) or the WebSocket (a close frame without a code): `ws.on('close')`, 428 `Connection
 *   Terminated`;
 * - `connectionResetUnread`: the server resets the TCP connection and the RST reaches the bot's
 *   host at once, but its event loop has not read it yet: a write until then fails with a plain
 *   `Error('write ECONNRESET')`; then 428 `Connection Terminated`;
 * - `streamEnd`: the server ends the XML stream (`CB:xmlstreamend`): 428 `Connection Terminated
 *   by Server`;
 * - stream errors (`CB:stream:error`, read by `getErrorCodeFromStreamError`, `Utils/generics.js`:
 *   the `code` attribute, else `CODE_MAP` of the first child's tag (`conflict` is 440), else 500;
 *   the message names the child tag, `unknown` without one): `restartRequired` (515),
 *   `conflict` (440, another session took over), `loggedOut` (`code="401"` with
 *   `<conflict type="device_removed"/>`: the same text as `conflict`, only the status code tells
 *   them apart), `serviceUnavailable` (503), `unknownStreamError` (500). With no child node,
 *   `data` falls back to the `stream:error` node itself;
 * - `connectionLost`: the link goes silent for good; the keep-alive check notices and the socket
 *   closes 408 `Connection was lost` after ws's close timeout.
 *
 * In this order: generators draw from it.
 */
export const dropErrorFacts = Object.freeze({
  connectionClosed: { shape: baileysErrorShapes.connectionTerminated },
  connectionReset: { shape: baileysErrorShapes.connectionTerminated },
  connectionResetUnread: { shape: baileysErrorShapes.connectionTerminated },
  wsClose: { shape: baileysErrorShapes.connectionTerminated },
  streamEnd: { shape: baileysErrorShapes.streamEnd },
  restartRequired: {
    shape: baileysErrorShapes.restartRequired,
    data: { tag: 'stream:error', attrs: { code: '515' } },
  },
  conflict: {
    shape: baileysErrorShapes.conflict,
    data: { tag: 'conflict', attrs: { type: 'replaced' } },
  },
  loggedOut: {
    shape: baileysErrorShapes.loggedOut,
    data: { tag: 'conflict', attrs: { type: 'device_removed' } },
  },
  serviceUnavailable: {
    shape: baileysErrorShapes.serviceUnavailable,
    data: { tag: 'stream:error', attrs: { code: '503' } },
  },
  unknownStreamError: {
    shape: baileysErrorShapes.unknownStreamError,
    data: { tag: 'stream:error', attrs: {} },
  },
  connectionLost: { shape: baileysErrorShapes.connectionLost },
} satisfies Record<string, DropErrorFact>);

/** Why a fake connection ends from outside (see {@link dropErrorFacts}). */
export type DropReason = keyof typeof dropErrorFacts;

/** Every drop reason, in a fixed order (for validation messages and generators). */
export const dropReasons: readonly DropReason[] = Object.freeze(
  Object.keys(dropErrorFacts) as DropReason[],
);

/** Stream errors and the stream's end: each comes as a frame on an open, logged-in socket. */
export const streamErrorReasons: ReadonlySet<DropReason> = new Set<DropReason>([
  'streamEnd',
  'restartRequired',
  'conflict',
  'loggedOut',
  'serviceUnavailable',
  'unknownStreamError',
]);
