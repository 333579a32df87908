/**
 * The fidelity scenarios and what real rc14 does in each, measured on the loopback server
 * (`test/integration/fidelity.real.test.ts` re-measures every one and fails when a Baileys
 * upgrade changes a behaviour). Each case's TSDoc states the ground truth with the rc14 source
 * behind it; its `rc14` trace is the expectation, times in ms since the scenario started, compared
 * within the tolerance of `timeTolerated` (trace.ts).
 *
 * Socket settings are scaled down ({@link socket}): keep-alive every 1 s (Baileys ends a socket
 * silent for more than interval + 5 s, so a silent link is noticed 5-7 s after its last frame),
 * connect / write timeout 2 s, query timeout 1.5 s. ws's 30 s close timeout cannot be set through
 * Baileys (`Socket/Client/websocket.js` `connect()` passes no `closeTimeout`): the cases that wait
 * for it are marked `long`.
 *
 * Nominal figures used below, from measurements on this machine: a login takes {@link loginMs}
 * from `makeWASocket` to `open`; a send with the loopback's empty device lists resolves ~30 ms
 * after the call (two usync round trips, then the write); the own echo comes {@link echoMs}
 * later (`createBufferedFunction` flushes after 100 ms, `Utils/event-buffer.js`).
 */
import { parseScenario, type Scenario } from './scenario.js';
import {
  emptyTrace,
  type ConnectionEntry,
  type ErrorShape,
  type SendEntry,
  type Trace,
  type UpsertEntry,
} from './trace.js';

/** One scenario and rc14's trace for it. */
export interface FidelityCase {
  scenario: Scenario;
  rc14: Trace;
  /** waits for ws's 30 s close timeout (run concurrently, few of them) */
  long?: true;
  /**
   * blocks the event loop for a second or more (encodes megabytes): run alone, or it delays the
   * others
   */
  cpuHeavy?: true;
}

/** The scaled-down socket settings every case uses. */
export const socket = Object.freeze({
  keepAliveIntervalMs: 1000,
  connectTimeoutMs: 2000,
  defaultQueryTimeoutMs: 1500,
});

/** From `makeWASocket` to `connection: 'open'` on the loopback server. */
const loginMs = 250;
/**
 * Extra tolerance on what follows a login: its key agreement and signatures (client and server
 * run in the same process) take 100-300 ms on an idle machine and up to a second when other
 * suites load both cores. Client steps start at least 1 s after a connect for the same reason.
 */
const loginSlackMs = 1000;
/** From a send's resolution to its own echo (`messages.upsert` `append`). */
const echoMs = 100;
/** From a send call to its resolution when every iq is answered at once. */
const writeMs = 30;
/** From the server's push to `messages.upsert`. */
const upsertMs = 50;
/** From `open` to the upsert of a message delivered offline (the offline node processor). */
const offlineUpsertMs = 100;
/** ws's close timeout (`ws/lib/constants.js` `CLOSE_TIMEOUT`, used by `setCloseTimer`). */
const wsCloseTimeoutMs = 30_000;
/** Baileys notices a silent link 5-7 s after its last frame with a 1 s keep-alive: the middle. */
const keepAliveNoticeMs = 6000;

// ---- builders (key order matches trace.ts, whose comparisons are by JSON) ---------------------

const boom = (statusCode: number, message: string): ErrorShape => ({
  kind: 'boom',
  statusCode,
  message,
});
/**
 * A query answered with `<error code text>`: `assertNodeErrorFree`'s Boom 500, the code in `data`.
 */
const refused = (code: number, text: string): ErrorShape => ({
  kind: 'boom',
  statusCode: 500,
  message: text,
  data: code,
});
const closeCode = (value: number): ErrorShape => ({ kind: 'number', value });
const connectionClosed = boom(428, 'Connection Closed');
const resolvedValue = { proto: true, timestamp: 'Long' as const, status: 1, fromMe: true };
const noJidError: ErrorShape = {
  kind: 'error',
  name: 'TypeError',
  message: "Cannot destructure property 'server' of 'jidDecode(...)' as it is undefined.",
};

/**
 * rc14's connection events for a login that succeeds: `connecting` with
 * `receivedPendingNotifications: false` (`Socket/socket.js`, on the next tick), then `true` when
 * `<ib><offline count/>` arrives (`CB:ib,,offline`, before the login iqs finish), then
 * `isOnline: true` *before* `open`: chats.js's own `connection.update` listener runs first and
 * calls `sendPresenceUpdate('available')` (markOnlineOnConnect, with a push name), which emits
 * `isOnline` nested inside the emission of `open`.
 */
function login(
  sock: number,
  connectAt: number,
  { online = true, answeredAfterMs = 0 } = {},
): ConnectionEntry[] {
  const at = connectAt + answeredAfterMs + loginMs;
  const slackMs = loginSlackMs;
  return [
    ...connecting(sock, connectAt),
    { at, socket: sock, event: 'pending:true', slackMs },
    { at, socket: sock, event: online ? 'online:true' : 'online:false', slackMs },
    { at, socket: sock, event: 'open', slackMs },
  ];
}
function connecting(sock: number, at: number): ConnectionEntry[] {
  return [
    { at, socket: sock, event: 'connecting' },
    { at, socket: sock, event: 'pending:false' },
  ];
}
const closed = (
  sock: number,
  at: number,
  error: ErrorShape | null,
  slackMs?: number,
): ConnectionEntry => ({
  at,
  socket: sock,
  event: 'close',
  error,
  ...(slackMs === undefined ? {} : { slackMs }),
});
const resolved = (
  key: string,
  sock: number,
  at: number,
  settledAt: number,
  frameAt?: number,
): SendEntry => ({
  key,
  socket: sock,
  at,
  outcome: 'resolved',
  frames: frameAt === undefined ? 0 : 1,
  settledAt,
  value: resolvedValue,
  ...(frameAt === undefined ? {} : { frameAt }),
});
const rejected = (
  key: string,
  sock: number,
  at: number,
  settledAt: number,
  error: ErrorShape,
): SendEntry => ({
  key,
  socket: sock,
  at,
  outcome: 'rejected',
  frames: 0,
  settledAt,
  error,
});
/** A send answered at once: resolved after the write, frame at the server. */
const written = (key: string, sock: number, at: number): SendEntry =>
  resolved(key, sock, at, at + writeMs, at + writeMs);
const echo = (name: string, sock: number, at: number, status = 1): UpsertEntry => ({
  at,
  socket: sock,
  type: 'append',
  fromMe: true,
  name,
  status,
});
/** A received message upserted at `at`, sent (its `messageTimestamp`) at `sentAt`. */
const received = (
  name: string,
  sock: number,
  at: number,
  type: 'notify' | 'append',
  sentAt: number,
  slackMs?: number,
): UpsertEntry => ({
  at,
  socket: sock,
  type,
  fromMe: false,
  name,
  status: null,
  sentAt,
  ...(slackMs === undefined ? {} : { slackMs }),
});
const trace = (t: Partial<Trace>): Trace => ({ ...emptyTrace(), ...t });
const scenario = (raw: Omit<Scenario, 'socket'>): Scenario => parseScenario({ socket, ...raw });

// ---- the cases --------------------------------------------------------------------------------

