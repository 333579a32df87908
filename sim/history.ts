/**
 * What happened in one run: facts, not verdicts. The checkers (properties/judging/) judge a
 * History; the simulator only records it. Every value is JSON-safe, times are virtual ms since
 * the run began, and absent facts are omitted keys (never `undefined` values), so
 * `JSON.parse(JSON.stringify(h))` deep-equals `h`.
 */
import { createHash } from 'node:crypto';
import type { SocketTimings } from '../src/baileysFacts.js';
import type { SendPathConfig } from '../src/ports.js';
import type { DropReason } from '../src/dropFacts.js';
import type { LoopLimitRecord } from './clock.js';
import type { ServerRecord } from './network/server.js';
import type { GlobalUse } from './globals.js';
import type { InboundKind } from './inboundKinds.js';
import type { SiteRecord } from './sites.js';

export type { LoopLimitRecord } from './clock.js';
export type { GlobalName, GlobalUse } from './globals.js';
export type { SocketTimings } from '../src/baileysFacts.js';
export type { InboundKind } from './inboundKinds.js';
export type {
  FrameRecord,
  PresenceRecord,
  ServerRecord,
  SessionRecord,
  VisibleRecord,
} from './network/server.js';
export type { RetryAnswer, RetryRequestRecord } from './network/server.js';
export type { SiteRecord } from './sites.js';

/** The history format tag. */
export const historyFormat = 'baileys-sim/history@2';

/** An error as recorded: never a stack (stacks hold real paths and differ between machines). */
export interface ErrorRecord {
  name: string;
  message: string;
  /** Boom `output.statusCode`, or a numeric `statusCode` property. */
  statusCode?: number;
  /** A numeric Boom `data`: the code of a query the server answered with an error (403, 429). */
  data?: number;
  /** Present (true) when the error carried `ambiguous: true`. */
  ambiguous?: true;
}

/**
 * A fake socket's state as its WebSocket would report it: `connecting` (the upgrade and login
 * are under way), `open`, `closing` (Baileys or the path began `end()`: sends get 428 while the
 * close handshake runs, up to ws's 30 s close timeout on a silent link), `closed` (`close` was
 * emitted to the path).
 */
export type SocketState = 'connecting' | 'open' | 'closing' | 'closed';

/**
 * Why a socket closed (or, for `upgradeRejected`, why it never got anywhere):
 * - `refused`: the connect was refused (ECONNREFUSED);
 * - `hang`: the upgrade was never answered, ws's handshake timeout ended it (408);
 * - `upgradeRejected`: the upgrade was answered with an HTTP error: rc14 stays `connecting` and
 *   never closes by itself;
 * - `loginFailure`: the server answered the login with `<failure reason>` (`Connection Failure`);
 * - `drop`: the connection was cut from outside while open (a timeline `drop`: the server closed
 *   or reset it, or sent a stream error);
 * - `replaced`: the path opened a newer socket and WhatsApp ended this one (440);
 * - `silent`: the link went silent and Baileys' keep-alive ended the socket (408);
 * - `end`: the path called `end()` first.
 */
export type SocketCause =
  'refused' | 'hang' | 'upgradeRejected' | 'loginFailure' | 'drop' | 'replaced' | 'silent' | 'end';

/** `on` / `off` counts of one event's listeners on one socket. */
export interface ListenerCount {
  added: number;
  removed: number;
  /** Most listeners of this event registered at once. */
  aliveMax: number;
}

/** One connection (one `makeSocket` call). */
export interface SocketRecord {
  /** 1, 2, ... in creation order. */
  generation: number;
  createdAt: number;
  /** State at the end of the run. */
  state: SocketState;
  openedAt?: number;
  /**
   * When the connection was lost under the socket: cut or refused (`drop`, `refused`, `hang`,
   * `loginFailure`, `replaced`), or found dead by the keep-alive (`silent`). The path hears of it
   * at `closeEmittedAt`.
   */
  diedAt?: number;
  cause?: SocketCause;
  /** The timeline `drop` reason, for `cause: 'drop'` (and `conflict` for `replaced`). */
  dropReason?: DropReason;
  /** When the link went silent (frames from then on stall both ways). */
  silentAt?: number;
  /** When a silent link came back (stalled frames were then delivered). */
  resumedAt?: number;
  /** When the path called `end()` (first call). */
  endCalledAt?: number;
  /** How many times the path called `end()`. */
  endCalls: number;
  /** When `connection.update` `close` was emitted to the path. */
  closeEmittedAt?: number;
  /** `lastDisconnect.error` of the close; absent when closed with no error (`end(undefined)`). */
  closeError?: ErrorRecord;
  /** The connect was refused (ECONNREFUSED). */
  refused: boolean;
  /** The Baileys timings this socket ran with: the path's socket config, else Baileys' defaults. */
  timings: SocketTimings;
  /**
   * Listener counts per event (`connection.update`, `messages.upsert`, ...), over the socket's
   * life.
   */
  listeners: Record<string, ListenerCount>;
  /**
   * Calls of the socket's modelled members besides sending (`logout`, `readMessages`, `ws.close`,
   * `ev.process`, ...: sim/network/socketSurface.ts), per member; absent when none.
   */
  calls?: Record<string, number>;
  /** When the path first called `logout()` on this socket (rc14 then unlinks the device). */
  logoutCalledAt?: number;
}

