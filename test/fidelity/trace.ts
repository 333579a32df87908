/**
 * The normalized trace of a scenario run: what a send path can observe of its Baileys sockets,
 * with times in ms since the scenario started, sockets numbered 1, 2, ... in connect order, and
 * message ids replaced by the scenario's names (send `key`, inbound `msg`). Real rc14 and the
 * fake yield the same shape; {@link compareTraces} lists the differences.
 */

/**
 * How a rejection (or close error) looks to the path: a Boom (`output.statusCode` + message), a
 * bare number (a ws close code, what rc14's `waitForMessage` rejects with on a network close;
 * a Boom's `data` when it is a number: the code of a query answered with an error),
 * another Error, or anything else. `127.0.0.1:<digits>` in messages is written `127.0.0.1:<port>`.
 */
export type ErrorShape =
  | { kind: 'boom'; statusCode: number; message: string; data?: number }
  | { kind: 'number'; value: number }
  | { kind: 'error'; name: string; message: string }
  | { kind: 'other'; value: string };

/**
 * Connection updates, one entry per field that changed (`connection`,
 * `receivedPendingNotifications`, `isOnline`).
 */
type ConnectionEventName =
  | 'connecting'
  | 'open'
  | 'close'
  | 'pending:false'
  | 'pending:true'
  | 'online:true'
  | 'online:false';

/**
 * Expected traces only: extra tolerance on an entry's times, for the few that follow CPU work a
 * loaded machine stretches (a login's key agreement and signatures, encoding megabytes of text).
 */
interface Slack {
  slackMs?: number;
}

/** One connection-update entry. */
export interface ConnectionEntry extends Slack {
  at: number;
  socket: number;
  event: ConnectionEventName;
  /** `close` only: `lastDisconnect.error` (null when the close carried no error) */
  error?: ErrorShape | null;
}

/** The shape of a resolved `sendMessage` value. */
interface ValueShape {
  /** an instance of `proto.WebMessageInfo` (not a plain object) */
  proto: boolean;
  /** the type of `messageTimestamp`: a protobuf `Long`, a number, or other */
  timestamp: 'Long' | 'number' | 'other';
  /** `status` (proto.WebMessageInfo.Status), null when absent */
  status: number | null;
  fromMe: boolean;
}

/** One `sendMessage` call of the script. */
export interface SendEntry extends Slack {
  key: string;
  socket: number;
  at: number;
  outcome: 'resolved' | 'rejected' | 'pending';
  settledAt?: number;
  error?: ErrorShape;
  value?: ValueShape;
  /** `<message>` frames with this id the server received */
  frames: number;
  /** when the first of them arrived */
  frameAt?: number;
  /** when each later one arrived (a resend with the same id: rc14 answering a retry receipt) */
  laterFramesAt?: number[];
}

/** One message of a `messages.upsert` event. */
export interface UpsertEntry extends Slack {
  at: number;
  socket: number;
  type: string;
  fromMe: boolean;
  /** the send `key` or inbound `msg` its text names; `?` when none */
  name: string;
  /**
   * the message's `status` (proto.WebMessageInfo.Status: 0 ERROR, 1 PENDING, ...), null when absent
   */
  status: number | null;
  /**
   * Received messages only: the time `messageTimestamp` names (whole seconds), in ms since the
   * scenario started. rc14 reads it from the stanza (`t`): when the message was sent, not when
   * it reached the bot.
   */
  sentAt?: number;
  /** its key names a participant (a group member's message) */
  participant?: true;
}

/** One `sendPresenceUpdate` call of the script. */
export interface PresenceEntry {
  key: string;
  socket: number;
  at: number;
  outcome: 'resolved' | 'rejected' | 'pending';
  settledAt?: number;
  error?: ErrorShape;
}

/** One `end()` call of the script, and when its promise resolved. */
export interface EndEntry {
  at: number;
  socket: number;
  outcome: 'resolved' | 'pending';
  settledAt?: number;
}

/** One `messages.update` entry. */
interface UpdateEntry {
  at: number;
  socket: number;
  name: string;
  status: number | null;
  /** `messageStubParameters` when the update carries them (a nack: its code) */
  stubParameters?: string[];
}

/** One `message-receipt.update` entry: a group member's receipt. */
interface ReceiptEntry {
  at: number;
  socket: number;
  name: string;
  type: 'delivery' | 'read';
}

/** A listener of the path threw: where it surfaced, and whether later listeners still ran. */
interface ThrownEntry extends Slack {
  at: number;
  socket: number;
  event: string;
  /**
   * `rejection`: an unhandled rejection of the process; `logged`: Baileys caught and logged it;
   * `harness`: the fake caught it
   */
  surfaced: 'rejection' | 'logged' | 'harness' | 'nowhere';
  laterListenerRan: boolean;
}

/** The whole trace. */
export interface Trace {
  connection: ConnectionEntry[];
  sends: SendEntry[];
  upserts: UpsertEntry[];
  updates: UpdateEntry[];
  thrown: ThrownEntry[];
  ends: EndEntry[];
  presences: PresenceEntry[];
  /** group receipts (absent: none) */
  receipts?: ReceiptEntry[];
}

