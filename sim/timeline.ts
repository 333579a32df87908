/**
 * The `baileys-sim/timeline@1` format (docs/ARCHITECTURE.md, "Timelines"): a seed, the send path's
 * config and a list of timed events. Loading validates the shape with zod and then the cross-event
 * rules (time order, references, uniqueness). Every problem is one line naming the place:
 * `events[3].to: ...`.
 */
import { z } from 'zod';
import { reconnectAttemptsLimit } from '../src/reconnectPolicy.js';
import { builtInFaults, type FaultEvent, type FaultRegistry } from './faults/index.js';
import { seedMax } from './random.js';
import {
  atSchema,
  chatNameSchema,
  delayMsSchema,
  refNameSchema,
  timelineLimits,
} from './timelineAtoms.js';
import { ChatJids, memberJid } from './chatJids.js';
import { inboundKinds } from './inboundKinds.js';

export { answerableInboundKinds, inboundKinds } from './inboundKinds.js';

export { timelineLimits } from './timelineAtoms.js';

/** The format tag every timeline carries. */
export const timelineFormat = 'baileys-sim/timeline@1';

const botEventSchemas = {
  inbound: z.strictObject({
    at: atSchema,
    do: z.literal('inbound'),
    chat: chatNameSchema,
    msg: refNameSchema,
    text: z.string().max(timelineLimits.textLengthMax).optional(),
    kind: z.enum(inboundKinds).optional(),
    participant: refNameSchema.optional(),
  }),
  reply: z.strictObject({
    at: atSchema,
    do: z.literal('reply'),
    to: refNameSchema,
    key: refNameSchema,
  }),
  sendMedia: z.strictObject({
    at: atSchema,
    do: z.literal('sendMedia'),
    to: refNameSchema,
    key: refNameSchema,
    kind: z.enum(['image', 'document']),
    bytes: z.int().min(0).max(timelineLimits.mediaBytesMax).optional(),
  }),
  composing: z.strictObject({ at: atSchema, do: z.literal('composing'), to: refNameSchema }),
  stop: z.strictObject({ at: atSchema, do: z.literal('stop') }),
  restart: z.strictObject({
    at: atSchema,
    do: z.literal('restart'),
    downMs: delayMsSchema.optional(),
  }),
};

/** The kinds of event the harness acts out itself (the bot's side, and `stop`). */
export type BotEventKind = keyof typeof botEventSchemas;

/** Key order per bot event kind when serialising (stable output, `at` and `do` first). */
const botEventKeyOrder: Record<BotEventKind, readonly string[]> = {
  inbound: ['at', 'do', 'chat', 'msg', 'text', 'kind', 'participant'],
  reply: ['at', 'do', 'to', 'key'],
  sendMedia: ['at', 'do', 'to', 'key', 'kind', 'bytes'],
  composing: ['at', 'do', 'to'],
  stop: ['at', 'do'],
  restart: ['at', 'do', 'downMs'],
};

/**
 * Every event kind a registry's timelines accept: the bot's actions, the network's events, `stop`.
 */
function eventKindsOf(faults: FaultRegistry): string[] {
  return ['inbound', 'reply', 'sendMedia', 'composing', ...faults.kinds, 'stop', 'restart'];
}

/** Every built-in event kind (`do`), in the order error messages list them. */
export const eventKinds: readonly string[] = Object.freeze(eventKindsOf(builtInFaults));

/** Options of {@link parseTimeline} and {@link serializeTimeline}. */
export interface TimelineOptions {
  /** The network event kinds to accept (default: the built-in {@link builtInFaults}). */
  faults?: FaultRegistry;
}

/** One event kind. */
export type EventKind = BotEventKind | FaultEvent['do'];

const socketTimingSchema = z.int().min(1).max(timelineLimits.socketTimingMsMax);

/**
 * A send path's settings: its reconnect policy, its reply deadline and (optional) the Baileys
 * socket timings it passes to `makeWASocket`. A timeline carries them as `config`; a send path
 * module may declare its own with the same schema (see `SendPathSettings`).
 */
