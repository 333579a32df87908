/**
 * The fidelity scenario format: a short, timed script of client actions (what a send path does
 * with its Baileys socket) and server / network faults, plus the socket settings. The same
 * scenario runs on real rc14 against the loopback server (`realRunner.ts`) and on the simulator
 * (`fakeRunner.ts`); both yield a normalized trace (`trace.ts`).
 *
 * Plain data, validated by {@link parseScenario}: every problem is one line naming the place
 * (`steps[3].at: ...`).
 */
import { z } from 'zod';

/** Limits: scenarios are short by design (the real side runs on the wall clock). */
const scenarioLimits = Object.freeze({
  stepsMax: 100,
  /** Latest step or end time: two minutes. */
  atMsMax: 120_000,
  /** Connects per scenario, scripted and automatic together. */
  connectsMax: 10,
});

const name = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, "_" or "-"');
const at = z.int().min(0).max(scenarioLimits.atMsMax);

/**
 * Socket settings, scaled down where Baileys allows (`Defaults/index.js` gives 30 s, 20 s, 60 s).
 */
const socketSchema = z.strictObject({
  /**
   * `startKeepAliveRequest` (Socket/socket.js): a ping every interval; ends the socket after
   * interval + 5 s of silence
   */
  keepAliveIntervalMs: z.int().min(100).max(60_000),
  /**
   * ws `handshakeTimeout` (Socket/Client/websocket.js) and the write timeout of `sendRawMessage`
   */
  connectTimeoutMs: z.int().min(100).max(60_000),
  /** `waitForMessage` (Socket/socket.js): how long a query waits for its answer */
  defaultQueryTimeoutMs: z.int().min(100).max(60_000),
});

const streamErrorKinds = [
  'conflict',
  'restartRequired',
  'deviceRemoved',
  'unknown',
  'serviceUnavailable',
] as const;

const connectPlan = z.union([
  z.literal('closeOnAccept'),
  z.literal('hang'),
  z.strictObject({ failure: z.int().min(100).max(999).nullable() }),
  z.strictObject({ upgradeStatus: z.int().min(300).max(599) }),
  /** the handshake completes (the WebSocket is open), `<success>` comes this much later */
  z.strictObject({ loginDelayMs: z.int().min(1).max(60_000) }),
]);

const stepSchemas = {
  // ---- client actions (the scripted send path) ----
  connect: z.strictObject({ at, do: z.literal('connect') }),
  send: z.strictObject({
    at,
    do: z.literal('send'),
    key: name,
    chat: name.optional(),
    media: z.literal('document').optional(),
    /**
     * bytes of text (default a short line); large texts fill the kernel buffers of a silent link
     */
    textBytes: z.int().min(1).max(64_000_000).optional(),
  }),
  end: z.strictObject({ at, do: z.literal('end') }),
  /** `sendPresenceUpdate('composing', jid)`; `noJid`: with no jid at all */
  presence: z.strictObject({
    at,
    do: z.literal('presence'),
    key: name,
    chat: name.optional(),
    noJid: z.literal(true).optional(),
  }),
  // ---- server / network faults ----
  inbound: z.strictObject({
    at,
    do: z.literal('inbound'),
    msg: name,
    chat: name.optional(),
    receiptLost: z.literal(true).optional(),
    /**
     * in a group chat (`group…`): the member who wrote it (`p1`, `p2`: the group's members in
     * order)
     */
    participant: z.enum(['p1', 'p2']).optional(),
  }),
  silence: z.strictObject({ at, do: z.literal('silence') }),
  /** the newest connection's silent link comes back */
  resume: z.strictObject({ at, do: z.literal('resume') }),
  terminate: z.strictObject({ at, do: z.literal('terminate') }),
  /**
   * `unread`: the reset reaches the client just before the send at the same time, in the same
   * turn of its event loop, so the send writes into a connection whose RST is not read yet.
   */
  reset: z.strictObject({ at, do: z.literal('reset'), unread: z.literal(true).optional() }),
  wsClose: z.strictObject({ at, do: z.literal('wsClose') }),
  streamEnd: z.strictObject({ at, do: z.literal('streamEnd') }),
  streamError: z.strictObject({ at, do: z.literal('streamError'), kind: z.enum(streamErrorKinds) }),
  nextConnect: z.strictObject({ at, do: z.literal('nextConnect'), plan: connectPlan }),
  refuse: z.strictObject({ at, do: z.literal('refuse'), untilAt: at }),
  blackhole: z.strictObject({ at, do: z.literal('blackhole'), untilAt: at }),
  stallIq: z.strictObject({ at, do: z.literal('stallIq'), iq: z.enum(['usync', 'media_conn']) }),
  nackNext: z.strictObject({
    at,
    do: z.literal('nackNext'),
    error: z.string().regex(/^[0-9]{3}$/, 'must be a 3-digit code'),
  }),
  ackDelay: z.strictObject({
    at,
    do: z.literal('ackDelay'),
    ms: z.int().min(0).max(scenarioLimits.atMsMax),
  }),
  latency: z.strictObject({ at, do: z.literal('latency'), ms: z.int().min(0).max(10_000) }),
  /** `upload: hang`: the media host reads the upload and never answers */
  media: z.strictObject({
    at,
    do: z.literal('media'),
    conn: z.enum(['answer', 'hold', 'error']),
    upload: z.enum(['ok', 'fail', 'hang']),
  }),
  /**
   * from now on the recipient's phone sends a delivery and/or read receipt this long after each
   * message frame
   */
  receipts: z.strictObject({
    at,
    do: z.literal('receipts'),
    deliveryMs: z.int().min(0).max(10_000).optional(),
    readMs: z.int().min(0).max(10_000).optional(),
  }),
  /**
   * the recipient cannot decrypt the next message frame: its retry receipt comes `afterMs` after
   * the frame arrived
   */
  retryNext: z.strictObject({
    at,
    do: z.literal('retryNext'),
    afterMs: z.int().min(0).max(scenarioLimits.atMsMax),
  }),
  /** from now on group metadata queries are never answered (`hold`) or answered 403 `forbidden` */
  groupMetadata: z.strictObject({
    at,
    do: z.literal('groupMetadata'),
    answer: z.enum(['hold', 'forbidden']),
  }),
  /** from now on usync queries are answered 429 `rate-overlimit` */
  usyncRateLimited: z.strictObject({ at, do: z.literal('usyncRateLimited') }),
  /**
   * from now on the chat's contact has a device the bot has no session with, and its key fetch is
   * never answered
   */
  keyFetchHold: z.strictObject({ at, do: z.literal('keyFetchHold'), chat: name.optional() }),
} as const;

