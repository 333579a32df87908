/**
 * What a fake socket gets from outside: its {@link SocketHost} (the network, as the socket
 * reaches it), the network's timing knobs, and the functions the path passed in its socket
 * config. The parts of a socket (connection.ts, sendPipeline.ts, inbound.ts) import these
 * types from here, never from the socket itself, so no import runs back up to fakeSocket.ts.
 */
import type { proto, WAMessageKey } from '@whiskeysockets/baileys';
import type { ClockView } from '../clock.js';
import type { RuleStages } from '../faults/ruleStages.js';
import type { AttemptRecord } from '../history.js';
import type { FactKind } from '../journal.js';
import type { QueuedInbound, ReceiptForBot, RetryAnswer, ServerModel } from './server.js';

/** The fields of a new attempt record the socket knows; the network adds order, time, results. */
export type NewAttempt = Omit<
  AttemptRecord,
  'seq' | 'at' | 'result' | 'written' | 'reachedServer' | 'queryTimeouts'
>;

/** Timing knobs of the fake network a socket reads. */
export interface SocketNetworkOptions {
  /** From `makeSocket()` to the login's answer, on top of the current latency, ms. */
  connectDelayMs: number;
  /** From an inbound frame's arrival to its `messages.upsert` (Baileys' event buffer), ms. */
  inboundFlushMs: number;
  /** From the login to the `append` upsert of messages delivered offline, ms. */
  offlineDeliveryMs: number;
  /** From a write to its own echo (`messages.upsert` `append` `fromMe`), ms. */
  echoMs: number;
  /**
   * How many bytes the socket's buffers take while the peer does not read (a silent link): a
   * larger frame written then fills them, and every later write waits behind it (408).
   */
  sendBufferBytes: number;
  /**
   * Whether a chat's device list is cached per socket, as on WhatsApp (only the first send per
   * chat runs the usync queries). Off, every send runs them: the loopback test server answers
   * empty device lists, which rc14 does not cache.
   */
  deviceListCache: boolean;
}

/**
 * The functions a path may pass in its socket config that rc14 calls back: `getMessage` (answers
 * a retry receipt for a message this socket does not remember) and `cachedGroupMetadata` (a group
 * send uses it instead of the group metadata query when it returns participants).
 */
export interface PathSocketHooks {
  getMessage?: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
  cachedGroupMetadata?: (jid: string) => Promise<unknown>;
}

/** The hooks of a path's socket config (a value that is not a function is left out). */
export function pathSocketHooksOf(
  config: { getMessage?: unknown; cachedGroupMetadata?: unknown } | undefined,
): PathSocketHooks {
  const hooks: PathSocketHooks = {};
  const { getMessage, cachedGroupMetadata } = config ?? {};
  if (typeof getMessage === 'function') {
    hooks.getMessage = getMessage as PathSocketHooks['getMessage'];
  }
  if (typeof cachedGroupMetadata === 'function') {
    hooks.cachedGroupMetadata = cachedGroupMetadata as PathSocketHooks['cachedGroupMetadata'];
  }
  return hooks;
}

/** What a socket needs from its network. Sockets are named by their generation. */
export interface SocketHost {
  /** The network's timer view (never counted as the send path's). */
  readonly timers: ClockView;
  readonly options: Readonly<SocketNetworkOptions>;
  now(): number;
  /** One-way latency now, ms. */
  latencyMs(): number;
  /**
   * The faults' hooks, each answered by its rules (the first answer counts; `connect` by
   * precedence, then the session). A socket asks one by name: `host.rules.write({ chatJid })`.
   */
  readonly rules: Readonly<RuleStages>;
  /** Timeline chat name of a JID (the JID itself for a chat the timeline does not know). */
  chatName(jid: string): string;
  /** A message id for a send that brought none, from the network's seeded stream. */
  drawFakeId(): string;
  /** A new attempt record, or undefined once the run's attempts limit is hit. */
  newAttempt(fields: NewAttempt): AttemptRecord | undefined;
  /**
   * Socket `generation`'s login was answered: WhatsApp ends the device's older sessions now.
   * Returns how many it ended (their 440 arrives with this login's answer).
   */
  loggingIn(generation: number): number;
  /** Socket `generation` logged in. */
  opened(generation: number): void;
  /**
   * Socket `generation` emitted `close`; `unreceipted` are inbound messages the server must
   * deliver again, `unanswered` retry receipts it never acknowledged.
   */
  closed(generation: number, unreceipted: QueuedInbound[], unanswered: ReceiptForBot[]): void;
  /** A message became visible to its recipient: their phone will send its receipts. */
  recipientGot(message: { chatJid: string; messageId: string }): void;
  /** The recipient could not decrypt a message: their retry receipt leaves `retryAfterMs` later. */
  requestResend(message: { chatJid: string; messageId: string }, retryAfterMs: number): void;
  /** The newest send attempt that carried `messageId` (0 for none). */
  attemptSeqOf(messageId: string): number;
  /** This socket's acknowledgement of a retry receipt reached the server: rc14 answered it so. */
  retryAnswered(receipt: ReceiptForBot, generation: number, answer: RetryAnswer): void;
  readonly server: ServerModel;
  readonly hooks: {
    onInboundEmitted(message: QueuedInbound, generation: number, type: 'notify' | 'append'): void;
    /** A fact of `kind` was recorded now (journal.ts). */
    note?(kind: FactKind, id: number): void;
  };
  /** The JIDs of the chats the run knows (the server's chats), for the surface's group queries. */
  chatJids(): Iterable<string>;
  /** The path called `method`, an rc14 socket member the fake does not model. */
  unmodelled(method: string, generation: number): void;
}

/** A promise that resolves `delayMs` from now on the network's timers. */
export function sleepOn(timers: ClockView, delayMs: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, delayMs));
}
