/**
 * The surface cases and what real rc14 did in each, measured on the loopback server
 * (`test/integration/botSurface.real.test.ts` measures them again and fails when Baileys
 * changes a behaviour; `botSurface.diff.test.ts` holds the fake to them). Times in ms since the
 * case started; the socket settings are the fidelity scenarios' scaled ones (keep-alive 1 s,
 * connect timeout 2 s, query timeout 1.5 s). Each case's TSDoc states the rc14 source behind it.
 */
import { parseScenario } from './scenario.js';
import { socket } from './scenarios.js';
import type { SurfaceAction, SurfaceCase, SurfaceEntry, SurfaceTrace } from './surface.js';

/** From `makeWASocket` to `open` on the loopback server, with the slack a loaded machine needs (scenarios.ts). */
const loginMs = 250;
const loginSlackMs = 1000;

const scenario = (name: string, endAt: number, steps: unknown[]) => parseScenario({ name, socket, endAt, steps: [{ at: 0, do: 'connect' }, ...steps] });
const trace = (t: Partial<SurfaceTrace>): SurfaceTrace => ({ maps: [], calls: [], snapshots: [], server: {}, ...t });
const boom = (statusCode: number, message: string) => ({ kind: 'boom', statusCode, message });
const entry = (at: number, what: string, detail?: unknown, slackMs?: number): SurfaceEntry => ({
  at,
  socket: 1,
  what,
  ...(detail === undefined ? {} : { detail }),
  ...(slackMs === undefined ? {} : { slackMs }),
});
const call = (at: number, method: Extract<SurfaceAction, { do: 'call' }>['method'], more: object = {}) => ({ at, do: 'call', method, ...more }) as SurfaceAction;

/**
 * The login as `ev.process` hands it over, one map per emission (`Utils/event-buffer.js`: every
 * `emit` of a non-buffered event is a map of its own): `connecting` on the next tick, the pending
 * notifications, the login's `creds.update` with `me` (`CB:success`, `Socket/socket.js`), then the
 * presence `isOnline` nested in the emission of `open` (chats.js's listener runs first).
 */
function loginMaps(connectAt = 0): SurfaceEntry[] {
  const at = connectAt + loginMs;
  return [
    entry(connectAt, 'connection.update:connecting,pending=false'),
    entry(at, 'connection.update:pending=true', undefined, loginSlackMs),
    entry(at, 'creds.update:me', undefined, loginSlackMs),
    entry(at, 'connection.update:online=true', undefined, loginSlackMs),
    entry(at, 'connection.update:open', undefined, loginSlackMs),
  ];
}

/**
 * `ev.process` on a live session: the login's maps, an inbound message as a `notify` upsert. `user`
 * is the auth's `creds.me` as it was at `makeWASocket`: socket.js's getter of `authState.creds.me`
 * is copied by value by the layers' `{ ...sock }` (`Socket/chats.js`), and the login's
 * `creds.update` assigns a new `me` (with the LID) into the creds (`CB:success`).
 */
export const processBatches: SurfaceCase = {
  scenario: scenario('surface-process', 3000, [{ at: 1500, do: 'inbound', msg: 'm1' }]),
  actions: [
    { at: 0, do: 'snapshot' },
    { at: 1000, do: 'snapshot' },
  ],
  rc14: trace({
    maps: [...loginMaps(), entry(1550, 'messages.upsert:notify:m1')],
    snapshots: [
      entry(0, 'snapshot', { user: 'creds.me', meHasLid: false, ws: 'isConnecting' }),
      entry(1000, 'snapshot', { user: 'creds.me when made', meHasLid: true, ws: 'isOpen' }),
    ],
  }),
};

const closed428 = boom(428, 'Connection Closed');
const afterLogin = { user: 'creds.me when made', meHasLid: true };

/**
 * The bot's `sock.ws.close()` on an open socket (`WebSocketClient.close()`,
 * `Socket/Client/websocket.js`): ws is CLOSING at once (sends and queries get 428 from
 * `sendRawMessage`), and when its close handshake ends, ws's `close` makes Baileys end the
 * socket with 428 `Connection Terminated` (`ws.on('close', ...)`, `Socket/socket.js`): a close a
 * bot reconnecting on every close but 401 reconnects after. The promise resolves then, and the
 * client drops its ws (`socket = null`): closed and closing both read true.
 */
