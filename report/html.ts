/**
 * The HTML failure report: one self-contained file (inline CSS, SVG and a few lines of script;
 * no network, no CDN) that shows a failing run to a person. Swimlanes over virtual time: one for
 * the network's faults, one for the bot (each message emitted to the path and handed to the bot,
 * every second copy, the harness's `stop()` until it settled), one per socket generation
 * (connecting, open, link silent, dead but not yet heard of, close emitted) with the send attempts
 * made on it, and one per logical reply from its call to its outcome. Ok / fail / info (ambiguous)
 * are colour-coded throughout. Violations come first, property by property with what the
 * property means and the typical fix (`data-testid="violation"`), and are drawn across the
 * lanes; every event follows in a table. Every mark and band drawn carries its kind
 * (`data-mark`), and the legend names each kind ({@link markKinds}).
 *
 * Everything shown is redacted (no JID or phone number) and escaped.
 */
import type { FoundRecord } from '../properties/campaigns/failureFile.js';
import type { Violation } from '../properties/judging/checkers.js';
import type { AttemptRecord, History, RequestRecord, SocketRecord } from '../sim/history.js';
import type { Timeline, TimelineEvent } from '../sim/timeline.js';
import type { FaultDrawing } from '../sim/faults/fault.js';
import { builtInFaults } from '../sim/faults/index.js';
import { explainProperty } from '../properties/judging/propertyTexts.js';
import {
  attemptTone,
  describeError,
  describeEvent,
  frameFate,
  runFacts,
  type Fact,
  type FactTone,
} from './facts.js';
import { redactText } from './redact.js';
import { timeScale, type TimeScale } from './scale.js';
import { formatDurationMs, violatedProperties } from './text.js';

/** What the report shows. */
interface ReportInput {
  /** Failure file name as the user gave it. */
  fileLabel: string;
  /** Send path replayed. */
  pathName: string;
  timeline: Timeline;
  history: History;
  /** Violations to highlight (the replay's, or the recorded ones if it no longer fails). */
  violations: readonly Violation[];
  /** True when `violations` are the recorded ones and the replay no longer shows them. */
  recordedOnly: boolean;
  /** One line: still fails / fixed. */
  verdictLine: string;
  /** How the failure was found, if the file says. */
  found?: FoundRecord;
  /**
   * The failure's block as the command line prints it (report/summaryText.ts), when the file shows
   * one property.
   */
  failBlock?: readonly string[];
  /** The history is identical to the recorded one. */
  sameHistory: boolean;
}

/** Lanes drawn per kind; a run with more is summarised (the event table still lists it all). */
const reportLimits = Object.freeze({
  socketLanesMax: 40,
  requestLanesMax: 60,
  attemptMarksMax: 3000,
  violationsShownMax: 50,
});

const laneHeightPx = 30;
const gutterPx = 150;
const chartWidthPx = 1100;
/** Room right of the last time for a reply's outcome tag. */
const rightPadPx = 56;
const topPadPx = 44;
const axisHeightPx = 34;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Redacts, then escapes: the only way user-derived text enters the page. */
function t(text: string): string {
  return escapeHtml(redactText(text));
}

const px = (n: number): string => (Math.round(n * 10) / 10).toString();

/**
 * Every kind of mark and band the chart draws, with what the legend calls it. A mark drawn
 * carries its kind as `data-mark`; the legend shows a sample of each.
 */
const markKinds = Object.freeze({
  'fault-band': 'network fault lasting a while',
  'slow-band': 'slow network (latency)',
  'heal-band': 'network healing',
  'fault-tick': 'network fault at an instant',
  'slow-tick': 'latency change at an instant',
  'heal-tick': 'network healed',
  emitted: 'message emitted to the path (messages.upsert)',
  'emitted-again': 'second copy emitted (redelivered)',
  handed: 'message handed to the bot',
  'handed-again': 'message handed to the bot again',
  stop: 'stop(): called until it settled',
  'stop-hung': 'stop(): never settled',
  connecting: 'socket connecting',
  open: 'socket open',
  silent: 'link silent: frames stall',
  unheard: 'dead, close not yet emitted',
  close: 'close emitted to the path',
  'attempt-ok': 'send attempt: ok',
  'attempt-fail': 'send attempt: rejected before any write (definitely not sent)',
  'attempt-info': 'send attempt: written, fate unknown (ambiguous)',
  presence: 'presence update (composing)',
  wait: 'attempt pending until it settled',
  hit: 'attempt a violation names',
  'request-ok': 'reply: called until its promise resolved',
  'request-fail': 'reply: rejected (or never settled)',
  'request-info': 'reply: rejected as ambiguous',
  late: 'reply asked before its message reached the bot',
  visible: 'copy visible to the recipient',
  duplicate: 'duplicate copy (deduped by id)',
  violation: 'violation',
  idle: 'idle time compressed',
} satisfies Record<string, string>);

/** One kind of mark or band. */
type MarkKind = keyof typeof markKinds;

const markAttr = (kind: MarkKind): string => ` data-mark="${kind}"`;

interface Lane {
  label: string;
  kind: 'faults' | 'bot' | 'socket' | 'request';
  generation?: number;
  key?: string;
  /** Attempts drawn on a socket lane. */
  attempts?: AttemptRecord[];
}

/** CSS class of each fault drawing tone. */
const toneClass = { fault: 'fault', slow: 'slow', heal: 'heal' } as const;

/** How a `restart` of the bot is drawn on the faults lane: a tick, tagged. */
const restartDrawing: FaultDrawing<TimelineEvent> = {
  shape: 'tick',
  tone: 'slow',
  label: () => 'restart',
};

