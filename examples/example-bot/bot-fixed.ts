/**
 * `bot.ts` with its bugs fixed: the same bot (its session in a folder, the latest version, cached
 * signal keys, one `ev.process` batch handler, `console.log` when online), changed where it went
 * wrong:
 *
 * - replies leave through an outbox, not the closure's `sock`: each attempt takes the socket live
 *   at that moment, waiting (one shared wait) through a reconnect, never past the reply's
 *   deadline; one message id per reply, reused on every attempt, so WhatsApp shows it once; one
 *   lane per chat, in the order asked; a reply written on a connection that dies within the time
 *   a dead link takes to be noticed is sent again (same id) on the next one;
 * - `notify` and `append` upserts are both answered, each message once (ids remembered), never
 *   the bot's own echoes, reactions or status broadcasts;
 * - 401, 403 and 440 end the session for good; any other close reconnects after a backoff with
 *   jitter, a bounded number of times; a connect that never completes is given up;
 * - a send the server refused as over its rate limit (Boom 500, `data` 429: nothing written) waits,
 *   doubling, before it asks again, never past the reply's deadline;
 * - a group send refused because the bot is no longer in the group (Boom 500, `data` 403:
 *   nothing written) ends the reply: asking again cannot change it;
 * - what it wrote is kept (bounded) for Baileys' `getMessage`: a recipient that could not decrypt a
 *   message asks for it again, and after a reconnect only `getMessage` can answer; the newest
 *   written messages and handed ids are kept in a store that outlives the process, so a restart
 *   neither answers a redelivered message twice nor leaves a late retry receipt unanswered;
 * - a close the bot asked for (its stop) is not reconnected; stop settles every reply and takes its
 *   handler off the socket, whose close may come 30 s after a restarted bot took over.
 *
 * The last section is the glue baileys-sim needs: the three exports it calls.
 */
