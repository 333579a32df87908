/**
 * What the parts of one fake socket's connection share: the login (login.ts), the keep-alive
 * (keepAlive.ts) and the close (close.ts) each get this one object, as rc14's `Socket/socket.js`
 * keeps these in its socket's own variables (`lastDateRecv`, `keepAliveReq`, `qrTimer`,
 * `socket.js:272-275`, and its `ws`): the socket's record, its link (link.ts: its `lastDateRecv`),
 * its queries in flight, the bot's `ws`, and the two timers `end()` cancels: the login's connect
 * timer (ws aborts an opening handshake) and the keep-alive's check (`clearInterval`,
 * `socket.js:479`).
 */
import type { SocketConfig } from '../../src/ports.js';
import type { SocketCause, SocketRecord, SocketState, SocketTimings } from '../history.js';
import { factKinds } from '../journal.js';
import type { DropReason } from './baileysErrors.js';
import type { FakeEmitter } from './emitter.js';
import type { Link } from './link.js';
import { QueriesInFlight } from './pendingQuery.js';
import type { QueuedInbound, ReceiptForBot } from './server.js';
import type { WsEvents } from './socketChannel.js';
import type { SocketHost } from './socketHost.js';
import { TimerSlot } from './timerSlot.js';

/** What the inbound part hands back when `close` is emitted (see {@link ConnectionParts}). */
export interface HandedBack {
  /** Inbound messages never receipted: the server delivers them again at the next login. */
  unreceipted: QueuedInbound[];
  /** Retry receipts never acknowledged: the server pushes them again at the next login. */
  unanswered: ReceiptForBot[];
}

/** What a connection is made of: its socket's own objects, and the hand-back at close. */
export interface ConnectionParts {
  host: SocketHost;
  generation: number;
  record: SocketRecord;
  timings: SocketTimings;
  /** rc14's `markOnlineOnConnect` (socketBehaviour.ts). */
  markOnlineOnConnect: boolean;
  /** The `auth` the path passed to `makeWASocket` (rc14 emits `creds.update` at each login). */
  auth: SocketConfig['auth'] | undefined;
  emitter: FakeEmitter;
  /** At `close`: drop the event buffer and say what the server must deliver again. */
  handBack(): HandedBack;
}

/** See the module comment. */
export class ConnectionShared {
  readonly host: SocketHost;
  readonly parts: ConnectionParts;
  /** The history's record of the socket: its state, its times, the cause of its end. */
  readonly record: SocketRecord;
  readonly link: Link;
  readonly queries = new QueriesInFlight();
  /** The login's: the connect's answer, a slow login's, ws's handshake timeout, the open. */
  readonly connectTimer: TimerSlot;
  /** The keep-alive's check that ends a silent link (keepAlive.ts). */
  readonly keepAliveTimer: TimerSlot;
  /** rc14's `ws` as the surface made it (absent until a bot reads `sock.ws`). */
  ws: WsEvents | undefined;

  /** The shared state of a connection of `parts` over `link`. */
  constructor(parts: ConnectionParts, link: Link) {
    this.host = parts.host;
    this.parts = parts;
    this.record = parts.record;
    this.link = link;
    this.connectTimer = new TimerSlot(parts.host.timers);
    this.keepAliveTimer = new TimerSlot(parts.host.timers);
  }

  /** The socket's state now. */
  get state(): SocketState {
    return this.record.state;
  }

  /** Whether `close` has been emitted to the path. */
  get closeEmitted(): boolean {
    return this.record.closeEmittedAt !== undefined;
  }

  /** Emits `event` on the socket's `ev`; false when a listener threw. */
  emit(event: string, arg: unknown): boolean {
    return this.parts.emitter.emit(event, arg);
  }

  /** Records that the connection was lost (or refused) now, and why; the first cause stays. */
  lost(cause: SocketCause, dropReason?: DropReason): void {
    const record = this.record;
    if (record.diedAt === undefined) {
      this.host.hooks.note?.(factKinds.socketDied, this.parts.generation);
    }
    record.diedAt ??= this.host.now();
    record.cause ??= cause;
    if (dropReason !== undefined) record.dropReason ??= dropReason;
  }
}