/** The network's events, each drawn as its fault module says (a band or a tick with a tag). */
function faultLane(timeline: Timeline, scale: TimeScale, y: number): string {
  const parts: string[] = [];
  const mid = y + laneHeightPx / 2;
  timeline.events.forEach((event, i) => {
    // A restart of the bot is drawn with the network's events: the moment the bot went away.
    const draw = event.do === 'restart' ? restartDrawing : builtInFaults.get(event.do)?.draw;
    if (draw === undefined) return;
    const x = scale.x(event.at);
    const title = `<title>${t(`${event.at} ms  ${describeEvent(event)}`)}</title>`;
    if (draw.shape === 'band') {
      const x2 = Math.max(scale.x(draw.untilAt?.(event) ?? event.at), x + 3);
      const kind: MarkKind = `${toneClass[draw.tone]}-band`;
      parts.push(
        `<rect class="band ${toneClass[draw.tone]}"${markAttr(kind)} data-event="${i}" ` +
          `x="` +
          `${px(x)}" y="${y + 6}" width="${px(x2 - x)}" height="${laneHeightPx - 12}" ` +
          `rx="2">` +
          `${title}</rect>`,
      );
      return;
    }
    const kind: MarkKind = `${toneClass[draw.tone]}-tick`;
    parts.push(
      `<g class="mark ${toneClass[draw.tone]}"${markAttr(kind)} data-event="${i}"><line ` +
        `x1="${px(x)}" x2="${px(x)}" y1="${y + 3}" y2="${y + laneHeightPx - 3}"/>` +
        `<path d="M${px(x - 5)},${y + 3} L${px(x + 5)},${y + 3} L${px(x)},${y + 11} Z"/>` +
        `${title}</g>`,
    );
    parts.push(`<text class="tag" x="${px(x + 4)}" y="${mid + 9}">${t(draw.label(event))}</text>`);
  });
  return parts.join('');
}

function socketLane(
  s: SocketRecord,
  history: History,
  attempts: readonly AttemptRecord[],
  violations: readonly Violation[],
  scale: TimeScale,
  y: number,
): string {
  const end = history.endedAt;
  const parts: string[] = [];
  const top = y + 7;
  const h = laneHeightPx - 14;
  const seg = (
    cls: 'connecting' | 'open' | 'silent' | 'unheard',
    from: number,
    to: number,
    label: string,
  ) => {
    const x1 = scale.x(from);
    const x2 = Math.max(scale.x(to), x1 + 2);
    const shape = `x="${px(x1)}" y="${top}" width="${px(x2 - x1)}" height="${h}"`;
    parts.push(
      `<rect class="${cls}"${markAttr(cls)} ${shape}><title>` +
        `${t(`socket ${s.generation} ${label}: ${from}–${to} ms`)}</title></rect>`,
    );
  };
  const stopAt = s.diedAt ?? s.endCalledAt ?? s.closeEmittedAt ?? end;
  if (s.openedAt !== undefined) {
    seg('connecting', s.createdAt, s.openedAt, 'connecting');
    seg('open', s.openedAt, stopAt, 'open');
  } else {
    seg('connecting', s.createdAt, stopAt, s.refused ? 'connecting (refused)' : 'connecting');
  }
  if (s.silentAt !== undefined && s.diedAt === undefined)
    seg('silent', s.silentAt, s.resumedAt ?? s.closeEmittedAt ?? end, 'link silent');
  if (s.diedAt !== undefined)
    seg(
      'unheard',
      s.diedAt,
      s.closeEmittedAt ?? end,
      `dead, close not yet emitted (${s.cause ?? 'died'}${s.dropReason ? ` ${s.dropReason}` : ''})`,
    );
  if (s.closeEmittedAt !== undefined) {
    const x = scale.x(s.closeEmittedAt);
    const closeTitle = t(
      `socket ${s.generation} close emitted at ${s.closeEmittedAt} ms ` +
        `(${describeError(s.closeError)})`,
    );
    parts.push(
      `<g class="closemark"${markAttr('close')}><line x1="${px(x)}" x2="${px(x)}" y1="` +
        `${y + 3}" y2="${y + laneHeightPx - 3}"/>` +
        `<title>` +
        `${closeTitle}` +
        `</title></g>`,
    );
  }
  for (const a of attempts) parts.push(attemptMark(a, violations, scale, y));
  return parts.join('');
}

/** An attempt on a socket's lane: its mark, its wait until it settled, and what became of it. */
function attemptMark(
  a: AttemptRecord,
  violations: readonly Violation[],
  scale: TimeScale,
  y: number,
): string {
  let wait = '';
  const x = scale.x(a.at);
  const tone = attemptTone(a);
  const hit = violations.some(
    (v) =>
      v.at === a.at &&
      (v.generation === undefined || v.generation === a.generation) &&
      (v.key === undefined || v.key === a.key),
  );
  if (a.settledAt !== undefined && a.settledAt > a.at) {
    const mid = y + laneHeightPx / 2;
    wait =
      `<line class="wait ${tone}"${markAttr('wait')} x1="${px(x)}" x2="` +
      `${px(scale.x(a.settledAt))}" y1="${mid}" y2="${mid}"/>`;
  }
  const shape =
    a.kind === 'presence'
      ? `<rect x="${px(x - 4)}" y="${y + laneHeightPx / 2 - 4}" width="8" height="8"/>`
      : `<circle cx="${px(x)}" cy="${y + laneHeightPx / 2}" r="6"/>`;
  const text =
    `attempt #${a.seq} at ${a.at} ms: ` +
    `${a.kind === 'presence' ? 'presence' : `send ${a.key ?? 'message'}`} on socket ` +
    `${a.generation} (${a.socketState}) → ${a.result}` +
    `${a.error ? ` ${describeError(a.error)}` : ''}${a.written ? ', frame written' : ''}` +
    `${frameFate(a)}`;
  const kind: MarkKind = hit
    ? 'hit'
    : a.kind === 'presence'
      ? 'presence'
      : `attempt-${tone === 'neutral' ? 'info' : tone}`;
  return (
    wait +
    `<g class="attempt ${tone}${hit ? ' hit' : ''}"${markAttr(kind)} data-key="` +
    `${t(a.key ?? '')}" data-gen="${a.generation}">${shape}<title>${t(text)}` +
    `</title></g>`
  );
}

