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
import {
  answerableInboundKinds,
  inboundKinds,
  timelineFormat,
  type SendPathSettings,
  type Timeline,
  type TimelineConfig,
  type TimelineEvent,
} from '../../sim/timeline.js';
import type { ReconnectPolicy } from '../../src/reconnectPolicy.js';
import { baileysDefaults, connectWatchdogMs, socketTimingsOf } from '../../src/baileysFacts.js';
import {
  episodeArb,
  episodeFaultKinds,
  planGroupRefusal,
  planHungUpload,
  planLateRetry,
  type Episode,
  type GroupRefusalEpisode,
  type HungUploadEpisode,
  type LateRetryEpisode,
} from './episodes.js';
import { moments, planMoment, type Moment, type MomentTiming } from './moments.js';

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
   * Plain texts all different (`distinct`: `hello from m1`, ...), or short phrases people send
   * again and again (`repeated`: "hi", "ok", ...), so one chat sends the same text twice: a path
   * that tells messages apart by their text instead of their id shows itself only then.
   */
  texts: 'distinct' | 'repeated';
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
  /** Whether the bot's process restarts in this run (at its `restart` steps). */
  restarts: boolean;
  /** A situation lined up on purpose, played before the steps (see `episodes.ts`); mostly none. */
  episode?: Episode | undefined;
  /** How the run ends after its steps (none: the heal follows them). */
  finale?: Finale | undefined;
  /** The Baileys socket timings the send path declared (never generated). */
  socket?: TimelineConfig['socket'];
}

/**
 * How a run ends, after its steps and before the heal:
 * - `scene`: one more scene, the heal right after it: the property that judges what a path does
 *   once the network is well again (liveness's heal rule) sees the scene's replies;
 * - `outage`: a long outage (the connection drops and connects are refused, or the network goes
 *   dark), up to ten minutes, replies asked around its end and the heal when it ends: a backoff
 *   without a cap has grown far past it by then;
 * - `stop`: the bot is stopped for good at a moment of a reconnect (see `moments.ts`).
 */
export type Finale = SceneFinale | OutageFinale | StopFinale;

/** A last scene, then the heal. */
export interface SceneFinale {
  do: 'scene';
  scene: Scene;
}

/** A long outage, then the heal. */
export interface OutageFinale {
  do: 'outage';
  chat: number;
  /**
   * Connects refused (after the connection is lost), or every frame and connect lost (a
   * blackhole); the other when the run switched the kinds of this one off.
   */
  via: 'refuse' | 'blackhole';
  forMs: number;
  /**
   * Replies to a message that came before the outage, asked once the network is back, each this
   * long after the first moment its deadline outlasts a correct path's reconnect (see `addOutage`).
   */
  replyDelaysMs: readonly number[];
  /** A message that arrives during the outage (offline) and is answered once it reached the bot. */
  offline: boolean;
}

/** The run's stop, at a moment of a reconnect. */
export interface StopFinale {
  do: 'stop';
  chat: number;
  moment: Moment;
  /** Where in the moment's window, in thousandths. */
  permille: number;
}

/**
 * A generated fault: a built-in module's generator step. (A registry with more modules generates
 * their steps too; they reach `toTimeline` through the same slots.)
 */
export type FaultStep = {
  [K in keyof typeof faultModules]: StepOf<(typeof faultModules)[K]>;
}[keyof typeof faultModules];

/** One abstract step; `gapMs` is the time since the previous step. */
export type Step =
  | { gapMs: number; do: 'inbound'; chat: number; kind: InboundKind; batch: number; phrase: number }
  | { gapMs: number; do: 'reply'; back: number; media: boolean; count: number }
  | { gapMs: number; do: 'composing'; back: number }
  | (FaultStep & { gapMs: number })
  | Scene
  | RestartStep;

/**
 * A restart of the bot, at a moment of a reconnect (see `moments.ts`): a message arrives and is
 * answered, the path is stopped at the moment, the process is down `downMs`, and messages that
 * come meanwhile are answered by the new path. With `lostReceipts`, the server never got the
 * receipt of the answered message: it delivers it again to the new path's first login.
 */
export interface RestartStep {
  gapMs: number;
  do: 'restart';
  chat: number;
  moment: Moment;
  /** Where in the moment's window, in thousandths. */
  permille: number;
  downMs: number;
  /** Messages that arrive while the bot is down. */
  offline: number;
  lostReceipts: boolean;
}

/**
 * A scene: the bug class in miniature. A message arrives, the bot answers `replyDelayMs` later
 * (one or a burst of replies to the same chat), and one fault lands `faultOffsetMs` from the
 * first reply: before it (the reply meets a gap or a slow link) or after it (the reply is in
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
const generatorLimits = Object.freeze({
  chatsMax: generatorChatsMax,
  stepsMax: 40,
  burstMax: 12,
  /** Quiet time after the last step before `heal`, and the heal phase itself. */
  healAfterMs: 1000,
  /**
   * Restarts of the bot in one generated timeline (later `restart` steps only bring their
   * messages).
   */
  restartsMax: 3,
  /** Longest generated outage (a finale's): twenty minutes. */
  outageMsMax: 1_200_000,
});

/**
 * Reconnect policies the swarm chooses among; `maxAttempts: 1` is the openclaw finding. The last
 * keeps trying for half an hour, as a bot that must come back by itself after a long outage
 * does: only then does a backoff's cap show (the others give up within minutes).
 */
