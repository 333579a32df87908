/**
 * What a fault kind is: one module (`sim/faults/<kind>.ts`) holds everything about it — the
 * timeline schema of its event and the key order it is written in, the rules zod cannot see,
 * how it acts on the fake network, how it reads in text and is drawn in the HTML report, how
 * fault coverage counts it, and how fast-check generates it. The registry (`./index.ts`) lists
 * the modules; everything else (timeline parsing, the simulator, the generator, coverage,
 * reports) reads them from there, so a kind cannot be half added.
 */
import type fc from 'fast-check';
import type { z } from 'zod';
import type { History, SessionRecord } from '../history.js';
import type { DropReason } from '../../src/dropFacts.js';
import type { RuleStages } from './ruleStages.js';

/** Every fault event: a time and a kind. */
export interface FaultEventBase<K extends string = string> {
  at: number;
  do: K;
}

/** A generated fault before it has a time (a step of the generator, relative to its place). */
export interface FaultStepBase<K extends string = string> {
  do: K;
}

/**
 * How the server ends a connection: FIN, RST, a WebSocket close frame, or an RST the bot's
 * process has not read yet (`rstUnread`: its writes fail until it does).
 */
export type CutKind = 'fin' | 'rst' | 'rstUnread' | 'wsClose';

/** One connection (connecting or open) as a fault sees it. */
export interface FaultLink {
  /** Whether the socket is open (logged in) rather than still connecting. */
  readonly open: boolean;
  /**
   * The server closes the TCP connection (FIN or RST) or the WebSocket (a close frame without a
   * code); the bot hears it `noticeMs` later (default: the one-way latency).
   */
  cut(kind: CutKind, noticeMs: number | undefined): void;
  /**
   * The server sends `error` as a stream error (or stream end): Baileys ends the socket with it.
   */
  streamError(error: Error, dropReason: DropReason): void;
  /** The link goes silent until `resumeAt` (virtual ms), until `heal`, or for good (`never`). */
  silence(resumeAt: number | 'heal' | 'never'): void;
}

/**
 * The fake network as a fault acts on it. Rules added here last until `heal` (which also
 * restores the base latency and resumes links silenced until `heal`).
 */
export interface FaultTarget {
  /** Virtual time now, ms. */
  now(): number;
  /** The JID of a timeline chat name (undefined for a chat no inbound came from). */
  jidOf(chat: string): string | undefined;
  /** Every connection that is connecting or open now (a silent one included). */
  connectingOrOpenLinks(): FaultLink[];
  /** Every connection that is open now (a silent one included). */
  openLinks(): FaultLink[];
  /** The account's session on the server (a logout or a takeover from outside changes it). */
  readonly session: SessionRecord;
  /**
   * Adds rules at the network's decision points, one per stage named: `{ write: (send) => ... }`.
   * Each stage is a hook of {@link RuleStages}, whose doc names where the socket asks it.
   */
  addRules(rules: Partial<RuleStages>): void;
  /** One-way latency from now on, ms. */
  setLatencyMs(ms: number): void;
  /** Removes every rule, restores the base latency, resumes links silenced until `heal`. */
  heal(): void;
}

/** What a fault's cross-event checks may ask about the rest of the timeline. */
export interface TimelineFacts {
  /** Chats some `inbound` event comes from (anywhere in the timeline). */
  inboundChats: ReadonlySet<string>;
}

/** How the HTML report draws a fault event on the faults lane. */
export interface FaultDrawing<E> {
  /** `band`: a span from `at` to `untilAt(event)`; `tick`: a mark at `at`. */
  shape: 'band' | 'tick';
  /** Colour class: a fault, a slowdown, or the network getting well. */
  tone: 'fault' | 'slow' | 'heal';
  /** The short tag drawn next to a tick. */
  label(event: E): string;
  /** End of a band, ms. */
  untilAt?(event: E): number;
}