import makeWASocket, {
  BufferJSON,
  DisconnectReason,
  fetchLatestBaileysVersion,
  generateMessageIDV2,
  makeCacheableSignalKeyStore,
  useMultiFileAuthState,
  type BaileysEventMap,
  type proto,
  type WAMessage,
  type WAMessageKey,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { AsWrittenHost, AsWrittenMessage, KeyValueStore } from 'baileys-sim';
import { pino } from 'pino';

const logger = pino({ level: 'silent' });

/** The settings the bot runs with, declared so the audit judges it by them. */
export const sendPathSettings = {
  replyDeadlineMs: 120_000,
  reconnect: { initialMs: 2000, maxMs: 30_000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
  socket: { keepAliveIntervalMs: 30_000, connectTimeoutMs: 20_000 },
};
const { replyDeadlineMs, reconnect, socket: timings } = sendPathSettings;
/**
 * A dead link is noticed within two keep-alive intervals + 5 s, its close comes ws's 30 s later: a
 * write older than that was delivered.
 */
const confirmWindowMs = 2 * timings.keepAliveIntervalMs + 5000 + 30_000 + 5000;
const attemptsMax = 8;
/** The first wait after a rate-limit refusal, doubled on each one after. */
const rateLimitPauseMs = 5000;
const rateOverlimitCode = 429;
/** A group send refused because the bot is no longer in the group (`forbidden`). */
const notInGroupCode = 403;
const seenMax = 10_000;
const terminalCodes = new Set<number>([
  DisconnectReason.loggedOut,
  DisconnectReason.forbidden,
  DisconnectReason.connectionReplaced,
]);

/** What the bot does with a message it answers: think, then reply. */
type Brain = (message: AsWrittenMessage) => void;
let brain: Brain = (message) => {
  setTimeout(() => void message.reply(`you said: ${message.text}`).catch(() => undefined), 1000);
};

const statusCode = (error: unknown) =>
  (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
const ambiguous = (error: Error) =>
  Object.assign(new Error(`may have been sent: ${error.message}`), { ambiguous: true });
const textOf = (msg: WAMessage): string =>
  msg.message?.conversation ??
  msg.message?.extendedTextMessage?.text ??
  msg.message?.imageMessage?.caption ??
  '';

// ---- the connection ----------------------------------------------------------------------
interface Live {
  socket: WASocket;
  generation: number;
}
interface Waiter {
  after: number;
  deadlineAt: number;
  resolve(live: Live): void;
  reject(error: Error): void;
}

let live: Live | undefined;
let current: WASocket | undefined;
/** Removes the bot's handler from the newest socket. */
let detach: (() => void) | undefined;
let generation = 0;
let closedThrough = 0;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
let watchdog: ReturnType<typeof setTimeout> | undefined;
let reconnectAttempts = 0;
let terminal: Error | undefined;
let stopping = false;
let waiters: Waiter[] = [];
let waiterTimer: ReturnType<typeof setTimeout> | undefined;
let waiterTimerAt = Infinity;
const seen = new Set<string>();
/** What the bot wrote, by message id (the newest `seenMax`), for a recipient's retry receipt. */
const sentMessages = new Map<string, proto.IMessage>();
const getMessage = async (key: WAMessageKey): Promise<proto.IMessage | undefined> =>
  sentMessages.get(key.id ?? '');
/** Where handed ids and written messages outlive the process, and how many of each it keeps. */
let store: KeyValueStore | undefined;
const storeKey = 'example-bot/state';
const persistedMax = 100;
/** The store write under way, and whether another must follow it. */
let persisting: Promise<void> | undefined;
let persistAgain = false;
/** Rate-limit waits under way (at most one per chat): stop ends them. */
const pauses = new Set<() => void>();
/**
 * Settles when the newest socket's close is heard: a send still in rc14's queries must not hold its
 * reply for a query timeout.
 */
let closeSignal = signal('closed' as const, 0);
let stopSignal = signal('stopped' as const, 0);

/** A promise that settles with `value` once fired; `generation` is the socket it is about. */
function signal<T>(
  value: T,
  gen: number,
): { promise: Promise<T>; fire(): void; generation: number } {
  let fire: () => void = () => undefined;
  const promise = new Promise<T>((resolve) => (fire = () => resolve(value)));
  return { promise, fire, generation: gen };
}

/** Connects, and handles everything that happens on the connection. */
async function startSock(): Promise<void> {
  reconnectTimer = undefined;
  const { state, saveCreds } = await useMultiFileAuthState('auth_info_baileys');
  const { version } = await fetchLatestBaileysVersion();
  if (stopping) return;
  const gen = ++generation;
  closeSignal.fire();
  closeSignal = signal('closed' as const, gen);
  const socket = makeWASocket({
    version,
    logger,
    auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, logger) },
    getMessage,
    ...timings,
  });
  current = socket;
  // rc14 leaves a socket whose upgrade was refused `connecting` for ever: give it up.
  watchdog = setTimeout(() => {
    if (gen === generation && live?.socket !== socket)
      void socket.end(new Error('connect never completed')).catch(() => undefined);
  }, 2 * timings.connectTimeoutMs);

  detach = socket.ev.process(async (events) => {
    if (gen !== generation) return;
    const update = events['connection.update'];
    if (update?.connection === 'open') opened(socket, gen);
    if (update?.connection === 'close') closed(gen, update.lastDisconnect?.error);
    if (events['creds.update']) await saveCreds();
    const upsert = events['messages.upsert'];
    if (upsert) handOver(upsert, socket);
  });
}

function opened(socket: WASocket, gen: number): void {
  console.log('opened connection');
  clearTimeout(watchdog);
  live = { socket, generation: gen };
  reconnectAttempts = 0;
  const ready = waiters.filter((w) => gen > w.after);
  waiters = waiters.filter((w) => gen <= w.after);
  armWaiterTimer();
  for (const w of ready) w.resolve({ socket, generation: gen });
}

function closed(gen: number, error: Error | undefined): void {
  clearTimeout(watchdog);
  live = undefined;
  closedThrough = gen;
  closeSignal.fire();
  resendUnconfirmed(gen);
  if (stopping) return;
  const code = statusCode(error);
  if (code !== undefined && terminalCodes.has(code))
    return endForGood(new Error(`disconnected for good (${code})`));
  if (reconnectAttempts >= reconnect.maxAttempts)
    return endForGood(new Error('reconnect attempts exhausted'));
  reconnectAttempts += 1;
  const base = Math.min(
    reconnect.maxMs,
    reconnect.initialMs * reconnect.factor ** (reconnectAttempts - 1),
  );
  // A restart is asked for once (a 515 stream error): a login refused with 515 again and again
  // backs off.
  const restartNow = code === DisconnectReason.restartRequired && reconnectAttempts === 1;
  const delayMs = restartNow
    ? 0
    : Math.max(0, Math.round(base + base * reconnect.jitter * (2 * Math.random() - 1)));
  reconnectTimer = setTimeout(() => void startSock(), delayMs);
}

function endForGood(error: Error): void {
  terminal = error;
  rejectWaiters(error);
}

/** Every new message the bot answers, once: live (`notify`) or delivered late (`append`). */
function handOver({ messages }: BaileysEventMap['messages.upsert'], _socket: WASocket): void {
  for (const msg of messages) {
    const chatJid = msg.key.remoteJid;
    const id = msg.key.id;
    const body = msg.message;
    if (
      msg.key.fromMe ||
      !chatJid ||
      !id ||
      !body ||
      body.reactionMessage ||
      body.protocolMessage ||
      chatJid === 'status@broadcast'
    )
      continue;
    if (seen.has(id)) continue;
    seen.add(id);
    if (seen.size > seenMax) seen.delete(seen.values().next().value!);
    persist();
    try {
      brain({ chatJid, id, text: textOf(msg), reply: (answer) => send(chatJid, answer) });
    } catch {
      // The brain threw: its own error; the other messages of the batch still go in.
    }
  }
}

/**
 * A live socket newer than `after`: now, or at the next open (one shared wait), until `deadlineAt`.
 */
function whenLive(after: number, deadlineAt: number): Promise<Live> {
  if (stopping) return Promise.reject(new Error('bot stopped'));
  if (terminal) return Promise.reject(terminal);
  if (live && live.generation > after) return Promise.resolve(live);
  if (Date.now() >= deadlineAt)
    return Promise.reject(Object.assign(new Error('no connection in time'), { timeout: true }));
  return new Promise((resolve, reject) => {
    waiters.push({ after, deadlineAt, resolve, reject });
    if (deadlineAt < waiterTimerAt) armWaiterTimer();
  });
}

function armWaiterTimer(): void {
  const earliest = waiters.reduce((min, w) => Math.min(min, w.deadlineAt), Infinity);
  if (earliest === waiterTimerAt) return;
  clearTimeout(waiterTimer);
  waiterTimer = undefined;
  waiterTimerAt = earliest;
  if (earliest === Infinity) return;
  waiterTimer = setTimeout(
    () => {
      waiterTimer = undefined;
      waiterTimerAt = Infinity;
      const now = Date.now();
      const expired = waiters.filter((w) => w.deadlineAt <= now);
      waiters = waiters.filter((w) => w.deadlineAt > now);
      armWaiterTimer();
      for (const w of expired)
        w.reject(Object.assign(new Error('no connection in time'), { timeout: true }));
    },
    Math.max(0, earliest - Date.now()),
  );
}

function rejectWaiters(error: Error): void {
  const all = waiters;
  waiters = [];
  armWaiterTimer();
  for (const w of all) w.reject(error);
}

// ---- the outbox: one lane per chat ---------------------------------------------------------
interface Reply {
  seq: number;
  chatJid: string;
  text: string;
  messageId: string;
  deadlineAt: number;
  resolve(receipt: unknown): void;
  reject(error: Error): void;
  attempts: number;
  /** The next attempt needs a socket newer than this generation. */
  after: number;
  mayHaveWritten: boolean;
  written: boolean;
  done: boolean;
  rateLimited: number;
}

let seq = 0;
const lanes = new Map<string, Reply[]>();
const drains = new Set<Promise<void>>();
let unconfirmed: { reply: Reply; generation: number; writtenAt: number }[] = [];

function send(chatJid: string, text: string): Promise<unknown> {
  if (stopping) return Promise.reject(new Error('bot stopped'));
  return new Promise((resolve, reject) => {
    enqueue({
      seq: ++seq,
      chatJid,
      text,
      messageId: generateMessageIDV2(),
      deadlineAt: Date.now() + replyDeadlineMs,
      resolve,
      reject,
      attempts: 0,
      after: 0,
      mayHaveWritten: false,
      written: false,
      done: false,
      rateLimited: 0,
    });
  });
}

function enqueue(reply: Reply): void {
  let lane = lanes.get(reply.chatJid);
  if (lane === undefined) {
    lane = [reply];
    lanes.set(reply.chatJid, lane);
    const drain = drainLane(lane).finally(() => {
      lanes.delete(reply.chatJid);
      drains.delete(drain);
    });
    drains.add(drain);
    return;
  }
  let index = lane.length;
  while (index > 0 && lane[index - 1]!.seq > reply.seq) index -= 1;
  lane.splice(index, 0, reply);
}

async function drainLane(lane: Reply[]): Promise<void> {
  for (let reply = lane[0]; reply !== undefined; reply = lane[0]) {
    if (!(await attempt(reply, lane))) continue;
    const index = lane.indexOf(reply);
    if (index >= 0) lane.splice(index, 1);
  }
}

/** One attempt of the lane's first reply; true once it leaves the lane. */
async function attempt(reply: Reply, lane: Reply[]): Promise<boolean> {
  if (stopping) return finish(reply, new Error('bot stopped'));
  if (!reply.written && Date.now() >= reply.deadlineAt)
    return finish(reply, new Error('reply deadline passed'));
  if (reply.attempts >= attemptsMax)
    return finish(reply, new Error(`gave up after ${reply.attempts} attempts`));
  expireQueued(lane, reply);
  const deadlineAt = reply.written
    ? Math.min(
        Date.now() + replyDeadlineMs,
        ...lane.filter((r) => !r.written).map((r) => r.deadlineAt),
      )
    : reply.deadlineAt;
  let target: Live;
  try {
    target = await whenLive(reply.after, deadlineAt);
  } catch (error) {
    if ((error as { timeout?: boolean }).timeout && reply.written) return false;
    return finish(reply, error as Error);
  }
  if (lane[0] !== reply) return false;
  reply.attempts += 1;
  const closing =
    closeSignal.generation === target.generation
      ? closeSignal.promise
      : Promise.resolve('closed' as const);
  try {
    const sending = target.socket.sendMessage(
      reply.chatJid,
      { text: reply.text },
      { messageId: reply.messageId },
    );
    const result = await Promise.race([sending, stopSignal.promise, closing]);
    if (result === 'stopped' || result === 'closed') {
      sending.catch(() => undefined);
      reply.mayHaveWritten = true;
      if (result === 'stopped') return finish(reply, new Error('bot stopped'));
      reply.after = target.generation;
      return false;
    }
    return written(reply, target.generation, result);
  } catch (error) {
    const code = statusCode(error);
    const refusedCode = (error as { data?: unknown }).data;
    // Not in the group (Boom 500, `data` 403, nothing written): no resend can change that.
    if (refusedCode === notInGroupCode) return finish(reply, error as Error);
    if (refusedCode === rateOverlimitCode) {
      await pause(
        Math.min(
          rateLimitPauseMs * 2 ** reply.rateLimited++,
          Math.max(0, reply.deadlineAt - Date.now()),
        ),
      );
      return false;
    }
    const closeHeard = closedThrough >= target.generation;
    if (
      code !== undefined &&
      (terminalCodes.has(code) || (code < 500 && code !== 428 && code !== 408))
    )
      return finish(reply, error as Error);
    const notWritten = code === 428 && !closeHeard;
    if (!notWritten) reply.mayHaveWritten = true;
    // A timeout on a socket still open is retried on it; anything else waits for a newer one.
    reply.after = !notWritten && !closeHeard ? target.generation - 1 : target.generation;
    return false;
  }
}

/** Waits `delayMs`, or until stop. */
function pause(delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const end = () => {
      clearTimeout(timer);
      pauses.delete(end);
      resolve();
    };
    const timer = setTimeout(end, delayMs);
    pauses.add(end);
  });
}