export const timelineConfigSchema = z.strictObject({
  reconnect: z.strictObject({
    initialMs: z.int().min(0).max(timelineLimits.reconnectDelayMsMax),
    maxMs: z.int().min(0).max(timelineLimits.reconnectDelayMsMax),
    factor: z.number().min(1).max(timelineLimits.reconnectFactorMax),
    jitter: z.number().min(0).max(1),
    maxAttempts: z.int().min(1).max(reconnectAttemptsLimit),
  }),
  replyDeadlineMs: z.int().min(1).max(timelineLimits.replyDeadlineMsMax),
  /** The Baileys socket options the path runs with (rc14's defaults where absent). */
  socket: z
    .strictObject({
      keepAliveIntervalMs: socketTimingSchema.optional(),
      connectTimeoutMs: socketTimingSchema.optional(),
      defaultQueryTimeoutMs: socketTimingSchema.optional(),
    })
    .optional(),
});

/** The rules of a config zod cannot see; `place` prefixes each problem (`config`). */
export function configIssues(
  config: { reconnect?: { initialMs: number; maxMs: number } },
  place: string,
): string[] {
  const reconnect = config.reconnect;
  if (reconnect === undefined || reconnect.maxMs >= reconnect.initialMs) return [];
  return [
    `${place}.reconnect.maxMs: must be >= initialMs (${reconnect.maxMs} < ${reconnect.initialMs})`,
  ];
}

/** Formats a zod issue of a config (or any value) as the one-line problems timelines report. */
export function formatConfigIssues(issues: readonly z.core.$ZodIssue[], place: string): string[] {
  return issues.flatMap((issue) => formatIssue(issue, place));
}

const headSchema = z.strictObject({
  format: z.literal(timelineFormat),
  seed: z.int().min(0).max(seedMax),
  config: timelineConfigSchema,
  events: z.array(z.unknown()).max(timelineLimits.eventsMax),
});

/**
 * `inbound`: a message arrives from user `chat`; `msg` names it for later events. `kind` (default
 * `text`) says what it is (see `InboundKind`): a `group` kind makes `chat` a group chat. In a
 * group chat, `participant` names the member who wrote it (members are numbered per group by
 * first appearance; without it, the group's member 0). Inbound events at the same time that
 * reach the same socket come in one `messages.upsert`.
 */
export type InboundEvent = z.infer<typeof botEventSchemas.inbound>;
/** `reply`: the bot replies (text) to inbound `to`; `key` is the logical reply's unique name. */
export type ReplyEvent = z.infer<typeof botEventSchemas.reply>;
/** `sendMedia`: the bot sends media in reply to inbound `to`. */
export type SendMediaEvent = z.infer<typeof botEventSchemas.sendMedia>;
/** `composing`: the bot shows "typing…" in the chat of inbound `to`. */
export type ComposingEvent = z.infer<typeof botEventSchemas.composing>;
/** `stop`: the harness stops the send path now; later events still happen (at most one `stop`). */
export type StopEvent = z.infer<typeof botEventSchemas.stop>;

/**
 * `restart`: the bot's process restarts. The harness stops the path (`stop()`), and once that
 * settled and `downMs` (default 0) passed since `at`, builds a new path from the factory with the
 * same ports, the same store and the same WhatsApp session, and starts it: messages that came
 * meanwhile wait on the server and arrive at its first login. An as-written module is stopped,
 * `reset()` and started again. At most `restartsMax` per timeline, none after the `stop` and none
 * while the bot is still down from the previous one.
 */
export type RestartEvent = z.infer<typeof botEventSchemas.restart>;

/** An event the harness acts out itself. */
export type BotEvent =
  InboundEvent | ReplyEvent | SendMediaEvent | ComposingEvent | StopEvent | RestartEvent;

/** One timeline event: the bot's, or the network's (see `sim/faults/`). */
export type TimelineEvent = BotEvent | FaultEvent;

/** A send path's settings carried by the timeline (the path sees them as `env.config`). */
export type TimelineConfig = z.infer<typeof timelineConfigSchema>;

/**
 * The settings a send path module may declare as its own (`export const sendPathSettings`): any
 * of a timeline's `config` fields, each as the config has it. Declared fields are used, as
 * given, by every generated timeline; the rest are generated. Besides them, how the harness
 * plays the bot: `repliesPerChatMax`.
 */