/**
 * A healthy session. `sendMessage` resolves right after the local write (`sendRawMessage` awaits
 * the `ws.send` callback, `Socket/socket.js`), never after a server ack; before the write,
 * `relayMessage` (`Socket/messages-send.js`) runs a usync device query and, while no LID mapping is
 * known, a usync LID query (`resolveTcTokenJid`). With the loopback's empty device lists nothing is
 * cached, so every send runs both; on WhatsApp a non-empty device list is cached per socket
 * (`userDevicesCache`, 5 min), so only the first send per chat per socket does. The resolved value
 * is a `proto.WebMessageInfo` with a Long `messageTimestamp` and status PENDING (1). Each send is
 * echoed as `messages.upsert` `append` `fromMe` (`emitOwnEvents`, default on:
 * `upsertMessage(fullMsg, 'append')` on the next tick, flushed 100 ms later). An inbound comes as
 * `notify`.
 */
const healthySession: FidelityCase = {
  scenario: scenario({
    name: 'healthy-session',
    endAt: 3000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'r1' },
      { at: 1500, do: 'send', key: 'r2' },
      { at: 2000, do: 'inbound', msg: 'm1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [written('r1', 1, 1000), written('r2', 1, 1500)],
    upserts: [
      echo('r1', 1, 1000 + writeMs + echoMs),
      echo('r2', 1, 1500 + writeMs + echoMs),
      received('m1', 1, 2000 + upsertMs, 'notify', 2000),
    ],
  }),
};

/**
 * 400 ms one-way latency: every send waits for its two usync round trips (1.6 s) and resolves
 * after the write, 400 ms *before* its frame reaches the server. A later send to the same chat
 * pays the round trips again (empty device lists are not cached, see {@link healthySession}).
 */
const latency: FidelityCase = {
  scenario: scenario({
    name: 'latency',
    endAt: 7600,
    steps: [
      { at: 0, do: 'connect' },
      // well after the login, even on a loaded machine: the login's own round trips stay fast
      { at: 1500, do: 'latency', ms: 400 },
      { at: 2000, do: 'send', key: 'r1' },
      { at: 3500, do: 'send', key: 'r2' },
      { at: 5000, do: 'send', key: 'r3', chat: 'other' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      resolved('r1', 1, 2000, 3600, 4000),
      resolved('r2', 1, 3500, 5100, 5500),
      resolved('r3', 1, 5000, 6600, 7000),
    ],
    upserts: [
      echo('r1', 1, 3600 + echoMs),
      echo('r2', 1, 5100 + echoMs),
      echo('r3', 1, 6600 + echoMs),
    ],
  }),
};

/**
 * A silent link (the server's TCP socket paused both ways): the fake's `drop connectionLost` and
 * `blackhole`. Keep-alive (`startKeepAliveRequest`, `Socket/socket.js`) notices it 5-7 s after the
 * last frame and calls `end(408 'Connection was lost')`; `end()` awaits `ws.close()`
 * (`Socket/Client/websocket.js`), which on a peer that answers nothing waits for ws's 30 s close
 * timeout, and only then emits `close`. A send written into the dead link before Baileys notices
 * (r2) still resolves (ws is OPEN; its usync queries time out to `undefined` in `waitForMessage`
 * and the write goes ahead after two query timeouts), and its frame is lost. A send after the
 * notice (r3) is rejected 428 `Connection Closed` at once (`sendRawMessage`: ws is CLOSING).
 */
const silentLink: FidelityCase = {
  long: true,
  scenario: scenario({
    name: 'silent-link',
    endAt: 41_000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 2000, do: 'send', key: 'r1' },
      { at: 2500, do: 'silence' },
      { at: 3500, do: 'send', key: 'r2' },
      { at: 11_000, do: 'send', key: 'r3' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 2500 + keepAliveNoticeMs + wsCloseTimeoutMs, boom(408, 'Connection was lost')),
    ],
    sends: [
      written('r1', 1, 2000),
      resolved('r2', 1, 3500, 3500 + 2 * socket.defaultQueryTimeoutMs),
      rejected('r3', 1, 11_000, 11_000, connectionClosed),
    ],
    upserts: [
      echo('r1', 1, 2000 + writeMs + echoMs),
      echo('r2', 1, 3500 + 2 * socket.defaultQueryTimeoutMs + echoMs),
    ],
  }),
};

/**
 * `end()` on a silent link: `close` (with no error, as `end(undefined)`) comes 30 s later (ws's
 * close timeout); a send in between is rejected 428 at once.
 */
const endOnSilentLink: FidelityCase = {
  long: true,
  scenario: scenario({
    name: 'end-on-silent-link',
    endAt: 34_000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 2000, do: 'silence' },
      { at: 2500, do: 'end' },
      { at: 3000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 2500 + wsCloseTimeoutMs, null)],
    sends: [rejected('r1', 1, 3000, 3000, connectionClosed)],
    ends: [{ at: 2500, socket: 1, outcome: 'resolved', settledAt: 2500 + wsCloseTimeoutMs }],
  }),
};

/**
 * The fake's `blackhole`, then a reconnect: the open socket goes silent (as {@link silentLink})
 * and a connect after the blackhole works. The reply sent into it resolves and is lost; the next
 * socket opens only after ws's close timeout.
 */
const blackholeThenReconnect: FidelityCase = {
  long: true,
  scenario: scenario({
    name: 'blackhole-then-reconnect',
    endAt: 40_000,
    reconnect: { delayMs: 100 },
    steps: [
      { at: 0, do: 'connect' },
      { at: 2000, do: 'blackhole', untilAt: 4000 },
      { at: 2500, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 2000 + keepAliveNoticeMs + wsCloseTimeoutMs, boom(408, 'Connection was lost')),
      ...login(2, 2000 + keepAliveNoticeMs + wsCloseTimeoutMs + 100),
    ],
    sends: [resolved('r1', 1, 2500, 2500 + 2 * socket.defaultQueryTimeoutMs)],
    upserts: [echo('r1', 1, 2500 + 2 * socket.defaultQueryTimeoutMs + echoMs)],
  }),
};

/**
 * Connects made during a blackhole hang: the server never answers the upgrade, ws's handshake
 * timeout (Baileys passes `connectTimeoutMs`) aborts it, and `mapWebSocketError` ends the socket
 * with 408 `WebSocket Error (Opening handshake has timed out)`. The first connect after the
 * blackhole opens.
 */
const connectIntoBlackhole: FidelityCase = {
  scenario: scenario({
    name: 'connect-into-blackhole',
    endAt: 6000,
    reconnect: { delayMs: 100 },
    steps: [
      { at: 0, do: 'blackhole', untilAt: 3000 },
      { at: 100, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [
      ...connecting(1, 100),
      closed(1, 2100, boom(408, 'WebSocket Error (Opening handshake has timed out)')),
      ...connecting(2, 2200),
      closed(2, 4200, boom(408, 'WebSocket Error (Opening handshake has timed out)')),
      ...login(3, 4300),
    ],
  }),
};

/**
 * The server never answers the usync queries a send makes before its write: each query times out
 * to `undefined` (`waitForMessage` turns its own 408 into `undefined`), the device list reads as
 * empty and the frame is written anyway, after two `defaultQueryTimeoutMs`. No 408 reaches the
 * caller.
 */
const usyncStalled: FidelityCase = {
  scenario: scenario({
    name: 'usync-stalled',
    endAt: 4500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'stallIq', iq: 'usync' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      resolved(
        'r1',
        1,
        1000,
        1000 + 2 * socket.defaultQueryTimeoutMs,
        1000 + 2 * socket.defaultQueryTimeoutMs,
      ),
    ],
    upserts: [echo('r1', 1, 1000 + 2 * socket.defaultQueryTimeoutMs + echoMs)],
  }),
};

/**
 * A send stalled in its pre-write usync query when the server closes the TCP connection (FIN):
 * `waitForMessage` rejects with what ws's `close` event passed first, the bare close code 1006
 * (not an Error), and the frame is never written. A send written before the close stays resolved.
 * The socket closes 428 `Connection Terminated` (`ws.on('close')`, `Socket/socket.js`).
 */
const inFlightAtTcpClose: FidelityCase = {
  scenario: scenario({
    name: 'in-flight-at-tcp-close',
    endAt: 3000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'r0' },
      { at: 1300, do: 'stallIq', iq: 'usync' },
      { at: 1500, do: 'send', key: 'r1' },
      { at: 2000, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 2000, boom(428, 'Connection Terminated'))],
    sends: [written('r0', 1, 1000), rejected('r1', 1, 1500, 2000, closeCode(1006))],
    upserts: [echo('r0', 1, 1000 + writeMs + echoMs)],
  }),
};

