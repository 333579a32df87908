/**
 * The errors of the bot-facing surface (`ws`, `logout()`, the modelled queries), built as rc14
 * builds them, with the same `@hapi/boom` copy. Each names the rc14 source it mirrors (paths
 * under `node_modules/@whiskeysockets/baileys/lib/`).
 */
import { Boom } from '@hapi/boom';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { groupMetadataMissingError, queryRefusedError } from './baileysErrors.js';

/**
 * `logout(msg)` ends the socket with `new Boom(msg || 'Intentional Logout', { statusCode:
 * DisconnectReason.loggedOut })` (`Socket/socket.js`).
 */
export function intentionalLogoutError(message?: string): Boom {
  return new Boom(message || 'Intentional Logout', { statusCode: DisconnectReason.loggedOut });
}

/**
 * `ws.close()` on a connecting ws aborts its handshake (`abortHandshake`, `ws/lib/websocket.js`);
 * ws emits `error`, and Baileys' `mapWebSocketError(end)` ends the socket with it (500: the message
 * names no timeout and the error has no code, `getCodeFromWSError`, `Utils/generics.js`).
 */
export function wsClosedBeforeEstablishedError(): Boom {
  const cause = new Error('WebSocket was closed before the connection was established');
  return new Boom(`WebSocket Error (${cause.message})`, { statusCode: 500, data: cause });
}

/**
 * A query answered with `<error code text>`: `query()` runs `assertNodeErrorFree`, which throws
 * `new Boom(text, { data: +code })` (`WABinary/generic-utils.js`): status 500, the code in `data`.
 */
export function iqError(code: number, text: string): Boom {
  return queryRefusedError({ code, text });
}

/**
 * `groupMetadata` of an unanswered query: `extractGroupMetadata(undefined)` finds no `<group>`
 * and no `<error>` (`Socket/groups.js`).
 */
export function missingGroupNodeError(): Boom {
  return groupMetadataMissingError();
}