/** An empty trace. */
export function emptyTrace(): Trace {
  return {
    connection: [],
    sends: [],
    upserts: [],
    updates: [],
    thrown: [],
    ends: [],
    presences: [],
  };
}

const portPattern = /127\.0\.0\.1:\d{1,5}/g;

/** The {@link ErrorShape} of any rejection value. */
export function errorShape(err: unknown): ErrorShape {
  if (typeof err === 'number') return { kind: 'number', value: err };
  if (err instanceof Error) {
    const message = err.message.replace(portPattern, '127.0.0.1:<port>');
    const statusCode = (err as { output?: { statusCode?: unknown } }).output?.statusCode;
    const data = (err as { data?: unknown }).data;
    if ((err as { isBoom?: unknown }).isBoom === true && typeof statusCode === 'number') {
      return typeof data === 'number'
        ? { kind: 'boom', statusCode, message, data }
        : { kind: 'boom', statusCode, message };
    }
    return { kind: 'error', name: err.name, message };
  }
  return { kind: 'other', value: String(err) };
}

/** The {@link ValueShape} of a resolved `sendMessage` value. */
export function valueShape(value: unknown, isProto: (v: unknown) => boolean): ValueShape {
  const v = (value ?? {}) as {
    messageTimestamp?: unknown;
    status?: unknown;
    key?: { fromMe?: unknown };
  };
  const ts = v.messageTimestamp;
  const timestamp =
    typeof ts === 'number'
      ? 'number'
      : typeof ts === 'object' && ts !== null && 'low' in ts && 'high' in ts
        ? 'Long'
        : 'other';
  return {
    proto: isProto(value),
    timestamp,
    status: typeof v.status === 'number' ? v.status : null,
    fromMe: v.key?.fromMe === true,
  };
}

const namePattern = /\[(?:key|msg)=([A-Za-z0-9_-]{1,40})\]/;

/**
 * The scenario name a message text carries (`[key=…]` for sends, `[msg=…]` for inbound), or `?`.
 */
export function nameInText(text: string | null | undefined): string {
  return (text && namePattern.exec(text)?.[1]) || '?';
}

/** The text a send with `key` carries (short unless `bytes` asks for a large one). */
export function sendText(key: string, bytes?: number): string {
  const head = `[key=${key}] reply`;
  return bytes === undefined || bytes <= head.length
    ? head
    : head + ' ' + 'x'.repeat(bytes - head.length - 1);
}

/** The text an inbound `msg` carries. */
export function inboundText(msg: string): string {
  return `[msg=${msg}] hello`;
}

/** The text of a `WAMessage.message` (conversation, extended text or a media caption). */
export function messageText(message: unknown): string | undefined {
  const m = (message ?? {}) as {
    conversation?: string | null;
    extendedTextMessage?: { text?: string | null } | null;
    documentMessage?: { caption?: string | null } | null;
    imageMessage?: { caption?: string | null } | null;
  };
  return (
    m.conversation ??
    m.extendedTextMessage?.text ??
    m.documentMessage?.caption ??
    m.imageMessage?.caption ??
    undefined
  );
}

/**
 * Time tolerance: |actual - expected| <= 500 ms + 5 % of expected. The real side runs on a
 * loaded 2-core machine (the suite runs files in parallel); 500 ms covers event-loop lag and
 * TLS/crypto bursts, 5 % the drift of long waits (ws's 30 s close timeout fires on a timer).
 * Scenarios are built so the behaviours they tell apart differ by at least a second. `slackMs`
 * widens it for the few expected times that include heavy CPU work (see {@link Slack}).
 */
export function timeTolerated(expectedMs: number, actualMs: number, slackMs = 0): boolean {
  return Math.abs(actualMs - expectedMs) <= 500 + 0.05 * expectedMs + slackMs;
}

const lifecycleEvents: ReadonlySet<ConnectionEventName> = new Set(['connecting', 'open', 'close']);

/** One line per difference between `expected` and `actual`; empty when they match. */
export function compareTraces(expected: Trace, actual: Trace): string[] {
  const out: string[] = [];
  compareConnections(expected, actual, out);
  compareSends(expected, actual, out);
  compareMessageEvents(expected, actual, out);
  compareEndsAndPresences(expected, actual, out);
  return out;
}

/** The sockets' lifecycles and notifications. */
function compareConnections(expected: Trace, actual: Trace, out: string[]): void {
  // Lifecycle and notifications apart: a path that lacks the notifications still gets its
  // connects and closes compared, times included.
  const lifecycle = (t: Trace) => t.connection.filter((e) => lifecycleEvents.has(e.event));
  const notifications = (t: Trace) => t.connection.filter((e) => !lifecycleEvents.has(e.event));
  compareList(
    'connection',
    lifecycle(expected),
    lifecycle(actual),
    (e) => `${e.socket}:${e.event}`,
    out,
    (e, a, where) => {
      if (e.event === 'close') sameValue(`${where}.error`, e.error ?? null, a.error ?? null, out);
    },
  );
  compareList(
    'notifications',
    notifications(expected),
    notifications(actual),
    (e) => `${e.socket}:${e.event}`,
    out,
  );
}

