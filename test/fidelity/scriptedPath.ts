/**
 * The scripted send path: a `SendPathFactory` that performs a scenario's client actions
 * (connect, send, end) through the ports it is given and records what it observes of its
 * sockets. The same factory runs on real rc14 (real `makeWASocket`, system clock) and on the
 * simulator (`simulate(timeline, factory)`), so both traces come from the same code.
 */
import { createHash } from 'node:crypto';
import { proto, type BaileysEventMap, type WAMessageKey } from '@whiskeysockets/baileys';
import type { SendPath, SendPathFactory, SimEnv, SocketLike } from '../../src/ports.js';
import { chatOf, type Scenario, type StepOf } from './scenario.js';
import {
  emptyTrace,
  errorShape,
  messageText,
  nameInText,
  sendText,
  valueShape,
  type ConnectionEntry,
  type EndEntry,
  type PresenceEntry,
  type SendEntry,
  type Trace,
} from './trace.js';

/** The message id a scenario send uses (Baileys' own format: `3EB0` + 18 upper-case hex). */
export function messageIdFor(scenario: string, key: string): string {
  return (
    '3EB0' +
    createHash('sha256').update(`${scenario}/${key}`).digest('hex').slice(0, 18).toUpperCase()
  );
}

/** What the script saw; the runner completes it with what the server saw (frames). */
interface ScriptRecord {
  trace: Trace;
  /** message id -> send key */
  readonly keysById: Map<string, string>;
  /** resolves once the script reached `endAt` (nothing is recorded after it) */
  readonly finished: Promise<void>;
}

/**
 * Marks the error a throwing listener throws (`<this> (<scenario>)`), so a runner can tell it from
 * others.
 */
export const listenerErrorMessage = 'fidelity: the path listener throws';

/**
 * What a runner does in the script's own turn of the event loop: `beforeSend` runs right before
 * the script calls `sendMessage` for a step, so a server fault it applies cannot be read by the
 * client first (an unread reset).
 */
interface ScriptHooks {
  beforeSend?(step: StepOf<'send'>): void;
}

/** Builds the scripted path for `scenario`; `jidOf` maps the scenario's chat names to JIDs. */
export function scriptedPath(
  scenario: Scenario,
  jidOf: (chat: string) => string,
  hooks: ScriptHooks = {},
): { factory: SendPathFactory; record: ScriptRecord } {
  let finish!: () => void;
  const record: ScriptRecord = {
    trace: emptyTrace(),
    keysById: new Map(),
    finished: new Promise<void>((resolve) => (finish = resolve)),
  };
  const factory: SendPathFactory = (env) => new Script(scenario, env, jidOf, record, finish, hooks);
  return { factory, record };
}

/** `messageTimestamp` (seconds: a number, or a protobuf Long) in ms, or undefined. */
function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  const long = value as { toNumber?: () => number } | null | undefined;
  return typeof long?.toNumber === 'function' ? long.toNumber() * 1000 : undefined;
}

class Script implements SendPath {
  readonly #scenario: Scenario;
  readonly #env: SimEnv;
  readonly #jidOf: (chat: string) => string;
  readonly #record: ScriptRecord;
  readonly #finish: () => void;
  readonly #hooks: ScriptHooks;
  readonly #sockets: SocketLike[] = [];
  /** generations whose end() the script called */
  readonly #ended = new Set<number>();
  readonly #timers: unknown[] = [];
  #t0 = 0;
  #stopped = false;
  #armed = true;

  constructor(
    scenario: Scenario,
    env: SimEnv,
    jidOf: (chat: string) => string,
    record: ScriptRecord,
    finish: () => void,
    hooks: ScriptHooks,
  ) {
    this.#hooks = hooks;
    this.#scenario = scenario;
    this.#env = env;
    this.#jidOf = jidOf;
    this.#record = record;
    this.#finish = finish;
  }