export const reconnectChoices: readonly ReconnectPolicy[] = [
  { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
  { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0.5, maxAttempts: 6 },
  { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 1 },
  { initialMs: 1000, maxMs: 30000, factor: 2, jitter: 0.2, maxAttempts: 60 },
];

/** Reply deadlines the swarm chooses among. */
const replyDeadlineChoicesMs: readonly number[] = [120_000, 60_000, 30_000];

/**
 * The run's settings: the swarm's draws, with the send path's own settings (`declared`) in place
 * of the generated reconnect policy and reply deadline, never varied.
 */
function settingsArb(
  faults: FaultRegistry,
  declared: SendPathSettings,
): fc.Arbitrary<SwarmSettings> {
  const swarm: Record<string, fc.Arbitrary<boolean>> = {};
  for (const module of faults.modules) Object.assign(swarm, module.coverage?.swarm);
  const drawn = fc
    .record({
      faults: fc.record(swarm),
      // A quarter of the runs stop the bot part-way.
      stopAtPermille: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 1000 }) },
      ),
      inboundVariety: fc.boolean(),
      texts: fc.oneof(
        { weight: 3, arbitrary: fc.constant('distinct' as const) },
        { weight: 1, arbitrary: fc.constant('repeated' as const) },
      ),
      groupChat: fc.boolean(),
      chats: fc.integer({ min: 1, max: generatorLimits.chatsMax }),
      latencyMs: fc.integer({ min: 0, max: 1500 }),
      // The last, which keeps trying through a long outage, in two runs of five.
      reconnect: fc.oneof(
        ...reconnectChoices.map((policy, i) => ({
          weight: i === reconnectChoices.length - 1 ? 2 : 1,
          arbitrary: fc.constant(policy),
        })),
      ),
      replyDeadlineMs: fc.oneof(
        { weight: 2, arbitrary: fc.constant(replyDeadlineChoicesMs[0]!) },
        ...replyDeadlineChoicesMs.slice(1).map((ms) => fc.constant(ms)),
      ),
      // Three runs in four: a restart shows a path's bugs only with the right moment and receipts.
      restarts: threeInFour,
      episode: episodeArb,
      finale: finaleArb(faults),
    })
    .map((s) => withNeedsOn(s, faults));
  const { reconnect, replyDeadlineMs, socket } = declared;
  if (reconnect === undefined && replyDeadlineMs === undefined && socket === undefined)
    return drawn;
  // Replaced after the draw: the same seed draws the same faults and steps with or without a
  // declaration.
  return drawn.map((s) => ({
    ...s,
    reconnect: reconnect === undefined ? s.reconnect : { ...reconnect },
    replyDeadlineMs: replyDeadlineMs ?? s.replyDeadlineMs,
    ...(socket === undefined ? {} : { socket: { ...socket } }),
  }));
}

/**
 * `settings` with what its episode and finale need switched on: their fault kinds (a finale
 * without its fault shows nothing), a group chat for a group's refusal, restarts for an episode's
 * restart. The swarm's other draws stay.
 */
function withNeedsOn(settings: SwarmSettings, registry: FaultRegistry): SwarmSettings {
  const { episode, finale } = settings;
  const needed = [
    ...(episode === undefined ? [] : episodeFaultKinds(episode)),
    ...finaleFaultKinds(finale, settings.faults, registry),
  ];
  if (needed.length === 0) return settings;
  const faults = { ...settings.faults };
  for (const kind of needed) if (kind in faults) faults[kind] = true;
  const on = { ...settings, faults };
  if (episode?.do === 'groupRefusal') {
    return { ...on, groupChat: true, chats: Math.max(2, settings.chats) };
  }
  return episode?.do === 'lateRetry' && episode.via === 'restart' ? { ...on, restarts: true } : on;
}

/**
 * The swarm kinds `finale` needs: its scene's fault's, or its outage's (connects refused after
 * the connection was lost, the loss as the run has it on or a reset; or a blackhole).
 */
function finaleFaultKinds(
  finale: Finale | undefined,
  on: SwarmSettings['faults'],
  registry: FaultRegistry,
): string[] {
  if (finale?.do === 'scene') {
    const module = registry.get(finale.scene.fault.do);
    const chats = { name: (index: number) => `c${index + 1}`, hasInboundFrom: () => false };
    const event = module?.generate?.toEvent(finale.scene.fault, 0, chats);
    const kind = event === undefined ? undefined : registry.swarmKindOf(event);
    return kind === undefined ? [] : [kind];
  }
  if (finale?.do !== 'outage') return [];
  if (finale.via === 'blackhole') return ['blackhole'];
  return ['refuseConnects', on['silentDrop'] && !on['drop'] ? 'silentDrop' : 'drop'];
}

/**
 * Mostly short gaps, so faults land near sends; sometimes long ones, past backoffs and deadlines.
 */
const gapArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
);

const backArb = fc.integer({ min: 0, max: 3 });

/**
 * Any kind mostly, plain text otherwise; the other kinds arrive only in runs with inbound variety
 * switched on (scenes bring plain text in every run). A handler that throws on an unusual message
 * shows itself only in a run that has one.
 */
const inboundKindArb: fc.Arbitrary<InboundKind> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant('text' as const) },
  { weight: 7, arbitrary: fc.constantFrom<InboundKind>(...inboundKinds) },
);