/** How campaigns count and switch a fault: its swarm kinds (on/off per run) and when it fired. */
export interface FaultCoverageRule<E> {
  /** Swarm kinds this fault's events fall into, each with the chance a run switches it on. */
  swarm: Readonly<Record<string, fc.Arbitrary<boolean>>>;
  /** The swarm kind of one event (a key of `swarm`). */
  kindOf(event: E): string;
  /** Whether the event took effect in the run (default: its time came before the run ended). */
  fired?(event: E, history: History): boolean;
  /**
   * Whether the fault mattered: the send path had to survive it (default: a reply was in progress
   * when it hit, or was requested within a few seconds after; see
   * `properties/judging/coverage.ts`).
   */
  mattered?(event: E, history: History): boolean;
}

/** How fast-check generates a fault: an abstract step (relative times) and its event. */
export interface FaultGenerator<E, S> {
  step: fc.Arbitrary<S>;
  /** Weight among standalone generator steps. */
  stepWeight: number;
  /** Weight among the faults a scene lines up with a reply. */
  sceneWeight: number;
  /**
   * What a scene places this fault near: its first reply (default), or the message it answers
   * (for faults about what arrives, like lost receipts).
   */
  sceneAnchor?: 'firstReply' | 'inbound';
  /** A scene's replies are media sends: the fault shows on nothing else (media failures). */
  sceneMedia?: true;
  /**
   * The step a scene lines up with its reply, when it differs from a standalone one (default
   * `step`).
   */
  sceneStep?: fc.Arbitrary<S>;
  /**
   * The event for `step` at time `at`; `chats` names chat indexes as the generated timeline does.
   */
  toEvent(step: S, at: number, chats: GeneratedChats): E;
  /**
   * Events of other kinds the generator lines up with this one, when this fault only matters in
   * their company (lost receipts matter once the connection goes). Each is still left out when
   * the run switched its own kind off.
   */
  companions?(step: S, at: number): FaultEventBase[];
}

/** Chat naming while a timeline is generated. */
export interface GeneratedChats {
  /** Timeline chat name of chat index `index`. */
  name(index: number): string;
  /** Whether an inbound from chat `name` was generated already. */
  hasInboundFrom(name: string): boolean;
}

/** Everything about one network event kind. `E` is its event, `S` its generator step. */
export interface FaultModule<
  K extends string = string,
  E extends FaultEventBase<K> = FaultEventBase<K>,
  S extends FaultStepBase<K> = FaultStepBase<K>,
> {
  readonly kind: K;
  /** One line for README, docs and `--help`: what the network does. */
  readonly summary: string;
  /** False for `heal`: it changes the network, but for the better. */
  readonly isFault: boolean;
  /** zod schema of the event (strict: unknown fields are errors). */
  readonly schema: z.ZodType<E>;
  /** Key order when a timeline is written (`at` and `do` first). */
  readonly keyOrder: readonly string[];
  /** Problems zod cannot see, as `field: what is wrong` (the caller adds the event's place). */
  check?(event: E, facts: TimelineFacts): string[];
  /** Acts on the network when the event fires. */
  apply(event: E, target: FaultTarget): void;
  /**
   * Until when the run must go on after this event for a path to recover what it caused
   * (virtual ms); the harness does not call a run settled before. Absent: the event's own time.
   */
  aftermathUntil?(event: E): number;
  /** One short line: `drop connectionLost`, `refuseConnects until 6000 ms`. */
  describe(event: E): string;
  readonly draw: FaultDrawing<E>;
  /** Absent for events that are not faults (`heal`). */
  readonly coverage?: FaultCoverageRule<E>;
  /** Absent for events the generator places itself (`heal`). */
  readonly generate?: FaultGenerator<E, S>;
}

/**
 * A module of any kind, as the registry holds it. Its event and step types are erased: the
 * registry hands each module only events it validated with that module's own schema (`any`,
 * not `unknown`: a module's `apply` takes its own event type, which `unknown` would not accept).
 */
export type AnyFaultModule = FaultModule<string, any, any>;

/** The event type of a module. */
export type EventOf<M> = M extends FaultModule<string, infer E, FaultStepBase> ? E : never;

/** The generator step type of a module. */
export type StepOf<M> = M extends FaultModule<string, FaultEventBase, infer S> ? S : never;

/** Checks a module's shape where it is written (the identity function, typed). */
export function defineFault<
  K extends string,
  E extends FaultEventBase<K>,
  S extends FaultStepBase<K>,
>(module: FaultModule<K, E, S>): FaultModule<K, E, S> {
  return module;
}
