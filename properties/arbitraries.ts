/**
 * fast-check arbitraries for timelines, swarm style: a run first draws its settings (which
 * fault kinds are on, how many chats, how late replies come, which reconnect policy), then a
 * list of abstract steps; a pure `map` turns both into a valid `baileys-sim/timeline@1`.
 *
 * Shrinking works on the steps and settings, and every shrunk value still maps to a valid
 * timeline: steps are relative (time gaps, "the k-th latest inbound"), so removing one never
 * leaves a dangling reference or time going backwards. Shrinking therefore heads toward fewer
 * events, fewer chats, smaller delays and fewer fault kinds.
 */
import fc from 'fast-check';
import type { DropReason } from '../sim/baileysErrors.js';
import { timelineFormat, type Timeline, type TimelineEvent } from '../sim/timeline.js';
import type { ReconnectPolicy } from '../src/reconnectPolicy.js';

/** Fault kinds a run may switch on. */
export const faultKinds = ['drop', 'refuseConnects', 'slowAck', 'latency', 'terminal', 'restart'] as const;
/** One fault kind. */
export type FaultKind = (typeof faultKinds)[number];

/** A run's swarm settings: drawn first, they shape every step. */
export interface SwarmSettings {
  faults: Record<FaultKind, boolean>;
  chats: number;
  reconnect: ReconnectPolicy;
  replyDeadlineMs: number;
}

/** One abstract step; `gapMs` is the time since the previous step. */
export type Step =
  | { gapMs: number; do: 'inbound'; chat: number }
  | { gapMs: number; do: 'reply'; back: number; media: boolean; count: number }
  | { gapMs: number; do: 'composing'; back: number }
  | { gapMs: number; do: 'drop'; reason: DropReason; noticeMs: number | undefined }
  | { gapMs: number; do: 'refuseConnects'; forMs: number }
  | { gapMs: number; do: 'slowAck'; chat: number | undefined; delayMs: number }
  | { gapMs: number; do: 'latency'; ms: number };

/** Bounds of generated timelines (also what shrinking heads toward: the minimums). */
export const generatorLimits = Object.freeze({
  chatsMax: 3,
  stepsMax: 40,
  burstMax: 12,
  /** Quiet time after the last step before `heal`, and the heal phase itself. */
  healAfterMs: 1000,
});

/** Reconnect policies the swarm chooses among; `maxAttempts: 1` is the openclaw finding. */
export const reconnectChoices: readonly ReconnectPolicy[] = [
  { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
  { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0.5, maxAttempts: 6 },
  { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 1 },
];

const settingsArb: fc.Arbitrary<SwarmSettings> = fc.record({
  faults: fc.record({
    drop: fc.boolean(),
    refuseConnects: fc.boolean(),
    slowAck: fc.boolean(),
    latency: fc.boolean(),
    terminal: fc.boolean(),
    restart: fc.boolean(),
  }),
  chats: fc.integer({ min: 1, max: generatorLimits.chatsMax }),
  reconnect: fc.constantFrom(...reconnectChoices),
  replyDeadlineMs: fc.constantFrom(120_000, 60_000, 30_000),
});

/** Mostly short gaps, so faults land near sends; sometimes long ones, past backoffs and deadlines. */
const gapArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
);

const backArb = fc.integer({ min: 0, max: 3 });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('inbound' as const), chat: fc.nat(generatorLimits.chatsMax - 1) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      gapMs: gapArb,
      do: fc.constant('reply' as const),
      back: backArb,
      media: fc.boolean(),
      count: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: generatorLimits.burstMax }) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('composing' as const), back: backArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      gapMs: gapArb,
      do: fc.constant('drop' as const),
      reason: fc.constantFrom<DropReason>('connectionLost', 'connectionClosed', 'restartRequired', 'conflict', 'loggedOut'),
      noticeMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('refuseConnects' as const), forMs: fc.integer({ min: 0, max: 60_000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      gapMs: gapArb,
      do: fc.constant('slowAck' as const),
      chat: fc.option(fc.nat(generatorLimits.chatsMax - 1), { nil: undefined }),
      delayMs: fc.integer({ min: 0, max: 30_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('latency' as const), ms: fc.integer({ min: 0, max: 2000 }) }) },
);

/**
 * Which fault kind a step or timeline event belongs to (undefined for bot actions, heal, stop).
 * Steps and events share `do` names and drop reasons, so one function serves both.
 */