/**
 * What a run with repeated texts has its plain-text messages say; a scene's messages say the first.
 */
const repeatedPhrases: readonly string[] = Object.freeze(['hi', 'ok', 'thanks']);

/** Inbound messages arriving together (one `messages.upsert`). */
const batchArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 5, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) },
);

/**
 * The faults of `faults` that generate, weighted for standalone steps or for scenes; `only`: just
 * these kinds, with these weights instead.
 */
function faultStepArb(
  faults: FaultRegistry,
  weightOf: 'stepWeight' | 'sceneWeight',
  only?: ReadonlyMap<string, number>,
): fc.Arbitrary<FaultStep> {
  const choices = faults.modules.flatMap((m) => {
    if (m.generate === undefined || (only !== undefined && !only.has(m.kind))) return [];
    const step =
      weightOf === 'sceneWeight' ? (m.generate.sceneStep ?? m.generate.step) : m.generate.step;
    const weight = only?.get(m.kind) ?? m.generate[weightOf];
    return [{ weight, arbitrary: step as fc.Arbitrary<FaultStep> }];
  });
  return fc.oneof({ withCrossShrink: true }, ...choices);
}

/**
 * The faults a finale scene lines up, with their weights: those whose trouble outlasts them (a
 * stuck write's 408, a stalled query's timeout, connects refused or hanging, a dropped
 * connection): what a path does about them shows once the network healed, and the heal follows a
 * finale scene at once. A stuck write most: rc14 never writes its frame, so only the heal rule
 * tells a path that waits for a new socket after its 408 (outages refuse and blackhole too).
 */
const finaleSceneWeights: ReadonlyMap<string, number> = new Map([
  ['drop', 6],
  ['stuckWrites', 8],
  ['stallQueries', 2],
  ['refuseConnects', 1],
  ['blackhole', 1],
  ['upgradeRejected', 1],
]);

const withGap = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T & { gapMs: number }> =>
  fc.tuple(gapArb, arb).map(([gapMs, step]) => ({ gapMs, ...step }));

const burstArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.integer({ min: 2, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 4, max: generatorLimits.burstMax }) },
);

/**
 * Scenes; `only`: the fault kinds their faults are drawn from, with their weights (default: every
 * kind that generates, with its scene weight).
 */
function sceneArb(faults: FaultRegistry, only?: ReadonlyMap<string, number>): fc.Arbitrary<Scene> {
  return fc.record({
    gapMs: gapArb,
    do: fc.constant('scene' as const),
    chat: fc.nat(generatorLimits.chatsMax - 1),
    replyDelayMs: fc.oneof(
      { withCrossShrink: true },
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 0, max: 30_000 }),
    ),
    replies: burstArb,
    spacingMs: fc.integer({ min: 0, max: 300 }),
    media: fc.boolean(),
    fault: faultStepArb(faults, 'sceneWeight', only),
    // Mostly within a few hundred ms of the first reply: in flight, or inside a close-notice gap.
    faultOffsetMs: fc.oneof(
      { withCrossShrink: true },
      { weight: 3, arbitrary: fc.integer({ min: -300, max: 300 }) },
      { weight: 2, arbitrary: fc.integer({ min: -3000, max: 2000 }) },
    ),
    // Four scenes in five: runs with two chats where one's reply meets the other's fault were too
    // rare.
    bystander: fc.option(
      fc.record({
        chatOffset: fc.integer({ min: 1, max: generatorLimits.chatsMax - 1 }),
        delayMs: fc.integer({ min: 0, max: 5000 }),
      }),
      {
        nil: undefined,
        freq: 5,
      },
    ),
    // Within the half minute in which a silent link still takes writes unnoticed.
    followUpMs: fc.option(fc.integer({ min: 0, max: 15_000 }), { nil: undefined, freq: 5 }),
  });
}

const momentArb: fc.Arbitrary<Moment> = fc.constantFrom(...moments);

/** True in three draws of four (shrinks to false). */
const threeInFour: fc.Arbitrary<boolean> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(false) },
  { weight: 3, arbitrary: fc.constant(true) },
);

/** Mostly a quick restart; sometimes the bot is down for up to a minute (messages pile up). */
const downMsArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 2000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 60_000 }) },
);

const restartStepArb: fc.Arbitrary<RestartStep> = fc.record({
  gapMs: gapArb,
  do: fc.constant('restart' as const),
  chat: fc.nat(generatorLimits.chatsMax - 1),
  moment: momentArb,
  permille: fc.integer({ min: 0, max: 1000 }),
  downMs: downMsArb,
  offline: fc.integer({ min: 0, max: 2 }),
  lostReceipts: threeInFour,
});

/**
 * A run's finale (see {@link Finale}), in two runs of three. Outages are spread evenly up to ten
 * minutes: the whole length matters (where a growing backoff stands when the network is back).
 */