/**
 * A small downward triangle at `x` whose tip is at `tipY`: a message reaching the path (outline) or
 * the bot (filled).
 */
function triangle(x: number, tipY: number): string {
  return `<path d="M${px(x - 5)},${tipY - 9} L${px(x + 5)},${tipY - 9} L${px(x)},${tipY} Z"/>`;
}

/**
 * The bot's lane: each inbound message emitted to the path (outline triangles; a second copy in
 * amber) and handed to the bot (filled; handed again in red), and the harness's `stop()` as a
 * band from its call until it settled.
 */
function botLane(history: History, scale: TimeScale, y: number): string {
  const parts: string[] = [];
  const mid = y + laneHeightPx / 2;
  const { stop } = history;
  if (stop.requestedAt !== undefined) {
    const x1 = scale.x(stop.requestedAt);
    const hung = stop.completedAt === undefined;
    const x2 = Math.max(scale.x(stop.completedAt ?? history.endedAt), x1 + 3);
    const how = hung
      ? 'never settled'
      : stop.result === 'rejected'
        ? `rejected at ${stop.completedAt} ms (${describeError(stop.error)})`
        : `resolved at ${stop.completedAt} ms`;
    const title = t(
      `stop() called at ${stop.requestedAt} ms (${stop.reason ?? 'harness'}), ${how}`,
    );
    const shape =
      `x="${px(x1)}" y="${y + 9}" width="${px(x2 - x1)}" height="${laneHeightPx - 18}" ` + `rx="2"`;
    parts.push(
      `<rect class="stopband${hung ? ' hung' : ''}"` +
        `${markAttr(hung ? 'stop-hung' : 'stop')} ${shape}><title>${title}</title></rect>`,
    );
  }
  for (const m of history.inbound) {
    m.deliveries.forEach((d, n) => {
      const title = t(
        `${m.msg} emitted to the path at ${d.at} ms on socket ${d.generation} (${d.type}` +
          `${n > 0 ? `, copy ${n + 1}` : ''})`,
      );
      parts.push(
        `<g class="inb emitted${n > 0 ? ' again' : ''}"` +
          `${markAttr(n > 0 ? 'emitted-again' : 'emitted')}>${triangle(scale.x(d.at), mid)}` +
          `<title>${title}</title></g>`,
      );
    });
    (m.handedAt ?? (m.receivedAt === undefined ? [] : [m.receivedAt])).forEach((at, n) => {
      const title = t(
        `${m.msg} handed to the bot at ${at} ms${n > 0 ? ` (time ${n + 1}: a second copy)` : ''}`,
      );
      parts.push(
        `<g class="inb handed${n > 0 ? ' again' : ''}"` +
          `${markAttr(n > 0 ? 'handed-again' : 'handed')}>` +
          `${triangle(scale.x(at), mid + 11)}` +
          `<title>${title}</title></g>`,
      );
    });
  }
  return parts.join('');
}

function requestLane(r: RequestRecord, history: History, scale: TimeScale, y: number): string {
  const parts: string[] = [];
  const mid = y + laneHeightPx / 2;
  const tone = r.outcome === 'ok' ? 'ok' : r.outcome === 'info' ? 'info' : 'fail';
  const from = r.calledAt ?? r.requestedAt;
  const to = r.settledAt ?? history.endedAt;
  const x1 = scale.x(from);
  const x2 = Math.max(scale.x(to), x1 + 2);
  if (r.calledAt !== undefined && r.calledAt > r.requestedAt) {
    parts.push(
      `<line class="late"${markAttr('late')} x1="${px(scale.x(r.requestedAt))}" x2="` +
        `${px(x1)}" y1="${mid}" y2="${mid}"/>`,
    );
  }
  const outcome =
    r.outcome === 'pending'
      ? 'never settled'
      : `${r.outcome}${r.error ? ` (${describeError(r.error)})` : ''}`;
  const settled = r.settledAt !== undefined ? ` at ${r.settledAt} ms` : '';
  parts.push(
    `<g class="req ${tone}"${markAttr(`request-${tone}`)} data-key="${t(r.key)}"><line ` +
      `x1="${px(x1)}" x2="${px(x2)}" y1="${mid}" y2="${mid}"/>` +
      `<circle class="start" cx="${px(x1)}" cy="${mid}" r="3.5"/><circle cx="${px(x2)}" ` +
      `cy="${mid}" r="6"/>` +
      `<title>` +
      `${t(`${r.kind} ${r.key} (chat ${r.chat}): called at ${from} ms, ${outcome}${settled}`)}` +
      `</title></g>`,
  );
  // Outcome tags sit in one column right of the plot, clear of the marks.
  parts.push(
    `<text class="tag outcome ${tone}" x="${chartWidthPx - rightPadPx + 10}" y="` +
      `${mid + 4}` +
      `">${t(r.outcome)}</text>`,
  );
  const copies = history.server.frames.filter((f) => f.key === r.key && f.chat === r.chat);
  for (const f of copies) {
    const x = scale.x(f.at);
    parts.push(
      `<g class="copy ${f.duplicate ? 'dup' : 'seen'}"` +
        `${markAttr(f.duplicate ? 'duplicate' : 'visible')}><path d="M${px(x)},${mid - 8} L` +
        `${px(x + 5)},${mid} L${px(x)},${mid + 8} L${px(x - 5)},${mid} Z"/>` +
        `<title>` +
        `${t(`${r.key} ${copyWord(f.duplicate)} at ${f.at} ms via socket ${f.generation}`)}` +
        `</title></g>`,
    );
  }
  return parts.join('');
}