  start(): void {
    const clock = this.#env.clock;
    this.#t0 = clock.now();
    for (const step of this.#scenario.steps) {
      if (step.do === 'connect') this.#later(step.at, () => this.#connect());
      else if (step.do === 'send') this.#later(step.at, () => this.#send(step));
      else if (step.do === 'end') this.#later(step.at, () => this.#end());
      else if (step.do === 'presence') this.#later(step.at, () => this.#presence(step));
    }
    this.#later(this.#scenario.endAt, () => {
      this.#stopped = true;
      this.#finish();
    });
  }

  async stop(): Promise<void> {
    await this.#record.finished;
    for (const timer of this.#timers) this.#env.clock.clearTimeout(timer);
    const ends = this.#sockets.map((sock, i) =>
      this.#ended.has(i + 1) ? undefined : sock.end(undefined),
    );
    await Promise.all(ends);
  }

  #now(): number {
    return this.#env.clock.now() - this.#t0;
  }

  #later(atMs: number, fn: () => void): void {
    this.#timers.push(
      this.#env.clock.setTimeout(fn, Math.max(0, this.#t0 + atMs - this.#env.clock.now())),
    );
  }

  #connect(): void {
    const { keepAliveIntervalMs, connectTimeoutMs, defaultQueryTimeoutMs } = this.#scenario.socket;
    const getMessage = this.#scenario.getMessage
      ? { getMessage: (key: WAMessageKey) => this.#getMessage(key) }
      : {};
    const settings = {
      keepAliveIntervalMs,
      connectTimeoutMs,
      defaultQueryTimeoutMs,
      ...this.#scenario.socketConfig,
    };
    const sock = this.#env.makeSocket({ ...settings, ...getMessage });
    this.#sockets.push(sock);
    const generation = this.#sockets.length;
    this.#listen(sock, generation);
  }

  #listen(sock: SocketLike, generation: number): void {
    const throwsIn = this.#scenario.listenerThrows;
    // The throwing listener sets `entry` for this emission only; the later listener, if the
    // emitter still calls it, marks it.
    const pendingThrow = { entry: undefined as Trace['thrown'][number] | undefined };
    const maybeThrow = (event: string, now: boolean): void => {
      if (throwsIn === event) pendingThrow.entry = undefined;
      if (!now || throwsIn !== event || !this.#armed || this.#stopped) return;
      this.#armed = false;
      pendingThrow.entry = {
        at: this.#now(),
        socket: generation,
        event,
        surfaced: 'nowhere',
        laterListenerRan: false,
      };
      this.#record.trace.thrown.push(pendingThrow.entry);
      throw new Error(`${listenerErrorMessage} (${this.#scenario.name})`);
    };
    const laterListener = (): void => {
      if (pendingThrow.entry) pendingThrow.entry.laterListenerRan = true;
      pendingThrow.entry = undefined;
    };
    sock.ev.on('connection.update', (update) => {
      this.#onConnection(generation, update);
      maybeThrow('connection.update', update.connection === 'open');
    });
    sock.ev.on('messages.upsert', (upsert) => {
      this.#onUpsert(generation, upsert);
      maybeThrow('messages.upsert', true);
    });
    sock.ev.on('messages.update', (updates) => this.#onUpdate(generation, updates));
    sock.ev.on('message-receipt.update', (receipts) => this.#onReceipts(generation, receipts));
    if (throwsIn !== undefined) sock.ev.on(throwsIn, laterListener);
  }

  #onConnection(generation: number, update: BaileysEventMap['connection.update']): void {
    if (this.#stopped) return;
    const at = this.#now();
    const push = (entry: ConnectionEntry) => this.#record.trace.connection.push(entry);
    if (update.connection !== undefined) {
      const entry: ConnectionEntry = { at, socket: generation, event: update.connection };
      if (update.connection === 'close') {
        const error = update.lastDisconnect?.error;
        entry.error = error === undefined ? null : errorShape(error);
      }
      push(entry);
    }
    if (update.receivedPendingNotifications !== undefined) {
      push({
        at,
        socket: generation,
        event: update.receivedPendingNotifications ? 'pending:true' : 'pending:false',
      });
    }
    if (update.isOnline !== undefined)
      push({ at, socket: generation, event: update.isOnline ? 'online:true' : 'online:false' });
    if (update.connection === 'close') this.#afterClose(generation);
  }

  #afterClose(generation: number): void {
    const reconnect = this.#scenario.reconnect;
    if (
      reconnect === undefined ||
      this.#ended.has(generation) ||
      generation !== this.#sockets.length
    )
      return;
    this.#timers.push(
      this.#env.clock.setTimeout(() => {
        if (!this.#stopped && this.#sockets.length < 10) this.#connect();
      }, reconnect.delayMs),
    );
  }

  #onUpsert(generation: number, upsert: BaileysEventMap['messages.upsert']): void {
    if (this.#stopped) return;
    for (const message of upsert.messages) {
      const fromMe = message.key.fromMe === true;
      const entry: Trace['upserts'][number] = {
        at: this.#now(),
        socket: generation,
        type: upsert.type,
        fromMe,
        name: nameInText(messageText(message.message)),
        status: typeof message.status === 'number' ? message.status : null,
        ...(message.key.participant ? { participant: true as const } : {}),
      };
      const sentMs = fromMe ? undefined : timestampMs(message.messageTimestamp);
      if (sentMs !== undefined) entry.sentAt = sentMs - this.#t0;
      this.#record.trace.upserts.push(entry);
    }
  }

  #onUpdate(generation: number, updates: BaileysEventMap['messages.update']): void {
    if (this.#stopped) return;
    for (const { key, update } of updates) {
      if (!('status' in update)) continue;
      const stub = update.messageStubParameters;
      this.#record.trace.updates.push({
        at: this.#now(),
        socket: generation,
        name: this.#record.keysById.get(key.id ?? '') ?? '?',
        status: typeof update.status === 'number' ? update.status : null,
        ...(Array.isArray(stub) && stub.length > 0 ? { stubParameters: stub.map(String) } : {}),
      });
    }
  }

  #onReceipts(generation: number, receipts: BaileysEventMap['message-receipt.update']): void {
    if (this.#stopped) return;
    for (const { key, receipt } of receipts) {
      const entry = {
        at: this.#now(),
        socket: generation,
        name: this.#record.keysById.get(key.id ?? '') ?? '?',
      };
      (this.#record.trace.receipts ??= []).push({
        ...entry,
        type: receipt.readTimestamp ? 'read' : 'delivery',
      });
    }
  }

  /**
   * The path's `getMessage`: the message it sent with that id (rc14 asks when a retry receipt finds
   * no copy).
   */
  async #getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined> {
    const sendKey = this.#record.keysById.get(key.id ?? '');
    return sendKey === undefined ? undefined : { conversation: sendText(sendKey) };
  }

  #send(step: StepOf<'send'>): void {
    const sock = this.#sockets.at(-1)!;
    const id = messageIdFor(this.#scenario.name, step.key);
    this.#record.keysById.set(id, step.key);
    const entry: SendEntry = {
      key: step.key,
      socket: this.#sockets.length,
      at: this.#now(),
      outcome: 'pending',
      frames: 0,
    };
    this.#record.trace.sends.push(entry);
    this.#hooks.beforeSend?.(step);
    const content = step.media
      ? {
          document: Buffer.from(`document for ${step.key}`),
          mimetype: 'application/pdf',
          fileName: `${step.key}.pdf`,
          caption: sendText(step.key),
        }
      : { text: sendText(step.key, step.textBytes) };
    sock.sendMessage(this.#jidOf(chatOf(step)), content, { messageId: id }).then(
      (value) => {
        if (this.#stopped) return;
        entry.outcome = 'resolved';
        entry.settledAt = this.#now();
        entry.value = valueShape(value, (v) => v instanceof proto.WebMessageInfo);
      },
      (error: unknown) => {
        if (this.#stopped) return;
        entry.outcome = 'rejected';
        entry.settledAt = this.#now();
        entry.error = errorShape(error);
      },
    );
  }

  #presence(step: StepOf<'presence'>): void {
    const entry: PresenceEntry = {
      key: step.key,
      socket: this.#sockets.length,
      at: this.#now(),
      outcome: 'pending',
    };
    this.#record.trace.presences.push(entry);
    const jid = step.noJid ? undefined : this.#jidOf(chatOf(step));
    let sending: Promise<unknown>;
    try {
      sending = this.#sockets.at(-1)!.sendPresenceUpdate('composing', jid);
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      () => this.#settlePresence(entry, 'resolved'),
      (error: unknown) => this.#settlePresence(entry, 'rejected', error),
    );
  }

  #settlePresence(entry: PresenceEntry, outcome: 'resolved' | 'rejected', error?: unknown): void {
    if (this.#stopped) return;
    entry.outcome = outcome;
    entry.settledAt = this.#now();
    if (outcome === 'rejected') entry.error = errorShape(error);
  }

  #end(): void {
    const generation = this.#sockets.length;
    this.#ended.add(generation);
    const entry: EndEntry = { at: this.#now(), socket: generation, outcome: 'pending' };
    this.#record.trace.ends.push(entry);
    void this.#sockets
      .at(-1)!
      .end(undefined)
      .then(() => {
        if (this.#stopped) return;
        entry.outcome = 'resolved';
        entry.settledAt = this.#now();
      });
  }
}