function finaleArb(faults: FaultRegistry): fc.Arbitrary<Finale | undefined> {
  const outage: fc.Arbitrary<OutageFinale> = fc.record({
    do: fc.constant('outage' as const),
    chat: fc.nat(generatorLimits.chatsMax - 1),
    via: fc.constantFrom('refuse' as const, 'blackhole' as const),
    // Unbiased: where a growing backoff stands when the network is back depends on the whole
    // length.
    forMs: fc.noBias(fc.integer({ min: 60_000, max: generatorLimits.outageMsMax })),
    replyDelaysMs: fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 3 }),
    offline: fc.boolean(),
  });
  const stop: fc.Arbitrary<StopFinale> = fc.record({
    do: fc.constant('stop' as const),
    chat: fc.nat(generatorLimits.chatsMax - 1),
    moment: momentArb,
    permille: fc.integer({ min: 0, max: 1000 }),
  });
  const lingers = faults.modules.some((m) => m.generate && finaleSceneWeights.has(m.kind));
  const lingering = lingers ? finaleSceneWeights : undefined;
  const scene: fc.Arbitrary<SceneFinale> = sceneArb(faults, lingering).map((s) => ({
    do: 'scene' as const,
    scene: lasting(s, baileysDefaults.connectTimeoutMs),
  }));
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: scene },
    { weight: 3, arbitrary: outage },
    { weight: 1, arbitrary: stop },
  );
}

/**
 * `scene` with its fault lasting at least `minMs` (a fault step with a `forMs`): a finale's
 * lingering fault must still be there when the scene's sends meet it.
 */
function lasting(scene: Scene, minMs: number): Scene {
  const fault = scene.fault as FaultStep & { forMs?: number };
  return fault.forMs === undefined || fault.forMs >= minMs
    ? scene
    : { ...scene, fault: { ...fault, forMs: minMs } as FaultStep };
}

function stepArb(faults: FaultRegistry): fc.Arbitrary<Step> {
  const standalone = faults.modules.flatMap((m) =>
    m.generate === undefined
      ? []
      : [
          {
            weight: m.generate.stepWeight,
            arbitrary: withGap(m.generate.step as fc.Arbitrary<FaultStep>),
          },
        ],
  );
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 7, arbitrary: sceneArb(faults) },
    {
      weight: 3,
      arbitrary: fc.record({
        gapMs: gapArb,
        do: fc.constant('inbound' as const),
        chat: fc.nat(generatorLimits.chatsMax - 1),
        kind: inboundKindArb,
        batch: batchArb,
        phrase: fc.nat(repeatedPhrases.length - 1),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        gapMs: gapArb,
        do: fc.constant('reply' as const),
        back: backArb,
        media: fc.boolean(),
        count: burstArb,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ gapMs: gapArb, do: fc.constant('composing' as const), back: backArb }),
    },
    // A restart shows a path's memory (handed ids, a backoff timer left behind) only at the
    // right moment with the right receipts lost: three in a hundred steps were too few.
    { weight: 3, arbitrary: restartStepArb },
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
  /** Restarts placed so far (at most `generatorLimits.restartsMax`). */
  restarts: number;
  /** When the latest restart's downtime ends: the run's stop may not come before it. */
  restartedUntil: number;
  /** When the run's episode ends (0: none): the run's stop may not come before it either. */
  episodeUntil: number;
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
  /**
   * The requests the send path can be asked for (default: all three kinds). `reply` is always
   * asked.
   */
  requests?: readonly RequestKind[];
}

/**
 * Turns settings + steps into a valid timeline. Pure; exported for tests and the bench. A fault
 * whose swarm kind the run switched off is left out (a scene then has no fault).
 */
export function toTimeline(
  seed: number,
  settings: SwarmSettings,
  steps: readonly Step[],
  faults: FaultRegistry = builtInFaults,
  options: ToTimelineOptions = {},
): Timeline {
  const requests = options.requests;
  const ctx: BuildContext = {
    settings,
    faults,
    media: requests?.includes('sendMedia') ?? true,
    composing: requests?.includes('composing') ?? true,
  };
  const build: Build = {
    ...{ events: [], inbound: [], inboundCount: 0, at: 0, replies: 0 },
    ...{ restarts: 0, restartedUntil: 0, episodeUntil: 0 },
  };
  if (settings.faults['latency'] && settings.latencyMs > 0)
    build.events.push({ at: 0, do: 'latency', ms: settings.latencyMs });
  if (settings.episode !== undefined) addEpisode(build, ctx, settings.episode);
  for (const step of steps) {
    build.at += step.gapMs;
    if (step.do === 'scene') addScene(build, ctx, step);
    else if (step.do === 'restart') addRestart(build, ctx, step);
    else addStep(build, ctx, step);
  }
  const healAt = settings.finale === undefined ? undefined : addFinale(build, ctx, settings.finale);
  // Companion events may lie ahead of later steps: a stable sort puts them in place.
  build.events.sort((a, b) => a.at - b.at);
  build.at = build.events.reduce((latest, e) => Math.max(latest, e.at), build.at);
  // An outage finale is about the path coming back after it: a stop part-way would hide that.
  if (
    settings.stopAtPermille !== undefined &&
    settings.finale?.do !== 'stop' &&
    settings.finale?.do !== 'outage'
  )
    addStop(build, settings.stopAtPermille);
  addHeal(build, healAt ?? build.at + generatorLimits.healAfterMs);
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
function addTurn(
  sub: Build,
  ctx: BuildContext,
  chat: number,
  inboundAt: number,
  replyAt: number,
): void {
  sub.at = inboundAt;
  addStep(sub, ctx, { gapMs: 0, do: 'inbound', chat, kind: 'text', batch: 1, phrase: 0 });
  sub.at = replyAt;
  addStep(sub, ctx, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 });
}

