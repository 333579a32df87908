/**
 * Hand-written histories for checker unit tests: start from a clean, correct run and change
 * only the fact a test is about.
 */
import type {
  AttemptRecord,
  History,
  InboundRecord,
  RequestRecord,
  SocketRecord,
  VisibleRecord,
} from '../../sim/history.js';
import { historyFormat } from '../../sim/history.js';

const timers = () => ({ created: 0, cleared: 0, fired: 0, aliveAtEnd: 0, aliveMax: 0 });

/** A run with socket 1 open from t=10 until stop() ended it at 9000, and nothing else. */
export function baseHistory(): History {
  return {
    format: historyFormat,
    seed: 1,
    config: {
      reconnect: { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
      replyDeadlineMs: 120_000,
    },
    endedAt: 10_000,
    start: { result: 'ok', settledAt: 0 },
    sockets: [endedSocket({ generation: 1, createdAt: 0, openedAt: 10, endAt: 9000 })],
    inbound: [],
    requests: [],
    attempts: [],
    server: { dedupeById: true, session: {}, frames: [], visible: {}, presence: [] },
    timers: { path: timers(), network: timers(), harness: timers(), firedTotal: 0 },
    connects: { count: 1, at: [0] },
    networkEvents: [],
    unhandledRejections: [],
    thrown: [],
    logs: [],
    logsDropped: 0,
    stop: {
      reason: 'settled',
      requestedAt: 9000,
      completedAt: 9000,
      result: 'completed',
      pendingAttempts: 0,
      pendingRequests: 0,
      pathTimersAlive: 0,
    },
  };
}

/** A socket record with defaults for an open, never-closed socket with rc14's default timings. */
export function socket(fields: Partial<SocketRecord> & { generation: number }): SocketRecord {
  return {
    createdAt: 0,
    state: 'open',
    endCalls: 0,
    refused: false,
    timings: {
      keepAliveIntervalMs: 30_000,
      connectTimeoutMs: 20_000,
      defaultQueryTimeoutMs: 60_000,
    },
    listeners: {},
    ...fields,
  };
}

/** A socket record of a socket the path ended (end() at `endAt`, close emitted 1 ms later). */
export function endedSocket(
  fields: Partial<SocketRecord> & { generation: number; endAt: number },
): SocketRecord {
  const { endAt, ...rest } = fields;
  return socket({
    state: 'closed',
    cause: 'end',
    endCalledAt: endAt,
    endCalls: 1,
    closeEmittedAt: endAt + 1,
    ...rest,
  });
}

/**
 * A text from chat c1 delivered live on socket 1 at `at` and handed to the bot once, 1 ms later.
 */
export function inbound(msg: string, fields: Partial<InboundRecord> = {}): InboundRecord {
  const at = fields.at ?? 50;
  return {
    msg,
    chat: 'c1',
    chatJid: '15550000001@s.whatsapp.net',
    id: `IN-${msg}`,
    kind: 'text',
    answerable: true,
    eventIndex: 0,
    at,
    emittedAt: at,
    generation: 1,
    deliveries: [{ at, generation: 1, type: 'notify' }],
    receivedAt: at + 1,
    handedCount: 1,
    ...fields,
  };
}

/** A reply request in chat c1 that settled ok. */
export function request(key: string, fields: Partial<RequestRecord> = {}): RequestRecord {
  return {
    key,
    kind: 'reply',
    chat: 'c1',
    chatJid: '15550000001@s.whatsapp.net',
    msg: 'm1',
    eventIndex: 1,
    requestedAt: 100,
    calledAt: 100,
    callSeq: 1,
    settledAt: 200,
    outcome: 'ok',
    ...fields,
  };
}

/** An attempt that wrote a frame on socket 1. */
export function attempt(
  seq: number,
  key: string,
  fields: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    seq,
    at: 100,
    kind: 'message',
    generation: 1,
    chat: 'c1',
    chatJid: '15550000001@s.whatsapp.net',
    messageId: `3EB0${String(seq).padStart(18, '0')}`,
    key,
    socketState: 'open',
    closeEmittedBefore: false,
    result: 'ok',
    settledAt: 200,
    written: true,
    writtenAt: fields.at ?? 100,
    reachedServer: true,
    queryTimeouts: 0,
    ...fields,
  };
}

/**
 * A message attempt on socket 1 that was rejected before its frame was written: nothing written,
 * nothing reached the server (what a send refused by a pre-write query, or on a closing socket,
 * records).
 */
export function refusedAttempt(
  seq: number,
  key: string,
  fields: Partial<AttemptRecord> = {},
): AttemptRecord {
  return attempt(seq, key, {
    result: 'rejected',
    written: false,
    writtenAt: undefined,
    reachedServer: false,
    ...fields,
  });
}

/** Makes `key` visible in `chat` (default c1) at `at` with `messageId`. */
export function makeVisible(
  history: History,
  key: string,
  at: number,
  messageId = `id-${key}-${at}`,
  generation = 1,
  chat = 'c1',
): void {
  const record: VisibleRecord = {
    key,
    messageId,
    kind: 'text',
    generation,
    at,
    frameSeq: history.server.frames.length + 1,
  };
  (history.server.visible[chat] ??= []).push(record);
}
