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
import { builtInFaults, faultModules, type FaultRegistry } from '../../sim/faults/index.js';
import type { StepOf } from '../../sim/faults/fault.js';
import { generatorChatsMax } from '../../sim/faults/generatorBounds.js';
import type { InboundKind } from '../../sim/history.js';
import type { RequestKind } from '../../sim/history.js';
import { answerableInboundKinds, inboundKinds, timelineFormat, type SendPathSettings, type Timeline, type TimelineConfig, type TimelineEvent } from '../../sim/timeline.js';
import type { ReconnectPolicy } from '../../src/reconnectPolicy.js';

/** A swarm kind: what a run switches on or off (a fault module's `coverage.swarm` keys). */
export type FaultKind = string;

/** Every built-in swarm kind, in registry order. */
export const faultKinds: readonly FaultKind[] = builtInFaults.swarmKinds;

/** A run's swarm settings: drawn first, they shape every step. */
export interface SwarmSettings {
  /** Per swarm kind: switched on in this run. */
  faults: Record<FaultKind, boolean>;
  /**
   * Where the bot is stopped mid-run, in thousandths of the timeline's span (undefined: only
   * after everything settled). Mostly while replies are still under way.
   */
  stopAtPermille: number | undefined;
  /** Whether inbound messages other than plain text arrive (media, reactions, stubs, groups...). */
  inboundVariety: boolean;
  /**
   * Whether the run's last chat is a group chat, in runs of two chats or more: its messages come
   * from members (`p1`..`p3`), and every reply to it first asks for the group's metadata (absent:
   * no group chat; older settings). Not the first chat: a group send queries before every write,
   * so a silent link holds it before the write, and writes into a dead link need 1:1 chats.
   */
  groupChat?: boolean;
  chats: number;
  /** One-way latency set at t=0 when the `latency` fault is on: widens every in-flight window. */
  latencyMs: number;
  reconnect: ReconnectPolicy;
  replyDeadlineMs: number;
  /** The Baileys socket timings the send path declared (never generated). */
  socket?: TimelineConfig['socket'];
}

/**
 * A generated fault: a built-in module's generator step. (A registry with more modules generates
 * their steps too; they reach `toTimeline` through the same slots.)
 */
export type FaultStep = { [K in keyof typeof faultModules]: StepOf<(typeof faultModules)[K]> }[keyof typeof faultModules];

/** One abstract step; `gapMs` is the time since the previous step. */
export type Step =
  | { gapMs: number; do: 'inbound'; chat: number; kind: InboundKind; batch: number }
  | { gapMs: number; do: 'reply'; back: number; media: boolean; count: number }
  | { gapMs: number; do: 'composing'; back: number }
  | (FaultStep & { gapMs: number })
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
  /**
   * Another chat's message, answered `delayMs` after the scene's first reply, while the scene's
   * fault may still hold that reply up: whether one chat's trouble holds up another's.
   */
  bystander: Bystander | undefined;
  /**
   * A second message in the scene's own chat, answered `followUpMs` after the fault: the
   * conversation goes on through it. After a link went silent, such a reply is written at once
   * (the chat's devices are known on that socket) and vanishes: the loss rc14 shows only at the
   * close, up to 95 s later.
   */
  followUpMs: number | undefined;
}

/** The other chat of a scene: `chatOffset` chats on from the scene's own. */
export interface Bystander {
  chatOffset: number;
  delayMs: number;
}

/** Bounds of generated timelines (also what shrinking heads toward: the minimums). */
export const generatorLimits = Object.freeze({
  chatsMax: generatorChatsMax,
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

/** Reply deadlines the swarm chooses among. */
export const replyDeadlineChoicesMs: readonly number[] = [120_000, 60_000, 30_000];

/**
 * The run's settings: the swarm's draws, with the send path's own settings (`declared`) in place
 * of the generated reconnect policy and reply deadline, never varied.
 */
function settingsArb(faults: FaultRegistry, declared: SendPathSettings): fc.Arbitrary<SwarmSettings> {
  const swarm: Record<string, fc.Arbitrary<boolean>> = {};
  for (const module of faults.modules) Object.assign(swarm, module.coverage?.swarm);
  const drawn = fc.record({
    faults: fc.record(swarm),
    // A quarter of the runs stop the bot part-way.
    stopAtPermille: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 1000 }) }),
    inboundVariety: fc.boolean(),
    groupChat: fc.boolean(),
    chats: fc.integer({ min: 1, max: generatorLimits.chatsMax }),
    latencyMs: fc.integer({ min: 0, max: 1500 }),
    reconnect: fc.constantFrom(...reconnectChoices),
    replyDeadlineMs: fc.constantFrom(...replyDeadlineChoicesMs),
  });
  const { reconnect, replyDeadlineMs, socket } = declared;
  if (reconnect === undefined && replyDeadlineMs === undefined && socket === undefined) return drawn;
  // Replaced after the draw: the same seed draws the same faults and steps with or without a declaration.
  return drawn.map((s) => ({
    ...s,
    reconnect: reconnect === undefined ? s.reconnect : { ...reconnect },
    replyDeadlineMs: replyDeadlineMs ?? s.replyDeadlineMs,
    ...(socket === undefined ? {} : { socket: { ...socket } }),
  }));
}