/** Adds a scene's events in time order; returns when its fault came. */
function addScene(build: Build, ctx: BuildContext, scene: Scene): number {
  const start = build.at;
  const inboundAt = build.at;
  const sub: Build = { ...build, events: [] };
  addStep(sub, ctx, {
    gapMs: 0,
    do: 'inbound',
    chat: scene.chat,
    kind: 'text',
    batch: 1,
    phrase: 0,
  });
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
  if (scene.followUpMs !== undefined)
    addTurn(sub, ctx, scene.chat, inboundAt, faultAt + scene.followUpMs);
  if (scene.bystander !== undefined) {
    // Always another chat when the run has more than one.
    const others = Math.max(1, ctx.settings.chats - 1);
    addTurn(
      sub,
      ctx,
      scene.chat + 1 + ((scene.bystander.chatOffset - 1) % others),
      inboundAt,
      firstReplyAt + scene.bystander.delayMs,
    );
  }
  // Stable sort: same-time events keep their order (inbound before its replies).
  mergeSub(build, sub, start);
  return faultAt;
}

function addStep(build: Build, ctx: BuildContext, step: Exclude<Step, Scene | RestartStep>): void {
  const { at } = build;
  switch (step.do) {
    case 'inbound':
      return addInbound(build, ctx, step);
    case 'reply':
      return addReplies(build, ctx.media ? step : { ...step, media: false });
    case 'composing': {
      if (!ctx.composing) return;
      const target =
        build.inbound[build.inbound.length - 1 - (step.back % Math.max(1, build.inbound.length))];
      if (target) build.events.push({ at, do: 'composing', to: target.msg });
      return;
    }
    default:
      addFault(build, ctx, step);
  }
}

/**
 * Adds the event of a generated fault at `build.at` (with its companions), unless the run switched
 * its kind off.
 */
function addFault(build: Build, ctx: BuildContext, step: FaultStep, companions = true): void {
  const module = ctx.faults.get(step.do);
  if (module?.generate === undefined)
    throw new Error(`generator: no fault module generates "${step.do}"`);
  const { settings } = ctx;
  const chats = {
    name: (index: number) => chatName(index, settings),
    hasInboundFrom: (name: string) =>
      build.inbound.some((m) => chatName(m.chat, settings) === name),
  };
  const event = module.generate.toEvent(step, build.at, chats);
  const kind = module.coverage?.kindOf(event);
  if (kind !== undefined && !settings.faults[kind]) return;
  build.events.push(event as TimelineEvent);
  if (!companions) return;
  for (const companion of module.generate.companions?.(step, build.at) ?? []) {
    const companionKind = ctx.faults.swarmKindOf(companion);
    if (companionKind === undefined || settings.faults[companionKind])
      build.events.push(companion as TimelineEvent);
  }
}

/**
 * A `stop` at `permille` of the span so far, after the events of that instant (later events still
 * happen); never before a restart's downtime ended (a restart after the stop would be no restart)
 * nor inside the episode (which a stop would cut short).
 */
function addStop(build: Build, permille: number): void {
  const at = Math.round((build.at * permille) / 1000);
  addAfter(build, { at: Math.max(at, build.restartedUntil, build.episodeUntil), do: 'stop' });
}

/** The heal at `at`, after every fault: a finale's heal may come before its last replies. */
function addHeal(build: Build, at: number): void {
  addAfter(build, { at, do: 'heal' });
}

/** Inserts `event` after the events of its instant, in time order. */
function addAfter(build: Build, event: TimelineEvent): void {
  let index = build.events.length;
  while (index > 0 && build.events[index - 1]!.at > event.at) index -= 1;
  build.events.splice(index, 0, event);
}

/** The timing a moment is planned from: the run's own settings. */
function momentTiming(settings: SwarmSettings): MomentTiming {
  const latencyMs = settings.faults['latency'] && settings.latencyMs > 0 ? settings.latencyMs : 10;
  return { reconnect: settings.reconnect, latencyMs, socket: settings.socket };
}

/** Adds a planned moment's faults (each left out when the run switched its kind off). */
function addMomentFaults(
  build: Build,
  ctx: BuildContext,
  faults: ReturnType<typeof planMoment>['faults'],
): void {
  for (const fault of faults) {
    build.at = fault.at;
    addFault(build, ctx, fault.step as FaultStep);
  }
}

/**
 * A restart step: a message answered, the bot stopped at the step's moment and restarted after
 * its downtime, messages that came meanwhile answered by the new path. Past the run's restart
 * limit (or in a run without restarts) only the messages and replies remain.
 */
