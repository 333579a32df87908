/**
 * A run told in time order: the timeline's events (what the network and the bot did) merged with
 * the history's facts (sockets, send attempts, request outcomes, what the recipient saw). The
 * text timeline of `replay` and the event list of the HTML report are both built from these
 * lines, so the two never disagree. Every text here is redacted (no JID or phone number).
 */
import type { AttemptRecord, ErrorRecord, History, RequestRecord } from '../sim/history.js';
import { builtInFaults, type FaultRegistry } from '../sim/faults/index.js';
import type { BotEvent, Timeline, TimelineEvent } from '../sim/timeline.js';
import { errorInWords } from '../src/errorWords.js';
import { redactText } from './redact.js';
import { processFacts } from './processFacts.js';

/**
 * What a line is about: `event` = a timeline event, the rest are history facts (`process`: what
 * the path printed to stdout or stderr, and how it ended its process if it did).
 */
export type FactSource = 'event' | 'socket' | 'attempt' | 'request' | 'server' | 'process';

/** ok / fail / info follow Jepsen (info = ambiguous); `neutral` is a plain fact. */
export type FactTone = 'ok' | 'fail' | 'info' | 'neutral';

/** One timed line. */
export interface Fact {
  /** Virtual time, ms since the run began. */
  atMs: number;
  source: FactSource;
  tone: FactTone;
  /** One line, redacted. */
  text: string;
  /** Index into `timeline.events` for a timeline event. */
  eventIndex?: number;
  /** The logical reply key the line is about, if any. */
  key?: string;
  /** The socket generation the line is about, if any. */
  generation?: number;
}

/** Most lines a fact list holds; a longer run is cut (the count of the rest is kept). */
export const factsMax = 2000;

/** A bounded fact list: the first {@link factsMax} lines and how many were left out. */
export interface FactList {
  facts: Fact[];
  omitted: number;
}

/** One timeline event as a short line: `drop connectionLost`, `reply r1 → m1`. */
export function describeEvent(event: TimelineEvent, faults: FaultRegistry = builtInFaults): string {
  if (faults.get(event.do) !== undefined) return faults.describe(event);
  const bot = event as BotEvent;
  switch (bot.do) {
    case 'inbound':
      return `inbound ${bot.msg} in chat ${bot.chat}`;
    case 'reply':
      return `reply ${bot.key} → ${bot.to}`;
    case 'sendMedia':
      return `sendMedia ${bot.key} → ${bot.to} (${bot.kind}${bot.bytes === undefined ? '' : `, ${bot.bytes} B`})`;
    case 'composing':
      return `composing → ${bot.to}`;
    case 'stop':
      return 'stop';
  }
}

/** The tone of a timeline event: network faults fail, `heal` is ok, the bot's actions are neutral. */
export function eventTone(event: TimelineEvent, faults: FaultRegistry = builtInFaults): FactTone {
  const module = faults.get(event.do);
  if (module === undefined) return 'neutral';
  return module.draw.tone === 'heal' ? 'ok' : 'fail';
}

/** A recorded error in words, its number kept: `a query got no answer in time (408 Timed Out)`. */
export function describeError(error: ErrorRecord | undefined): string {
  if (error === undefined) return 'no error';
  return `${errorInWords(error)}${error.ambiguous ? ', ambiguous' : ''}`;
}

/** Jepsen tone of one attempt: rejected before the frame was written is a definite failure. */
export function attemptTone(attempt: AttemptRecord): FactTone {
  if (attempt.result === 'ok') return 'ok';
  if (attempt.result === 'rejected' && !attempt.written) return 'fail';
  return 'info';
}

/** Tone of a request's outcome (`pending` = never settled, shown as a failure). */
export function requestTone(request: RequestRecord): FactTone {
  if (request.outcome === 'ok') return 'ok';
  if (request.outcome === 'info') return 'info';
  return 'fail';
}

/** What became of a written frame, and how long its queries waited: `, frame lost`, `, 2 queries timed out`. */
export function frameFate(attempt: AttemptRecord): string {
  const parts: string[] = [];
  if (attempt.queryTimeouts > 0) parts.push(`${attempt.queryTimeouts} ${attempt.queryTimeouts === 1 ? 'query' : 'queries'} timed out`);
  if (attempt.nacked) parts.push('nacked by the server');
  else if (attempt.written && !attempt.reachedServer) parts.push('frame never reached the server');
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}