export function faultKindOf(item: { do: string; reason?: DropReason }): FaultKind | undefined {
  switch (item.do) {
    case 'drop':
      if (item.reason === 'conflict' || item.reason === 'loggedOut') return 'terminal';
      return item.reason === 'restartRequired' ? 'restart' : 'drop';
    case 'refuseConnects':
    case 'slowAck':
    case 'latency':
      return item.do;
    default:
      return undefined;
  }
}

/** Builder state while mapping steps to events. */
interface Build {
  events: TimelineEvent[];
  inbound: { msg: string; chat: number }[];
  at: number;
  replies: number;
}

/** Turns settings + steps into a valid timeline. Pure; exported for tests and the bench. */
export function toTimeline(seed: number, settings: SwarmSettings, steps: readonly Step[]): Timeline {
  const build: Build = { events: [], inbound: [], at: 0, replies: 0 };
  for (const step of steps) {
    const kind = faultKindOf(step);
    if (kind !== undefined && !settings.faults[kind]) continue; // switched off for this run
    build.at += step.gapMs;
    addStep(build, settings, step);
  }
  build.events.push({ at: build.at + generatorLimits.healAfterMs, do: 'heal' });
  return {
    format: timelineFormat,
    seed,
    config: { reconnect: { ...settings.reconnect }, replyDeadlineMs: settings.replyDeadlineMs },
    events: build.events,
  };
}

function chatName(index: number, settings: SwarmSettings): string {
  return `c${(index % settings.chats) + 1}`;
}

function addStep(build: Build, settings: SwarmSettings, step: Step): void {
  const { at } = build;
  switch (step.do) {
    case 'inbound': {
      const msg = `m${build.inbound.length + 1}`;
      build.inbound.push({ msg, chat: step.chat });
      build.events.push({ at, do: 'inbound', chat: chatName(step.chat, settings), msg });
      return;
    }
    case 'reply':
      return addReplies(build, step);
    case 'composing': {
      const target = build.inbound[build.inbound.length - 1 - (step.back % Math.max(1, build.inbound.length))];
      if (target) build.events.push({ at, do: 'composing', to: target.msg });
      return;
    }
    case 'drop':
      build.events.push(step.noticeMs === undefined ? { at, do: 'drop', reason: step.reason } : { at, do: 'drop', reason: step.reason, noticeMs: step.noticeMs });
      return;
    case 'refuseConnects':
      build.events.push({ at, do: 'refuseConnects', untilAt: at + step.forMs });
      return;
    case 'slowAck':
      build.events.push(
        step.chat === undefined ? { at, do: 'slowAck', delayMs: step.delayMs } : { at, do: 'slowAck', chat: chatName(step.chat, settings), delayMs: step.delayMs },
      );
      return;
    case 'latency':
      build.events.push({ at, do: 'latency', ms: step.ms });
  }
}

function addReplies(build: Build, step: Extract<Step, { do: 'reply' }>): void {
  if (build.inbound.length === 0) return; // nothing to answer yet
  const target = build.inbound[build.inbound.length - 1 - (step.back % build.inbound.length)]!;
  for (let i = 0; i < step.count; i += 1) {
    build.replies += 1;
    const key = `r${build.replies}`;
    build.events.push(
      step.media ? { at: build.at, do: 'sendMedia', to: target.msg, key, kind: 'image', bytes: 1024 } : { at: build.at, do: 'reply', to: target.msg, key },
    );
  }
}

/** A whole generated run: seed, settings and steps, with the timeline they map to. */
export interface GeneratedRun {
  seed: number;
  settings: SwarmSettings;
  steps: Step[];
  timeline: Timeline;
}

/** Options for {@link timelineArb}. */
export interface TimelineArbOptions {
  stepsMin?: number;
  stepsMax?: number;
}

/** Generated runs (timeline plus the settings and steps it came from, for fault coverage). */
export function runArb(options: TimelineArbOptions = {}): fc.Arbitrary<GeneratedRun> {
  const stepsMax = options.stepsMax ?? generatorLimits.stepsMax;
  return fc
    .tuple(fc.nat(0xffff_ffff), settingsArb, fc.array(stepArb, { minLength: options.stepsMin ?? 1, maxLength: stepsMax }))
    .map(([seed, settings, steps]) => ({ seed, settings, steps, timeline: toTimeline(seed, settings, steps) }));
}

/** Generated timelines only. */
export function timelineArb(options: TimelineArbOptions = {}): fc.Arbitrary<Timeline> {
  return runArb(options).map((run) => run.timeline);
}