function axis(scale: TimeScale, y: number): string {
  const parts: string[] = [];
  const x0 = gutterPx;
  const x1 = chartWidthPx - rightPadPx;
  parts.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y}" y2="${y}"/>`);
  const ticks = 8;
  for (let i = 0; i <= ticks; i++) {
    const x = x0 + ((x1 - x0) * i) / ticks;
    const ms = Math.round(scale.msAt(x));
    parts.push(`<line class="grid" x1="${px(x)}" x2="${px(x)}" y1="${topPadPx - 6}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${px(x)}" y="${y + 16}" text-anchor="middle">` +
        `${escapeHtml(formatDurationMs(ms))}</text>`,
    );
  }
  return parts.join('');
}

/** Compressed idle gaps: a translucent band over the lanes and a zigzag on the axis. */
function breakOverlay(scale: TimeScale, axisY: number): string {
  return scale.breaks
    .map((b) => {
      const xa = scale.x(b.fromMs);
      const xb = scale.x(b.toMs);
      const xm = (xa + xb) / 2;
      const idle = formatDurationMs(b.toMs - b.fromMs);
      const title = escapeHtml(`${idle} of idle time compressed (${b.fromMs}–${b.toMs} ms)`);
      return (
        `<g class="break"${markAttr('idle')}><rect x="${px(xa)}" y="${topPadPx}" width="` +
        `${px(Math.max(1, xb - xa))}" height="${px(axisY - topPadPx)}"/>` +
        `<path d="M${px(xm - 6)},${axisY} l3,-5 l3,5 l3,-5 l3,5"/>` +
        `<title>` +
        `${title}` +
        `</title></g>`
      );
    })
    .join('');
}

/** The scale of the chart: every time the run recorded, idle stretches compressed. */
function chartScale(input: ReportInput): TimeScale {
  const { timeline, history, violations } = input;
  const times: number[] = [
    ...timeline.events.map((e) => e.at),
    ...violations.map((v) => v.at),
    history.endedAt,
  ];
  for (const s of history.sockets)
    times.push(
      s.createdAt,
      ...[s.openedAt, s.diedAt, s.closeEmittedAt, s.endCalledAt].filter(
        (v): v is number => v !== undefined,
      ),
    );
  for (const a of history.attempts)
    times.push(a.at, ...(a.settledAt !== undefined ? [a.settledAt] : []));
  for (const r of history.requests)
    times.push(
      r.requestedAt,
      ...[r.calledAt, r.settledAt].filter((v): v is number => v !== undefined),
    );
  for (const f of history.server.frames) times.push(f.at);
  for (const m of history.inbound)
    times.push(...m.deliveries.map((d) => d.at), ...(m.handedAt ?? []));
  const { stop } = history;
  times.push(...[stop.requestedAt, stop.completedAt].filter((v): v is number => v !== undefined));
  return timeScale(
    times,
    Math.max(history.endedAt, ...timeline.events.map((e) => e.at)),
    gutterPx,
    chartWidthPx - rightPadPx,
  );
}

/** The chart's lanes, within the report's limits, and what the limits left out. */
function chartLanes(history: History): { lanes: Lane[]; notDrawn: string[] } {
  const lanes: Lane[] = [];
  lanes.push({ label: 'network faults', kind: 'faults' });
  lanes.push({ label: 'bot', kind: 'bot' });
  const sockets = history.sockets.slice(0, reportLimits.socketLanesMax);
  let attemptBudget = reportLimits.attemptMarksMax;
  for (const s of sockets) {
    const own = history.attempts
      .filter((a) => a.generation === s.generation)
      .slice(0, Math.max(0, attemptBudget));
    attemptBudget -= own.length;
    lanes.push({
      label: `socket ${s.generation}`,
      kind: 'socket',
      generation: s.generation,
      attempts: own,
    });
  }
  const requests = history.requests.slice(0, reportLimits.requestLanesMax);
  for (const r of requests)
    lanes.push({
      label: `${r.kind === 'reply' ? 'reply' : r.kind} ${r.key}`,
      kind: 'request',
      key: r.key,
    });
  const notDrawn: string[] = [];
  if (history.sockets.length > sockets.length)
    notDrawn.push(`${history.sockets.length - sockets.length} more sockets`);
  if (history.requests.length > requests.length)
    notDrawn.push(`${history.requests.length - requests.length} more requests`);
  if (attemptBudget <= 0 && history.attempts.length > reportLimits.attemptMarksMax)
    notDrawn.push(`${history.attempts.length - reportLimits.attemptMarksMax} more attempts`);
  return { lanes, notDrawn };
}

/** One lane of the chart, its band and label, highlighted when a violation names it. */
function laneRow(lane: Lane, i: number, input: ReportInput, scale: TimeScale): string {
  const { timeline, history, violations } = input;
  const y = topPadPx + i * laneHeightPx;
  const hl = violations.some(
    (v) =>
      (lane.kind === 'request' && v.key !== undefined && v.key === lane.key) ||
      (lane.kind === 'socket' && v.generation !== undefined && v.generation === lane.generation),
  )
    ? ' hl'
    : '';
  let body = '';
  if (lane.kind === 'faults') body = faultLane(timeline, scale, y);
  else if (lane.kind === 'bot') body = botLane(history, scale, y);
  else if (lane.kind === 'socket') {
    const s = history.sockets.find((x) => x.generation === lane.generation)!;
    body = socketLane(s, history, lane.attempts ?? [], violations, scale, y);
  } else {
    const r = history.requests.find((x) => x.key === lane.key)!;
    body = requestLane(r, history, scale, y);
  }
  const attrs =
    `${lane.key !== undefined ? ` data-key="${t(lane.key)}"` : ''}` +
    `${lane.generation !== undefined ? ` data-gen="${lane.generation}"` : ''}`;
  return (
    `<g class="lane ${lane.kind}${hl}"${attrs}><rect class="band${i % 2 ? ' odd' : ''}" ` +
    `x="0" y="${y}" width="${chartWidthPx}" height="${laneHeightPx}"/>` +
    `<text class="label" x="10" y="${y + laneHeightPx / 2 + 4}">${t(lane.label)}` +
    `</text>${body}</g>`
  );
}

