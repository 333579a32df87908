/**
 * The numbers a send path meets, in words, each kept beside its words: Baileys' status codes
 * (rc14's `DisconnectReason` and the error shapes of baileysFacts.ts), the bare WebSocket close
 * codes a send in its pre-write queries is rejected with, and Node's socket error codes. One
 * table, so the checkers' messages, the replay's timeline and the HTML report say the same:
 * `the connection dropped mid-send (close code 1006)`, never a bare `1006`.
 */
import { DisconnectReason } from '@whiskeysockets/baileys';
import { baileysErrorShapes } from './baileysFacts.js';

/**
 * What each error Baileys raises means (the shapes of `baileysErrorShapes`, matched by status
 * code and message). One entry per shape: a shape added there without words does not compile.
 */
const shapeWords: Readonly<Record<keyof typeof baileysErrorShapes, string>> = {
  connectionClosed: 'the socket was not open, so nothing was written',
  timedOut: 'a query got no answer in time',
  connectionLost: 'the keep-alive found the link dead',
  connectionTerminated: 'the connection closed under Baileys',
  streamEnd: 'the server ended the stream',
  restartRequired: 'the server asked for a restart',
  conflict: 'another session of this device took over',
  loggedOut: 'the device was logged out, removed from the account',
  serviceUnavailable: 'WhatsApp was unavailable',
  unknownStreamError: 'the server ended the stream with an unknown error',
  loginFailure: 'the login failed',
  mediaUploadFailed: 'every media upload host failed',
  mediaConnError: 'the media server answered with an error',
  groupMetadataMissing: "the group's member list did not come, so nothing was written",
  allEncryptionsFailed: "no recipient device's key could be had, so nothing was written",
};

/**
 * Each `DisconnectReason` status code, for an error that carries one but matches no shape (a
 * path's own error, a login failure with a reason). rc14 gives 408 to two reasons (`timedOut`,
 * `connectionLost`) and 500 to a bad session and to stream errors without a code.
 */
export const statusCodeWords: Readonly<Record<number, string>> = {
  [DisconnectReason.loggedOut]: 'the device was logged out, removed from the account',
  [DisconnectReason.forbidden]: 'the account is banned',
  [DisconnectReason.connectionLost]: 'the connection timed out or was lost',
  [DisconnectReason.multideviceMismatch]: 'the device no longer matches the account',
  [DisconnectReason.connectionClosed]: 'the connection was closed',
  [DisconnectReason.connectionReplaced]: 'another session of this device took over',
  [DisconnectReason.badSession]: 'the session is bad or the server failed',
  [DisconnectReason.unavailableService]: 'WhatsApp was unavailable',
  [DisconnectReason.restartRequired]: 'the server asked for a restart',
};

/**
 * WebSocket close codes (RFC 6455, section 7.4). rc14 rejects a send still in its pre-write
 * queries with the bare close code when the connection closes under it (`waitForMessage`'s
 * `ws.on('close')`, `Socket/socket.js`): 1006 for a cut (FIN, RST), 1005 for a close frame
 * without a code (docs/FIDELITY.md, `in-flight-at-tcp-close`, `in-flight-at-ws-close`).
 */
const closeCodeWords: Readonly<Record<number, string>> = {
  1000: 'the connection was closed normally',
  1001: 'the server went away',
  1005: 'the server closed the connection mid-send, giving no code',
  1006: 'the connection dropped mid-send',
  1011: 'the server closed the connection on an internal error',
};

/** Node's socket error codes, as an error's message quotes them (`read ECONNRESET`). */
const socketErrorWords: Readonly<Record<string, string>> = {
  ECONNRESET: 'the connection was reset by the server',
  ECONNREFUSED: 'the connection was refused',
  ETIMEDOUT: 'the connection timed out',
  EPIPE: 'the connection closed while writing',
  ENOTFOUND: 'the server name did not resolve',
  EAI_AGAIN: 'the server name could not be resolved for now',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the server is unreachable',
};

/** An error as the harness records it (`ErrorRecord`): its name, message and status code. */
interface ErrorFacts {
  readonly name: string;
  readonly message: string;
  readonly statusCode?: number;
}

const socketErrorCodes = /\bE[A-Z]{2,}(?:_[A-Z]+)?\b/g;

/** The words of the first socket error code `message` quotes that the table knows. */
function socketErrorIn(message: string): string | undefined {
  for (const [code] of message.matchAll(socketErrorCodes)) {
    const words = socketErrorWords[code];
    if (words !== undefined) return words;
  }
  return undefined;
}

function wordsOfShape(statusCode: number, message: string): string | undefined {
  for (const [name, shape] of Object.entries(baileysErrorShapes)) {
    if (shape.statusCode === statusCode && shape.message === message)
      return shapeWords[name as keyof typeof baileysErrorShapes];
  }
  return undefined;
}

/**
 * An error in words with its number kept: `the connection dropped mid-send (close code 1006)`,
 * `the socket was not open, so nothing was written (428 Connection Closed)`, `the connection was
 * reset by the server (Error: read ECONNRESET)`. An error none of the tables knows is
 * `name: message`, with its status code if it has one.
 */
export function errorInWords(error: ErrorFacts): string {
  if (error.name === 'number') {
    const words = closeCodeWords[Number(error.message)];
    return words === undefined
      ? `the bare number ${error.message}`
      : `${words} (close code ${error.message})`;
  }
  const errnoWords = socketErrorIn(error.message);
  const { statusCode } = error;
  if (statusCode !== undefined) {
    const words =
      errnoWords ?? wordsOfShape(statusCode, error.message) ?? statusCodeWords[statusCode];
    const quoted = `${statusCode} ${error.message}`;
    return words === undefined
      ? `${error.name}: ${error.message} (status ${statusCode})`
      : `${words} (${quoted})`;
  }
  if (errnoWords !== undefined) return `${errnoWords} (${error.name}: ${error.message})`;
  return `${error.name}: ${error.message}`;
}