/** A write resolved: the reply is sent (the first time) and stays unconfirmed for the window. */
function written(reply: Reply, gen: number, result: unknown): boolean {
  const message = (result as WAMessage | undefined)?.message;
  if (message) sentMessages.set(reply.messageId, message);
  if (sentMessages.size > seenMax) sentMessages.delete(sentMessages.keys().next().value!);
  if (message) persist();
  if (!reply.written) {
    reply.written = true;
    reply.resolve(result);
  }
  if (closedThrough >= gen) {
    reply.after = gen;
    return false;
  }
  const now = Date.now();
  unconfirmed = unconfirmed.filter((u) => u.writtenAt >= now - confirmWindowMs);
  unconfirmed.push({ reply, generation: gen, writtenAt: now });
  return true;
}

function resendUnconfirmed(gen: number): void {
  const windowStart = Date.now() - confirmWindowMs;
  const again = unconfirmed.filter((u) => u.generation === gen && u.writtenAt >= windowStart);
  unconfirmed = unconfirmed.filter((u) => u.generation !== gen);
  for (const { reply } of again) {
    reply.after = gen;
    enqueue(reply);
  }
}

function expireQueued(lane: Reply[], active: Reply): void {
  const now = Date.now();
  for (const r of lane.filter((r) => r !== active && !r.written && r.deadlineAt <= now)) {
    lane.splice(lane.indexOf(r), 1);
    finish(r, new Error('reply deadline passed'));
  }
}