/** Mostly short gaps, so faults land near sends; sometimes long ones, past backoffs and deadlines. */
const gapArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
);

const backArb = fc.integer({ min: 0, max: 3 });

/** Mostly plain text; the other kinds arrive only in runs with inbound variety switched on. */
const inboundKindArb: fc.Arbitrary<InboundKind> = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.constant('text' as const) },
  { weight: 4, arbitrary: fc.constantFrom<InboundKind>(...inboundKinds) },
);

/** Inbound messages arriving together (one `messages.upsert`). */
const batchArb = fc.oneof({ withCrossShrink: true }, { weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) });

/** The faults of `faults` that generate, weighted for standalone steps or for scenes. */
function faultStepArb(faults: FaultRegistry, weightOf: 'stepWeight' | 'sceneWeight'): fc.Arbitrary<FaultStep> {
  const choices = faults.modules.flatMap((m) => {
    if (m.generate === undefined) return [];
    const step = weightOf === 'sceneWeight' ? (m.generate.sceneStep ?? m.generate.step) : m.generate.step;
    return [{ weight: m.generate[weightOf], arbitrary: step as fc.Arbitrary<FaultStep> }];
  });
  return fc.oneof({ withCrossShrink: true }, ...choices);
}

const withGap = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T & { gapMs: number }> =>
  fc.tuple(gapArb, arb).map(([gapMs, step]) => ({ gapMs, ...step }));

const burstArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.integer({ min: 2, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 4, max: generatorLimits.burstMax }) },
);

function sceneArb(faults: FaultRegistry): fc.Arbitrary<Scene> {
  return fc.record({
  gapMs: gapArb,
  do: fc.constant('scene' as const),
  chat: fc.nat(generatorLimits.chatsMax - 1),
  replyDelayMs: fc.oneof({ withCrossShrink: true }, fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 30_000 })),
  replies: burstArb,
  spacingMs: fc.integer({ min: 0, max: 300 }),
  media: fc.boolean(),
  fault: faultStepArb(faults, 'sceneWeight'),
  // Mostly within a few hundred ms of the first reply: in flight, or inside a close-notice gap.
  faultOffsetMs: fc.oneof(
    { withCrossShrink: true },
    { weight: 3, arbitrary: fc.integer({ min: -300, max: 300 }) },
    { weight: 2, arbitrary: fc.integer({ min: -3000, max: 2000 }) },
  ),
  // Four scenes in five: runs with two chats where one's reply meets the other's fault were too rare.
  bystander: fc.option(fc.record({ chatOffset: fc.integer({ min: 1, max: generatorLimits.chatsMax - 1 }), delayMs: fc.integer({ min: 0, max: 5000 }) }), {
    nil: undefined,
    freq: 5,
  }),
  // Within the half minute in which a silent link still takes writes unnoticed.
  followUpMs: fc.option(fc.integer({ min: 0, max: 15_000 }), { nil: undefined, freq: 5 }),
  });
}

function stepArb(faults: FaultRegistry): fc.Arbitrary<Step> {
  const standalone = faults.modules.flatMap((m) =>
    m.generate === undefined ? [] : [{ weight: m.generate.stepWeight, arbitrary: withGap(m.generate.step as fc.Arbitrary<FaultStep>) }],
  );
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 7, arbitrary: sceneArb(faults) },
    {
      weight: 3,
      arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('inbound' as const), chat: fc.nat(generatorLimits.chatsMax - 1), kind: inboundKindArb, batch: batchArb }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('reply' as const), back: backArb, media: fc.boolean(), count: burstArb }),
    },
    { weight: 1, arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('composing' as const), back: backArb }) },
    ...standalone,
  );
}

/** Builder state while mapping steps to events. */
interface Build {
  events: TimelineEvent[];
  /** Answerable inbound messages so far: what replies may answer. */
  inbound: { msg: string; chat: number }[];
  /** Inbound messages so far, of any kind (they are numbered by it). */
  inboundCount: number;
  at: number;
  replies: number;
}