export type SendPathSettings = Partial<TimelineConfig> & {
  /**
   * Requests of one chat the bot takes at once: 1 for a bot that answers one message at a time
   * per chat, awaiting each reply before the next. The harness then calls a chat's next `reply`
   * only once one under way settled (`SimulateOptions.repliesPerChatMax`). Default: no limit.
   */
  repliesPerChatMax?: number;
};

/** A validated timeline. */
export interface Timeline {
  format: typeof timelineFormat;
  /** Root seed of every random stream of the run (unsigned 32-bit). */
  seed: number;
  config: TimelineConfig;
  events: TimelineEvent[];
}

/** A timeline failed validation. `issues` lists every problem, one line each. */
export class TimelineError extends Error {
  override readonly name = 'TimelineError';
  /** One line per problem: `<place>: <what is wrong>`. */
  readonly issues: readonly string[];

  /** Builds the error from its problem lines (at least one). */
  constructor(issues: readonly string[]) {
    const shown = issues.slice(0, timelineLimits.issuesMax);
    const more = issues.length - shown.length;
    super(more > 0 ? [...shown, `... and ${more} more`].join('\n') : shown.join('\n'));
    this.issues = issues;
  }
}

/**
 * Validates a timeline given as parsed JSON or as JSON text. Returns a fresh, validated copy;
 * throws {@link TimelineError} listing every problem found.
 */
export function parseTimeline(input: unknown, options: TimelineOptions = {}): Timeline {
  const faults = options.faults ?? builtInFaults;
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input) as unknown;
    } catch (error) {
      throw new TimelineError([`timeline: not valid JSON (${(error as Error).message})`]);
    }
  }
  if (!isPlainObject(json)) {
    throw new TimelineError([`timeline: expected an object, got ${describe(json)}`]);
  }
  const issues: string[] = [];
  const head = headSchema.safeParse(json, { reportInput: true });
  if (!head.success) {
    for (const issue of head.error.issues) issues.push(...formatIssue(issue, ''));
    throw new TimelineError(issues);
  }
  issues.push(...configIssues(head.data.config, 'config'));
  const events: TimelineEvent[] = [];
  head.data.events.forEach((raw, index) => {
    const event = parseEvent(raw, `events[${index}]`, issues, faults);
    if (event !== undefined) events.push(event);
  });
  if (issues.length === 0) checkCrossEvent(events, issues, faults);
  if (issues.length > 0) throw new TimelineError(issues);
  return { format: timelineFormat, seed: head.data.seed, config: head.data.config, events };
}

function parseEvent(
  raw: unknown,
  place: string,
  issues: string[],
  faults: FaultRegistry,
): TimelineEvent | undefined {
  if (!isPlainObject(raw)) {
    issues.push(`${place}: expected an object, got ${describe(raw)}`);
    return undefined;
  }
  const kind = raw['do'];
  if (kind === undefined) {
    issues.push(`${place}.do: required`);
    return undefined;
  }
  const schema =
    typeof kind === 'string' ? (faults.get(kind)?.schema ?? botSchemaOf(kind)) : undefined;
  if (schema === undefined) {
    issues.push(
      `${place}.do: unknown event ${describe(kind)} (expected one of: ` +
        `${eventKindsOf(faults).join(', ')})`,
    );
    return undefined;
  }
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(...formatIssue(issue, place));
    return undefined;
  }
  return result.data as TimelineEvent;
}

function botSchemaOf(kind: string): z.ZodType | undefined {
  return Object.hasOwn(botEventSchemas, kind) ? botEventSchemas[kind as BotEventKind] : undefined;
}