function addRestart(build: Build, ctx: BuildContext, step: RestartStep): void {
  const start = build.at;
  const sub: Build = { ...build, events: [] };
  const replyAt = start + 300;
  // The receipt of the step's message never reaches the server: it comes again at the next login.
  if (step.lostReceipts)
    addFault(sub, ctx, { do: 'receiptsLost', forMs: 1000, dropAfterMs: 0 }, false);
  addTurn(sub, ctx, step.chat, start, replyAt);
  // After the reply's write (two device queries first, on a socket new to the chat).
  const plan = planMoment(
    step.moment,
    step.permille / 1000,
    replyAt + 4 * momentTiming(ctx.settings).latencyMs + 300,
    momentTiming(ctx.settings),
  );
  addMomentFaults(sub, ctx, plan.faults);
  const restarting = ctx.settings.restarts && build.restarts < generatorLimits.restartsMax;
  const haltAt = Math.max(plan.haltAt, build.restarts === 0 ? 0 : build.restartedUntil + 1);
  if (restarting) {
    sub.events.push(
      step.downMs === 0
        ? { at: haltAt, do: 'restart' }
        : { at: haltAt, do: 'restart', downMs: step.downMs },
    );
    sub.restarts += 1;
    sub.restartedUntil = haltAt + step.downMs;
  }
  for (let i = 0; i < step.offline; i += 1) {
    // Arrives while the bot is down; answered once the new path handed it over.
    const arriveAt = haltAt + Math.floor((step.downMs * (i + 1)) / (step.offline + 1));
    addTurn(sub, ctx, step.chat + i, arriveAt, haltAt + step.downMs + 1000 * (i + 1));
  }
  mergeSub(build, sub, start);
}

/**
 * Adds a sub-build's events (sorted, stable) to `build`, with its counters; `build.at` moves to its
 * last event.
 */
function mergeSub(build: Build, sub: Build, start: number): void {
  const events = sub.events.sort((a, b) => a.at - b.at);
  build.events.push(...events);
  build.inbound = sub.inbound;
  build.inboundCount = sub.inboundCount;
  build.replies = sub.replies;
  build.restarts = sub.restarts;
  build.restartedUntil = sub.restartedUntil;
  build.at = events.reduce((latest, e) => Math.max(latest, e.at), start);
}

/**
 * When the faults so far are over, aftermath included: windows ended, a silent link's close and
 * reconnect done (each fault module's own `aftermathUntil`, or the end of its band).
 */
function quietFrom(build: Build, ctx: BuildContext): number {
  let quietAt = build.restartedUntil;
  for (const event of build.events) {
    const module = ctx.faults.get(event.do);
    if (module === undefined) continue;
    quietAt = Math.max(
      quietAt,
      event.at,
      module.aftermathUntil?.(event) ?? 0,
      module.draw.untilAt?.(event) ?? 0,
    );
  }
  return quietAt;
}

/**
 * Adds the run's episode, before its steps (see `episodes.ts`): no earlier fault can leave the bot
 * logged out, its link dead or a send of a step still under way when the episode needs it.
 */
function addEpisode(build: Build, ctx: BuildContext, episode: Episode): void {
  build.at += generatorLimits.healAfterMs;
  if (episode.do === 'lateRetry') addLateRetry(build, ctx, episode);
  else if (episode.do === 'groupRefusal') addGroupRefusal(build, ctx, episode);
  else addHungUpload(build, ctx, episode);
  build.episodeUntil = build.at;
}

/**
 * A late retry receipt on a newer socket: a message answered into its chat, the recipient unable
 * to decrypt the reply, the socket that wrote it lost once a correct path confirmed the write,
 * the retry receipt after that, and one more message in the chat answered once it came.
 */
function addLateRetry(build: Build, ctx: BuildContext, episode: LateRetryEpisode): void {
  const start = build.at;
  const sub: Build = { ...build, events: [] };
  const plan = planLateRetry(episode, start, momentTiming(ctx.settings));
  const { chat } = episode;
  addInbound(sub, ctx, { gapMs: 0, do: 'inbound', chat, kind: 'text', batch: 1, phrase: 0 });
  sub.at = plan.faultAt;
  const { retryAfterMs } = plan;
  addFault(sub, ctx, { do: 'undecryptable', chat, retryAfterMs, dropBeforeRetryMs: undefined });
  sub.at = plan.replyAt;
  addReplies(sub, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 });
  addNewSocket(sub, ctx, episode, plan.lossAt);
  // Its message came with the first (a silent link delivers none); its reply goes into the link.
  if (plan.followUpAt !== undefined) addTurn(sub, ctx, chat, start, plan.followUpAt);
  const afterAt = Math.max(plan.retryAt, quietFrom(sub, ctx)) + generatorLimits.healAfterMs;
  addTurn(sub, ctx, chat, afterAt, afterAt + generatorLimits.healAfterMs);
  mergeSub(build, sub, start);
}

/** The drop that loses the writer's socket, per way to a newer socket. */
const dropReasonOf = {
  reset: 'connectionReset',
  silent: 'connectionLost',
  restartRequired: 'restartRequired',
  restart: 'connectionReset',
} as const satisfies Record<LateRetryEpisode['via'], string>;

/** The bot comes to a newer socket at `at` as the episode says (a reset when it cannot restart). */
function addNewSocket(sub: Build, ctx: BuildContext, episode: LateRetryEpisode, at: number): void {
  const { restarts, restartedUntil } = sub;
  const canRestart = restarts < generatorLimits.restartsMax && at > restartedUntil;
  if (episode.via === 'restart' && ctx.settings.restarts && canRestart) {
    const { downMs } = episode;
    sub.events.push(downMs === 0 ? { at, do: 'restart' } : { at, do: 'restart', downMs });
    sub.restarts += 1;
    sub.restartedUntil = at + downMs;
    return;
  }
  sub.at = at;
  addFault(sub, ctx, { do: 'drop', reason: dropReasonOf[episode.via], noticeMs: undefined });
}

/**
 * A group's refusal: a message in the group chat (the run's last), its metadata query refused
 * while the bot answers it, and one more message in the group answered once the refusal and a
 * confirmation window after the replies' outcome are over.
 */