/** What mapping steps to events needs besides the steps. */
interface BuildContext {
  settings: SwarmSettings;
  faults: FaultRegistry;
  /** Media requests are generated (else a media step asks for a text reply). */
  media: boolean;
  /** Composing requests are generated. */
  composing: boolean;
}

/** Options of {@link toTimeline} beyond the run's settings and steps. */
export interface ToTimelineOptions {
  /** The requests the send path can be asked for (default: all three kinds). `reply` is always asked. */
  requests?: readonly RequestKind[];
}

/**
 * Turns settings + steps into a valid timeline. Pure; exported for tests and the bench. A fault
 * whose swarm kind the run switched off is left out (a scene then has no fault).
 */
export function toTimeline(seed: number, settings: SwarmSettings, steps: readonly Step[], faults: FaultRegistry = builtInFaults, options: ToTimelineOptions = {}): Timeline {
  const requests = options.requests;
  const ctx: BuildContext = { settings, faults, media: requests?.includes('sendMedia') ?? true, composing: requests?.includes('composing') ?? true };
  const build: Build = { events: [], inbound: [], inboundCount: 0, at: 0, replies: 0 };
  if (settings.faults['latency'] && settings.latencyMs > 0) build.events.push({ at: 0, do: 'latency', ms: settings.latencyMs });
  for (const step of steps) {
    build.at += step.gapMs;
    if (step.do === 'scene') addScene(build, ctx, step);
    else addStep(build, ctx, step);
  }
  // Companion events may lie ahead of later steps: a stable sort puts them in place.
  build.events.sort((a, b) => a.at - b.at);
  build.at = build.events.reduce((latest, e) => Math.max(latest, e.at), build.at);
  if (settings.stopAtPermille !== undefined) addStop(build, settings.stopAtPermille);
  build.events.push({ at: build.at + generatorLimits.healAfterMs, do: 'heal' });
  return {
    format: timelineFormat,
    seed,
    config: {
      reconnect: { ...settings.reconnect },
      replyDeadlineMs: settings.replyDeadlineMs,
      ...(settings.socket === undefined ? {} : { socket: { ...settings.socket } }),
    },
    events: build.events,
  };
}

function chatName(index: number, settings: SwarmSettings): string {
  return `c${(index % settings.chats) + 1}`;
}

/** One more turn of a scene: a text message in `chat` at `inboundAt`, answered at `replyAt`. */
function addTurn(sub: Build, ctx: BuildContext, chat: number, inboundAt: number, replyAt: number): void {
  sub.at = inboundAt;
  addStep(sub, ctx, { gapMs: 0, do: 'inbound', chat, kind: 'text', batch: 1 });
  sub.at = replyAt;
  addStep(sub, ctx, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 });
}

/** Adds a scene's events in time order. */
function addScene(build: Build, ctx: BuildContext, scene: Scene): void {
  const start = build.at;
  const inboundAt = build.at;
  const sub: Build = { ...build, events: [] };
  addStep(sub, ctx, { gapMs: 0, do: 'inbound', chat: scene.chat, kind: 'text', batch: 1 });
  const firstReplyAt = inboundAt + scene.replyDelayMs;
  const generate = ctx.faults.get(scene.fault.do)?.generate;
  const media = (scene.media || generate?.sceneMedia === true) && ctx.media;
  for (let i = 0; i < scene.replies; i += 1) {
    sub.at = firstReplyAt + i * scene.spacingMs;
    addStep(sub, ctx, { gapMs: 0, do: 'reply', back: 0, media, count: 1 });
  }
  const anchorAt = generate?.sceneAnchor === 'inbound' ? inboundAt : firstReplyAt;
  sub.at = Math.max(start, anchorAt + scene.faultOffsetMs);
  const faultAt = sub.at;
  addFault(sub, ctx, scene.fault);
  // Both turns' messages come with the scene's own (before the fault): the bot has them to
  // answer. Added last, so the scene's replies answered the scene's own message.
  if (scene.followUpMs !== undefined) addTurn(sub, ctx, scene.chat, inboundAt, faultAt + scene.followUpMs);
  if (scene.bystander !== undefined) {
    // Always another chat when the run has more than one.
    const others = Math.max(1, ctx.settings.chats - 1);
    addTurn(sub, ctx, scene.chat + 1 + ((scene.bystander.chatOffset - 1) % others), inboundAt, firstReplyAt + scene.bystander.delayMs);
  }
  // Stable sort: same-time events keep their order (inbound before its replies).
  const events = sub.events.sort((a, b) => a.at - b.at);
  build.events.push(...events);
  build.inbound = sub.inbound;
  build.inboundCount = sub.inboundCount;
  build.replies = sub.replies;
  build.at = events.reduce((latest, e) => Math.max(latest, e.at), start);
}