/** Every step kind, client actions first. */
const stepKinds = Object.freeze(Object.keys(stepSchemas) as (keyof typeof stepSchemas)[]);
/** One step kind. */
type StepKind = (typeof stepKinds)[number];
/** Steps the scripted send path performs; every other kind is a server / network fault. */
export const clientStepKinds: ReadonlySet<StepKind> = new Set<StepKind>([
  'connect',
  'send',
  'end',
  'presence',
]);

/** One timed step. */
export type Step = { [K in StepKind]: z.infer<(typeof stepSchemas)[K]> }[StepKind];
/** A step of kind `K`. */
export type StepOf<K extends StepKind> = Extract<Step, { do: K }>;
/** A client action. */
type ClientStep = StepOf<'connect' | 'send' | 'end' | 'presence'>;
/** A server / network fault. */
export type FaultStep = Exclude<Step, ClientStep>;
/** The socket settings of a scenario. */
type SocketSettings = z.infer<typeof socketSchema>;

/** The steps of a scenario about messages: inbound ones, and what happens to a send. */
export type MessageStep = Extract<
  FaultStep,
  {
    do:
      | 'inbound'
      | 'stallIq'
      | 'nackNext'
      | 'ackDelay'
      | 'media'
      | 'receipts'
      | 'retryNext'
      | 'groupMetadata'
      | 'usyncRateLimited'
      | 'keyFetchHold';
  }
>;

const headSchema = z.strictObject({
  name,
  socket: socketSchema,
  /** after every close the script did not cause itself, connect again after `delayMs` */
  reconnect: z.strictObject({ delayMs: z.int().min(0).max(60_000) }).optional(),
  /**
   * the path's first listener of this event throws (once, on the first `connection: 'open'` for
   * connection.update)
   */
  listenerThrows: z.enum(['connection.update', 'messages.upsert']).optional(),
  /** more `makeWASocket` settings (Baileys' defaults: both true) */
  socketConfig: z
    .strictObject({
      markOnlineOnConnect: z.boolean().optional(),
      emitOwnEvents: z.boolean().optional(),
    })
    .optional(),
  /** the path passes `getMessage` (its sent messages by id) in the socket config */
  getMessage: z.literal(true).optional(),
  /** the script stops observing here; what happens later is not part of the trace */
  endAt: at,
  steps: z.array(z.unknown()).min(1).max(scenarioLimits.stepsMax),
});

/** A validated scenario. */
export interface Scenario {
  name: string;
  socket: SocketSettings;
  reconnect?: { delayMs: number };
  listenerThrows?: 'connection.update' | 'messages.upsert';
  socketConfig?: { markOnlineOnConnect?: boolean; emitOwnEvents?: boolean };
  getMessage?: true;
  endAt: number;
  steps: Step[];
}