/**
 * The violation markers: one per distinct violation time, its label naming every property
 * violated then.
 */
function violationMarks(
  violations: readonly Violation[],
  scale: TimeScale,
  height: number,
): string[] {
  const byTime = new Map<
    number,
    { properties: Set<string>; titles: string[]; indices: number[] }
  >();
  violations.slice(0, reportLimits.violationsShownMax).forEach((v, i) => {
    const entry = byTime.get(v.at) ?? { properties: new Set<string>(), titles: [], indices: [] };
    entry.properties.add(v.property);
    entry.titles.push(`${v.property} at ${v.at} ms: ${v.message}`);
    entry.indices.push(i);
    byTime.set(v.at, entry);
  });
  return [...byTime.entries()].map(([at, entry], i) => {
    const x = scale.x(at);
    // Labels near the right edge grow leftwards so they stay inside the chart.
    const flip = x > chartWidthPx - rightPadPx - 160;
    const label =
      `<text x="${px(flip ? x - 4 : x + 4)}" y="${topPadPx - 24 + (i % 2) * 12}"` +
      `${flip ? ' text-anchor="end"' : ''}>⚠ ${t([...entry.properties].join(', '))}</text>`;
    return (
      `<g class="vmark"${markAttr('violation')} data-testid="violation-marker" ` +
      `data-violation="${entry.indices.join(' ')}"><line x1="${px(x)}" x2="${px(x)}" y1="` +
      `${topPadPx - 20}" y2="${height}"/>` +
      `${label}<title>${t(entry.titles.join('\n'))}</title></g>`
    );
  });
}

/** The swimlanes: one lane per fault, the bot, each socket and each request, over one axis. */
function chart(input: ReportInput): string {
  const scale = chartScale(input);
  const { lanes, notDrawn } = chartLanes(input.history);
  const height = topPadPx + lanes.length * laneHeightPx;
  const rows = lanes.map((lane, i) => laneRow(lane, i, input, scale));
  const vmarks = violationMarks(input.violations, scale, height);
  const svgHeight = height + axisHeightPx;
  return (
    `<svg class="chart" data-testid="swimlanes" viewBox="0 0 ${chartWidthPx} ${svgHeight}` +
    `" width="100%" role="img" aria-label="swimlanes over virtual time" ` +
    `xmlns="http://www.w3.org/2000/svg">` +
    axis(scale, height + 4) +
    rows.join('') +
    breakOverlay(scale, height + 4) +
    vmarks.join('') +
    `</svg>` +
    (notDrawn.length > 0
      ? `<p class="note">Not drawn (listed below): ${escapeHtml(notDrawn.join(', '))}.</p>`
      : '')
  );
}

function violationCard(input: ReportInput, v: Violation, i: number): string {
  const where = [
    v.key !== undefined ? `reply ${v.key}` : '',
    v.generation !== undefined ? `socket ${v.generation}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    `<div class="violation${input.recordedOnly ? ' recorded' : ''}" ` +
    `data-testid="violation" data-violation="${i}" data-key="${t(v.key ?? '')}" ` +
    `data-gen="` +
    `${v.generation ?? ''}" tabindex="0">` +
    `<span class="prop">${t(v.property)}</span><span class="at">${v.at} ms</span>` +
    `${where ? `<span class="where">` + `${t(where)}</span>` : ''}` +
    `<div class="msg">${t(v.message)}</div></div>`
  );
}

/**
 * The violations property by property: what the property means, its violations (cards a click
 * focuses on in the chart), and the typical fix.
 */
function violationCards(input: ReportInput): string {
  const shown = input.violations.slice(0, reportLimits.violationsShownMax);
  if (shown.length === 0) return '<p class="none">No violations: every property held.</p>';
  const note = input.recordedOnly
    ? '<p class="note">Recorded in the file; the replay no longer shows them.</p>'
    : '';
  const groups = violatedProperties(shown).map((property) => {
    const texts = explainProperty(property);
    const cards = shown
      .flatMap((v, i) => (v.property === property ? [violationCard(input, v, i)] : []))
      .join('');
    const meaning =
      texts === undefined ? '' : `<p class="meaning" data-testid="meaning">${t(texts.meaning)}</p>`;
    const fix =
      texts === undefined
        ? ''
        : `<p class="fix" data-testid="fix"><b>Typical fix:</b> ${t(texts.fix)}</p>`;
    return (
      `<section class="property" data-testid="property" data-property="${t(property)}"><h3>` +
      `${t(property)}</h3>${meaning}${cards}${fix}</section>`
    );
  });
  const more =
    input.violations.length > shown.length
      ? `<p class="note">… ${input.violations.length - shown.length} more.</p>`
      : '';
  return note + groups.join('') + more;
}

function factRows(input: ReportInput): string {
  const list = runFacts(input.timeline, input.history);
  const rows = list.facts.map((f: Fact) => {
    const cls = `${f.source}${f.source === 'event' ? '' : ` ${f.tone}`}`;
    const attrs =
      `${f.key !== undefined ? ` data-key="${t(f.key)}"` : ''}` +
      `${f.generation !== undefined ? ` data-gen="${f.generation}"` : ''}`;
    return (
      `<tr class="${cls}"${attrs}><td class="num">${f.atMs}</td><td>` +
      `${f.source === 'event' ? 'timeline' : f.source}</td><td>` +
      `${f.source === 'event' ? '' : `<span class="dot ${f.tone}"></span>`}` +
      `${escapeHtml(f.text)}</td></tr>`
    );
  });
  const more =
    list.omitted > 0 ? `<tr><td></td><td></td><td>… ${list.omitted} more not shown</td></tr>` : '';
  return rows.join('') + more;
}