/**
 * As {@link inFlightAtTcpClose} with a TCP reset (RST): the same 1006 and 428 (ws reports no
 * error for it); with a WebSocket close frame without a code: 1005.
 */
const inFlightAtOtherCloses: FidelityCase[] = (
  [
    ['in-flight-at-tcp-reset', 'reset', 1006],
    ['in-flight-at-ws-close', 'wsClose', 1005],
  ] as const
).map(([name, fault, code]) => ({
  scenario: scenario({
    name,
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'stallIq', iq: 'usync' },
      { at: 1000, do: 'send', key: 'r1' },
      { at: 1500, do: fault },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 1500, boom(428, 'Connection Terminated'))],
    sends: [rejected('r1', 1, 1000, 1500, closeCode(code))],
  }),
}));

/**
 * The fake's `drop` while a frame is on the wire, with 400 ms one-way latency. rc14 rejects a send
 * only before its write: dropped during its pre-write usync round trip, the send rejects with the
 * bare close code 1006 and writes nothing.
 */
const dropDuringPreWrite: FidelityCase = {
  scenario: scenario({
    name: 'drop-during-pre-write',
    endAt: 3000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1500, do: 'latency', ms: 400 },
      { at: 2000, do: 'send', key: 'r1' },
      { at: 2300, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 2300, boom(428, 'Connection Terminated'))],
    sends: [rejected('r1', 1, 2000, 2300, closeCode(1006))],
  }),
};

/**
 * Dropped after the write, before the frame arrived (400 ms one-way latency): the send has
 * already resolved (after its two usync round trips, 1.6 s) and stays resolved; the frame is lost.
 * A resolved send is no proof of delivery, and a close never rejects a written frame.
 */
const dropAfterWrite: FidelityCase = {
  scenario: scenario({
    name: 'drop-after-write',
    endAt: 4500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1500, do: 'latency', ms: 400 },
      { at: 2000, do: 'send', key: 'r1' },
      { at: 3850, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 3850, boom(428, 'Connection Terminated'))],
    sends: [resolved('r1', 1, 2000, 3600)],
    upserts: [echo('r1', 1, 3600 + echoMs)],
  }),
};

/**
 * A send stalled in its usync query when the client calls `end()`: `end()` removes the ws
 * `close` listeners before closing (`Socket/socket.js` `end`), so the pending query never hears
 * the close. `close` comes at once (the server answers the close frame); the send waits out
 * `defaultQueryTimeoutMs`, its query resolves `undefined`, and the next query's write fails with
 * 428 `Connection Closed`. Never the close error, never a written frame.
 */
const inFlightAtEnd: FidelityCase = {
  scenario: scenario({
    name: 'in-flight-at-end',
    endAt: 3500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'stallIq', iq: 'usync' },
      { at: 1000, do: 'send', key: 'r1' },
      { at: 1500, do: 'end' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 1500, null)],
    sends: [rejected('r1', 1, 1000, 1000 + socket.defaultQueryTimeoutMs, connectionClosed)],
    ends: [{ at: 1500, socket: 1, outcome: 'resolved', settledAt: 1500 }],
  }),
};

/**
 * Media: `prepareWAMessageMedia` uploads before any frame. The first media send fetches
 * `media_conn` (iq `w:m`, cached per socket, `refreshMediaConn` in `Socket/messages-send.js`), then
 * POSTs to `https://<host>/mms/document/...` (`getWAUploadToServer`, `Utils/messages-media.js`);
 * the frame follows. The second send reuses the cached `media_conn`.
 */
const mediaSent: FidelityCase = {
  scenario: scenario({
    name: 'media-sent',
    endAt: 2800,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'd1', media: 'document' },
      { at: 2000, do: 'send', key: 'd2', media: 'document' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [resolved('d1', 1, 1000, 1150, 1150), written('d2', 1, 2000)],
    upserts: [echo('d1', 1, 1150 + echoMs), echo('d2', 1, 2000 + writeMs + echoMs)],
  }),
};

/**
 * Every media host failing: each failed upload forces a fresh `media_conn`, and after the last
 * host `getWAUploadToServer` throws Boom 500 `Media upload failed on all hosts`; no frame.
 */
const mediaUploadFails: FidelityCase = {
  scenario: scenario({
    name: 'media-upload-fails',
    endAt: 2000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'media', conn: 'answer', upload: 'fail' },
      { at: 1000, do: 'send', key: 'd1', media: 'document' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [rejected('d1', 1, 1000, 1150, boom(500, 'Media upload failed on all hosts'))],
  }),
};

/**
 * `media_conn` answered with an error: `assertNodeErrorFree` throws Boom(text) (500, the error's
 * code in `data`), and the
 * rejected promise stays cached in `refreshMediaConn` (`const media = await mediaConn` rethrows):
 * every later media send on this socket fails the same way at once, with no new iq.
 */
const mediaConnErrorCached: FidelityCase = {
  scenario: scenario({
    name: 'media-conn-error-cached',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'media', conn: 'error', upload: 'ok' },
      { at: 1000, do: 'send', key: 'd1', media: 'document' },
      { at: 1500, do: 'media', conn: 'answer', upload: 'ok' },
      { at: 2000, do: 'send', key: 'd2', media: 'document' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      rejected('d1', 1, 1000, 1000 + writeMs, refused(500, 'internal-server-error')),
      rejected('d2', 1, 2000, 2000, refused(500, 'internal-server-error')),
    ],
  }),
};

/**
 * `media_conn` never answered: the query times out to `undefined` and `refreshMediaConn` reads
 * `mediaConnNode.attrs` of nothing: a TypeError (not a Boom), cached like {@link
 * mediaConnErrorCached}.
 */
const mediaConnStalledCached: FidelityCase = {
  scenario: scenario({
    name: 'media-conn-stalled-cached',
    endAt: 3500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'media', conn: 'hold', upload: 'ok' },
      { at: 1000, do: 'send', key: 'd1', media: 'document' },
      { at: 2800, do: 'media', conn: 'answer', upload: 'ok' },
      { at: 3000, do: 'send', key: 'd2', media: 'document' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      rejected('d1', 1, 1000, 1000 + socket.defaultQueryTimeoutMs, {
        kind: 'error',
        name: 'TypeError',
        message: "Cannot read properties of undefined (reading 'attrs')",
      }),
      rejected('d2', 1, 3000, 3000, {
        kind: 'error',
        name: 'TypeError',
        message: "Cannot read properties of undefined (reading 'attrs')",
      }),
    ],
  }),
};