function addGroupRefusal(build: Build, ctx: BuildContext, episode: GroupRefusalEpisode): void {
  const start = build.at;
  const sub: Build = { ...build, events: [] };
  const group = ctx.settings.chats - 1;
  const plan = planGroupRefusal(episode, start, momentTiming(ctx.settings));
  addInbound(sub, ctx, { gapMs: 0, do: 'inbound', chat: group, kind: 'text', batch: 1, phrase: 0 });
  sub.at = plan.refusedAt;
  const { forMs, reason } = episode;
  addFault(sub, ctx, { do: 'queryRejects', forMs, reason, chat: group });
  for (const at of plan.replyAts) {
    sub.at = at;
    addReplies(sub, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 });
  }
  addTurn(sub, ctx, group, plan.afterAt, plan.afterAt + generatorLimits.healAfterMs);
  mergeSub(build, sub, start);
}

/**
 * A hung upload: a message answered with media while the media host takes uploads and never
 * answers, a text reply to it later (queued behind it in its chat), and a message of the chat
 * answered once a correct path has given the media reply up.
 */
function addHungUpload(build: Build, ctx: BuildContext, episode: HungUploadEpisode): void {
  const start = build.at;
  const sub: Build = { ...build, events: [] };
  const { settings } = ctx;
  const plan = planHungUpload(episode, start, momentTiming(settings), settings.replyDeadlineMs);
  const { chat } = episode;
  addInbound(sub, ctx, { gapMs: 0, do: 'inbound', chat, kind: 'text', batch: 1, phrase: 0 });
  sub.at = plan.hangsAt;
  const hangs = { do: 'mediaFails', forMs: plan.hangsForMs, stage: 'uploadHangs' } as const;
  addFault(sub, ctx, hangs);
  sub.at = plan.mediaAt;
  addReplies(sub, { gapMs: 0, do: 'reply', back: 0, media: ctx.media, count: 1 });
  sub.at = plan.followUpAt;
  addReplies(sub, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 });
  const afterAt = plan.overAt + generatorLimits.healAfterMs;
  addTurn(sub, ctx, chat, afterAt, afterAt + generatorLimits.healAfterMs);
  mergeSub(build, sub, start);
}

/**
 * Adds the run's finale after its steps, once their faults are over (a finale meant to show what
 * a path does about one more fault is no use on a link still dead from an earlier one); returns
 * when the heal comes, if the finale decides it.
 */
function addFinale(build: Build, ctx: BuildContext, finale: Finale): number | undefined {
  const lastAt = build.events.reduce((latest, e) => Math.max(latest, e.at), build.at);
  build.at = Math.max(lastAt, quietFrom(build, ctx)) + generatorLimits.healAfterMs;
  switch (finale.do) {
    case 'scene': {
      // The heal waits out a write timeout after the fault: a lingering fault bites before the
      // heal ends it (a stuck write's 408 comes connectTimeoutMs after the write).
      const faultAt = addScene(build, ctx, { ...finale.scene, gapMs: 0 });
      const lastAt = build.events.reduce((latest, e) => Math.max(latest, e.at), build.at);
      return Math.max(
        lastAt + generatorLimits.healAfterMs,
        faultAt + baileysDefaults.connectTimeoutMs,
      );
    }
    case 'outage':
      return addOutage(build, ctx, finale);
    case 'stop':
      addStopMoment(build, ctx, finale);
      return undefined;
  }
}

/**
 * The faults of an outage of `forMs`, of the kinds the run has on (none if it has neither way):
 * the connection lost (reset, or gone silent) and connects refused, or a blackhole.
 */
function outageFaults(finale: OutageFinale, on: SwarmSettings['faults']): FaultStep[] {
  const lost: FaultStep | undefined = on['drop']
    ? { do: 'drop', reason: 'connectionReset', noticeMs: undefined }
    : on['silentDrop']
      ? { do: 'drop', reason: 'connectionLost', noticeMs: undefined }
      : undefined;
  const refuse: FaultStep[] =
    on['refuseConnects'] && lost !== undefined
      ? [lost, { do: 'refuseConnects', forMs: finale.forMs }]
      : [];
  const dark: FaultStep[] = on['blackhole'] ? [{ do: 'blackhole', forMs: finale.forMs }] : [];
  if (finale.via === 'refuse') return refuse.length > 0 ? refuse : dark;
  return dark.length > 0 ? dark : refuse;
}

/**
 * Time a correct path may take to be back after the network healed: the longest backoff, a connect
 * given up, 10 s.
 */
function reconnectAllowanceMs(settings: SwarmSettings): number {
  const { maxMs, jitter } = settings.reconnect;
  return (
    Math.ceil(maxMs * (1 + jitter)) + connectWatchdogMs(socketTimingsOf(settings.socket)) + 10_000
  );
}

/**
 * A long outage: a message answered, the connection lost and connects refused (or the network
 * dark) for `forMs`, replies to the message asked once the network is back, as soon as their
 * deadline outlasts a correct path's reconnect (a reply that could not be sent in time whatever
 * the path did shows nothing), a message that came during it answered once it reached the bot.
 * The heal comes when the outage ends.
 */