/** The sends: their outcomes, errors, values and frames, with their times. */
function compareSends(expected: Trace, actual: Trace, out: string[]): void {
  compareList(
    'sends',
    expected.sends,
    actual.sends,
    (e) => `${e.key}@${e.socket}`,
    out,
    (e, a, where) => {
      sameValue(`${where}.outcome`, e.outcome, a.outcome, out);
      sameValue(`${where}.error`, e.error, a.error, out);
      sameValue(`${where}.value`, e.value, a.value, out);
      sameValue(`${where}.frames`, e.frames, a.frames, out);
      sameTime(`${where}.settledAt`, e.settledAt, a.settledAt, out, e.slackMs);
      sameTime(`${where}.frameAt`, e.frameAt, a.frameAt, out, e.slackMs);
      (e.laterFramesAt ?? []).forEach((at, i) =>
        sameTime(`${where}.laterFramesAt[${i}]`, at, a.laterFramesAt?.[i], out, e.slackMs),
      );
    },
  );
}

/** What the bot's `ev` emitted: upserts, updates, receipts, and listeners that threw. */
function compareMessageEvents(expected: Trace, actual: Trace, out: string[]): void {
  const upsertName = (e: UpsertEntry): string =>
    `${e.name}@${e.socket}:${e.type}${e.fromMe ? ':fromMe' : ''}:status=${e.status}` +
    `${e.participant ? ':participant' : ''}`;
  compareList('upserts', expected.upserts, actual.upserts, upsertName, out, (e, a, where) => {
    // A timestamp in whole seconds: up to a second early.
    sameTime(`${where}.sentAt`, e.sentAt, a.sentAt, out, timestampSlackMs);
  });
  compareList(
    'updates',
    expected.updates,
    actual.updates,
    (e) =>
      `${e.name}@${e.socket}:${e.status}` +
      `${e.stubParameters ? `:[${e.stubParameters.join('|')}]` : ''}`,
    out,
  );
  compareList(
    'receipts',
    expected.receipts ?? [],
    actual.receipts ?? [],
    (e) => `${e.name}@${e.socket}:${e.type}`,
    out,
  );
  compareList(
    'thrown',
    expected.thrown,
    actual.thrown,
    (e) =>
      `${e.event}@${e.socket}:${e.surfaced}:${e.laterListenerRan ? 'later ran' : 'later skipped'}`,
    out,
  );
}

/** The sockets' `end()` calls and the presence updates sent. */
function compareEndsAndPresences(expected: Trace, actual: Trace, out: string[]): void {
  compareList(
    'ends',
    expected.ends,
    actual.ends,
    (e) => `${e.socket}:${e.outcome}`,
    out,
    (e, a, where) => {
      sameTime(`${where}.settledAt`, e.settledAt, a.settledAt, out);
    },
  );
  compareList(
    'presences',
    expected.presences,
    actual.presences,
    (e) => `${e.key}@${e.socket}:${e.outcome}`,
    out,
    (e, a, where) => {
      sameValue(`${where}.error`, e.error, a.error, out);
      sameTime(`${where}.settledAt`, e.settledAt, a.settledAt, out);
    },
  );
}

/** A `messageTimestamp` is whole seconds: it names a time up to this much before the send. */
const timestampSlackMs = 1000;

function compareList<T extends { at: number } & Slack>(
  what: string,
  expected: readonly T[],
  actual: readonly T[],
  label: (e: T) => string,
  out: string[],
  more?: (e: T, a: T, where: string) => void,
): void {
  const e = expected.map(label);
  const a = actual.map(label);
  if (e.join(' ') !== a.join(' ')) {
    out.push(`${what}: expected [${e.join(', ')}], got [${a.join(', ')}]`);
    return;
  }
  expected.forEach((item, i) => {
    const where = `${what}[${i}] ${e[i]}`;
    sameTime(`${where}.at`, item.at, actual[i]!.at, out, item.slackMs);
    more?.(item, actual[i]!, where);
  });
}

function sameTime(
  where: string,
  expected: number | undefined,
  actual: number | undefined,
  out: string[],
  slackMs?: number,
): void {
  if (expected === undefined && actual === undefined) return;
  if (expected === undefined || actual === undefined || !timeTolerated(expected, actual, slackMs)) {
    out.push(`${where}: expected ${expected ?? 'none'} ms, got ${actual ?? 'none'} ms`);
  }
}

function sameValue(where: string, expected: unknown, actual: unknown, out: string[]): void {
  const e = JSON.stringify(expected);
  const a = JSON.stringify(actual);
  if (e !== a) out.push(`${where}: expected ${e ?? 'none'}, got ${a ?? 'none'}`);
}
