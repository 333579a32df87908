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
import type { DropReason } from '../../sim/baileysErrors.js';
import { timelineFormat, type Timeline, type TimelineEvent } from '../../sim/timeline.js';
import type { ReconnectPolicy } from '../../src/reconnectPolicy.js';

/** Fault kinds a run may switch on. */
export const faultKinds = ['drop', 'refuseConnects', 'slowAck', 'latency', 'terminal', 'restart', 'blackhole'] as const;
/** One fault kind. */
export type FaultKind = (typeof faultKinds)[number];

/** A run's swarm settings: drawn first, they shape every step. */
export interface SwarmSettings {
  faults: Record<FaultKind, boolean>;
  chats: number;
  /** One-way latency set at t=0 when the `latency` fault is on: widens every in-flight window. */
  latencyMs: number;
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
  | { gapMs: number; do: 'latency'; ms: number }
  | { gapMs: number; do: 'blackhole'; forMs: number }
  | Scene;

/**
 * A scene: the bug class in miniature. A message arrives, the bot answers `replyDelayMs` later
 * (one or a burst of replies to the same chat), and one fault lands `faultOffsetMs` from the
 * first reply: before it (the reply meets a gap or a slow ack) or after it (the reply is in
 * flight when the connection dies). Random steps alone rarely line a fault up with a send.
 */
export interface Scene {
  gapMs: number;
  do: 'scene';
  chat: number;
  replyDelayMs: number;
  replies: number;
  spacingMs: number;
  media: boolean;
  fault: FaultStep;
  faultOffsetMs: number;
}

/** The fault part of a scene (a step without its gap). */
export type FaultStep =
  | { do: 'drop'; reason: DropReason; noticeMs: number | undefined }
  | { do: 'refuseConnects'; forMs: number }
  | { do: 'slowAck'; chat: number | undefined; delayMs: number }
  | { do: 'latency'; ms: number }
  | { do: 'blackhole'; forMs: number };

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
    // Rarer: a terminal close ends the run's interesting part.
    terminal: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    restart: fc.boolean(),
    blackhole: fc.boolean(),
  }),
  chats: fc.integer({ min: 1, max: generatorLimits.chatsMax }),
  latencyMs: fc.integer({ min: 0, max: 1500 }),
  reconnect: fc.constantFrom(...reconnectChoices),
  replyDeadlineMs: fc.constantFrom(120_000, 60_000, 30_000),
});

/** Mostly short gaps, so faults land near sends; sometimes long ones, past backoffs and deadlines. */
const gapArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
);

const backArb = fc.integer({ min: 0, max: 3 });

const dropArb = fc.record({
  do: fc.constant('drop' as const),
  reason: fc.constantFrom<DropReason>('connectionLost', 'connectionClosed', 'restartRequired', 'conflict', 'loggedOut'),
  noticeMs: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
});
const refuseArb = fc.record({ do: fc.constant('refuseConnects' as const), forMs: fc.integer({ min: 0, max: 60_000 }) });
const slowAckArb = fc.record({
  do: fc.constant('slowAck' as const),
  // Mostly "the next send to any chat", so the slow ack meets a reply.
  chat: fc.option(fc.nat(generatorLimits.chatsMax - 1), { nil: undefined, freq: 3 }),
  delayMs: fc.integer({ min: 0, max: 30_000 }),
});
const latencyArb = fc.record({ do: fc.constant('latency' as const), ms: fc.integer({ min: 0, max: 2000 }) });
/**
 * Mostly shorter than Baileys' keep-alive takes to notice (the reconnect lands after it), sometimes
 * long enough that reconnects hang into it too.
 */
const blackholeArb = fc.record({
  do: fc.constant('blackhole' as const),
  forMs: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 30_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 120_000 }) }),
});
const faultArb: fc.Arbitrary<FaultStep> = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: dropArb },
  { weight: 2, arbitrary: refuseArb },
  { weight: 2, arbitrary: slowAckArb },
  { weight: 1, arbitrary: latencyArb },
  { weight: 2, arbitrary: blackholeArb },
);

const withGap = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T & { gapMs: number }> =>
  fc.tuple(gapArb, arb).map(([gapMs, step]) => ({ gapMs, ...step }));

const burstArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.integer({ min: 2, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 4, max: generatorLimits.burstMax }) },
);