export const wsCloseOpen: SurfaceCase = {
  scenario: scenario('surface-ws-close-open', 3000, []),
  actions: [{ at: 1000, do: 'wsClose' }, call(1000, 'presenceSubscribe', { chat: 'peer' }), { at: 1000, do: 'snapshot' }, { at: 2000, do: 'snapshot' }],
  rc14: trace({
    maps: [...loginMaps(), entry(1000, 'connection.update:close(428 Connection Terminated)')],
    calls: [entry(1000, 'ws.close:resolved', null), entry(1000, 'presenceSubscribe:rejected', closed428)],
    snapshots: [entry(1000, 'snapshot', { ...afterLogin, ws: 'isClosing' }), entry(2000, 'snapshot', { ...afterLogin, ws: 'isClosing+isClosed' })],
  }),
};

/**
 * `sock.ws.close()` after the server cut the connection: ws closed by itself and Baileys' `end()`
 * skipped `ws.close()` (it was closed already), so the client still holds it; `close()` awaits a
 * `close` event that already came, and never settles. A bot awaiting it in its shutdown hangs.
 */
export const wsCloseAfterCut: SurfaceCase = {
  scenario: scenario('surface-ws-close-after-cut', 3000, [{ at: 1000, do: 'terminate' }]),
  actions: [{ at: 1500, do: 'wsClose' }, { at: 1500, do: 'snapshot' }],
  rc14: trace({
    maps: [...loginMaps(), entry(1000, 'connection.update:close(428 Connection Terminated)')],
    calls: [entry(3000, 'ws.close:pending')],
    snapshots: [entry(1500, 'snapshot', { ...afterLogin, ws: 'isClosed' })],
  }),
};

/**
 * `sock.ws.close()` while the upgrade hangs: ws aborts the handshake (`abortHandshake`,
 * `ws/lib/websocket.js`) and emits `error`, which Baileys maps to 500 (`mapWebSocketError`,
 * `getCodeFromWSError`): the socket closes at once, before any login.
 */
export const wsCloseConnecting: SurfaceCase = {
  scenario: parseScenario({ name: 'surface-ws-close-connecting', socket, endAt: 2000, steps: [{ at: 0, do: 'nextConnect', plan: 'hang' }, { at: 100, do: 'connect' }] }),
  actions: [{ at: 600, do: 'wsClose' }, { at: 600, do: 'snapshot' }],
  rc14: trace({
    maps: [entry(100, 'connection.update:connecting,pending=false'), entry(600, 'connection.update:close(500 WebSocket Error (WebSocket was closed before the connection was established))')],
    calls: [entry(600, 'ws.close:resolved', null)],
    snapshots: [entry(600, 'snapshot', { user: 'creds.me', meHasLid: false, ws: 'isClosing+isClosed' })],
  }),
};

/**
 * `logout()` (`Socket/socket.js`): writes `remove-companion-device` and resolves once written,
 * then `end(401 'Intentional Logout')`. The server removes the device: the next login is refused
 * 401 (`<failure reason="401">`). A second `logout()` on the closed socket rejects 428 at
 * `sendNode` and ends nothing.
 */
export const logout: SurfaceCase = {
  scenario: scenario('surface-logout', 4000, [{ at: 2500, do: 'connect' }]),
  actions: [call(1000, 'logout'), { at: 1000, do: 'snapshot' }, call(2000, 'logout')],
  rc14: trace({
    maps: [
      ...loginMaps(),
      entry(1000, 'connection.update:close(401 Intentional Logout)'),
      { ...entry(2500, 'connection.update:connecting,pending=false'), socket: 2 },
      { ...entry(2500, 'connection.update:close(401 Connection Failure)', undefined, loginSlackMs), socket: 2 },
    ],
    calls: [entry(1000, 'logout:resolved', null), entry(2000, 'logout:rejected', closed428)],
    snapshots: [entry(1000, 'snapshot', { ...afterLogin, ws: 'isClosing' })],
    server: { 'remove-companion-device': 1 },
  }),
};

/** `logout()` on a socket the server closed: 428 at `sendNode`, nothing reaches the server. */
export const logoutClosed: SurfaceCase = {
  scenario: scenario('surface-logout-closed', 3000, [{ at: 1000, do: 'terminate' }]),
  actions: [call(1500, 'logout')],
  rc14: trace({
    maps: [...loginMaps(), entry(1000, 'connection.update:close(428 Connection Terminated)')],
    calls: [entry(1500, 'logout:rejected', closed428)],
  }),
};

const queries = (at: number): SurfaceAction[] => [
  call(at, 'readMessages', { chat: 'peer' }),
  call(at, 'presenceSubscribe', { chat: 'peer' }),
  call(at, 'profilePictureUrl', { chat: 'peer' }),
  call(at, 'onWhatsApp', { chat: 'peer' }),
  call(at, 'groupMetadata', { chat: 'grp' }),
  call(at, 'groupMetadata', { chat: 'peer' }),
];