function addStep(build: Build, ctx: BuildContext, step: Exclude<Step, Scene>): void {
  const { at } = build;
  switch (step.do) {
    case 'inbound':
      return addInbound(build, ctx, step);
    case 'reply':
      return addReplies(build, ctx.media ? step : { ...step, media: false });
    case 'composing': {
      if (!ctx.composing) return;
      const target = build.inbound[build.inbound.length - 1 - (step.back % Math.max(1, build.inbound.length))];
      if (target) build.events.push({ at, do: 'composing', to: target.msg });
      return;
    }
    default:
      addFault(build, ctx, step);
  }
}

/** Adds the event of a generated fault at `build.at`, unless the run switched its kind off. */
function addFault(build: Build, ctx: BuildContext, step: FaultStep): void {
  const module = ctx.faults.get(step.do);
  if (module?.generate === undefined) throw new Error(`generator: no fault module generates "${step.do}"`);
  const { settings } = ctx;
  const chats = {
    name: (index: number) => chatName(index, settings),
    hasInboundFrom: (name: string) => build.inbound.some((m) => chatName(m.chat, settings) === name),
  };
  const event = module.generate.toEvent(step, build.at, chats);
  const kind = module.coverage?.kindOf(event);
  if (kind !== undefined && !settings.faults[kind]) return;
  build.events.push(event as TimelineEvent);
  for (const companion of module.generate.companions?.(step, build.at) ?? []) {
    const companionKind = ctx.faults.swarmKindOf(companion);
    if (companionKind === undefined || settings.faults[companionKind]) build.events.push(companion as TimelineEvent);
  }
}

/** A `stop` at `permille` of the span so far, after the events of that instant (later events still happen). */
function addStop(build: Build, permille: number): void {
  const at = Math.round((build.at * permille) / 1000);
  let index = build.events.length;
  while (index > 0 && build.events[index - 1]!.at > at) index -= 1;
  build.events.splice(index, 0, { at, do: 'stop' });
}

/** One inbound message, or a batch arriving together; plain text unless the run has variety. */
function addInbound(build: Build, ctx: BuildContext, step: Extract<Step, { do: 'inbound' }>): void {
  const chat = chatName(step.chat, ctx.settings);
  const { groupChat, chats } = ctx.settings;
  const inGroup = groupChat === true && chats >= 2 && chat === chatName(chats - 1, ctx.settings);
  const drawn = ctx.settings.inboundVariety ? step.kind : 'text';
  const kind = inGroup && drawn === 'text' ? 'group' : drawn;
  for (let i = 0; i < step.batch; i += 1) {
    build.inboundCount += 1;
    const msg = `m${build.inboundCount}`;
    if (answerableInboundKinds.has(kind)) build.inbound.push({ msg, chat: step.chat });
    const base = { at: build.at, do: 'inbound' as const, chat, msg };
    // A group's members take turns: a reply meant for the group can be sent to one of them.
    const participant = `p${1 + (build.inboundCount % 3)}`;
    if (kind === 'text') build.events.push(base);
    else build.events.push(kind === 'group' ? { ...base, kind, participant } : { ...base, kind });
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
  /** The faults to generate (default: the built-in {@link builtInFaults}). */
  faults?: FaultRegistry;
  /** The send path's own settings: every timeline uses them as given instead of generated ones. */
  settings?: SendPathSettings;
  /** The requests the send path can be asked for (default: reply, sendMedia and composing). */
  requests?: readonly RequestKind[];
}

/** Generated runs (timeline plus the settings and steps it came from, for fault coverage). */
export function runArb(options: TimelineArbOptions = {}): fc.Arbitrary<GeneratedRun> {
  const stepsMax = options.stepsMax ?? generatorLimits.stepsMax;
  const faultsOff = options.faultsOff ?? [];
  const faults = options.faults ?? builtInFaults;
  const settings = settingsArb(faults, options.settings ?? {});
  const build: ToTimelineOptions = options.requests === undefined ? {} : { requests: options.requests };
  // Switched off after the draw, so the same seed draws the same runs with or without it.
  const swarm = faultsOff.length === 0 ? settings : settings.map((s) => ({ ...s, faults: withFaultsOff(s.faults, faultsOff) }));
  return fc
    .tuple(fc.nat(0xffff_ffff), swarm, fc.array(stepArb(faults), { minLength: options.stepsMin ?? 1, maxLength: stepsMax }))
    .map(([seed, settings, steps]) => ({ seed, settings, steps, timeline: toTimeline(seed, settings, steps, faults, build) }));
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
