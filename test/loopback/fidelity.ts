/**
 * What the *real* Baileys 7.0.0-rc14 raises for each fault, observed against the loopback server
 * (`test/integration/fidelity.test.ts` re-measures every row and fails when an upgrade changes
 * one). The fake socket (`sim/fakeSocket.ts`) must raise the same `statusCode` and `message`
 * for the same fault.
 *
 * `surface` says where the error shows up:
 * - `close`: `connection.update` `{ connection: 'close', lastDisconnect: { error } }`;
 * - `send`: the rejection of `sendMessage`.
 *
 * `message` may contain `<port>`, standing for the port number the client dialled; compare
 * with {@link faultMessageMatches}.
 */

export type BaileysFault =
  /** the server accepts the WebSocket upgrade and closes it at once */
  | 'acceptThenClose'
  /** the server drops an open, logged-in connection (TCP destroy or WS close) */
  | 'connectionClosed'
  /** nothing listens on the port */
  | 'connectRefused'
  /** `<stream:error><conflict type="replaced"/></stream:error>`: another session took over */
  | 'conflict'
  /** `<stream:error code="515"/>` */
  | 'restartRequired'
  /** `<stream:error code="401"><conflict type="device_removed"/></stream:error>` */
  | 'loggedOut'
  /** `<failure reason="401"/>` instead of `<success/>` at login */
  | 'loginFailure401'
  /** the server sends the `xmlstreamend` token */
  | 'serverStreamEnd'
  /** the link dies silently (no frames either way); Baileys' keep-alive notices */
  | 'connectionLost'
  /** `sendMessage` on a socket whose connection has closed */
  | 'sendWhileClosed';

export interface BaileysFaultEntry {
  fault: BaileysFault;
  surface: 'close' | 'send';
  statusCode: number;
  message: string;
}

export const baileysFaultTable: readonly BaileysFaultEntry[] = Object.freeze([
  { fault: 'acceptThenClose', surface: 'close', statusCode: 428, message: 'Connection Terminated' },
  { fault: 'connectionClosed', surface: 'close', statusCode: 428, message: 'Connection Terminated' },
  {
    fault: 'connectRefused',
    surface: 'close',
    statusCode: 408,
    message: 'WebSocket Error (connect ECONNREFUSED 127.0.0.1:<port>)',
  },
  { fault: 'conflict', surface: 'close', statusCode: 440, message: 'Stream Errored (conflict)' },
  { fault: 'restartRequired', surface: 'close', statusCode: 515, message: 'Stream Errored (restart required)' },
  { fault: 'loggedOut', surface: 'close', statusCode: 401, message: 'Stream Errored (conflict)' },
  { fault: 'loginFailure401', surface: 'close', statusCode: 401, message: 'Connection Failure' },
  { fault: 'serverStreamEnd', surface: 'close', statusCode: 428, message: 'Connection Terminated by Server' },
  { fault: 'connectionLost', surface: 'close', statusCode: 408, message: 'Connection was lost' },
  { fault: 'sendWhileClosed', surface: 'send', statusCode: 428, message: 'Connection Closed' },
] satisfies BaileysFaultEntry[]);

/** True when `actual` is `entry.message` with `<port>` standing for any port number. */
export function faultMessageMatches(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const pattern = expected.split('<port>').map(escapeRegExp).join('\\d{1,5}');
  return new RegExp(`^${pattern}$`).test(actual);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How `sendMessage` itself behaves under server-side faults that do *not* produce a Boom, as
 * observed in rc14. These contradict or sharpen DESIGN.md's Baileys facts; the fake socket
 * should model them too.
 */
export type SendFault =
  /** the server never acks `<message>` */
  | 'ackDropped'
  /** the server acks `<message>` late */
  | 'ackDelayed'
  /** the server never answers the usync iq `relayMessage` sends before the frame */
  | 'iqStalled'
  /** the server drops the connection (TCP destroy) while the usync iq is pending */
  | 'terminateDuringQuery'
  /** the server closes the WebSocket (close frame, no code) while the usync iq is pending */
  | 'closeDuringQuery'
  /** the *client* calls `sock.end()` while the usync iq is pending (what a supervisor's stop does) */
  | 'endDuringQuery';

export interface SendOutcomeEntry {
  fault: SendFault;
  /** `resolved`: the promise fulfils; `rejected`: it rejects with `rejection` */
  outcome: 'resolved' | 'rejected';
  /**
   * For `rejected`: a number is the raw WebSocket close code, rejected as is (not an Error: no
   * `output.statusCode`, no `message`); an object is a Boom's `statusCode` and `message`.
   */
  rejection?: number | { statusCode: number; message: string };
  /** whether the `<message>` frame reached the server */
  frameWritten: boolean;
  /** how many `defaultQueryTimeoutMs` periods the call takes before it settles */
  queryTimeouts?: number;
}

export const baileysSendOutcomeTable: readonly SendOutcomeEntry[] = Object.freeze([
  // sendMessage resolves after the write; no ack is awaited, so both resolve at once.
  { fault: 'ackDropped', outcome: 'resolved', frameWritten: true, queryTimeouts: 0 },
  { fault: 'ackDelayed', outcome: 'resolved', frameWritten: true, queryTimeouts: 0 },
  // `query()` without an explicit timeout: `waitForMessage` turns its own timeout into
  // `undefined`, the device list is read as empty, and the frame is written anyway. Two stalled
  // iqs (usync devices, then usync lid for the tctoken jid): two timeouts. No 408 reaches the caller.
  { fault: 'iqStalled', outcome: 'resolved', frameWritten: true, queryTimeouts: 2 },
  // `waitForMessage` rejects with whatever the ws 'close' event passed first: the close code.
  { fault: 'terminateDuringQuery', outcome: 'rejected', rejection: 1006, frameWritten: false },
  { fault: 'closeDuringQuery', outcome: 'rejected', rejection: 1005, frameWritten: false },
  // `end()` removes the ws 'close' listeners *before* closing, so the pending query never hears
  // the close: it waits out `defaultQueryTimeoutMs` (60 s by default), resolves undefined, and
  // the write then fails with 428. A stop() that awaits in-flight sends waits that long.
  {
    fault: 'endDuringQuery',
    outcome: 'rejected',
    rejection: { statusCode: 428, message: 'Connection Closed' },
    frameWritten: false,
    queryTimeouts: 1,
  },
] satisfies SendOutcomeEntry[]);
