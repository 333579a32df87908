/**
 * Hand-written histories for checker unit tests: start from a clean, correct run and change
 * only the fact a test is about.
 */
import type { AttemptRecord, History, RequestRecord, SocketRecord, VisibleRecord } from '../../sim/history.js';
import { historyFormat } from '../../sim/history.js';

const timers = () => ({ created: 0, cleared: 0, fired: 0, aliveAtEnd: 0, aliveMax: 0 });

/** A run with socket 1 open from t=10 and nothing else. */
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
    sockets: [socket({ generation: 1, createdAt: 0, openedAt: 10 })],
    inbound: [],
    requests: [],
    attempts: [],
    server: { dedupeById: true, frames: [], visible: {}, presence: [] },
    timers: { path: timers(), network: timers(), harness: timers(), firedTotal: 0 },
    connects: { count: 1, at: [0] },
    networkEvents: [],
    unhandledRejections: [],
    thrown: [],
    logs: [],
    logsDropped: 0,
    stop: { reason: 'settled', requestedAt: 9000, completedAt: 9000, result: 'completed', pendingAttempts: 0, pendingRequests: 0, pathTimersAlive: 0 },
  };
}

/** A socket record with defaults for an open, never-closed socket. */
export function socket(fields: Partial<SocketRecord> & { generation: number }): SocketRecord {
  return { createdAt: 0, state: 'open', endCalls: 0, refused: false, timings: { keepAliveIntervalMs: 30_000, connectTimeoutMs: 20_000 }, ...fields };
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
export function attempt(seq: number, key: string, fields: Partial<AttemptRecord> = {}): AttemptRecord {
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
    reachedServer: true,
    slowAck: false,
    ...fields,
  };
}

/** Makes `key` visible in chat c1 at `at` with `messageId`. */
export function makeVisible(history: History, key: string, at: number, messageId = `id-${key}-${at}`, generation = 1): void {
  const record: VisibleRecord = { key, messageId, kind: 'text', generation, at, frameSeq: history.server.frames.length + 1 };
  (history.server.visible.c1 ??= []).push(record);
}