function attemptText(attempt: AttemptRecord): string {
  const what = attempt.kind === 'presence' ? `presence ${attempt.presence ?? ''}`.trim() : `send ${attempt.key ?? 'message'}`;
  const stale = attempt.closeEmittedBefore ? ', after its close was emitted' : '';
  const result =
    attempt.result === 'ok'
      ? 'ok'
      : attempt.result === 'pending'
        ? 'never settled'
        : `rejected${attempt.settledAt !== undefined && attempt.settledAt !== attempt.at ? ` at ${attempt.settledAt} ms` : ''}: ${describeError(attempt.error)}${attempt.written ? ' (frame was written)' : ''}`;
  return `attempt #${attempt.seq} ${what} on socket ${attempt.generation} (${attempt.socketState}${stale}) → ${result}${frameFate(attempt)}`;
}

/** Every timeline event and history fact of a run, in time order, bounded and redacted. */
export function runFacts(timeline: Timeline, history: History, faults: FaultRegistry = builtInFaults): FactList {
  const facts: Fact[] = [];
  timeline.events.forEach((event, eventIndex) => {
    const tone = eventTone(event, faults);
    const key = 'key' in event && typeof event.key === 'string' ? event.key : undefined;
    facts.push({ atMs: event.at, source: 'event', tone, text: describeEvent(event, faults), eventIndex, ...(key ? { key } : {}) });
  });
  for (const s of history.sockets) {
    const g = s.generation;
    facts.push({ atMs: s.createdAt, source: 'socket', tone: 'neutral', text: `socket ${g} created`, generation: g });
    if (s.openedAt !== undefined) facts.push({ atMs: s.openedAt, source: 'socket', tone: 'ok', text: `socket ${g} open`, generation: g });
    if (s.diedAt !== undefined) {
      const why = s.refused ? 'connect refused' : `${s.cause ?? 'died'}${s.dropReason ? ` (${s.dropReason})` : ''}`;
      facts.push({ atMs: s.diedAt, source: 'socket', tone: 'fail', text: `socket ${g} died: ${why}`, generation: g });
    }
    if (s.endCalledAt !== undefined) facts.push({ atMs: s.endCalledAt, source: 'socket', tone: 'neutral', text: `socket ${g} end() called by the path`, generation: g });
    if (s.closeEmittedAt !== undefined) {
      facts.push({ atMs: s.closeEmittedAt, source: 'socket', tone: 'info', text: `socket ${g} close emitted to the path (${describeError(s.closeError)})`, generation: g });
    }
  }
  for (const r of history.requests) {
    if (r.calledAt !== undefined) {
      facts.push({ atMs: r.calledAt, source: 'request', tone: 'neutral', text: `${r.kind} ${r.key} called (chat ${r.chat})`, key: r.key });
    }
    const end = r.settledAt ?? history.endedAt;
    const how = r.outcome === 'pending' ? 'never settled' : r.outcome === 'ok' ? 'settled ok' : `settled ${r.outcome}: ${describeError(r.error)}`;
    facts.push({ atMs: end, source: 'request', tone: requestTone(r), text: `${r.kind} ${r.key} ${how}`, key: r.key });
  }
  for (const a of history.attempts) {
    facts.push({ atMs: a.at, source: 'attempt', tone: attemptTone(a), text: attemptText(a), generation: a.generation, ...(a.key ? { key: a.key } : {}) });
  }
  for (const f of history.server.frames) {
    const what = f.duplicate ? 'duplicate frame (deduped by id)' : 'visible';
    const tone: FactTone = f.duplicate ? 'info' : 'ok';
    facts.push({ atMs: f.at, source: 'server', tone, text: `${f.key ?? 'message'} ${what} in chat ${f.chat} via socket ${f.generation}`, generation: f.generation, ...(f.key ? { key: f.key } : {}) });
  }
  facts.push(...processFacts(history));
  // Stable sort: at equal times timeline events come first, then facts in the order pushed.
  const sorted = facts
    .map((fact, i) => ({ fact, i }))
    .sort((a, b) => a.fact.atMs - b.fact.atMs || a.i - b.i)
    .map(({ fact }) => ({ ...fact, text: redactText(fact.text) }));
  return { facts: sorted.slice(0, factsMax), omitted: Math.max(0, sorted.length - factsMax) };
}