/**
 * The first call of an rc14 socket member the fake does not model: the run cannot tell what the
 * bot would have done with a real answer, so nothing it led to is the bot's to answer for (the
 * checkers judge no such run, and a campaign stops on it: a limit of the harness).
 */
export interface UnmodelledRecord {
  /** The member as the bot called it: `fetchBlocklist`, `ev.buffer`, `ws.send`. */
  method: string;
  at: number;
  /** The socket it was called on. */
  generation: number;
}

/** One emission of an inbound message to the path. */
export interface InboundDelivery {
  at: number;
  generation: number;
  /**
   * `notify` when it arrived live; `append` when it was queued while the bot was offline (or
   * redelivered).
   */
  type: 'notify' | 'append';
}

/** One timeline `inbound`. */
export interface InboundRecord {
  msg: string;
  chat: string;
  chatJid: string;
  /** WhatsApp message id the server gave it. */
  id: string;
  kind: InboundKind;
  /** True for the kinds a bot answers: it must reach the bot (exactly once). */
  answerable: boolean;
  eventIndex: number;
  /** Timeline time. */
  at: number;
  /** First `messages.upsert` emission (on socket `generation`); absent if never delivered. */
  emittedAt?: number;
  generation?: number;
  /**
   * Every emission to the path: the first, redeliveries after a lost receipt, re-emissions after a
   * listener threw.
   */
  deliveries: InboundDelivery[];
  /** When the path handed the harness its `InboundMessage` (first time). */
  receivedAt?: number;
  /** How many times the path handed it over. */
  handedCount: number;
  /** When each hand-over happened (the first 100; `handedCount` counts them all). */
  handedAt?: number[];
}

/** What a logical request asked for. */
export type RequestKind = 'reply' | 'sendMedia' | 'composing';

/** Jepsen outcomes: ok, fail (definitely not done), info (ambiguous), pending (never settled). */
export type Outcome = 'ok' | 'fail' | 'info' | 'pending';

/** One logical reply / media / composing request of the timeline. */
export interface RequestRecord {
  key: string;
  kind: RequestKind;
  chat: string;
  chatJid: string;
  /** The inbound it answers. */
  msg: string;
  eventIndex: number;
  /** Timeline time. */
  requestedAt: number;
  /** When the harness called the method (later than `requestedAt` if the inbound came late). */
  calledAt?: number;
  /** 1, 2, ... in the order the harness made the calls: the request order the path was given. */
  callSeq?: number;
  settledAt?: number;
  outcome: Outcome;
  error?: ErrorRecord;
  /** The resolved value, made JSON-safe. */
  receipt?: unknown;
}

/** One `sendMessage` / `sendPresenceUpdate` call on a fake socket. */
export interface AttemptRecord {
  /** 1, 2, ... in call order. */
  seq: number;
  at: number;
  kind: 'message' | 'presence';
  generation: number;
  chat: string;
  chatJid: string;
  /** The id the frame carries (the path's `messageId`, or one the fake drew). */
  messageId?: string;
  /** Logical key parsed from the text/caption. */
  key?: string;
  /** Presence type for a presence attempt. */
  presence?: string;
  /** The socket's state when called. */
  socketState: SocketState;
  /** The socket's close had already been emitted to the path when this call was made. */
  closeEmittedBefore: boolean;
  result: 'ok' | 'rejected' | 'pending';
  settledAt?: number;
  error?: ErrorRecord;
  /** The frame was written to the connection (the send resolves then, unless its write stalls). */
  written: boolean;
  /** When the frame was written. */
  writtenAt?: number;
  /** The frame reached the server. */
  reachedServer: boolean;
  /** Pre-write queries (usync, media_conn) that waited out `defaultQueryTimeoutMs` unanswered. */
  queryTimeouts: number;
  /**
   * Pre-write queries the server left unanswered, counted when sent (each then waits out
   * `defaultQueryTimeoutMs`, unless the socket closes first); absent when none. Unlike
   * `queryTimeouts`, known before the timeout fires.
   */
  queriesStalled?: number;
  /**
   * The server nacked the message (`messages.update` status ERROR): the recipient never sees it.
   */
  nacked?: true;
  /**
   * A media send whose upload the media host took and never answered: rc14 sets no upload
   * timeout, so it stays pending for good (closes and `end()` included), having written nothing.
   */
  uploadUnanswered?: true;
  /**
   * The frame reached the recipient, who could not decrypt it: not visible, and a retry receipt
   * asks for a resend (`server.retryRequests`).
   */
  undecryptable?: true;
}