/**
 * `<failure reason=N>` instead of `<success>` (`CB:failure`, `Socket/socket.js`): the socket closes
 * with Boom `Connection Failure` and statusCode N, whatever N is (401 logged out, 403 forbidden,
 * 411 multidevice mismatch, 500 bad session, 503 unavailable, 515 restart); no reason gives 500.
 * It comes right after the handshake, before `open`.
 */
const loginFailures: FidelityCase[] = [401, 403, 411, 500, 503, 515, null].map((reason) => ({
  scenario: scenario({
    name: `login-failure-${reason ?? 'no-reason'}`,
    endAt: 1200,
    steps: [
      { at: 0, do: 'nextConnect', plan: { failure: reason } },
      { at: 100, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [
      ...connecting(1, 100),
      closed(1, 250, boom(reason ?? 500, 'Connection Failure'), loginSlackMs),
    ],
  }),
}));

/**
 * HTTP 503 in answer to the upgrade: Baileys listens for ws's `unexpected-response`
 * (`Socket/Client/websocket.js` forwards every ws event), so ws does not abort the handshake and
 * nothing else ends it: the socket stays `connecting` with no `close`, past `connectTimeoutMs`
 * (the response ended the request, so its timeout never fires). Sends are rejected 428 at once.
 */
const upgradeAnswered503: FidelityCase = {
  scenario: scenario({
    name: 'upgrade-answered-503',
    endAt: 4500,
    steps: [
      { at: 0, do: 'nextConnect', plan: { upgradeStatus: 503 } },
      { at: 100, do: 'connect' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: connecting(1, 100),
    sends: [rejected('r1', 1, 1000, 1000, connectionClosed)],
  }),
};

/**
 * An upgrade never answered: 408 `WebSocket Error (Opening handshake has timed out)` after
 * `connectTimeoutMs`.
 */
const upgradeNeverAnswered: FidelityCase = {
  scenario: scenario({
    name: 'upgrade-never-answered',
    endAt: 2800,
    steps: [
      { at: 0, do: 'nextConnect', plan: 'hang' },
      { at: 100, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [
      ...connecting(1, 100),
      closed(
        1,
        100 + socket.connectTimeoutMs,
        boom(408, 'WebSocket Error (Opening handshake has timed out)'),
      ),
    ],
  }),
};

/** The upgrade accepted, then closed at once: 428 `Connection Terminated`, before `open`. */
const acceptedThenClosed: FidelityCase = {
  scenario: scenario({
    name: 'accepted-then-closed',
    endAt: 1000,
    steps: [
      { at: 0, do: 'nextConnect', plan: 'closeOnAccept' },
      { at: 100, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [
      ...connecting(1, 100),
      closed(1, 130, boom(428, 'Connection Terminated'), loginSlackMs),
    ],
  }),
};

/**
 * The server ends an open session; the socket closes at once with the fault's error and a send
 * after the close is rejected 428 `Connection Closed`. `<stream:error>` goes through
 * `getErrorCodeFromStreamError` (`Utils/generics.js`): the `code` attribute, else `CODE_MAP` of the
 * first child's tag (`conflict` → 440), else 500 (badSession); the message names the child tag
 * (`unknown` without one; 515 becomes `restart required`). `xmlstreamend` is 428 `Connection
 * Terminated by Server`; a TCP close, reset or WebSocket close frame is 428 `Connection
 * Terminated`.
 */
const serverEnds: FidelityCase[] = (
  [
    [
      'stream-error-conflict',
      { do: 'streamError', kind: 'conflict' },
      boom(440, 'Stream Errored (conflict)'),
    ],
    [
      'stream-error-515',
      { do: 'streamError', kind: 'restartRequired' },
      boom(515, 'Stream Errored (restart required)'),
    ],
    [
      'stream-error-device-removed',
      { do: 'streamError', kind: 'deviceRemoved' },
      boom(401, 'Stream Errored (conflict)'),
    ],
    [
      'stream-error-unknown',
      { do: 'streamError', kind: 'unknown' },
      boom(500, 'Stream Errored (unknown)'),
    ],
    [
      'stream-error-503',
      { do: 'streamError', kind: 'serviceUnavailable' },
      boom(503, 'Stream Errored (unknown)'),
    ],
    ['stream-end', { do: 'streamEnd' }, boom(428, 'Connection Terminated by Server')],
    ['tcp-close', { do: 'terminate' }, boom(428, 'Connection Terminated')],
    ['tcp-reset', { do: 'reset' }, boom(428, 'Connection Terminated')],
    ['ws-close', { do: 'wsClose' }, boom(428, 'Connection Terminated')],
  ] as const
).map(([name, fault, error]) => ({
  scenario: scenario({
    name,
    endAt: 2700,
    // the send comes well after the close: one written before the client has read the peer's
    // FIN or RST fails with a plain Error (`write ECONNRESET`, seen on a loaded machine) instead
    steps: [
      { at: 0, do: 'connect' },
      { at: 1500, ...fault },
      { at: 2300, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 1500, error)],
    sends: [rejected('r1', 1, 2300, 2300, connectionClosed)],
  }),
}));

/**
 * Connects refused (nothing listening): `ws.on('error', mapWebSocketError(end))` closes at once
 * with 408 `WebSocket Error (connect ECONNREFUSED 127.0.0.1:<port>)` (`getCodeFromWSError`: any
 * `E…` code).
 */
const refusedConnects: FidelityCase = {
  scenario: scenario({
    name: 'refused-connects',
    endAt: 3500,
    reconnect: { delayMs: 500 },
    steps: [
      { at: 0, do: 'refuse', untilAt: 1350 },
      { at: 100, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [1, 2, 3]
      .flatMap((n) => [
        ...connecting(n, 100 + (n - 1) * 500),
        closed(
          n,
          100 + (n - 1) * 500,
          boom(408, 'WebSocket Error (connect ECONNREFUSED 127.0.0.1:<port>)'),
        ),
      ])
      .concat(login(4, 1600)),
  }),
};

/**
 * Offline delivery: inbound held while the bot had no connection is delivered at the next login
 * with the `offline` attribute, and rc14 upserts it as `append`, not `notify`
 * (`Socket/messages-recv.js` `handleMessage`: `upsertMessage(msg, node.attrs.offline ? 'append' :
 * 'notify')`), processed by the offline node processor after `open`.
 */
const offlineQueue: FidelityCase = {
  scenario: scenario({
    name: 'offline-queue',
    endAt: 2500,
    steps: [
      { at: 0, do: 'inbound', msg: 'm1' },
      { at: 0, do: 'inbound', msg: 'm2' },
      { at: 500, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: login(1, 500),
    upserts: [
      received('m1', 1, 500 + loginMs + offlineUpsertMs, 'append', 0, loginSlackMs),
      received('m2', 1, 500 + loginMs + offlineUpsertMs, 'append', 0, loginSlackMs),
    ],
  }),
};

/**
 * An inbound whose receipt never reached the server before the connection dropped is delivered
 * again at the next login (offline, so `append`): the bot sees the same id twice, once `notify`
 * and once `append`.
 */
const redeliveryAfterDrop: FidelityCase = {
  scenario: scenario({
    name: 'redelivery-after-drop',
    endAt: 3500,
    reconnect: { delayMs: 200 },
    steps: [
      { at: 0, do: 'connect' },
      { at: 1200, do: 'inbound', msg: 'm1', receiptLost: true },
      { at: 1700, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 1700, boom(428, 'Connection Terminated')),
      ...login(2, 1900),
    ],
    upserts: [
      received('m1', 1, 1200 + upsertMs, 'notify', 1200),
      received('m1', 2, 1900 + loginMs + offlineUpsertMs, 'append', 1200, loginSlackMs),
    ],
  }),
};

/**
 * A server nack (`<ack class="message" error=…>`, `handleBadAck` in `Socket/messages-recv.js`)
 * after the send resolved: `messages.update` status ERROR (0) with the nack's code in
 * `messageStubParameters`, here 500 ms after the send, after
 * its echo (status PENDING). A nack that comes within the own echo's 100 ms buffer is folded by
 * the event buffer into the buffered upsert (`Utils/event-buffer.js` consolidation): the echo
 * then carries status ERROR and no update is emitted. Which of the two happens depends on a race
 * of a few ms (seen both on this machine, idle and loaded), so only the late nack is a case.
 */
const serverNackLate: FidelityCase = {
  scenario: scenario({
    name: 'server-nack-late',
    endAt: 2200,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'nackNext', error: '479' },
      { at: 500, do: 'ackDelay', ms: 500 },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
    updates: [
      { at: 1000 + writeMs + 500, socket: 1, name: 'r1', status: 0, stubParameters: ['479'] },
    ],
  }),
};

/**
 * The fake's `slowAck`: the server acks late. rc14 never waits for an ack, so the send resolves
 * after the write as always. A 408 `Timed Out` comes only from a write stuck in a full socket
 * buffer ({@link writeStalled}).
 */
const ackDelayed: FidelityCase = {
  scenario: scenario({
    name: 'ack-delayed',
    endAt: 2000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'ackDelay', ms: 500 },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
  }),
};

/**
 * Bytes of the newsletter text that fills the socket buffers of a silent link (about 3 MB on
 * loopback).
 */
const bufferFillingBytes = 6_000_000;

/**
 * rc14's only 408 `Timed Out` on `sendMessage`: `sendRawMessage` (`Socket/socket.js`) gives the
 * local write `connectTimeoutMs` (`promiseTimeout`) to complete, i.e. for the `ws.send` callback,
 * which waits while the socket buffers are full because the peer stopped reading. A 6 MB newsletter
 * text (sent as `<plaintext>`, so the frame is that big) into a silent link stalls: rejected 408
 * after encoding (about 1 s of CPU, hence the slack) plus `connectTimeoutMs`, and its frame still
 * reaches the server when the link comes back. A short 1:1 reply queued behind it is rejected
 * 408 too, `connectTimeoutMs` after the first (its pre-write usync query cannot be written), and
 * its frame is never written. Keep-alive noticed meanwhile; the close completes once the link is
 * back and the server answers the close frame.
 */
const writeStalled: FidelityCase = {
  cpuHeavy: true,
  scenario: scenario({
    name: 'write-stalled',
    endAt: 11_500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 2000, do: 'silence' },
      { at: 2200, do: 'send', key: 'big', chat: 'newsletter', textBytes: bufferFillingBytes },
      { at: 4500, do: 'send', key: 'r1' },
      { at: 10_000, do: 'resume' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 10_150, boom(408, 'Connection was lost'))],
    sends: [
      {
        key: 'big',
        socket: 1,
        at: 2200,
        outcome: 'rejected',
        frames: 1,
        settledAt: 5200,
        error: boom(408, 'Timed Out'),
        frameAt: 10_100,
        slackMs: 2000,
      },
      { ...rejected('r1', 1, 4500, 7200, boom(408, 'Timed Out')), slackMs: 2000 },
    ],
  }),
};

/**
 * A `connection.update` listener throws on `open`: Baileys' event emitter is a plain
 * EventEmitter, so the throw propagates out of `ev.emit` (later listeners are skipped) into the
 * async `CB:success` handler, whose promise rejects: an unhandled rejection of the process. The
 * socket stays usable.
 */
const listenerThrowsOnOpen: FidelityCase = {
  scenario: scenario({
    name: 'listener-throws-on-open',
    endAt: 1800,
    listenerThrows: 'connection.update',
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
    thrown: [
      {
        at: loginMs,
        socket: 1,
        event: 'connection.update',
        surfaced: 'rejection',
        laterListenerRan: false,
        slackMs: loginSlackMs,
      },
    ],
  }),
};

/**
 * A `messages.upsert` listener throws: the throw escapes the event buffer's `flush()` before it
 * clears its data (`Utils/event-buffer.js`), so the same upsert is emitted again with the next
 * flush: m1 is handed over twice, once alone and once with m2. It surfaces as an unhandled
 * rejection (`processNodeWithBuffer` → the async `CB:message` handler).
 */
const listenerThrowsOnUpsert: FidelityCase = {
  scenario: scenario({
    name: 'listener-throws-on-upsert',
    endAt: 2200,
    listenerThrows: 'messages.upsert',
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'inbound', msg: 'm1' },
      { at: 1500, do: 'inbound', msg: 'm2' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    upserts: [
      received('m1', 1, 1000 + upsertMs, 'notify', 1000),
      received('m1', 1, 1500 + upsertMs, 'notify', 1000),
      received('m2', 1, 1500 + upsertMs, 'notify', 1500),
    ],
    thrown: [
      {
        at: 1000 + upsertMs,
        socket: 1,
        event: 'messages.upsert',
        surfaced: 'rejection',
        laterListenerRan: false,
      },
    ],
  }),
};

/**
 * Sends are written in the order they were called, in any chat: `relayMessage`
 * (`Socket/messages-send.js`) runs its usync queries and the write inside
 * `authState.keys.transaction(work)` with no key, which `addTransactionCapability`
 * (`Utils/auth-utils.js`) serializes with one FIFO `Mutex`. So r2, called in another chat while
 * r1 waits out its stalled queries, starts its own queries only once r1 was written: written
 * after four query timeouts, not two.
 */
const sendsSerialized: FidelityCase = {
  scenario: scenario({
    name: 'sends-serialized',
    endAt: 1000 + 4 * socket.defaultQueryTimeoutMs + 1500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'stallIq', iq: 'usync' },
      { at: 1000, do: 'send', key: 'r1' },
      { at: 1200, do: 'send', key: 'r2', chat: 'c2' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      resolved(
        'r1',
        1,
        1000,
        1000 + 2 * socket.defaultQueryTimeoutMs,
        1000 + 2 * socket.defaultQueryTimeoutMs,
      ),
      resolved(
        'r2',
        1,
        1200,
        1000 + 4 * socket.defaultQueryTimeoutMs,
        1000 + 4 * socket.defaultQueryTimeoutMs,
      ),
    ],
    upserts: [
      echo('r1', 1, 1000 + 2 * socket.defaultQueryTimeoutMs + echoMs),
      echo('r2', 1, 1000 + 4 * socket.defaultQueryTimeoutMs + echoMs),
    ],
  }),
};

/**
 * The media host takes the upload and never answers. `sendMessage` uploads in
 * `generateWAMessage` → `prepareWAMessageMedia` (`Utils/messages.js`), before `relayMessage`
 * (`Socket/messages-send.js` `sendMessage`), through `getWAUploadToServer` →
 * `uploadWithNodeHttp` (`Utils/messages-media.js`), whose request gets `timeout: timeoutMs`,
 * i.e. `mediaUploadTimeoutMs`, unset by default: nothing ends the wait. d1 stays pending, after
 * its socket closed and a new one opened too, and never wrote a frame; r2 in the same chat, sent
 * meanwhile, is written at once (the upload holds no lock).
 */
const mediaUploadNeverAnswered: FidelityCase = {
  scenario: scenario({
    name: 'media-upload-never-answered',
    endAt: 5000,
    reconnect: { delayMs: 200 },
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'media', conn: 'answer', upload: 'hang' },
      { at: 1000, do: 'send', key: 'd1', media: 'document' },
      { at: 1500, do: 'send', key: 'r2' },
      { at: 3000, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 3000, boom(428, 'Connection Terminated')),
      ...login(2, 3200),
    ],
    sends: [
      { key: 'd1', socket: 1, at: 1000, outcome: 'pending', frames: 0 },
      written('r2', 1, 1500),
    ],
    upserts: [echo('r2', 1, 1500 + writeMs + echoMs)],
  }),
};

/**
 * The receipt goes out before the handler runs: `handleMessage` (`Socket/messages-recv.js`)
 * awaits `sendReceipt` and only then `upsertMessage`, and the event buffer emits after it
 * (`processNodeWithBuffer`). The path's `messages.upsert` listener throws on m1: the server has
 * its receipt, so nothing delivers m1 again. rc14's buffer would emit it again with its next
 * flush on this socket, but the connection drops first and `end()` destroys the buffer
 * (`ev.destroy()`, `Utils/event-buffer.js`): the next socket never sees m1.
 */
const receiptBeforeHandler: FidelityCase = {
  scenario: scenario({
    name: 'receipt-before-handler',
    endAt: 3500,
    reconnect: { delayMs: 200 },
    listenerThrows: 'messages.upsert',
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'inbound', msg: 'm1' },
      { at: 1500, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 1500, boom(428, 'Connection Terminated')),
      ...login(2, 1700),
    ],
    upserts: [received('m1', 1, 1000 + upsertMs, 'notify', 1000)],
    thrown: [
      {
        at: 1000 + upsertMs,
        socket: 1,
        event: 'messages.upsert',
        surfaced: 'rejection',
        laterListenerRan: false,
      },
    ],
  }),
};

/**
 * `end()` is single-use: `if (closed) return` (`Socket/socket.js` `end`) before anything else.
 * The first call awaits `ws.close()`, which on a silent link waits ws's 30 s close timeout; a
 * second call resolves at once, 29 s before the close.
 */
const endTwice: FidelityCase = {
  long: true,
  scenario: scenario({
    name: 'end-twice',
    endAt: 34_000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 2000, do: 'silence' },
      { at: 2500, do: 'end' },
      { at: 3500, do: 'end' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 2500 + wsCloseTimeoutMs, null)],
    ends: [
      { at: 2500, socket: 1, outcome: 'resolved', settledAt: 2500 + wsCloseTimeoutMs },
      { at: 3500, socket: 1, outcome: 'resolved', settledAt: 3500 },
    ],
  }),
};

/**
 * The keep-alive gives up on a silent link and calls Baileys' own `end()` (5-7 s after the last
 * frame); the path's `end()` after it returns at once (`if (closed) return`), while `close` is
 * still ws's 30 s close timeout away. A path that reconnects as soon as its `end()` resolved has
 * its new socket open half a minute before the old socket's 408 close arrives.
 */
const endAfterKeepAliveEnd: FidelityCase = {
  long: true,
  scenario: scenario({
    name: 'end-after-keepalive-end',
    endAt: 40_000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 2000, do: 'silence' },
      { at: 10_000, do: 'end' },
      { at: 10_100, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      ...login(2, 10_100),
      closed(1, 2000 + keepAliveNoticeMs + wsCloseTimeoutMs, boom(408, 'Connection was lost')),
    ],
    ends: [{ at: 10_000, socket: 1, outcome: 'resolved', settledAt: 10_000 }],
  }),
};

