/**
 * What Baileys 7.0.0-rc14 does that a send path, the simulator and the checkers all depend on:
 * its timing defaults, its keep-alive rule, the close codes after which reconnecting is wrong,
 * and the status codes and messages of the errors it raises. One module, so the reference path,
 * the fake socket and the checkers cannot drift apart. Every fact names the rc14 source it comes
 * from (paths under `node_modules/@whiskeysockets/baileys/lib/`); `docs/ARCHITECTURE.md` lists
 * them with the probes that confirm them.
 */
import { DisconnectReason } from '@whiskeysockets/baileys';

/** rc14's socket defaults (`Defaults/index.js`, `DEFAULT_CONNECTION_CONFIG`). */
export const baileysDefaults = Object.freeze({
  /** The keep-alive check period (`startKeepAliveRequest`, `Socket/socket.js`). */
  keepAliveIntervalMs: 30_000,
  /** ws's opening-handshake timeout, which Baileys passes as `connectTimeoutMs`. */
  connectTimeoutMs: 20_000,
  /** How long a query (iq) waits for its answer (`waitForMessage`, `Socket/socket.js`). */
  defaultQueryTimeoutMs: 60_000,
});

/**
 * The keep-alive check ends a socket once more than `keepAliveIntervalMs` plus this long passed
 * since the last frame from the server (`diff > keepAliveIntervalMs + 5000`, `Socket/socket.js`).
 */
export const keepAliveGraceMs = 5000;

/**
 * ws waits this long for the peer's close frame after sending its own before it gives up and
 * emits `close` (`CLOSE_TIMEOUT`, `ws/lib/constants.js`); Baileys cannot change it.
 */
export const wsCloseTimeoutMs = 30_000;

/**
 * The codes ws's `close` event carries when the connection ends without a close status: 1006
 * (abnormal closure, `ws/lib/websocket.js`: a TCP FIN or RST, no close frame) and 1005 (a close
 * frame without a status code). rc14's `waitForMessage` (`Socket/socket.js`) rejects a query in
 * flight with the code as it is (`onErr(err)`), not with a Boom.
 */
export const wsCloseCodes = Object.freeze({ abnormalClosure: 1006, noStatusReceived: 1005 });

/**
 * The latest the keep-alive notices a silent link after the last frame from the server: the
 * check runs every interval and fires past interval + grace, so at most two intervals + grace.
 */
export function keepAliveDetectionMsMax(keepAliveIntervalMs: number): number {
  return 2 * keepAliveIntervalMs + keepAliveGraceMs;
}

/** The socket settings a silent link, a hanging connect and a stalled query depend on. */
export interface SocketTimings {
  /** Baileys' keep-alive check period (`keepAliveIntervalMs`). */
  keepAliveIntervalMs: number;
  /**
   * ws's opening-handshake timeout, and the write timeout of `sendRawMessage` (`connectTimeoutMs`).
   */
  connectTimeoutMs: number;
  /** How long a query waits for its answer (`defaultQueryTimeoutMs`). */
  defaultQueryTimeoutMs: number;
}

/**
 * The timings a socket runs with, read from the config a path passes to `makeWASocket`: a
 * setting that is not a positive finite number falls back to rc14's default, as Baileys' own
 * spread of `DEFAULT_CONNECTION_CONFIG` would for an absent one.
 */
export function socketTimingsOf(
  config:
    | { keepAliveIntervalMs?: unknown; connectTimeoutMs?: unknown; defaultQueryTimeoutMs?: unknown }
    | undefined,
): SocketTimings {
  return {
    keepAliveIntervalMs: pick(config?.keepAliveIntervalMs, baileysDefaults.keepAliveIntervalMs),
    connectTimeoutMs: pick(config?.connectTimeoutMs, baileysDefaults.connectTimeoutMs),
    defaultQueryTimeoutMs: pick(
      config?.defaultQueryTimeoutMs,
      baileysDefaults.defaultQueryTimeoutMs,
    ),
  };
}