/** A send-path timer still pending when the run ended. */
export interface PendingTimerRecord {
  /** The timer's number in the run: 1, 2, ... in the order the path made its timers. */
  id: number;
  /** When it was made (an interval: when it was first set). */
  createdAt: number;
  delayMs: number;
  /** An interval (`setInterval`): it fires every `delayMs`. */
  repeats?: true;
}

/** Timer counts of one clock view. */
export interface TimerRecord {
  created: number;
  cleared: number;
  fired: number;
  /** Alive when the run ended (after `stop()` for the path's view). */
  aliveAtEnd: number;
  aliveMax: number;
  /**
   * The path's view only: the first {@link pendingTimersMax} timers alive at the end; absent when
   * none.
   */
  pending?: PendingTimerRecord[];
}

/** Pending timers a history lists (the count of all is `aliveAtEnd`). */
export const pendingTimersMax = 20;

/**
 * Where the path made its sockets and the timers it left pending (sites.ts): the first frame in
 * its own code, relative to the working directory. Recorded only when asked
 * (`simulate(..., { creationSites: true })`: a stack capture per socket and timer). Sites say
 * where in the source, not what happened: they depend on the machine's paths and the source's
 * layout, so a history's {@link fingerprint} leaves them out, and a failing run simulated again
 * with them is the same run.
 */
export interface CreationSites {
  /** By socket generation. */
  sockets: Record<string, SiteRecord>;
  /** By pending timer id ({@link PendingTimerRecord.id}). */
  timers: Record<string, SiteRecord>;
}

/** Something thrown where no promise could carry it. */
export interface ThrownRecord {
  at: number;
  where: 'timer' | 'listener' | 'onMessage' | 'start' | 'stop' | 'request';
  error: ErrorRecord;
}

/** One call of the path's `env.logger`. */
export interface LogRecord {
  at: number;
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg?: string;
  /** The object argument, made JSON-safe (with `child()` bindings merged in). */
  obj?: unknown;
}

/**
 * One line the path wrote to its process's stdout or stderr during the run (`console.*`,
 * `process.stdout.write`, a logger writing to fd 1 or 2): JIDs redacted, colour codes removed,
 * bounded in length. `at` is when its first character was written.
 */