function addOutage(build: Build, ctx: BuildContext, finale: OutageFinale): number {
  const start = build.at;
  const sub: Build = { ...build, events: [] };
  addTurn(sub, ctx, finale.chat, start, start + 200);
  const target = sub.inbound[sub.inbound.length - 1]!;
  const downAt = start + 1000;
  const endAt = downAt + finale.forMs;
  for (const step of outageFaults(finale, ctx.settings.faults)) {
    sub.at = downAt;
    addFault(sub, ctx, step);
  }
  const judgedFromAt = Math.max(
    endAt,
    endAt + reconnectAllowanceMs(ctx.settings) - ctx.settings.replyDeadlineMs,
  );
  for (const delayMs of finale.replyDelaysMs) {
    sub.at = judgedFromAt + delayMs;
    addReplies(sub, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 }, target);
  }
  if (finale.offline)
    addTurn(sub, ctx, finale.chat + 1, downAt + Math.floor(finale.forMs / 2), endAt + 5000);
  mergeSub(build, sub, start);
  return endAt;
}

/** The run's stop at a moment of a reconnect, with a reply in progress through it. */
function addStopMoment(build: Build, ctx: BuildContext, finale: StopFinale): void {
  const start = build.at;
  const sub: Build = { ...build, events: [] };
  const replyAt = start + 300;
  addTurn(sub, ctx, finale.chat, start, replyAt);
  const target = sub.inbound[sub.inbound.length - 1]!;
  const timing = momentTiming(ctx.settings);
  const plan = planMoment(
    finale.moment,
    finale.permille / 1000,
    replyAt + 4 * timing.latencyMs + 300,
    timing,
  );
  addMomentFaults(sub, ctx, plan.faults);
  // A reply asked while the path reconnects: it waits, and the stop must settle it.
  sub.at = Math.max(replyAt, Math.floor((replyAt + plan.haltAt) / 2));
  addReplies(sub, { gapMs: 0, do: 'reply', back: 0, media: false, count: 1 }, target);
  sub.events.push({ at: Math.max(plan.haltAt, build.restartedUntil), do: 'stop' });
  mergeSub(build, sub, start);
}

/**
 * One inbound message, or a batch arriving together; plain text unless the run has variety. A
 * plain text says its phrase in a run with repeated texts (the simulator's own distinct text
 * otherwise).
 */
function addInbound(build: Build, ctx: BuildContext, step: Extract<Step, { do: 'inbound' }>): void {
  const chat = chatName(step.chat, ctx.settings);
  const { groupChat, chats } = ctx.settings;
  const inGroup = groupChat === true && chats >= 2 && chat === chatName(chats - 1, ctx.settings);
  const drawn = ctx.settings.inboundVariety ? step.kind : 'text';
  const kind = inGroup && drawn === 'text' ? 'group' : drawn;
  const writesText = kind === 'text' || kind === 'group';
  const text =
    writesText && ctx.settings.texts === 'repeated'
      ? repeatedPhrases[step.phrase % repeatedPhrases.length]
      : undefined;
  for (let i = 0; i < step.batch; i += 1) {
    build.inboundCount += 1;
    const msg = `m${build.inboundCount}`;
    if (answerableInboundKinds.has(kind)) build.inbound.push({ msg, chat: step.chat });
    const base = {
      at: build.at,
      do: 'inbound' as const,
      chat,
      msg,
      ...(text === undefined ? {} : { text }),
    };
    // A group's members take turns: a reply meant for the group can be sent to one of them.
    const participant = `p${1 + (build.inboundCount % 3)}`;
    if (kind === 'text') build.events.push(base);
    else build.events.push(kind === 'group' ? { ...base, kind, participant } : { ...base, kind });
  }
}

function addReplies(
  build: Build,
  step: Extract<Step, { do: 'reply' }>,
  to?: { msg: string },
): void {
  if (build.inbound.length === 0) return; // nothing to answer yet
  const target =
    to ?? build.inbound[build.inbound.length - 1 - (step.back % build.inbound.length)]!;
  for (let i = 0; i < step.count; i += 1) {
    build.replies += 1;
    const key = `r${build.replies}`;
    build.events.push(
      step.media
        ? { at: build.at, do: 'sendMedia', to: target.msg, key, kind: 'image', bytes: 1024 }
        : { at: build.at, do: 'reply', to: target.msg, key },
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
  const build: ToTimelineOptions =
    options.requests === undefined ? {} : { requests: options.requests };
  // Switched off after the draw, so the same seed draws the same runs with or without it.
  const swarm =
    faultsOff.length === 0
      ? settings
      : settings.map((s) => ({ ...s, faults: withFaultsOff(s.faults, faultsOff) }));
  return fc
    .tuple(
      fc.nat(0xffff_ffff),
      swarm,
      fc.array(stepArb(faults), { minLength: options.stepsMin ?? 1, maxLength: stepsMax }),
    )
    .map(([seed, settings, steps]) => ({
      seed,
      settings,
      steps,
      timeline: toTimeline(seed, settings, steps, faults, build),
    }));
}

function withFaultsOff(
  faults: SwarmSettings['faults'],
  off: readonly FaultKind[],
): SwarmSettings['faults'] {
  const out = { ...faults };
  for (const kind of off) out[kind] = false;
  return out;
}

/** Generated timelines only. */
export function timelineArb(options: TimelineArbOptions = {}): fc.Arbitrary<Timeline> {
  return runArb(options).map((run) => run.timeline);
}