/**
 * A send right after a TCP reset the client has not read yet (the RST is in its kernel, its event
 * loop has not polled the socket): the send's first write (its usync query) fails in the
 * `write()` syscall, and `sendRawMessage` (`Socket/socket.js`) rejects with Node's error as it is,
 * a plain `Error('write ECONNRESET')` (code `ECONNRESET`, syscall `write`): no Boom, no status
 * code, nothing written. Node destroys the socket and ws's `close` follows: 428 `Connection
 * Terminated`, after the rejection.
 */
const sendIntoUnreadReset: FidelityCase = {
  scenario: scenario({
    name: 'send-into-unread-reset',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1500, do: 'reset', unread: true },
      { at: 1500, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 1500, boom(428, 'Connection Terminated'))],
    sends: [
      rejected('r1', 1, 1500, 1500, { kind: 'error', name: 'Error', message: 'write ECONNRESET' }),
    ],
  }),
};

/**
 * `messageTimestamp` is the stanza's `t` (`decryptMessageNode`, `Utils/decode-wa-message.js`:
 * `messageTimestamp: +stanza.attrs.t`): when the message was sent, which WhatsApp keeps for an
 * offline delivery and for a redelivery. m1, sent while the bot had no connection, and m2,
 * redelivered on the next socket after its receipt was lost, carry their own send times, seconds
 * before they reached the bot: a bot that skips "messages older than this connection" drops them.
 */
