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

/**
 * From `makeWASocket` to `open` on the loopback server, with the slack a loaded machine needs
 * (scenarios.ts).
 */
const loginMs = 250;
const loginSlackMs = 1000;
/**
 * When the cases act, well after the login: with the suite's cases running side by side on a
 * loaded machine a login can take over a second, and a fault before it would change the case.
 */
const t = 2000;

const scenario = (name: string, endAt: number, steps: unknown[]) =>
  parseScenario({ name, socket, endAt, steps: [{ at: 0, do: 'connect' }, ...steps] });
const trace = (t: Partial<SurfaceTrace>): SurfaceTrace => ({
  maps: [],
  calls: [],
  snapshots: [],
  server: {},
  ...t,
});
const boom = (statusCode: number, message: string) => ({ kind: 'boom', statusCode, message });
const entry = (at: number, what: string, detail?: unknown, slackMs?: number): SurfaceEntry => ({
  at,
  socket: 1,
  what,
  ...(detail === undefined ? {} : { detail }),
  ...(slackMs === undefined ? {} : { slackMs }),
});
const call = (
  at: number,
  method: Extract<SurfaceAction, { do: 'call' }>['method'],
  more: object = {},
) => ({ at, do: 'call', method, ...more }) as SurfaceAction;

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
const processBatches: SurfaceCase = {
  scenario: scenario('surface-process', t + 1500, [{ at: t + 500, do: 'inbound', msg: 'm1' }]),
  actions: [
    { at: 0, do: 'snapshot' },
    { at: t, do: 'snapshot' },
  ],
  rc14: trace({
    maps: [...loginMaps(), entry(t + 550, 'messages.upsert:notify:m1')],
    snapshots: [
      entry(0, 'snapshot', { user: 'creds.me', meHasLid: false, ws: 'isConnecting' }),
      entry(t, 'snapshot', { user: 'creds.me when made', meHasLid: true, ws: 'isOpen' }),
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
const wsCloseOpen: SurfaceCase = {
  scenario: scenario('surface-ws-close-open', t + 2000, []),
  actions: [
    { at: t, do: 'wsClose' },
    call(t, 'presenceSubscribe', { chat: 'peer' }),
    { at: t, do: 'snapshot' },
    { at: t + 1000, do: 'snapshot' },
  ],
  rc14: trace({
    maps: [...loginMaps(), entry(t, 'connection.update:close(428 Connection Terminated)')],
    calls: [entry(t, 'ws.close:resolved', null), entry(t, 'presenceSubscribe:rejected', closed428)],
    snapshots: [
      entry(t, 'snapshot', { ...afterLogin, ws: 'isClosing' }),
      entry(t + 1000, 'snapshot', { ...afterLogin, ws: 'isClosing+isClosed' }),
    ],
  }),
};

/**
 * `sock.ws.close()` after the server cut the connection: ws closed by itself and Baileys' `end()`
 * skipped `ws.close()` (it was closed already), so the client still holds it; `close()` awaits a
 * `close` event that already came, and never settles. A bot awaiting it in its shutdown hangs.
 */
const wsCloseAfterCut: SurfaceCase = {
  scenario: scenario('surface-ws-close-after-cut', t + 2000, [{ at: t, do: 'terminate' }]),
  actions: [
    { at: t + 500, do: 'wsClose' },
    { at: t + 500, do: 'snapshot' },
  ],
  rc14: trace({
    maps: [...loginMaps(), entry(t, 'connection.update:close(428 Connection Terminated)')],
    calls: [entry(t + 2000, 'ws.close:pending')],
    snapshots: [entry(t + 500, 'snapshot', { ...afterLogin, ws: 'isClosed' })],
  }),
};

/**
 * `sock.ws.close()` while the upgrade hangs: ws aborts the handshake (`abortHandshake`,
 * `ws/lib/websocket.js`) and emits `error`, which Baileys maps to 500 (`mapWebSocketError`,
 * `getCodeFromWSError`): the socket closes at once, before any login.
 */
const wsCloseConnecting: SurfaceCase = {
  scenario: parseScenario({
    name: 'surface-ws-close-connecting',
    socket,
    endAt: 2000,
    steps: [
      { at: 0, do: 'nextConnect', plan: 'hang' },
      { at: 100, do: 'connect' },
    ],
  }),
  actions: [
    { at: 600, do: 'wsClose' },
    { at: 600, do: 'snapshot' },
  ],
  rc14: trace({
    maps: [
      entry(100, 'connection.update:connecting,pending=false'),
      entry(
        600,
        'connection.update:close(500 WebSocket Error (WebSocket was closed before the ' +
          'connection was established))',
      ),
    ],
    calls: [entry(600, 'ws.close:resolved', null)],
    snapshots: [
      entry(600, 'snapshot', { user: 'creds.me', meHasLid: false, ws: 'isClosing+isClosed' }),
    ],
  }),
};

/**
 * `logout()` (`Socket/socket.js`): writes `remove-companion-device` and resolves once written,
 * then `end(401 'Intentional Logout')`. The server removes the device: the next login is refused
 * 401 (`<failure reason="401">`). A second `logout()` on the closed socket rejects 428 at
 * `sendNode` and ends nothing.
 */
const logout: SurfaceCase = {
  scenario: scenario('surface-logout', t + 3000, [{ at: t + 1500, do: 'connect' }]),
  actions: [call(t, 'logout'), { at: t, do: 'snapshot' }, call(t + 1000, 'logout')],
  rc14: trace({
    maps: [
      ...loginMaps(),
      entry(t, 'connection.update:close(401 Intentional Logout)'),
      { ...entry(t + 1500, 'connection.update:connecting,pending=false'), socket: 2 },
      {
        ...entry(
          t + 1500,
          'connection.update:close(401 Connection Failure)',
          undefined,
          loginSlackMs,
        ),
        socket: 2,
      },
    ],
    calls: [entry(t, 'logout:resolved', null), entry(t + 1000, 'logout:rejected', closed428)],
    snapshots: [entry(t, 'snapshot', { ...afterLogin, ws: 'isClosing' })],
    server: { 'remove-companion-device': 1 },
  }),
};

/** `logout()` on a socket the server closed: 428 at `sendNode`, nothing reaches the server. */
const logoutClosed: SurfaceCase = {
  scenario: scenario('surface-logout-closed', t + 1500, [{ at: t, do: 'terminate' }]),
  actions: [call(t + 500, 'logout')],
  rc14: trace({
    maps: [...loginMaps(), entry(t, 'connection.update:close(428 Connection Terminated)')],
    calls: [entry(t + 500, 'logout:rejected', closed428)],
  }),
};

const queries = (at: number): SurfaceAction[] => [
  call(at, 'readMessages', { chat: 'peer' }),
  call(at, 'presenceSubscribe', { chat: 'peer' }),
  call(at, 'profilePictureUrl', { chat: 'peer' }),
  call(at, 'onWhatsApp', { chat: 'peer' }),
  call(at, 'groupMetadata', { chat: 'grp' }),
  call(at, 'groupMetadata', { chat: 'peer' }),
  call(at, 'groupInviteCode', { chat: 'grp' }),
];

const groupSeen = {
  id: 'grp',
  subject: 'grp',
  size: 2,
  creation: 0,
  owner: '?',
  participants: [
    { id: '?', admin: 'superadmin' },
    { id: 'me', admin: null },
  ],
};

/**
 * The modelled queries on an open socket, the server answering as the simulated one does:
 * `readMessages` writes its `read` receipt at once (the privacy settings came with the login's
 * init queries, `Socket/chats.js`); `presenceSubscribe` and `profilePictureUrl` look the peer's
 * LID up first (`buildTcTokenFromJid`, a usync query); `onWhatsApp` keeps the contacts found;
 * `groupMetadata` parses `<group>` (`extractGroupMetadata`) and throws the server's
 * `item-not-found` as Boom 500 with the code in `data` (`assertNodeErrorFree`).
 */
const queriesOpen: SurfaceCase = {
  // The inbound makes `peer` a chat of the fake's run (the fake names pictures after chats).
  scenario: scenario('surface-queries', t + 2000, [{ at: t + 1500, do: 'inbound', msg: 'm1' }]),
  groups: ['grp'],
  actions: queries(t),
  rc14: trace({
    maps: [...loginMaps(), entry(t + 1550, 'messages.upsert:notify:m1')],
    calls: [
      entry(t, 'readMessages:resolved', null),
      entry(t + 20, 'presenceSubscribe:resolved', null),
      entry(
        t + 50,
        'profilePictureUrl:resolved',
        'https://pps.whatsapp.net/v/t61.24694-24/baileys-sim-peer-image.jpg',
      ),
      entry(t + 20, 'onWhatsApp:resolved', [{ jid: 'peer', exists: true }]),
      entry(t + 20, 'groupMetadata:resolved', groupSeen),
      entry(t + 20, 'groupMetadata:rejected', { ...boom(500, 'item-not-found'), data: 404 }),
      entry(t + 20, 'groupInviteCode:resolved', 'BaileysSimgrp000000000'),
    ],
    server: { 'receipt:read': 1, 'presence:subscribe': 1 },
  }),
};

/** The modelled queries on a socket the server closed: 428 from `sendNode`, every one. */
const queriesClosed: SurfaceCase = {
  scenario: scenario('surface-queries-closed', t + 1500, [{ at: t, do: 'terminate' }]),
  groups: ['grp'],
  actions: queries(t + 500),
  rc14: trace({
    maps: [...loginMaps(), entry(t, 'connection.update:close(428 Connection Terminated)')],
    calls: [
      'readMessages',
      'presenceSubscribe',
      'profilePictureUrl',
      'onWhatsApp',
      'groupMetadata',
      'groupMetadata',
      'groupInviteCode',
    ].map((method) => entry(t + 500, `${method}:rejected`, closed428)),
  }),
};

/**
 * The modelled queries with the server answering no query (keep-alive pings apart): each waits
 * out `defaultQueryTimeoutMs` (1.5 s) and rc14 does with `undefined` what its code does:
 * `onWhatsApp` resolves undefined, `groupMetadata` throws `missing <group> node`, the LID lookup
 * before `presenceSubscribe` gives up quietly; `profilePictureUrl` waits for its lookup, then its
 * own query (still pending at 4 s; with `timeoutMs` 500, 408 `Timed Out` then).
 */
const queriesStalled: SurfaceCase = {
  scenario: scenario('surface-queries-stalled', t + 2500, []),
  groups: ['grp'],
  stallQueriesAt: t - 200,
  actions: [...queries(t), call(t, 'profilePictureUrl', { chat: 'peer', timeoutMs: 500 })],
  rc14: trace({
    maps: loginMaps(),
    calls: [
      entry(t, 'readMessages:resolved', null),
      entry(t + 1500, 'presenceSubscribe:resolved', null),
      entry(t + 2500, 'profilePictureUrl:pending'),
      entry(t + 1500, 'onWhatsApp:resolved', null),
      entry(
        t + 1500,
        'groupMetadata:rejected',
        boom(500, 'Invalid group metadata response: missing <group> node'),
      ),
      entry(
        t + 1500,
        'groupMetadata:rejected',
        boom(500, 'Invalid group metadata response: missing <group> node'),
      ),
      entry(t + 1500, 'groupInviteCode:resolved', null),
      entry(t + 2000, 'profilePictureUrl:rejected', boom(408, 'Timed Out')),
    ],
    server: { 'receipt:read': 1, 'presence:subscribe': 1 },
  }),
};

/** Every case, in the order the suites run them. */
export const surfaceCases: readonly SurfaceCase[] = [
  processBatches,
  wsCloseOpen,
  wsCloseAfterCut,
  wsCloseConnecting,
  logout,
  logoutClosed,
  queriesOpen,
  queriesClosed,
  queriesStalled,
];