/** The rules zod cannot see: order in time, references between events, uniqueness. */
function checkCrossEvent(
  events: readonly TimelineEvent[],
  issues: string[],
  faults: FaultRegistry,
): void {
  const inboundIndex = new Map<string, number>();
  const inboundChats = new Set<string>();
  const keyIndex = new Map<string, number>();
  const groups = groupChats(events);
  for (const event of events) if (event.do === 'inbound') inboundChats.add(event.chat);
  let stopIndex = -1;
  const restarts = { count: 0, index: -1, downUntil: -1 };
  let previousAt = 0;
  events.forEach((event, index) => {
    const place = `events[${index}]`;
    if (event.at < previousAt)
      issues.push(`${place}.at: time goes backwards (${event.at} < ${previousAt})`);
    previousAt = Math.max(previousAt, event.at);
    switch (event.do) {
      case 'inbound': {
        const first = inboundIndex.get(event.msg);
        if (first !== undefined)
          issues.push(`${place}.msg: duplicate msg "${event.msg}" (first at events[${first}])`);
        else inboundIndex.set(event.msg, index);
        if (event.participant !== undefined && !groups.has(event.chat)) {
          issues.push(
            `${place}.participant: "${event.participant}" writes in chat "${event.chat}", ` +
              'which is not a group (no inbound of kind "group" in it)',
          );
        }
        break;
      }
      case 'reply':
      case 'sendMedia':
      case 'composing': {
        if (!inboundIndex.has(event.to)) {
          issues.push(
            `${place}.to: ${event.do} to unknown message "${event.to}" (no earlier ` +
              `inbound with msg "${event.to}")`,
          );
        }
        if (event.do !== 'composing') {
          const first = keyIndex.get(event.key);
          if (first !== undefined)
            issues.push(`${place}.key: duplicate key "${event.key}" (first at events[${first}])`);
          else keyIndex.set(event.key, index);
        }
        break;
      }
      case 'stop':
        if (stopIndex >= 0)
          issues.push(`${place}.do: a second "stop" (the first is events[${stopIndex}])`);
        else stopIndex = index;
        break;
      case 'restart':
        issues.push(...restartIssues(event, place, stopIndex, restarts));
        restarts.count += 1;
        restarts.index = index;
        restarts.downUntil = Math.max(restarts.downUntil, event.at + (event.downMs ?? 0));
        break;
      default:
        for (const issue of faults.get(event.do)?.check?.(event as never, { inboundChats }) ?? [])
          issues.push(`${place}.${issue}`);
    }
  });
}

/** What is wrong with a `restart` at `place`, given the `stop` and the restarts before it. */
function restartIssues(
  event: RestartEvent,
  place: string,
  stopIndex: number,
  before: { count: number; index: number; downUntil: number },
): string[] {
  if (stopIndex >= 0)
    return [
      `${place}.do: a "restart" after the "stop" (events[${stopIndex}]): the bot is ` +
        `stopped for good`,
    ];
  if (before.count >= timelineLimits.restartsMax)
    return [`${place}.do: more than ${timelineLimits.restartsMax} restarts`];
  if (event.at <= before.downUntil) {
    return [
      `${place}.at: restart while the bot is still down from events[${before.index}] ` +
        `(until ${before.downUntil} ms, that instant included)`,
    ];
  }
  return [];
}

/**
 * Stable, pretty JSON: fixed key order, two-space indent, one event per line. Round-trips:
 * `parseTimeline(serializeTimeline(t))` deep-equals `t`.
 */
export function serializeTimeline(timeline: Timeline, options: TimelineOptions = {}): string {
  const faults = options.faults ?? builtInFaults;
  const { reconnect, replyDeadlineMs, socket } = timeline.config;
  const config = {
    reconnect: {
      initialMs: reconnect.initialMs,
      maxMs: reconnect.maxMs,
      factor: reconnect.factor,
      jitter: reconnect.jitter,
      maxAttempts: reconnect.maxAttempts,
    },
    replyDeadlineMs,
    socket: socket && {
      keepAliveIntervalMs: socket.keepAliveIntervalMs,
      connectTimeoutMs: socket.connectTimeoutMs,
      defaultQueryTimeoutMs: socket.defaultQueryTimeoutMs,
    },
  };
  const configText = JSON.stringify(config, null, 2).replace(/\n/g, '\n  ');
  const eventLines = timeline.events.map((event) => '    ' + serializeEvent(event, faults));
  return [
    '{',
    `  "format": ${JSON.stringify(timeline.format)},`,
    `  "seed": ${JSON.stringify(timeline.seed)},`,
    `  "config": ${configText},`,
    eventLines.length === 0 ? '  "events": []' : `  "events": [\n${eventLines.join(',\n')}\n  ]`,
    '}',
    '',
  ].join('\n');
}

