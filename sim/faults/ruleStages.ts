/**
 * The hooks where a fault decides what the fake network does: one named member per decision
 * point, typed with what it is asked and what it may answer. A fault adds rules to them
 * (`target.addRules({ write: ... })` in its `apply`); the network answers each hook with its
 * rules (`SocketHost.rules`, `sim/network/socketHost.ts`), and the socket asks it by name
 * (`host.rules.write(...)`). So "go to definition" on a fault's `write:` lands here, and "find
 * references" here lists every fault that adds such a rule and the one place that asks it.
 */

/**
 * How a connect that completes now ends (undefined: it logs in), by precedence:
 * - `hang`: the upgrade is never answered; ws's handshake timeout ends it with 408;
 * - `refuse`: nothing listens (ECONNREFUSED), at once;
 * - `upgradeRejected`: the upgrade is answered with an HTTP error: rc14 stays `connecting`, no
 *   close;
 * - `loginFailure`: the server answers the login with `<failure reason>`: `Connection Failure`;
 * - `slowLogin`: the WebSocket opens, the server answers the login `delayMs` late, then it logs
 *   in.
 */
export type ConnectVerdict =
  | { kind: 'hang' }
  | { kind: 'refuse' }
  | { kind: 'upgradeRejected'; status: number }
  | { kind: 'loginFailure'; reason: number | null }
  | { kind: 'slowLogin'; delayMs: number };

/**
 * The queries (iqs) a send makes before its write: `usync` (devices, LID), `media_conn` (media
 * hosts), `group` (a group's metadata, before every group send), `key` (a contact device's key
 * bundle, when the bot has no Signal session with it); and the other queries a bot makes itself
 * (`other`: group metadata, profile pictures, privacy settings).
 */
export type QueryKind = 'usync' | 'media_conn' | 'group' | 'key' | 'other';

/** A query answered with `<error code text>`: Boom 500, the code in `data`. */
export interface QueryRefusal {
  code: number;
  text: string;
}

/**
 * The points of the fake network where a fault can decide an outcome, and what it decides.
 * A rule returning undefined does not apply; several rules of one stage are asked in the order
 * added, and the first answer counts (for `connect`, the answer of highest precedence).
 */
export interface RuleStages {
  /**
   * A connect completes at `at`. Asked in `sim/network/login.ts` when the login is answered
   * (`completeConnect`) and when a send checks whether the upgrade went through (`upgraded`).
   */
  connect: (at: number) => ConnectVerdict | undefined;
  /**
   * A query is sent (for a send to `chatJid`): `stall` leaves it unanswered (it waits out
   * `defaultQueryTimeoutMs`); a refusal answers it with an error. Asked in
   * `sim/network/connection.ts` (`query`, rc14's `query` in `Socket/socket.js`).
   */
  query: (query: { kind: QueryKind; chatJid: string }) => 'stall' | QueryRefusal | undefined;
  /**
   * A 1:1 send is about to encrypt: `stall` means the bot has no Signal session with a device of
   * the contact and its key fetch (a `key` query) goes unanswered. Asked in
   * `sim/network/sendPipeline.ts` (`keyFetchPhase`, rc14's `assertSessions`).
   */
  keyFetch: (send: { chatJid: string }) => 'stall' | undefined;
  /**
   * A media send: `fail` answers `media_conn` with an error, or fails the upload on every host;
   * `hang` (uploads only): the media host takes the upload and never answers. Asked in
   * `sim/network/sendPipeline.ts` (`mediaPhase`, `askMediaConn`).
   */
  media: (step: { stage: 'mediaConn' | 'upload' }) => 'fail' | 'hang' | undefined;
  /**
   * A message frame is to be written: `stuck` leaves the write blocked behind a full send
   * buffer. Asked in `sim/network/sendPipeline.ts` (`write`, rc14's `sendRawMessage`).
   */
  write: (send: { chatJid: string }) => 'stuck' | undefined;
  /**
   * A message frame reaches the server: a nack (with its code) refuses it, never seen. Asked in
   * `sim/network/sendPipeline.ts` (`frameToServer`).
   */
  serverMessage: (frame: { chatJid: string }) => { nackAfterMs: number; code: string } | undefined;
  /**
   * A message frame reaches the recipient: it cannot decrypt it, and asks for a resend (a retry
   * receipt) `retryAfterMs` later. Asked in `sim/network/sendPipeline.ts` (`frameToServer`,
   * `resendFrameToServer`).
   */
  decrypt: (frame: { chatJid: string }) => { retryAfterMs: number } | undefined;
  /**
   * A message became visible at `at`: its delivery and read receipts leave the recipient's phone
   * as if it had arrived at `backAt` (the phone was away until then), or as usual (undefined).
   * Asked in `sim/network/fakeNetwork.ts` (`recipientGot`).
   */
  recipient: (message: { chatJid: string; at: number }) => { backAt: number } | undefined;
  /**
   * The bot's receipt of an inbound message reaches the server: `lost`, and it is delivered
   * again at the next login. Asked in `sim/network/inbound.ts` (`receipt`, rc14's
   * `sendReceipt` in `handleMessage`).
   */
  receipt: (receipt: { chatJid: string }) => 'lost' | undefined;
}