function finish(reply: Reply, error: Error): true {
  if (reply.done) return true;
  reply.done = true;
  if (!reply.written) reply.reject(reply.mayHaveWritten ? ambiguous(error) : error);
  return true;
}

/**
 * One store write at a time of the newest handed ids and written messages; changes meanwhile go
 * with the next.
 */
function persist(): void {
  if (store === undefined) return;
  if (persisting !== undefined) {
    persistAgain = true;
    return;
  }
  const state = {
    seen: [...seen].slice(-persistedMax),
    sent: [...sentMessages].slice(-persistedMax),
  };
  persisting = store.set(storeKey, JSON.stringify(state, BufferJSON.replacer)).then(
    () => undefined,
    () => undefined,
  );
  void persisting.then(() => {
    persisting = undefined;
    if (!persistAgain) return;
    persistAgain = false;
    persist();
  });
}

/** What a previous process kept in the store. */
async function restore(): Promise<void> {
  const text = await store?.get(storeKey).catch(() => undefined);
  if (text === undefined) return;
  const state = JSON.parse(text, BufferJSON.reviver) as {
    seen: string[];
    sent: [string, proto.IMessage][];
  };
  for (const id of state.seen) seen.add(id);
  for (const [id, message] of state.sent) sentMessages.set(id, message);
}

