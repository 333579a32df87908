/**
 * A run told in time order: the timeline's events (what the network and the bot did) merged with
 * the history's facts (sockets, send attempts, each message handed to the bot, each request and
 * how its promise settled, `stop()`, what the recipient saw), facts of one millisecond in the
 * order they happened. The
 * text timeline of `replay` and the event list of the HTML report are both built from these
 * lines, so the two never disagree. Every text here is redacted (no JID or phone number).
 */
import type {
  AttemptRecord,
  ErrorRecord,
  History,
  RequestRecord,
  RestartRecord,
} from '../sim/history.js';
import { builtInFaults, type FaultRegistry } from '../sim/faults/index.js';
import { factKinds, inboundFactId, journalPlaces, type FactKind } from '../sim/journal.js';
import type { BotEvent, Timeline, TimelineEvent } from '../sim/timeline.js';
import { errorInWords } from '../src/errorWords.js';
import { redactText } from './redact.js';
import { processFacts } from './processFacts.js';
import type { Fact, FactSource, FactTone } from './fact.js';

export type { Fact, FactTone } from './fact.js';

/** Most lines a fact list holds; a longer run is cut (the count of the rest is kept). */
const factsMax = 2000;

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
      return (
        `sendMedia ${bot.key} → ${bot.to} (${bot.kind}` +
        `${bot.bytes === undefined ? '' : `, ${bot.bytes} B`})`
      );
    case 'composing':
      return `composing → ${bot.to}`;
    case 'stop':
      return 'stop';
    case 'restart':
      return bot.downMs ? `restart (down ${bot.downMs} ms)` : 'restart';
  }
}

/**
 * The tone of a timeline event: network faults fail, `heal` is ok, the bot's actions are neutral.
 */