function pick(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * How long a path should let a socket stay `connecting` before it gives up on it: the handshake's
 * own timeout plus as long again for the login that follows. rc14 bounds the handshake by
 * `connectTimeoutMs`, but not a socket whose upgrade was answered with an HTTP error (it stays
 * `connecting` for ever: `unexpected-response`, `Socket/Client/websocket.js`).
 */
export function connectWatchdogMs(timings: SocketTimings): number {
  return 2 * timings.connectTimeoutMs;
}

/**
 * How long after a write a path must keep the reply to be able to resend it if the frame was
 * lost: a dead link is noticed by the keep-alive at most {@link keepAliveDetectionMsMax} after
 * the last frame heard, Baileys' `end()` then waits ws's {@link wsCloseTimeoutMs} before `close`,
 * and the frame's own trip and the last frame heard add up to {@link linkLatencyAllowanceMs}. A
 * socket that outlives this window after a write delivered it.
 */
export function confirmWindowMs(keepAliveIntervalMs: number): number {
  return keepAliveDetectionMsMax(keepAliveIntervalMs) + wsCloseTimeoutMs + linkLatencyAllowanceMs;
}

/** Two one-way trips on a slow link (the write's, and the last frame heard before it died). */
export const linkLatencyAllowanceMs = 5000;

/**
 * Close codes after which a reconnect is pointless or harmful, each with its `DisconnectReason`
 * name: logged out (the device was removed), forbidden (banned), replaced by another session of
 * the same device.
 */
export const terminalCloseReasons: Readonly<Record<number, TerminalCloseReason>> = Object.freeze({
  [DisconnectReason.loggedOut]: 'loggedOut',
  [DisconnectReason.forbidden]: 'forbidden',
  [DisconnectReason.connectionReplaced]: 'connectionReplaced',
});

/** The name of a terminal close (see {@link terminalCloseReasons}). */
export type TerminalCloseReason = 'loggedOut' | 'forbidden' | 'connectionReplaced';

/** The codes of {@link terminalCloseReasons}. */
export const terminalCloseCodes: ReadonlySet<number> = new Set(
  Object.keys(terminalCloseReasons).map(Number),
);

/** True for a close code in {@link terminalCloseCodes}. */
export function isTerminalCode(code: number | undefined): boolean {
  return code !== undefined && terminalCloseCodes.has(code);
}

/**
 * Baileys' event buffer flushes what it buffered 100 ms after its last buffered function
 * returned (`createBufferedFunction`, `Utils/event-buffer.js`): an own send's `append` echo, and
 * the messages delivered at a login, reach `ev` that long after their frame.
 */
export const eventBufferFlushMs = 100;

/**
 * The status code of a WebSocket error as Baileys passes it on (`mapWebSocketError`,
 * `Socket/socket.js`: `WebSocket Error (<message>)`): `getCodeFromWSError` (`Utils/generics.js`)
 * gives 408 for a Node error code (`E…`: a refused connect) and for a handshake that timed out.
 */
export const webSocketErrorStatusCode = DisconnectReason.timedOut;

/** Status code and message of an error Baileys raises. */
export interface ErrorShape {
  readonly statusCode: number;
  readonly message: string;
}

/** The Boom errors a send path meets, as rc14 builds them. */
export const baileysErrorShapes = Object.freeze({
  /** `sendRawMessage` while `!ws.isOpen` (`Socket/socket.js`): the frame was never written. */
  connectionClosed: { statusCode: DisconnectReason.connectionClosed, message: 'Connection Closed' },
  /** `promiseTimeout` (`Utils/generics.js`). */
  timedOut: { statusCode: DisconnectReason.timedOut, message: 'Timed Out' },
  /** The keep-alive check (`startKeepAliveRequest`, `Socket/socket.js`). */
  connectionLost: { statusCode: DisconnectReason.connectionLost, message: 'Connection was lost' },
  /** `ws.on('close')` (`Socket/socket.js`): the connection closed under Baileys. */
  connectionTerminated: {
    statusCode: DisconnectReason.connectionClosed,
    message: 'Connection Terminated',
  },
  /** `CB:xmlstreamend` (`Socket/socket.js`): the server ended the stream. */
  streamEnd: {
    statusCode: DisconnectReason.connectionClosed,
    message: 'Connection Terminated by Server',
  },
  /** `CB:stream:error` with `code="515"`. */
  restartRequired: {
    statusCode: DisconnectReason.restartRequired,
    message: 'Stream Errored (restart required)',
  },
  /** `CB:stream:error` `<conflict type="replaced"/>`: another session took over. */
  conflict: {
    statusCode: DisconnectReason.connectionReplaced,
    message: 'Stream Errored (conflict)',
  },
  /** `CB:stream:error` `code="401"` `<conflict type="device_removed"/>`: same text, other code. */
  loggedOut: { statusCode: DisconnectReason.loggedOut, message: 'Stream Errored (conflict)' },
  /**
   * `CB:stream:error` `code="503"` with no child (`getErrorCodeFromStreamError`,
   * `Utils/generics.js`).
   */
  serviceUnavailable: {
    statusCode: DisconnectReason.unavailableService,
    message: 'Stream Errored (unknown)',
  },
  /** `CB:stream:error` with neither code nor child: badSession. */
  unknownStreamError: {
    statusCode: DisconnectReason.badSession,
    message: 'Stream Errored (unknown)',
  },
  /** `CB:failure` at login with no reason (a reason replaces the status code). */
  loginFailure: { statusCode: DisconnectReason.badSession, message: 'Connection Failure' },
  /** `getWAUploadToServer` (`Utils/messages-media.js`): every media host failed. */
  mediaUploadFailed: { statusCode: 500, message: 'Media upload failed on all hosts' },
  /** `media_conn` answered with `<error text="internal-server-error">`: `assertNodeErrorFree`. */
  mediaConnError: { statusCode: 500, message: 'internal-server-error' },
  /**
   * A group send whose metadata query got no answer: `query` times out to `undefined` and
   * `extractGroupMetadata` (`Socket/groups.js`) finds no `<group>` node. Before any write.
   */
  groupMetadataMissing: {
    statusCode: 500,
    message: 'Invalid group metadata response: missing <group> node',
  },
  /**
   * A 1:1 send whose key fetch (`assertSessions`, `Socket/messages-send.js`) got no answer: no
   * session, so `createParticipantNodes` encrypts for nobody. Before any write.
   */
  allEncryptionsFailed: { statusCode: 500, message: 'All encryptions failed' },
} satisfies Record<string, ErrorShape>);

/**
 * A pre-write query the server answered with `<error code text>`: `assertNodeErrorFree`
 * (`WABinary/generic-utils.js`) throws `new Boom(text, { data: code })`, status 500, the code
 * only in `data`. The group metadata query of a group the bot is no longer in: 403 `forbidden`;
 * a usync over the rate limit: 429 `rate-overlimit`. Nothing was written.
 */
export const queryRefusals = Object.freeze({
  forbidden: { code: 403, text: 'forbidden' },
  rateOverlimit: { code: 429, text: 'rate-overlimit' },
});

/**
 * rc14 rejects `sendMessage` with status 500 only before the write (`relayMessage`,
 * `Socket/messages-send.js`): a query answered with an error (`assertNodeErrorFree`, the code in
 * `data`), a group's metadata or a key fetch unanswered, media refused. Nothing was written.
 */
export const preWriteRejectionStatusCode = 500;

/** The `data` codes of {@link queryRefusals}, for reading a rejection structurally. */
export const queryRefusalCodes = Object.freeze({ forbidden: 403, rateOverlimit: 429 });