/** Stops for good: settles every reply, ends the socket, leaves no timer. */
async function shutdown(): Promise<void> {
  stopping = true;
  stopSignal.fire();
  clearTimeout(reconnectTimer);
  clearTimeout(watchdog);
  for (const end of [...pauses]) end();
  rejectWaiters(new Error('bot stopped'));
  for (const lane of lanes.values()) {
    for (const reply of lane.slice(1)) finish(reply, new Error('bot stopped'));
    lane.splice(1);
  }
  unconfirmed = [];
  const socket = current;
  live = undefined;
  // After Baileys' own end() (a dead link the keep-alive found) rc14's end() returns at once and
  // the socket's close comes up to 30 s later: it must not reach the bot that replaces this one.
  detach?.();
  detach = undefined;
  await socket?.end(undefined);
  await Promise.all([...drains]);
  while (persisting !== undefined) await persisting;
}

/** The module as freshly imported. */
function forget(): void {
  live = current = undefined;
  detach = undefined;
  generation = closedThrough = reconnectAttempts = seq = 0;
  reconnectTimer = watchdog = waiterTimer = undefined;
  terminal = undefined;
  stopping = false;
  waiters = [];
  waiterTimerAt = Infinity;
  lanes.clear();
  drains.clear();
  unconfirmed = [];
  seen.clear();
  sentMessages.clear();
  pauses.clear();
  store = persisting = undefined;
  persistAgain = false;
  closeSignal = signal('closed' as const, 0);
  stopSignal = signal('stopped' as const, 0);
}

// ---- baileys-sim glue: the three exports the audit calls ------------------------------------
export async function start({ onMessage, store: kept }: AsWrittenHost): Promise<void> {
  brain = onMessage;
  store = kept;
  await restore();
  await startSock();
}
export async function stop(): Promise<void> {
  await shutdown();
}
export function reset(): void {
  forget();
}