function serializeEvent(event: TimelineEvent, faults: FaultRegistry): string {
  const record = event as unknown as Record<string, unknown>;
  const keyOrder = faults.get(event.do)?.keyOrder ?? botEventKeyOrder[event.do as BotEventKind];
  if (keyOrder === undefined)
    throw new Error(`serializeTimeline: unknown event kind "${event.do}"`);
  const parts: string[] = [];
  for (const key of keyOrder) {
    const value = record[key];
    if (value !== undefined) parts.push(`${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  }
  return `{ ${parts.join(', ')} }`;
}

/**
 * The timeline's chats and their JIDs (`chatJids.ts`), numbered by first appearance among its
 * inbound events: the first chat is `15550000001@s.whatsapp.net`, the second `15550000002@...`;
 * a chat with a `group` inbound is a group, `120363000000000001@g.us`, ... (its members write
 * from their own JIDs).
 */
export function timelineChats(timeline: Timeline): ChatJids {
  const chats = new ChatJids();
  const groups = groupChats(timeline.events);
  for (const event of timeline.events) {
    if (event.do === 'inbound') chats.of(event.chat, groups.has(event.chat));
  }
  return chats;
}

/** Chat name to JID, as {@link timelineChats} numbers them. */
export function chatJids(timeline: Timeline): Map<string, string> {
  return timelineChats(timeline).byChat();
}

/** The chats with an inbound of kind `group`: group chats. */
function groupChats(events: readonly TimelineEvent[]): Set<string> {
  const groups = new Set<string>();
  for (const event of events) {
    if (event.do === 'inbound' && event.kind === 'group') groups.add(event.chat);
  }
  return groups;
}

/**
 * The members of each group chat: group JID to its members' JIDs by participant name, numbered
 * per group by first appearance from 1 (`memberJid`); messages that name no participant come
 * from member 0. The first JID of each group is its first writer's.
 */
export function groupMemberJids(
  timeline: Timeline,
  jids: ReadonlyMap<string, string> = chatJids(timeline),
): Map<string, Map<string, string>> {
  const members = new Map<string, Map<string, string>>();
  for (const event of timeline.events) {
    if (event.do !== 'inbound') continue;
    const groupJid = jids.get(event.chat);
    if (groupJid === undefined || !groupJid.endsWith('@g.us')) continue;
    let byName = members.get(groupJid);
    if (byName === undefined) members.set(groupJid, (byName = new Map()));
    const name = event.participant ?? '';
    if (byName.has(name)) continue;
    const named = [...byName.keys()].filter((n) => n !== '').length;
    byName.set(name, memberJid(groupJid, name === '' ? 0 : named + 1));
  }
  return members;
}

type ZodIssue = z.core.$ZodIssue;

function formatIssue(issue: ZodIssue, prefix: string): string[] {
  const place = formatPath(prefix, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${place ? place + '.' : ''}${key}: unknown field`);
  }
  return [formatOneIssue(issue, place)];
}

function formatOneIssue(issue: ZodIssue, place: string): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `${place || 'timeline'}: required`;
      return (
        `${place}: expected ` +
        `${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}, got ` +
        `${describe(input)}`
      );
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'string') {
        return (
          `${place}: must have at least ${issue.minimum} ` +
          `${issue.origin === 'array' ? 'items' : 'characters'}`
        );
      }
      return (
        `${place}: must be ${issue.inclusive === false ? '>' : '>='} ${issue.minimum}, got ` +
        `${describe(input)}`
      );
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'string') {
        return (
          `${place}: must have at most ${issue.maximum} ` +
          `${issue.origin === 'array' ? 'items' : 'characters'}`
        );
      }
      return (
        `${place}: must be ${issue.inclusive === false ? '<' : '<='} ${issue.maximum}, got ` +
        `${describe(input)}`
      );
    case 'invalid_value':
      return (
        `${place}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ` +
        `${describe(input)}`
      );
    case 'invalid_format':
      return `${place}: ${issue.message}, got ${describe(input)}`;
    default:
      return `${place || 'timeline'}: ${issue.message}`;
  }
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value);
      return text.length > 42 ? text.slice(0, 40) + '…"' : text;
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