const originalTimestamps: FidelityCase = {
  scenario: scenario({
    name: 'original-timestamps',
    endAt: 9000,
    reconnect: { delayMs: 3000 },
    steps: [
      { at: 0, do: 'inbound', msg: 'm1' },
      { at: 3000, do: 'connect' },
      { at: 4500, do: 'inbound', msg: 'm2', receiptLost: true },
      { at: 5000, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 3000),
      closed(1, 5000, boom(428, 'Connection Terminated')),
      ...login(2, 8000),
    ],
    upserts: [
      received('m1', 1, 3000 + loginMs + offlineUpsertMs, 'append', 0, loginSlackMs),
      received('m2', 1, 4500 + upsertMs, 'notify', 4500),
      received('m2', 2, 8000 + loginMs + offlineUpsertMs, 'append', 4500, loginSlackMs),
    ],
  }),
};

/**
 * The server answers the login 2 s late (the Noise handshake is done, the WebSocket open):
 * `sendRawMessage` (`Socket/socket.js`) checks only `ws.isOpen`, so a send made while the socket
 * is still `connecting` runs its usync queries, which the server answers, and is written, a
 * second before `open`. Its echo waits in the event buffer, which flushes with the login's
 * pending notifications (`Utils/event-buffer.js`).
 */
const sendBeforeOpen: FidelityCase = {
  scenario: scenario({
    name: 'send-before-open',
    endAt: 3500,
    steps: [
      { at: 0, do: 'nextConnect', plan: { loginDelayMs: 2000 } },
      { at: 100, do: 'connect' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 100, { answeredAfterMs: 2000 }),
    sends: [written('r1', 1, 1000)],
    upserts: [{ ...echo('r1', 1, 100 + 2000 + loginMs), slackMs: loginSlackMs }],
  }),
};

/**
 * `markOnlineOnConnect: false`: at login chats.js calls `sendPresenceUpdate('unavailable')`
 * instead of `'available'` (`Socket/chats.js`), which emits `isOnline: false`.
 */
const offlineOnConnect: FidelityCase = {
  scenario: scenario({
    name: 'mark-online-off',
    endAt: 1800,
    socketConfig: { markOnlineOnConnect: false },
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0, { online: false }),
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
  }),
};