export interface OutputLine {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What the path wrote to stdout and stderr during the run (sim/intercept/console.ts). */
export interface OutputRecord {
  /** The first lines, in the order written (at most `outputLimits.linesMax`). */
  lines: OutputLine[];
  /** Lines not kept once the limit was reached. */
  linesDropped: number;
  /** Characters not kept: those of dropped lines and the cut ends of overlong lines. */
  charsDropped: number;
}

/**
 * How the path ended its own process during the run (sim/intercept/processExit.ts): it called
 * `process.exit`, sent a signal to its own process, called `process.abort`, or left an
 * exception uncaught (which ends a Node process). The run stopped there: no timer fired after
 * it and `stop()` was never called.
 */
export interface ExitRecord {
  at: number;
  how: 'exit' | 'signal' | 'abort' | 'uncaught';
  /** The exit code (`exit`; `uncaught` is 1, as Node's). */
  code?: number;
  /** The signal's name (`signal`). */
  signal?: string;
  /** The uncaught exception (`uncaught`). */
  error?: ErrorRecord;
}

/** How the run ended for the send path. */
export interface StopRecord {
  /**
   * What made the harness call `stop()`: a `stop` event, every request settled, or the deadline.
   */
  reason?: 'event' | 'settled' | 'deadline';
  requestedAt?: number;
  completedAt?: number;
  /** `hung`: stop() never settled; `not-requested`: the run ended (limit) before stop. */
  result: 'completed' | 'rejected' | 'hung' | 'not-requested';
  error?: ErrorRecord;
  /** Attempts still pending when the run ended. */
  pendingAttempts: number;
  /** Requests still pending when the run ended. */
  pendingRequests: number;
  /** Send-path timers alive when the run ended. */
  pathTimersAlive: number;
}

/**
 * One timeline `restart`: the harness stopped the running path and, once that settled and the
 * bot's downtime passed, built a new one from the factory (same ports, store and session) and
 * started it.
 */
export interface RestartRecord {
  /** Index of the `restart` event in the timeline. */
  eventIndex: number;
  /** When the harness called `stop()` on the running path. */
  stopRequestedAt: number;
  /** How that `stop()` ended; `hung`: it never settled, and no new path was started. */
  stopResult: 'completed' | 'rejected' | 'hung';
  stopCompletedAt?: number;
  stopError?: ErrorRecord;
  /** Send-path timers alive when that `stop()` settled: what the stopped path left behind. */
  pathTimersAlive: number;
  /**
   * When the new path's `start()` was called; absent if never (its stop hung, or the run's stop
   * came first).
   */
  startedAt?: number;
  /** How the new path's `start()` ended (absent if it was never called). */
  startResult?: 'ok' | 'rejected' | 'pending';
  startError?: ErrorRecord;
}

/** A fault or heal the network was given. */
export interface NetworkEventRecord {
  at: number;
  /** The network event kind (`drop`, ..., `heal`: see `sim/faults/`). */
  do: string;
}

/** Everything one run recorded. */
export interface History {
  format: typeof historyFormat;
  seed: number;
  config: SendPathConfig;
  /** Virtual time the run ended at. */
  endedAt: number;
  start: { result: 'ok' | 'rejected' | 'pending'; settledAt?: number; error?: ErrorRecord };
  sockets: SocketRecord[];
  inbound: InboundRecord[];
  requests: RequestRecord[];
  attempts: AttemptRecord[];
  server: ServerRecord;
  /**
   * Timer counts per clock view. `library`: timers Baileys and its dependencies made through the
   * intercepted globals of a module audited as written (not the path's); absent when none.
   */
  timers: {
    path: TimerRecord;
    network: TimerRecord;
    harness: TimerRecord;
    library?: TimerRecord;
    firedTotal: number;
  };
  connects: { count: number; at: number[] };
  unhandledRejections: { at: number; error: ErrorRecord }[];
  thrown: ThrownRecord[];
  /**
   * Inbound messages the path handed over that the harness never sent (unknown id); absent when
   * none.
   */
  strayInbound?: { at: number; id: string }[];
  /** Network faults and heals, when they fired (virtual ms). */
  networkEvents: NetworkEventRecord[];
  logs: LogRecord[];
  /** Log calls not recorded because `logsMax` was reached. */
  logsDropped: number;
  /** Present when a run limit cut the run short. */
  limit?: LoopLimitRecord;
  stop: StopRecord;
  /** What the path wrote to stdout and stderr; absent when it wrote nothing. */
  output?: OutputRecord;
  /** The path ended its process: the run stopped there. Absent when it did not. */
  exited?: ExitRecord;
  /**
   * The path declared it takes at most this many requests per chat at once (its
   * `repliesPerChatMax`): the harness called a chat's next request only once one under way
   * settled, so a request's `calledAt` may be later than its `requestedAt`. Absent: no limit.
   */
  repliesPerChatMax?: number;
  /**
   * The first call of a socket member the fake does not model, if any (see {@link
   * UnmodelledRecord}).
   */
  unmodelled?: UnmodelledRecord;
  /** The bot's restarts, in time order; absent when the timeline has none. */
  restarts?: RestartRecord[];
  /**
   * Calls of global timers, time or randomness the run's globals tripwire saw (the first
   * `globalUsesMax`, in call order); absent when none. Such a path is not simulated faithfully:
   * see sim/globals.ts.
   */
  globalsUsed?: GlobalUse[];
  /**
   * Where the path made its sockets and pending timers, when asked (not part of the fingerprint).
   */
  sites?: CreationSites;
  /**
   * The order the facts were recorded in (journal.ts): kind and id, pair after pair. Facts of
   * one millisecond are told in this order, cause before effect.
   */
  order?: number[];
}

/** An error's recorded form: name, message, Boom status code; never a stack. */
export function errorRecord(error: unknown): ErrorRecord {
  if (typeof error !== 'object' || error === null) {
    return { name: typeof error, message: String(error) };
  }
  const e = error as {
    name?: unknown;
    message?: unknown;
    output?: { statusCode?: unknown };
    statusCode?: unknown;
    ambiguous?: unknown;
    data?: unknown;
  };
  const record: ErrorRecord = {
    name: typeof e.name === 'string' ? e.name : 'Object',
    message: typeof e.message === 'string' ? e.message : String(e.message ?? ''),
  };
  const statusCode = typeof e.output?.statusCode === 'number' ? e.output.statusCode : e.statusCode;
  if (typeof statusCode === 'number' && Number.isFinite(statusCode)) record.statusCode = statusCode;
  if (typeof e.data === 'number' && Number.isFinite(e.data)) record.data = e.data;
  if (e.ambiguous === true) record.ambiguous = true;
  return record;
}

/** The seam's convention (property honest-outcome): ambiguous failures are `info`. */
export function outcomeOfError(error: unknown): 'fail' | 'info' {
  if (typeof error !== 'object' || error === null) return 'fail';
  const e = error as { name?: unknown; ambiguous?: unknown };
  return e.name === 'AmbiguousDeliveryError' || e.ambiguous === true ? 'info' : 'fail';
}

/** Limits of {@link jsonSafe}: values from a send path can be anything, even cyclic. */
export const jsonSafeLimits = Object.freeze({
  depthMax: 6,
  keysMax: 50,
  itemsMax: 100,
  stringLengthMax: 2000,
});

/** The process's `Date`, taken at load: during a run the global may be the tripwire's. */
const ProcessDate = Date;

/**
 * A JSON-safe copy of any value, bounded in depth and size: functions and symbols dropped, bytes
 * as `{ $bytes: n }`, errors as {@link ErrorRecord}, dates as ISO text, bigints as text.
 */
export function jsonSafe(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > jsonSafeLimits.stringLengthMax
        ? value.slice(0, jsonSafeLimits.stringLengthMax) + '…'
        : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return null;
  if (depth >= jsonSafeLimits.depthMax) return '[depth]';
  if (value instanceof Uint8Array || value instanceof ArrayBuffer)
    return { $bytes: value.byteLength };
  if (value instanceof Error) return errorRecord(value);
  if (value instanceof ProcessDate)
    return Number.isFinite(value.getTime()) ? value.toISOString() : 'Invalid Date';
  if (Array.isArray(value)) {
    const n = Math.min(value.length, jsonSafeLimits.itemsMax);
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = jsonSafe(value[i], depth + 1) ?? null;
    return out;
  }
  const out: Record<string, unknown> = {};
  // Own enumerable string keys, in for-in order without walking the prototype chain.
  const keys = Object.keys(value as object);
  const n = Math.min(keys.length, jsonSafeLimits.keysMax);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const v = jsonSafe((value as Record<string, unknown>)[key], depth + 1);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** JSON with object keys sorted at every level and `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  writeCanonical(value, out);
  return out.join('');
}

/**
 * {@link canonicalJson}'s writer: pieces pushed to one array and joined once, since a history's
 * fingerprint walks some 15 kB of JSON at every determinism re-run. The output is
 * `JSON.stringify`'s for every value, keys sorted: a non-finite number is `null`, as are an
 * `undefined` array item and an `undefined` value at the top.
 */
function writeCanonical(value: unknown, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      out.push(Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'undefined':
      out.push('null');
      return;
    case 'object':
      if (value === null) out.push('null');
      else if (Array.isArray(value)) writeCanonicalArray(value, out);
      else writeCanonicalRecord(value as Record<string, unknown>, out);
      return;
    default:
      // A function or symbol: what JSON.stringify gives for it alone (undefined, written as
      // nothing); a bigint throws, as it does there.
      out.push(JSON.stringify(value) ?? '');
  }
}

function writeCanonicalArray(items: readonly unknown[], out: string[]): void {
  out.push('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.push(',');
    writeCanonical(items[i], out);
  }
  out.push(']');
}

function writeCanonicalRecord(record: Record<string, unknown>, out: string[]): void {
  out.push('{');
  let first = true;
  for (const key of sortedKeys(record)) {
    const v = record[key];
    if (v === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(quotedKey(key));
    writeCanonical(v, out);
  }
  out.push('}');
}

/** Own enumerable keys, sorted: most records are built in key order already, and kept as built. */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort();
  return keys;
}

/** `"key":` for each key seen, kept: histories use a few hundred keys, again and again. */
const quotedKeys = new Map<string, string>();
/** Most keys kept: a record with generated keys must not grow the map without bound. */
const quotedKeysMax = 4096;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key) + ':';
    if (quotedKeys.size < quotedKeysMax) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * A stable hash of a history: sha256 (hex) of its canonical JSON, creation sites left out (they
 * say where in the source, not what the run did). Same run, same fingerprint.
 */
export function fingerprint(history: History): string {
  const facts = history.sites === undefined ? history : { ...history, sites: undefined };
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}