const sceneArb: fc.Arbitrary<Scene> = fc.record({
  gapMs: gapArb,
  do: fc.constant('scene' as const),
  chat: fc.nat(generatorLimits.chatsMax - 1),
  replyDelayMs: fc.oneof({ withCrossShrink: true }, fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 30_000 })),
  replies: burstArb,
  spacingMs: fc.integer({ min: 0, max: 300 }),
  media: fc.boolean(),
  fault: faultArb,
  // Mostly within a few hundred ms of the first reply: in flight, or inside a close-notice gap.
  faultOffsetMs: fc.oneof(
    { withCrossShrink: true },
    { weight: 3, arbitrary: fc.integer({ min: -300, max: 300 }) },
    { weight: 2, arbitrary: fc.integer({ min: -3000, max: 2000 }) },
  ),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: sceneArb },
  { weight: 3, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('inbound' as const), chat: fc.nat(generatorLimits.chatsMax - 1) }) },
  {
    weight: 4,
    arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('reply' as const), back: backArb, media: fc.boolean(), count: burstArb }),
  },
  { weight: 1, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('composing' as const), back: backArb }) },
  { weight: 3, arbitrary: withGap(dropArb) },
  { weight: 1, arbitrary: withGap(refuseArb) },
  { weight: 1, arbitrary: withGap(slowAckArb) },
  { weight: 1, arbitrary: withGap(latencyArb) },
  { weight: 1, arbitrary: withGap(blackholeArb) },
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
    case 'blackhole':
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
  if (settings.faults.latency && settings.latencyMs > 0) build.events.push({ at: 0, do: 'latency', ms: settings.latencyMs });
  for (const step of steps) {
    const kind = faultKindOf(step.do === 'scene' ? step.fault : step);
    build.at += step.gapMs;
    if (step.do === 'scene') addScene(build, settings, step, kind === undefined || settings.faults[kind]);
    else if (kind === undefined || settings.faults[kind]) addStep(build, settings, step);
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

/** Adds a scene's events in time order; a switched-off fault leaves the scene without one. */
function addScene(build: Build, settings: SwarmSettings, scene: Scene, faultOn: boolean): void {
  const start = build.at;
  const inboundAt = build.at;
  const sub: Build = { ...build, events: [] };
  addStep(sub, settings, { gapMs: 0, do: 'inbound', chat: scene.chat });
  const firstReplyAt = inboundAt + scene.replyDelayMs;
  for (let i = 0; i < scene.replies; i += 1) {
    sub.at = firstReplyAt + i * scene.spacingMs;
    addStep(sub, settings, { gapMs: 0, do: 'reply', back: 0, media: scene.media, count: 1 });
  }
  if (faultOn) {
    sub.at = Math.max(start, firstReplyAt + scene.faultOffsetMs);
    addStep(sub, settings, { gapMs: 0, ...scene.fault });
  }
  // Stable sort: same-time events keep their order (inbound before its replies).
  const events = sub.events.sort((a, b) => a.at - b.at);
  build.events.push(...events);
  build.inbound = sub.inbound;
  build.replies = sub.replies;
  build.at = events.reduce((latest, e) => Math.max(latest, e.at), start);
}

function addStep(build: Build, settings: SwarmSettings, step: Exclude<Step, Scene>): void {
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
    case 'slowAck': {
      // A timeline may only name a chat some earlier inbound came from; otherwise "any chat".
      const chat = step.chat === undefined ? undefined : chatName(step.chat, settings);
      const known = chat !== undefined && build.inbound.some((m) => chatName(m.chat, settings) === chat);
      build.events.push(known ? { at, do: 'slowAck', chat, delayMs: step.delayMs } : { at, do: 'slowAck', delayMs: step.delayMs });
      return;
    }
    case 'latency':
      build.events.push({ at, do: 'latency', ms: step.ms });
      return;
    case 'blackhole':
      build.events.push({ at, do: 'blackhole', untilAt: at + step.forMs });
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
  /** Fault kinds never switched on, whatever the swarm draws (e.g. a known, not yet fixed loss). */
  faultsOff?: readonly FaultKind[];
}

/** Generated runs (timeline plus the settings and steps it came from, for fault coverage). */
export function runArb(options: TimelineArbOptions = {}): fc.Arbitrary<GeneratedRun> {
  const stepsMax = options.stepsMax ?? generatorLimits.stepsMax;
  const faultsOff = options.faultsOff ?? [];
  // Switched off after the draw, so the same seed draws the same runs with or without it.
  const swarm = faultsOff.length === 0 ? settingsArb : settingsArb.map((s) => ({ ...s, faults: withFaultsOff(s.faults, faultsOff) }));
  return fc
    .tuple(fc.nat(0xffff_ffff), swarm, fc.array(stepArb, { minLength: options.stepsMin ?? 1, maxLength: stepsMax }))
    .map(([seed, settings, steps]) => ({ seed, settings, steps, timeline: toTimeline(seed, settings, steps) }));
}

function withFaultsOff(faults: SwarmSettings['faults'], off: readonly FaultKind[]): SwarmSettings['faults'] {
  const out = { ...faults };
  for (const kind of off) out[kind] = false;
  return out;
}

/** Generated timelines only. */
export function timelineArb(options: TimelineArbOptions = {}): fc.Arbitrary<Timeline> {
  return runArb(options).map((run) => run.timeline);
}