function eventTone(event: TimelineEvent, faults: FaultRegistry = builtInFaults): FactTone {
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
function requestTone(request: RequestRecord): FactTone {
  if (request.outcome === 'ok') return 'ok';
  if (request.outcome === 'info') return 'info';
  return 'fail';
}

/**
 * What became of a written frame, and how long its queries waited: `, frame lost`, `, 2 queries
 * timed out`.
 */
export function frameFate(attempt: AttemptRecord): string {
  const parts: string[] = [];
  if (attempt.queryTimeouts > 0)
    parts.push(
      `${attempt.queryTimeouts} ${attempt.queryTimeouts === 1 ? 'query' : 'queries'} timed out`,
    );
  if (attempt.nacked) parts.push('nacked by the server');
  else if (attempt.written && !attempt.reachedServer) parts.push('frame never reached the server');
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}

function attemptText(attempt: AttemptRecord): string {
  const what =
    attempt.kind === 'presence'
      ? `presence ${attempt.presence ?? ''}`.trim()
      : `send ${attempt.key ?? 'message'}`;
  const stale = attempt.closeEmittedBefore ? ', after its close was emitted' : '';
  const result =
    attempt.result === 'ok'
      ? 'ok'
      : attempt.result === 'pending'
        ? 'never settled'
        : `rejected` +
          (attempt.settledAt !== undefined && attempt.settledAt !== attempt.at
            ? ` at ${attempt.settledAt} ms`
            : '') +
          `: ${describeError(attempt.error)}` +
          `${attempt.written ? ' (frame was written)' : ''}`;
  return (
    `attempt #${attempt.seq} ${what} on socket ${attempt.generation} (` +
    `${attempt.socketState}` +
    `${stale}) → ${result}${frameFate(attempt)}`
  );
}

/** What one restart of the bot did: the old path's stop, what it left, the new path's start. */
function restartFacts(restart: RestartRecord, endedAt: number): Fact[] {
  if (restart.stopCompletedAt === undefined) {
    const text =
      `stop() for the restart at ${restart.stopRequestedAt} ms never settled: no new path ` +
      `started`;
    return [{ atMs: endedAt, source: 'path', tone: 'fail', text }];
  }
  const left =
    restart.pathTimersAlive === 0
      ? 'no timer left'
      : `${restart.pathTimersAlive} send-path timer(s) left alive`;
  const how =
    restart.stopResult === 'completed'
      ? 'completed'
      : `rejected: ${describeError(restart.stopError)}`;
  const tone: FactTone =
    restart.stopResult === 'completed' && restart.pathTimersAlive === 0 ? 'ok' : 'fail';
  const facts: Fact[] = [
    {
      atMs: restart.stopCompletedAt,
      source: 'path',
      tone,
      text: `stop() for the restart ${how}, ${left}`,
    },
  ];
  if (restart.startedAt !== undefined) {
    const failed = restart.startResult === 'rejected';
    const text =
      `new send path started` +
      `${failed ? `; start() rejected: ` + `${describeError(restart.startError)}` : ''}`;
    facts.push({
      atMs: restart.startedAt,
      source: 'path',
      tone: failed ? 'fail' : 'neutral',
      text,
    });
  }
  return facts;
}

/** A fact as it is gathered: its journal entry (kind and id), when the simulator noted one. */
interface Gathered {
  fact: Fact;
  noted?: [FactKind, number];
}

/** `1st`, `2nd`, `3rd`, `4th`, ... */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function eventFacts(timeline: Timeline, faults: FaultRegistry, out: Gathered[]): void {
  timeline.events.forEach((event, eventIndex) => {
    const tone = eventTone(event, faults);
    const key = 'key' in event && typeof event.key === 'string' ? event.key : undefined;
    const fact: Fact = {
      atMs: event.at,
      source: 'event',
      tone,
      text: describeEvent(event, faults),
      eventIndex,
      ...(key ? { key } : {}),
    };
    out.push({ fact, noted: [factKinds.eventFired, eventIndex] });
  });
}

function socketFacts(history: History, out: Gathered[]): void {
  for (const s of history.sockets) {
    const g = s.generation;
    const fact = (atMs: number, tone: FactTone, text: string, kind: FactKind): void =>
      void out.push({
        fact: { atMs, source: 'socket', tone, text: `socket ${g} ${text}`, generation: g },
        noted: [kind, g],
      });
    fact(s.createdAt, 'neutral', 'created', factKinds.socketCreated);
    if (s.openedAt !== undefined) fact(s.openedAt, 'ok', 'open', factKinds.socketOpened);
    if (s.silentAt !== undefined)
      fact(s.silentAt, 'fail', 'link went silent: frames stall both ways', factKinds.linkSilent);
    if (s.resumedAt !== undefined)
      fact(s.resumedAt, 'ok', 'link came back: stalled frames go through', factKinds.linkResumed);
    if (s.diedAt !== undefined) {
      const why = s.refused
        ? 'connect refused'
        : `${s.cause ?? 'died'}${s.dropReason ? ` (${s.dropReason})` : ''}`;
      fact(s.diedAt, 'fail', `died: ${why}`, factKinds.socketDied);
    }
    if (s.endCalledAt !== undefined)
      fact(s.endCalledAt, 'neutral', 'end() called by the path', factKinds.endCalled);
    if (s.closeEmittedAt !== undefined)
      fact(
        s.closeEmittedAt,
        'info',
        `close emitted to the path: ${describeError(s.closeError)}`,
        factKinds.closeEmitted,
      );
  }
}

/** Each emission of an inbound message to the path, and each time the path handed it to the bot. */
function inboundFacts(history: History, out: Gathered[]): void {
  history.inbound.forEach((m, index) => {
    m.deliveries.forEach((d, n) => {
      const copy =
        n === 0
          ? d.type === 'append'
            ? ' (append: held while the bot was offline)'
            : ' (notify)'
          : ` again (append: ${ordinal(n + 1)} copy)`;
      const fact: Fact = {
        atMs: d.at,
        source: 'inbound',
        tone: n === 0 ? 'neutral' : 'info',
        text: `${m.msg} emitted to the path on socket ${d.generation}${copy}`,
        generation: d.generation,
      };
      out.push({ fact, noted: [factKinds.inboundEmitted, inboundFactId(index, n)] });
    });
    (m.handedAt ?? (m.receivedAt === undefined ? [] : [m.receivedAt])).forEach((at, n) => {
      const text =
        n === 0
          ? `${m.msg} handed to the bot`
          : `${m.msg} handed to the bot again (${ordinal(n + 1)} time): a second copy`;
      out.push({
        fact: { atMs: at, source: 'inbound', tone: n === 0 ? 'neutral' : 'fail', text },
        noted: [factKinds.inboundHanded, inboundFactId(index, n)],
      });
    });
  });
}

/** The call a request stands for, as the bot writes it: `reply(r1)`, `sendComposing()`. */
function requestCall(r: RequestRecord): string {
  return r.kind === 'reply'
    ? `reply(${r.key})`
    : r.kind === 'sendMedia'
      ? `sendMedia(${r.key})`
      : 'sendComposing()';
}

/** Each request the bot made: when it called the method, and when and how its promise settled. */
function requestFacts(history: History, out: Gathered[]): void {
  history.requests.forEach((r, index) => {
    const key = r.kind === 'composing' ? {} : { key: r.key };
    if (r.calledAt !== undefined) {
      const fact: Fact = {
        atMs: r.calledAt,
        source: 'request',
        tone: 'neutral',
        text: `the bot calls ${requestCall(r)} on ${r.msg} (chat ${r.chat})`,
        ...key,
      };
      out.push({ fact, noted: [factKinds.requestCalled, index] });
    }
    // never asked: its inbound never reached the bot
    if (r.calledAt === undefined && r.outcome === 'pending') return;
    const how =
      r.outcome === 'pending'
        ? 'never settled'
        : r.outcome === 'ok'
          ? 'resolved'
          : r.outcome === 'info'
            ? `rejected as ambiguous: ${describeError(r.error)}`
            : `rejected: ${describeError(r.error)}`;
    const fact: Fact = {
      atMs: r.settledAt ?? history.endedAt,
      source: 'request',
      tone: requestTone(r),
      text: `${requestCall(r)} ${how}`,
      ...key,
    };
    out.push(
      r.settledAt === undefined ? { fact } : { fact, noted: [factKinds.requestSettled, index] },
    );
  });
}

const stopReasons: Record<NonNullable<History['stop']['reason']>, string> = {
  event: 'a stop event',
  settled: 'every event fired and every request settled',
  deadline: 'the stop deadline',
};

/**
 * The harness's `stop()` call and how it settled; what the path threw where nothing could catch it.
 */
function stopAndErrorFacts(history: History, out: Gathered[]): void {
  const { stop } = history;
  if (stop.requestedAt !== undefined) {
    const why = stop.reason === undefined ? '' : ` (${stopReasons[stop.reason]})`;
    out.push({
      fact: {
        atMs: stop.requestedAt,
        source: 'stop',
        tone: 'neutral',
        text: `the harness calls stop()${why}`,
      },
      noted: [factKinds.stopCalled, 0],
    });
    if (stop.completedAt !== undefined) {
      const text =
        stop.result === 'rejected'
          ? `stop() rejected: ${describeError(stop.error)}`
          : 'stop() resolved';
      out.push({
        fact: {
          atMs: stop.completedAt,
          source: 'stop',
          tone: stop.result === 'rejected' ? 'fail' : 'ok',
          text,
        },
        noted: [factKinds.stopSettled, 0],
      });
    } else {
      out.push({
        fact: { atMs: history.endedAt, source: 'stop', tone: 'fail', text: 'stop() never settled' },
      });
    }
  }
  for (const restart of history.restarts ?? []) {
    for (const fact of restartFacts(restart, history.endedAt)) out.push({ fact });
  }
  for (const u of history.unhandledRejections) {
    out.push({
      fact: {
        atMs: u.at,
        source: 'error',
        tone: 'fail',
        text: `unhandled rejection: ${describeError(u.error)}`,
      },
    });
  }
  for (const t of history.thrown) {
    out.push({
      fact: {
        atMs: t.at,
        source: 'error',
        tone: 'fail',
        text: `thrown in ${t.where}: ${describeError(t.error)}`,
      },
    });
  }
}

function attemptAndFrameFacts(history: History, out: Gathered[]): void {
  for (const a of history.attempts) {
    const fact: Fact = {
      atMs: a.at,
      source: 'attempt',
      tone: attemptTone(a),
      text: attemptText(a),
      generation: a.generation,
      ...(a.key ? { key: a.key } : {}),
    };
    out.push({ fact, noted: [factKinds.attemptMade, a.seq] });
  }
  for (const f of history.server.frames) {
    const what = f.nacked
      ? 'refused by the server (nack)'
      : f.duplicate
        ? 'duplicate frame (deduped by id)'
        : 'visible';
    const tone: FactTone = f.nacked ? 'fail' : f.duplicate ? 'info' : 'ok';
    const fact: Fact = {
      atMs: f.at,
      source: 'server',
      tone,
      text: `${f.key ?? 'message'} ${what} in chat ${f.chat} via socket ${f.generation}`,
      generation: f.generation,
      ...(f.key ? { key: f.key } : {}),
    };
    out.push({ fact, noted: [factKinds.frameReached, f.seq] });
  }
}

/**
 * Every timeline event and history fact of a run, in time order, bounded and redacted. Facts of
 * one millisecond are in the order the simulator recorded them (the history's journal: cause
 * before effect); a fact the journal does not hold comes after those of its millisecond that it
 * does, and facts no journal orders keep the order they are gathered in.
 */
export function runFacts(
  timeline: Timeline,
  history: History,
  faults: FaultRegistry = builtInFaults,
): FactList {
  const gathered: Gathered[] = [];
  eventFacts(timeline, faults, gathered);
  socketFacts(history, gathered);
  inboundFacts(history, gathered);
  requestFacts(history, gathered);
  attemptAndFrameFacts(history, gathered);
  stopAndErrorFacts(history, gathered);
  for (const fact of processFacts(history)) gathered.push({ fact });
  const placeOf = journalPlaces(history.order);
  const sorted = gathered
    .map(({ fact, noted }, i) => ({
      fact,
      i,
      place: noted === undefined ? Infinity : (placeOf(noted[0], noted[1]) ?? Infinity),
    }))
    .sort((a, b) => a.fact.atMs - b.fact.atMs || a.place - b.place || a.i - b.i)
    .map(({ fact }) => ({ ...fact, text: redactText(fact.text) }));
  return { facts: sorted.slice(0, factsMax), omitted: Math.max(0, sorted.length - factsMax) };
}