const css =
  `
:root{--ok:#1a7f37;--fail:#cf222e;--info:#bf8700;--muted:#57606a;--line:#d0d7de;
--open:#0969da;--conn:#afb8c1;--bg:#fff;--band:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 ` +
  `system-ui,-apple-system,"Segoe ` +
  `UI",Roboto,sans-serif;color:#1f2328;background:var(--bg)}
header{padding:18px ` +
  `28px;border-bottom:1px solid var(--line);background:#f6f8fa}
h1{font-size:20px;margin:0 0 ` +
  `4px}
h2{font-size:16px;margin:24px 0 10px}
main{padding:0 28px ` +
  `40px;max-width:1280px}
.meta{color:var(--muted);margin:2px 0}
.meta ` +
  `code{color:#1f2328}
.fail-block{background:#fff8f8;border:1px solid ` +
  `#f5c2c7;border-radius:6px;padding:8px 10px;margin:8px 0 ` +
  `0;font-size:12px;white-space:pre-wrap}
.verdict{display:inline-block;font-weight:600;padding:3px ` +
  `10px;border-radius:12px;margin-top:8px}
.verdict.fails{background:#ffebe9;color:var(--fail);border:1px ` +
  `solid ` +
  `#ff818266}
.verdict.fixed,.verdict.passes{background:#dafbe1;color:var(--ok);border:1px ` +
  `solid #4ac26b66}
.violation{border:1px solid #ff8182;border-left:5px solid ` +
  `var(--fail);background:#fff5f5;border-radius:6px;padding:8px 12px;margin:8px ` +
  `0;cursor:pointer}
.violation.recorded{border-color:var(--line);border-left-color:var(--muted);background:#f6f8fa}
.violation.active{box-shadow:0 ` +
  `0 0 3px #ff818266}
.violation ` +
  `.prop{font-weight:700;color:var(--fail);margin-right:10px}
.violation.recorded ` +
  `.prop{color:var(--muted)}
.violation .at,.violation ` +
  `.where{color:var(--muted);margin-right:10px;font-variant-numeric:tabular-nums}
.violation ` +
  `.msg{margin-top:2px;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}
.chart{display:block;border:1px ` +
  `solid var(--line);border-radius:6px;background:#fff}
.chart ` +
  `text{font-size:11px;fill:#1f2328}
.chart .label{font-weight:600;font-size:12px}
.chart ` +
  `.tag{fill:var(--muted);font-size:10px}
.chart ` +
  `.tag.outcome{font-size:11px;font-weight:600}.chart ` +
  `.tag.outcome.ok{fill:var(--ok)}.chart ` +
  `.tag.outcome.fail{fill:var(--fail)}.chart .tag.outcome.info{fill:var(--info)}
.chart ` +
  `.tick{fill:var(--muted)}
.chart .band{fill:#fff}.chart .band.odd{fill:var(--band)}
.chart ` +
  `.axis{stroke:#8c959f}.chart .grid{stroke:#eaeef2}
.chart .break ` +
  `rect{fill:#8c959f;opacity:.12;pointer-events:all}.chart .break ` +
  `path{fill:none;stroke:#8c959f;stroke-width:1.5}
.chart ` +
  `.connecting{fill:var(--conn)}
.chart .open{fill:var(--open);opacity:.85}
.chart ` +
  `.unheard{fill:var(--fail);opacity:.35}
.chart ` +
  `.silent{fill:var(--info);opacity:.45}
.chart .stopband{fill:#8250df;opacity:.55}.chart ` +
  `.stopband.hung{fill:var(--fail);opacity:.55}
.chart .inb path{stroke-width:1.5}
.chart ` +
  `.inb.emitted path{fill:#fff;stroke:#57606a}.chart .inb.emitted.again ` +
  `path{stroke:var(--info)}
.chart .inb.handed path{fill:#57606a;stroke:#57606a}.chart ` +
  `.inb.handed.again path{fill:var(--fail);stroke:var(--fail)}
.chart .closemark ` +
  `line{stroke:#1f2328;stroke-width:2}
.chart .band{opacity:.25}.chart ` +
  `.band.fault{fill:var(--fail);stroke:var(--fail)}.chart ` +
  `.band.slow{fill:var(--info);stroke:var(--info)}.chart ` +
  `.band.heal{fill:var(--ok);stroke:var(--ok)}
.chart .mark line{stroke-width:2}
.chart ` +
  `.mark.fault line,.chart .mark.fault path{stroke:var(--fail);fill:var(--fail)}
.chart ` +
  `.mark.slow line,.chart .mark.slow path{stroke:var(--info);fill:var(--info)}
.chart ` +
  `.mark.heal line,.chart .mark.heal path{stroke:var(--ok);fill:var(--ok)}
.chart ` +
  `.attempt.ok *{fill:var(--ok)}.chart .attempt.fail *{fill:var(--fail)}.chart ` +
  `.attempt.info ` +
  `*{fill:var(--info)}
.chart .attempt *{stroke:#fff;stroke-width:1.5}
.chart .attempt.hit ` +
  `*{stroke:#1f2328;stroke-width:3}
.chart .wait{stroke-width:2;stroke-dasharray:3 ` +
  `2}.chart ` +
  `.wait.ok{stroke:var(--ok)}.chart .wait.fail{stroke:var(--fail)}.chart ` +
  `.wait.info{stroke:var(--info)}
.chart .req line{stroke-width:3}.chart .req.ok ` +
  `line,.chart ` +
  `.req.ok circle{stroke:var(--ok);fill:var(--ok)}
.chart .req.fail line,.chart .req.fail ` +
  `circle{stroke:var(--fail);fill:var(--fail)}.chart .req.info line,.chart .req.info ` +
  `circle{stroke:var(--info);fill:var(--info)}
.chart .req ` +
  `circle.start{fill:#fff;stroke-width:2}
.chart .late{stroke:#8c959f;stroke-dasharray:2 ` +
  `3}
.chart .copy.seen path{fill:#fff;stroke:var(--ok);stroke-width:2}.chart .copy.dup ` +
  `path{fill:#fff;stroke:var(--info);stroke-width:2}
.chart .lane.hl ` +
  `.band{fill:#fff0f0}.chart .lane.hl .label{fill:var(--fail)}
.chart .vmark ` +
  `line{stroke:var(--fail);stroke-width:1.5;stroke-dasharray:5 3}
.chart .vmark ` +
  `text{fill:var(--fail);font-weight:700}
.chart.focus ` +
  `.lane:not(.hl):not(.faults){opacity:.35}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:8px ` +
  `0 0;color:var(--muted);font-size:12px}
.legend ` +
  `span{display:inline-flex;align-items:center;gap:5px}
.legend ` +
  `svg.sample{display:inline-block;border:0;border-radius:0;background:none;overflow:visible}
.property{margin:10px ` +
  `0 18px}
.property h3{font-size:15px;margin:0 0 2px;color:var(--fail)}
.property ` +
  `.meaning{margin:0 0 6px;color:#1f2328}
.property .fix{margin:6px 0 ` +
  `0;color:#1f2328}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;
vertical-align:middle}
.ok{--c:var(--ok)}.fail{--c:var(--fail)}.info{--c:var(--info)}.neutral{--c:#8c959f}
.dot,.sw.tone{background:var(--c)}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:3px ` +
  `8px;border-bottom:1px solid ` +
  `#eaeef2;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;color:var(--muted)}
tr.event ` +
  `td{font-weight:600;background:#fbfbfc}
tr.related ` +
  `td{background:#fff0f0}
.note,.none{color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
`;