const groupSeen = { id: 'grp', subject: 'grp', size: 2, creation: 0, owner: '?', participants: [{ id: '?', admin: 'superadmin' }, { id: 'me', admin: null }] };

/**
 * The modelled queries on an open socket, the server answering as the simulated one does:
 * `readMessages` writes its `read` receipt at once (the privacy settings came with the login's
 * init queries, `Socket/chats.js`); `presenceSubscribe` and `profilePictureUrl` look the peer's
 * LID up first (`buildTcTokenFromJid`, a usync query); `onWhatsApp` keeps the contacts found;
 * `groupMetadata` parses `<group>` (`extractGroupMetadata`) and throws the server's
 * `item-not-found` as Boom 500 with the code in `data` (`assertNodeErrorFree`).
 */
export const queriesOpen: SurfaceCase = {
  // The inbound makes `peer` a chat of the fake's run (the fake names pictures after chats).
  scenario: scenario('surface-queries', 3000, [{ at: 2500, do: 'inbound', msg: 'm1' }]),
  groups: ['grp'],
  actions: queries(1000),
  rc14: trace({
    maps: [...loginMaps(), entry(2550, 'messages.upsert:notify:m1')],
    calls: [
      entry(1000, 'readMessages:resolved', null),
      entry(1020, 'presenceSubscribe:resolved', null),
      entry(1050, 'profilePictureUrl:resolved', 'https://pps.whatsapp.net/v/t61.24694-24/baileys-sim-peer-image.jpg'),
      entry(1020, 'onWhatsApp:resolved', [{ jid: 'peer', exists: true }]),
      entry(1020, 'groupMetadata:resolved', groupSeen),
      entry(1020, 'groupMetadata:rejected', boom(500, 'item-not-found')),
    ],
    server: { 'receipt:read': 1, 'presence:subscribe': 1 },
  }),
};

/** The modelled queries on a socket the server closed: 428 from `sendNode`, every one. */
export const queriesClosed: SurfaceCase = {
  scenario: scenario('surface-queries-closed', 3000, [{ at: 1000, do: 'terminate' }]),
  groups: ['grp'],
  actions: queries(1500),
  rc14: trace({
    maps: [...loginMaps(), entry(1000, 'connection.update:close(428 Connection Terminated)')],
    calls: ['readMessages', 'presenceSubscribe', 'profilePictureUrl', 'onWhatsApp', 'groupMetadata', 'groupMetadata'].map((method) => entry(1500, `${method}:rejected`, closed428)),
  }),
};

/**
 * The modelled queries with the server answering no query (keep-alive pings apart): each waits
 * out `defaultQueryTimeoutMs` (1.5 s) and rc14 does with `undefined` what its code does:
 * `onWhatsApp` resolves undefined, `groupMetadata` throws `missing <group> node`, the LID lookup
 * before `presenceSubscribe` gives up quietly; `profilePictureUrl` waits for its lookup, then its
 * own query (still pending at 4 s; with `timeoutMs` 500, 408 `Timed Out` then).
 */
export const queriesStalled: SurfaceCase = {
  scenario: scenario('surface-queries-stalled', 4000, []),
  groups: ['grp'],
  stallQueriesAt: 800,
  actions: [...queries(1000), call(1000, 'profilePictureUrl', { chat: 'peer', timeoutMs: 500 })],
  rc14: trace({
    maps: loginMaps(),
    calls: [
      entry(1000, 'readMessages:resolved', null),
      entry(2500, 'presenceSubscribe:resolved', null),
      entry(4000, 'profilePictureUrl:pending'),
      entry(2500, 'onWhatsApp:resolved', null),
      entry(2500, 'groupMetadata:rejected', boom(500, 'Invalid group metadata response: missing <group> node')),
      entry(2500, 'groupMetadata:rejected', boom(500, 'Invalid group metadata response: missing <group> node')),
      entry(3000, 'profilePictureUrl:rejected', boom(408, 'Timed Out')),
    ],
    server: { 'receipt:read': 1, 'presence:subscribe': 1 },
  }),
};

/** Every case, in the order the suites run them. */
export const surfaceCases: readonly SurfaceCase[] = [processBatches, wsCloseOpen, wsCloseAfterCut, wsCloseConnecting, logout, logoutClosed, queriesOpen, queriesClosed, queriesStalled];