/** A scenario failed validation; `issues` has one line per problem. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(issues.join('\n'));
    this.issues = issues;
  }
}

/** Validates a scenario given as data; returns a typed copy or throws {@link ScenarioError}. */
export function parseScenario(input: unknown): Scenario {
  const head = headSchema.safeParse(input);
  if (!head.success)
    throw new ScenarioError(
      head.error.issues.map((i) => `${place(i.path) || 'scenario'}: ${i.message}`),
    );
  const where = head.data.name;
  const issues: string[] = [];
  const steps: Step[] = [];
  head.data.steps.forEach((raw, index) => {
    const step = parseStep(raw, `${where}: steps[${index}]`, issues);
    if (step) steps.push(step);
  });
  if (issues.length === 0) checkSteps(steps, head.data.endAt, where, issues);
  if (issues.length > 0) throw new ScenarioError(issues);
  const scenario: Scenario = {
    name: head.data.name,
    socket: head.data.socket,
    endAt: head.data.endAt,
    steps,
  };
  if (head.data.reconnect) scenario.reconnect = head.data.reconnect;
  if (head.data.listenerThrows) scenario.listenerThrows = head.data.listenerThrows;
  if (head.data.socketConfig) scenario.socketConfig = head.data.socketConfig;
  if (head.data.getMessage) scenario.getMessage = true;
  return scenario;
}

function parseStep(raw: unknown, where: string, issues: string[]): Step | undefined {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { do?: unknown }).do : undefined;
  if (typeof kind !== 'string' || !(kind in stepSchemas)) {
    issues.push(
      `${where}.do: unknown step ${JSON.stringify(kind)} (expected one of: ` +
        `${stepKinds.join(', ')})`,
    );
    return undefined;
  }
  const result = stepSchemas[kind as StepKind].safeParse(raw);
  if (!result.success) {
    for (const i of result.error.issues)
      issues.push(`${where}${place(i.path) ? '.' + place(i.path) : ''}: ${i.message}`);
    return undefined;
  }
  return result.data as Step;
}

/** Order in time, a connect before any other client action, unique names, windows that end. */
function checkSteps(steps: readonly Step[], endAt: number, where: string, issues: string[]): void {
  let previousAt = 0;
  let connected = false;
  let connects = 0;
  const keys = new Set<string>();
  const msgs = new Set<string>();
  steps.forEach((step, index) => {
    const here = `${where}: steps[${index}]`;
    if (step.at < previousAt)
      issues.push(`${here}.at: time goes backwards (${step.at} < ${previousAt})`);
    previousAt = Math.max(previousAt, step.at);
    if (step.at > endAt) issues.push(`${here}.at: after endAt (${step.at} > ${endAt})`);
    if (step.do === 'connect') {
      connected = true;
      if (++connects > scenarioLimits.connectsMax)
        issues.push(`${here}: more than ${scenarioLimits.connectsMax} connects`);
    }
    if ((step.do === 'send' || step.do === 'end' || step.do === 'presence') && !connected)
      issues.push(`${here}.do: "${step.do}" before any "connect"`);
    if (step.do === 'send' || step.do === 'presence') {
      if (keys.has(step.key)) issues.push(`${here}.key: duplicate key "${step.key}"`);
      keys.add(step.key);
    }
    if (step.do === 'inbound') {
      if (msgs.has(step.msg)) issues.push(`${here}.msg: duplicate msg "${step.msg}"`);
      msgs.add(step.msg);
    }
    if ((step.do === 'refuse' || step.do === 'blackhole') && step.untilAt < step.at) {
      issues.push(`${here}.untilAt: before at (${step.untilAt} < ${step.at})`);
    }
    if (
      step.do === 'reset' &&
      step.unread &&
      !steps.some((s) => s.do === 'send' && s.at === step.at)
    ) {
      issues.push(`${here}.unread: an unread reset needs a send at the same time (${step.at})`);
    }
  });
}

function place(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

/** The chat a step addresses (`peer` unless named). */
export function chatOf(step: { chat?: string | undefined }): string {
  return step.chat ?? 'peer';
}

/**
 * A chat named `newsletter…` is a newsletter (`…@newsletter`): rc14 sends newsletter messages as
 * `<plaintext>` (`relayMessage`, `Socket/messages-send.js`), so their frames grow with the text,
 * while a 1:1 frame to a peer with no devices carries no content at all.
 */
export function newsletterJid(chat: string): string | undefined {
  return chat.startsWith('newsletter')
    ? `1203630000000000${String(chat.length).padStart(2, '0')}@newsletter`
    : undefined;
}

/**
 * A chat named `group…` is a group (`…@g.us`): a send to it first asks the server for the
 * group's metadata (`groupMetadata`, `Socket/groups.js`), every time; its members are
 * {@link groupMemberJids}.
 */
export function groupJid(chat: string): string | undefined {
  return chat.startsWith('group')
    ? `1203630000000009${String(chat.length).padStart(2, '0')}@g.us`
    : undefined;
}

/** The two members of every scenario group (`p1`, `p2`), by phone number. */
export const groupMemberJids = Object.freeze([
  '15550000801@s.whatsapp.net',
  '15550000802@s.whatsapp.net',
]);

/** The chats a scenario uses, in order of first use. */
export function scenarioChats(scenario: Scenario): string[] {
  const chats: string[] = [];
  for (const step of scenario.steps) {
    if (
      (step.do === 'send' || step.do === 'inbound' || step.do === 'keyFetchHold') &&
      !chats.includes(chatOf(step))
    )
      chats.push(chatOf(step));
  }
  return chats;
}