// Clicking a violation focuses the lanes and table rows that share its reply key or socket.
const script =
  `
(function(){
  var chart=document.querySelector('.chart');
  var ` +
  `cards=document.querySelectorAll('[data-testid="violation"]');
  function focus(card){
    ` +
  `var key=card.getAttribute('data-key'),gen=card.getAttribute('data-gen');
    var ` +
  `on=!card.classList.contains('active');
    ` +
  `cards.forEach(function(c){c.classList.remove('active');});
    ` +
  `document.querySelectorAll('.lane.hl,tr.related').forEach(function(e){
      e.classList.remove('hl');e.classList.remove('related');});
    ` +
  `if(chart)chart.classList.toggle('focus',on);
    if(!on)return;
    ` +
  `card.classList.add('active');
    document.querySelectorAll('.lane,tbody ` +
  `tr').forEach(function(e){
      var ` +
  `k=e.getAttribute('data-key'),g=e.getAttribute('data-gen');
      var ` +
  `match=(key&&k===key)||(gen&&g===gen);
      ` +
  `if(match)e.classList.add(e.tagName==='TR'?'related':'hl');
    });
  }
  ` +
  `cards.forEach(function(c){
    c.addEventListener('click',function(){focus(c);});
    ` +
  `c.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' ` +
  `'){e.preventDefault();focus(c);}});
  });
})();
`;

/** A sample of each mark kind, drawn with the chart's own classes (so it looks as in the chart). */
const legendSamples: Readonly<Record<MarkKind, string>> = {
  'fault-band': '<rect class="band fault" x="1" y="3" width="22" height="8" rx="2"/>',
  'slow-band': '<rect class="band slow" x="1" y="3" width="22" height="8" rx="2"/>',
  'heal-band': '<rect class="band heal" x="1" y="3" width="22" height="8" rx="2"/>',
  'fault-tick':
    '<g class="mark fault"><line x1="12" x2="12" y1="1" y2="13"/><path d="M7,1 L17,1 ' +
    'L12,8 Z"/></g>',
  'slow-tick':
    '<g class="mark slow"><line x1="12" x2="12" y1="1" y2="13"/><path d="M7,1 L17,1 L12,8 Z"/></g>',
  'heal-tick':
    '<g class="mark heal"><line x1="12" x2="12" y1="1" y2="13"/><path d="M7,1 L17,1 L12,8 Z"/></g>',
  emitted: `<g class="inb emitted">${triangle(12, 11)}</g>`,
  'emitted-again': `<g class="inb emitted again">${triangle(12, 11)}</g>`,
  handed: `<g class="inb handed">${triangle(12, 11)}</g>`,
  'handed-again': `<g class="inb handed again">${triangle(12, 11)}</g>`,
  stop: '<rect class="stopband" x="1" y="4" width="22" height="6" rx="2"/>',
  'stop-hung': '<rect class="stopband hung" x="1" y="4" width="22" height="6" rx="2"/>',
  connecting: '<rect class="connecting" x="1" y="3" width="22" height="8"/>',
  open: '<rect class="open" x="1" y="3" width="22" height="8"/>',
  silent: '<rect class="silent" x="1" y="3" width="22" height="8"/>',
  unheard: '<rect class="unheard" x="1" y="3" width="22" height="8"/>',
  close: '<g class="closemark"><line x1="12" x2="12" y1="1" y2="13"/></g>',
  'attempt-ok': '<g class="attempt ok"><circle cx="12" cy="7" r="6"/></g>',
  'attempt-fail': '<g class="attempt fail"><circle cx="12" cy="7" r="6"/></g>',
  'attempt-info': '<g class="attempt info"><circle cx="12" cy="7" r="6"/></g>',
  presence: '<g class="attempt ok"><rect x="8" y="3" width="8" height="8"/></g>',
  wait: '<line class="wait info" x1="2" x2="22" y1="7" y2="7"/>',
  hit: '<g class="attempt fail hit"><circle cx="12" cy="7" r="5"/></g>',
  'request-ok':
    '<g class="req ok"><line x1="3" x2="21" y1="7" y2="7"/><circle class="start" cx="3" ' +
    'cy="7" r="3"/><circle cx="20" cy="7" r="4"/></g>',
  'request-fail':
    '<g class="req fail"><line x1="3" x2="21" y1="7" y2="7"/><circle class="start" cx="3" cy="7" ' +
    'r="3"/><circle cx="20" cy="7" r="4"/></g>',
  'request-info':
    '<g class="req info"><line x1="3" x2="21" y1="7" y2="7"/><circle class="start" cx="3" cy="7" ' +
    'r="3"/><circle cx="20" cy="7" r="4"/></g>',
  late: '<line class="late" x1="2" x2="22" y1="7" y2="7"/>',
  visible: '<g class="copy seen"><path d="M12,1 L17,7 L12,13 L7,7 Z"/></g>',
  duplicate: '<g class="copy dup"><path d="M12,1 L17,7 L12,13 L7,7 Z"/></g>',
  violation: '<g class="vmark"><line x1="12" x2="12" y1="0" y2="14"/></g>',
  idle:
    '<g class="break"><rect x="4" y="0" width="16" height="14"/><path d="M6,14 l3,-5 l3,5 ' +
    'l3,-5 l3,5"/></g>',
};