/**
 * `emitOwnEvents: false`: `sendMessage` upserts nothing of its own (`Socket/messages-send.js`): no
 * echo.
 */
const noOwnEcho: FidelityCase = {
  scenario: scenario({
    name: 'emit-own-events-off',
    endAt: 1800,
    socketConfig: { emitOwnEvents: false },
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({ connection: login(1, 0), sends: [written('r1', 1, 1000)] }),
};

/**
 * The path opens a second socket while the first is open: when its login is answered, the
 * server ends the device's older session (`<stream:error><conflict type="replaced"/>`), and the
 * old socket's 440 close arrives before the new socket's `open`, which waits for the login's
 * own queries.
 */
const replacedByOwnLogin: FidelityCase = {
  scenario: scenario({
    name: 'replaced-by-own-login',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'connect' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      ...connecting(2, 1000),
      closed(1, 1000 + loginMs, boom(440, 'Stream Errored (conflict)'), loginSlackMs),
      ...login(2, 1000).slice(2),
    ],
  }),
};

/**
 * `sendPresenceUpdate('composing')` with no JID: `const { server } = jidDecode(toJid)`
 * (`Socket/chats.js`) destructures `undefined` and the call rejects with a TypeError before
 * anything is written, whether the socket is open or closed; with a JID it is written, or 428
 * once closed.
 */
const presenceWithoutJid: FidelityCase = {
  scenario: scenario({
    name: 'presence-without-jid',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'presence', key: 'c1', noJid: true },
      { at: 1200, do: 'presence', key: 'c2' },
      { at: 1500, do: 'end' },
      { at: 2000, do: 'presence', key: 'c3', noJid: true },
      { at: 2100, do: 'presence', key: 'c4' },
    ],
  }),
  rc14: trace({
    connection: [...login(1, 0), closed(1, 1500, null)],
    ends: [{ at: 1500, socket: 1, outcome: 'resolved', settledAt: 1500 }],
    presences: [
      { key: 'c1', socket: 1, at: 1000, outcome: 'rejected', settledAt: 1000, error: noJidError },
      { key: 'c2', socket: 1, at: 1200, outcome: 'resolved', settledAt: 1200 },
      { key: 'c3', socket: 1, at: 2000, outcome: 'rejected', settledAt: 2000, error: noJidError },
      {
        key: 'c4',
        socket: 1,
        at: 2100,
        outcome: 'rejected',
        settledAt: 2100,
        error: connectionClosed,
      },
    ],
  }),
};

// ---- pre-write queries that reject, group chats ----------------------------------------------

/** A group's metadata query and its participants' devices before each write (`relayMessage`). */
const groupWriteMs = 40;

/**
 * A group chat. Every group send first asks the server for the group's metadata (`groupMetadata`,
 * `Socket/groups.js`, called by `relayMessage`, `Socket/messages-send.js`, on each send: rc14 has
 * no metadata cache unless the path passes `cachedGroupMetadata`), then its participants'
 * devices (usync), encrypts with the sender key and writes; it resolves at the write like a 1:1
 * send and is echoed. A member's message names its sender in `key.participant`
 * (`decodeMessageNode`, `Utils/decode-wa-message.js`).
 */
const groupSend: FidelityCase = {
  scenario: scenario({
    name: 'group-send',
    endAt: 3000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 1000, do: 'send', key: 'g1', chat: 'group' },
      { at: 1500, do: 'inbound', msg: 'm1', chat: 'group', participant: 'p2' },
      { at: 2000, do: 'send', key: 'g2', chat: 'group' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      resolved('g1', 1, 1000, 1000 + groupWriteMs, 1000 + groupWriteMs),
      resolved('g2', 1, 2000, 2000 + groupWriteMs, 2000 + groupWriteMs),
    ],
    upserts: [
      echo('g1', 1, 1000 + groupWriteMs + echoMs),
      { ...received('m1', 1, 1500 + upsertMs, 'notify', 1500), participant: true },
      echo('g2', 1, 2000 + groupWriteMs + echoMs),
    ],
  }),
};

/**
 * A group's metadata query never answered: `query` times out to `undefined` and
 * `extractGroupMetadata` (`Socket/groups.js`) throws Boom 500 `Invalid group metadata response:
 * missing <group> node` after one `defaultQueryTimeoutMs`. Nothing was written: a send that
 * waited a minute on WhatsApp and then failed before any frame.
 */
const groupMetadataUnanswered: FidelityCase = {
  scenario: scenario({
    name: 'group-metadata-unanswered',
    endAt: 3500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'groupMetadata', answer: 'hold' },
      { at: 1000, do: 'send', key: 'g1', chat: 'group' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      rejected(
        'g1',
        1,
        1000,
        1000 + socket.defaultQueryTimeoutMs,
        boom(500, 'Invalid group metadata response: missing <group> node'),
      ),
    ],
  }),
};

/**
 * The bot is no longer in the group: the server answers the metadata query 403, and `query`'s
 * `assertNodeErrorFree` (`WABinary/generic-utils.js`) throws `new Boom('forbidden', { data: 403
 * })`: status 500, the 403 only in `data`, at once, no frame.
 */
const groupForbidden: FidelityCase = {
  scenario: scenario({
    name: 'group-forbidden',
    endAt: 2000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'groupMetadata', answer: 'forbidden' },
      { at: 1000, do: 'send', key: 'g1', chat: 'group' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [rejected('g1', 1, 1000, 1000 + writeMs, refused(403, 'forbidden'))],
  }),
};

/**
 * A usync answered 429 (`rate-overlimit`): `executeUSyncQuery`'s `query` throws Boom 500
 * `rate-overlimit` with 429 in `data` (`assertNodeErrorFree`); `relayMessage` stops before the
 * write. A path reading `output.statusCode` sees 500, not 429.
 */
const usyncRateOverlimit: FidelityCase = {
  scenario: scenario({
    name: 'usync-rate-overlimit',
    endAt: 2000,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'usyncRateLimited' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [rejected('r1', 1, 1000, 1000 + writeMs, refused(429, 'rate-overlimit'))],
  }),
};

/**
 * The contact has a device the bot has no Signal session with: `assertSessions`
 * (`Socket/messages-send.js`) fetches its key bundle (iq `encrypt` `<key>`), the server never
 * answers, the query times out to `undefined`, nothing can be encrypted and
 * `createParticipantNodes` throws Boom 500 `All encryptions failed` after one
 * `defaultQueryTimeoutMs`. No frame.
 */
const keyFetchUnanswered: FidelityCase = {
  scenario: scenario({
    name: 'key-fetch-unanswered',
    endAt: 3500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'keyFetchHold' },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      rejected(
        'r1',
        1,
        1000,
        1000 + socket.defaultQueryTimeoutMs,
        boom(500, 'All encryptions failed'),
      ),
    ],
  }),
};

// ---- receipts from the recipient, retry receipts ---------------------------------------------

/**
 * The recipient's phone acknowledges delivery, then reading: `<receipt>` without a type, then
 * `type="read"`. rc14 emits `messages.update` with status DELIVERY_ACK (3), then READ (4)
 * (`handleReceipt`, `Socket/messages-recv.js`; `getStatusFromReceiptType`, `Utils/generics.js`).
 */