/** The legend: every kind of mark and band, with a sample and its name, and the tones. */
function legend(): string {
  const item = (kind: MarkKind) =>
    `<span data-legend="${kind}"><svg class="chart sample" width="24" height="14" ` +
    `viewBox="0 0 24 14" aria-hidden="true">${legendSamples[kind]}</svg>` +
    `${escapeHtml(markKinds[kind])}</span>`;
  const tone = (cls: string, label: string) =>
    `<span><span class="sw tone ${cls}"></span>${escapeHtml(label)}</span>`;
  return (
    '<div class="legend" data-testid="legend">' +
    tone('ok', 'ok') +
    tone('fail', 'fail (definitely not sent)') +
    tone('info', 'info (ambiguous: may have been sent)') +
    (Object.keys(markKinds) as MarkKind[]).map(item).join('') +
    '<span><span class="sw" style="background:#fff0f0;border:1px solid #ff8182"></span>lane a ' +
    'violation names (its label in red)</span></div>'
  );
}

/** The report page for one re-simulated failure file. */
export function renderReportHtml(input: ReportInput): string {
  return `<!doctype html>
<html lang="en">
${reportHead(input)}
<body>
${reportHeader(input)}
<main>
<h2>Violations</h2>
${violationCards(input)}
<h2>Swimlanes over virtual time</h2>
${chart(input)}
${legend()}
<h2>Everything that happened</h2>
<table data-testid="events"><thead><tr><th>ms</th><th>source</th><th>what</th></tr></thead><tbody>
${factRows(input)}
</tbody></table>
<p class="note">Replay: <code>npx baileys-sim replay ${t(input.fileLabel)}</code></p>
</main>
<script>${script}</script>
</body>
</html>
`;
}

/** The page's head: its policy (nothing loaded from outside), title and style. */
function reportHead(input: ReportInput): string {
  const policy =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";
  return `<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>baileys-sim report · ${t(input.pathName)}</title>
<style>${css}</style>
</head>`;
}

/** The page's header: the file, the run, its settings and the verdict. */
function reportHeader(input: ReportInput): string {
  const { history, timeline } = input;
  const status = input.verdictLine.startsWith('FAIL')
    ? 'fails'
    : input.verdictLine.startsWith('FIXED')
      ? 'fixed'
      : 'passes';
  const found = input.found
    ? ` · found by campaign seed <code>${input.found.seed}</code>, run ${input.found.runIndex + 1}`
    : '';
  const { replyDeadlineMs, reconnect } = timeline.config;
  const run = [
    `timeline seed <code>${timeline.seed}</code>`,
    `${timeline.events.length} events`,
    `run ended at ${history.endedAt} ms virtual`,
    `${history.sockets.length} sockets`,
    `${history.attempts.length} send attempts`,
    `reply deadline ${formatDurationMs(replyDeadlineMs)}`,
    `reconnect ${reconnect.initialMs}–${reconnect.maxMs} ms ×${reconnect.factor}, ` +
      `${reconnect.maxAttempts} attempts`,
  ];
  const file = `file <code>${t(input.fileLabel)}</code>`;
  const path = `send path <code>${t(input.pathName)}</code>`;
  return [
    '<header>',
    '<h1>baileys-sim failure report</h1>',
    `<p class="meta">${file} · ${path}${found}</p>`,
    `<p class="meta">${run.join(' · ')}</p>`,
    `<p class="meta">history ${historyWords(input.sameHistory)}</p>`,
    `<span class="verdict ${status}" data-testid="verdict">${t(input.verdictLine)}</span>`,
    failBlockHtml(input.failBlock),
    '</header>',
  ].join('\n');
}

/** The words for whether a replay recorded the history the failure file holds. */
function historyWords(sameHistory: boolean): string {
  return sameHistory
    ? 'identical to the recorded one'
    : 'differs from the recorded one (the send path or the simulator changed)';
}

/** The failure block as the report shows it, or nothing. */
function failBlockHtml(failBlock: readonly string[] | undefined): string {
  if (failBlock === undefined) return '';
  return `<pre class="fail-block" data-testid="fail-block">${t(failBlock.join('\n'))}</pre>`;
}

/** How a copy of a message reached the recipient. */
function copyWord(duplicate: boolean): string {
  return duplicate ? 'duplicate frame, deduped by id' : 'visible to the recipient';
}