const deliveryAndReadReceipts: FidelityCase = {
  scenario: scenario({
    name: 'delivery-and-read-receipts',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'receipts', deliveryMs: 300, readMs: 800 },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
    updates: [
      { at: 1000 + writeMs + 300, socket: 1, name: 'r1', status: 3 },
      { at: 1000 + writeMs + 800, socket: 1, name: 'r1', status: 4 },
    ],
  }),
};

/**
 * In a group the receipts come from each member (`participant`): rc14 emits
 * `message-receipt.update` (a member's `receiptTimestamp`, then `readTimestamp`) and no
 * `messages.update` (`handleReceipt`): a path that waits for status 3 in a group waits for ever.
 */
const groupReceipts: FidelityCase = {
  scenario: scenario({
    name: 'group-receipts',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'receipts', deliveryMs: 300, readMs: 800 },
      { at: 1000, do: 'send', key: 'g1', chat: 'group' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [resolved('g1', 1, 1000, 1000 + groupWriteMs, 1000 + groupWriteMs)],
    upserts: [echo('g1', 1, 1000 + groupWriteMs + echoMs)],
    receipts: [
      { at: 1000 + groupWriteMs + 300, socket: 1, name: 'g1', type: 'delivery' },
      { at: 1000 + groupWriteMs + 800, socket: 1, name: 'g1', type: 'read' },
    ],
  }),
};

/**
 * A nack 463 (the account may not start new chats): `handleBadAck` emits status ERROR with
 * `messageStubParameters: ['463', ACCOUNT_RESTRICTED_TEXT]` (`Socket/messages-recv.js`,
 * `Utils/decode-wa-message.js`); other codes carry the code alone ({@link serverNackLate}).
 */
const nack463: FidelityCase = {
  scenario: scenario({
    name: 'nack-463',
    endAt: 2200,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'nackNext', error: '463' },
      { at: 500, do: 'ackDelay', ms: 500 },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
    updates: [
      {
        at: 1000 + writeMs + 500,
        socket: 1,
        name: 'r1',
        status: 0,
        stubParameters: ['463', 'Your account has been restricted'],
      },
    ],
  }),
};

/**
 * From a retry receipt's arrival to the resend's frame: a forced key fetch, the devices, the write.
 */
const resendMs = 50;

/**
 * The recipient cannot decrypt the message and sends a retry receipt: rc14 resends it by itself,
 * same id, ~50 ms later, from the socket's own cache of recent sends (`handleReceipt`,
 * `sendMessagesAgain`, `Socket/messages-recv.js`; `MessageRetryManager`,
 * `Utils/message-retry-manager.js`). The path sees nothing: no update, no second echo.
 */
const retryReceiptResent: FidelityCase = {
  scenario: scenario({
    name: 'retry-receipt-resent',
    endAt: 2500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'retryNext', afterMs: 500 },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      { ...written('r1', 1, 1000), frames: 2, laterFramesAt: [1000 + writeMs + 500 + resendMs] },
    ],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
  }),
};

/**
 * A socket resends one id twice at most: `handleReceipt` and `sendMessagesAgain` each count the
 * retry in `msgRetryCache` and stop at `maxMsgRetryCount` (5), so the third retry receipt is
 * answered with nothing (`Socket/messages-recv.js`).
 */
const retryReceiptsTwiceAtMost: FidelityCase = {
  scenario: scenario({
    name: 'retry-receipts-twice-at-most',
    endAt: 3500,
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'retryNext', afterMs: 500 },
      { at: 500, do: 'retryNext', afterMs: 500 },
      { at: 500, do: 'retryNext', afterMs: 500 },
      { at: 1000, do: 'send', key: 'r1' },
    ],
  }),
  rc14: trace({
    connection: login(1, 0),
    sends: [
      {
        ...written('r1', 1, 1000),
        frames: 3,
        laterFramesAt: [1000 + writeMs + 500 + resendMs, 1000 + writeMs + 2 * (500 + resendMs)],
      },
    ],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
  }),
};

/**
 * A retry receipt that reaches a newer socket: its cache of recent sends is its own (each
 * `makeSocket` makes a `MessageRetryManager`), so rc14 finds nothing, asks the default
 * `getMessage` (returns `undefined`, `Defaults/index.js`) and resends nothing: the recipient
 * never gets the message, and the path is never told.
 */
const retryReceiptAfterReconnect: FidelityCase = {
  scenario: scenario({
    name: 'retry-receipt-after-reconnect',
    endAt: 4500,
    reconnect: { delayMs: 200 },
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'retryNext', afterMs: 2500 },
      { at: 1000, do: 'send', key: 'r1' },
      { at: 1300, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 1300, boom(428, 'Connection Terminated')),
      ...login(2, 1500),
    ],
    sends: [written('r1', 1, 1000)],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
  }),
};

/**
 * The same, with the path's `getMessage` in the socket config: rc14 asks it for the message
 * (`{ remoteJid, id, fromMe: true, participant }`) and resends what it returns, same id, from
 * the newer socket (`sendMessagesAgain`).
 */
const retryReceiptGetMessage: FidelityCase = {
  scenario: scenario({
    name: 'retry-receipt-get-message',
    endAt: 4500,
    getMessage: true,
    reconnect: { delayMs: 200 },
    steps: [
      { at: 0, do: 'connect' },
      { at: 500, do: 'retryNext', afterMs: 2500 },
      { at: 1000, do: 'send', key: 'r1' },
      { at: 1300, do: 'terminate' },
    ],
  }),
  rc14: trace({
    connection: [
      ...login(1, 0),
      closed(1, 1300, boom(428, 'Connection Terminated')),
      ...login(2, 1500),
    ],
    sends: [
      { ...written('r1', 1, 1000), frames: 2, laterFramesAt: [1000 + writeMs + 2500 + resendMs] },
    ],
    upserts: [echo('r1', 1, 1000 + writeMs + echoMs)],
  }),
};

/** Every case, in a fixed order. */
export const fidelityCases: readonly FidelityCase[] = Object.freeze([
  healthySession,
  latency,
  silentLink,
  endOnSilentLink,
  blackholeThenReconnect,
  connectIntoBlackhole,
  usyncStalled,
  sendsSerialized,
  inFlightAtTcpClose,
  ...inFlightAtOtherCloses,
  inFlightAtEnd,
  dropDuringPreWrite,
  dropAfterWrite,
  mediaSent,
  mediaUploadFails,
  mediaConnErrorCached,
  mediaConnStalledCached,
  ...loginFailures,
  upgradeAnswered503,
  upgradeNeverAnswered,
  acceptedThenClosed,
  ...serverEnds,
  refusedConnects,
  offlineQueue,
  redeliveryAfterDrop,
  serverNackLate,
  ackDelayed,
  writeStalled,
  listenerThrowsOnOpen,
  listenerThrowsOnUpsert,
  mediaUploadNeverAnswered,
  receiptBeforeHandler,
  endTwice,
  endAfterKeepAliveEnd,
  sendIntoUnreadReset,
  originalTimestamps,
  sendBeforeOpen,
  offlineOnConnect,
  noOwnEcho,
  replacedByOwnLogin,
  presenceWithoutJid,
  groupSend,
  groupMetadataUnanswered,
  groupForbidden,
  usyncRateOverlimit,
  keyFetchUnanswered,
  deliveryAndReadReceipts,
  groupReceipts,
  nack463,
  retryReceiptResent,
  retryReceiptsTwiceAtMost,
  retryReceiptAfterReconnect,
  retryReceiptGetMessage,
]);
