/**
 * A run with no timeline: the fake network, the server and the virtual clock of `simulate`,
 * driven a step at a time by whoever holds it (a test: `baileys-sim/vitest`'s `whatsapp`).
 * While it is open, the process's globals and Baileys' intercepted `makeWASocket` are on it,
 * as in an intercepted run; `close()` undoes that. Inbound messages, faults and heals happen
 * when the holder says, at the virtual time it has advanced to, and each is recorded as a
 * timeline event, so the run can be told as `replay` tells one.
 */
import type { SocketConfig, SocketFactory, SocketLike } from '../../src/ports.js';
import { defaultReconnectPolicy } from '../../src/reconnectPolicy.js';
import { ChatJids } from '../chatJids.js';
import { timerDelayMsMax, VirtualClock, drain, type ClockView } from '../clock.js';
import { builtInFaults, type FaultRegistry } from '../faults/index.js';
import {
  errorRecord,
  type History,
  type InboundKind,
  type InboundRecord,
  type RequestRecord,
  type StopRecord,
} from '../history.js';
import type { NetworkOptions } from '../network/fakeNetwork.js';
import { inboundQueueMaxDefault, RunCore, stopGraceMsDefault } from '../runCore.js';
import {
  answerableInboundKinds,
  timelineFormat,
  type Timeline,
  type TimelineConfig,
  type TimelineEvent,
} from '../timeline.js';
import { installInterception } from './install.js';

/** Options of a {@link ScriptedNetwork}. */
interface ScriptedNetworkOptions {
  /** Seed of every random stream (network, ids, the globals' randomness); default 1. */
  seed?: number;
  /** The server drops a second copy of a message id, as WhatsApp does (default true). */
  dedupeById?: boolean;
  network?: Partial<NetworkOptions>;
  faults?: FaultRegistry;
  /**
   * Wraps each socket the code under test makes (e.g. to tag what it sends); gets the fake socket,
   * returns what `makeWASocket` hands back.
   */
  wrapSocket?: (socket: SocketLike) => SocketLike;
}

/** Most virtual time one `advance` may cover: a day. */
const advanceMsMax = 86_400_000;
/** Most scripted events one scripted run may hold (a timeline's own limit). */
const scriptedEventsMax = 10_000;

/**
 * The settings a scripted run's history carries: it has no path settings, so rc14-like defaults.
 */
const scriptedConfig: TimelineConfig = {
  reconnect: { ...defaultReconnectPolicy },
  replyDeadlineMs: 120_000,
};

/** See the module comment. */
export class ScriptedNetwork {
  readonly #seed: number;
  readonly #faults: FaultRegistry;
  readonly #clock: VirtualClock;
  /** The server, the network and what they record: shared with `simulate`. */
  readonly #core: RunCore;
  /** The chats' JIDs, numbered as the holder names them (the server and network read them). */
  readonly #chats = new ChatJids();
  readonly #events: TimelineEvent[] = [];
  readonly #stop: StopRecord = {
    result: 'not-requested',
    pendingAttempts: 0,
    pendingRequests: 0,
    pathTimersAlive: 0,
  };
  #undo: (() => void) | undefined;

  /**
   * Opens the run: clock at 0, the globals and Baileys' `makeWASocket` on it until {@link close}.
   */
  constructor(options: ScriptedNetworkOptions = {}) {
    this.#seed = options.seed ?? 1;
    this.#faults = options.faults ?? builtInFaults;
    this.#clock = new VirtualClock({ virtualTimeMsMax: timerDelayMsMax });
    this.#core = new RunCore({
      seed: this.#seed,
      clock: this.#clock,
      chatNames: this.#chats.names,
      dedupeById: options.dedupeById ?? true,
      inboundQueueMax: inboundQueueMaxDefault,
      network: options.network,
    });
    const network = this.#core.network;
    const wrap = options.wrapSocket ?? ((socket: SocketLike) => socket);
    const makeSocket: SocketFactory = (config?: SocketConfig) => wrap(network.makeSocket(config));
    this.#undo = installInterception({ clock: this.#clock, seed: this.#seed, makeSocket });
  }

  /** Virtual now, ms since the run opened. */
  now(): number {
    return this.#clock.now();
  }

  /** The code under test's timers (global ones included), for counts. */
  get pathTimers(): ClockView {
    return this.#clock.path;
  }

  /**
   * The timers Baileys and its dependencies made through the globals (not the code under test's).
   */
  get libraryTimers(): ClockView {
    return this.#clock.library;
  }

  /** Whether it is still open (its globals installed). */
  get open(): boolean {
    return this.#undo !== undefined;
  }

  /**
   * The server pushes a message from `chat` now (to the live socket, or at the next login). Returns
   * its id and JID.
   */
  inbound(
    chat: string,
    text: string,
    kind: InboundKind = 'text',
  ): { id: string; chatJid: string; msg: string } {
    this.#requireOpen('inbound');
    const core = this.#core;
    const chatJid = this.#chats.of(chat, kind === 'group');
    const msg = `m${core.inbound.length + 1}`;
    const id = core.inboundIds();
    const event: TimelineEvent =
      kind === 'text'
        ? { at: this.now(), do: 'inbound', chat, msg, text }
        : { at: this.now(), do: 'inbound', chat, msg, text, kind };
    this.#record(event);
    const record: InboundRecord = {
      msg,
      chat,
      chatJid,
      id,
      kind,
      answerable: answerableInboundKinds.has(kind),
      eventIndex: this.#events.length - 1,
      at: this.now(),
      deliveries: [],
      handedCount: 0,
    };
    core.addInbound(record);
    core.network.pushInbound({ chatJid, id, text, kind, msg });
    return { id, chatJid, msg };
  }

  /**
   * A network event now: a fault of the registry (`drop`, `refuseConnects`, `blackhole`, ...) or
   * `heal`, as a timeline writes it without `at`. Validated by the fault's own schema.
   */
  network(event: { do: string } & Record<string, unknown>): void {
    this.#requireOpen('network');
    const module = this.#faults.get(event.do);
    if (module === undefined)
      throw new RangeError(
        `network event "${event.do}": not a network event (expected one of: ` +
          `${this.#faults.kinds.join(', ')})`,
      );
    const parsed = module.schema.safeParse({ ...event, at: this.now() });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RangeError(
        `network event "${event.do}": ${issue.path.join('.') || 'event'}: ${issue.message}`,
      );
    }
    const valid = parsed.data as TimelineEvent;
    this.#record(valid);
    this.#core.fault(valid, this.#faults);
  }

  /**
   * Lets `ms` of virtual time pass: every timer due by then fires, in order, each followed by a
   * full drain of the promise continuations it started (a real macrotask, as in `simulate`).
   */
  async advance(ms: number): Promise<void> {
    this.#requireOpen('advance');
    if (!Number.isFinite(ms) || ms < 0 || ms > advanceMsMax)
      throw new RangeError(`advance(ms): ms must be from 0 to ${advanceMsMax} (got ${ms})`);
    let reached = false;
    this.#clock.harness.setTimeout(() => void (reached = true), ms);
    await drain();
    while (!reached && this.#clock.limit === undefined) {
      this.#clock.fake.next();
      await drain();
    }
  }

  /**
   * Calls the code under test's `stop` and lets virtual time pass until it settles (its socket's
   * close takes a round trip; a silent link, ws's close timeout), for at most `graceMs`. Records
   * the outcome, so `clean` (nothing left behind after stop) can be judged.
   */
  async stop(stop: () => unknown, graceMs = stopGraceMsDefault): Promise<void> {
    this.#requireOpen('stop');
    const record = this.#stop;
    record.reason = 'event';
    record.requestedAt = this.now();
    record.result = 'hung';
    this.#record({ at: record.requestedAt, do: 'stop' });
    let settled = false;
    const finish = (error?: unknown, failed = false): void => {
      settled = true;
      record.completedAt = this.now();
      record.result = failed ? 'rejected' : 'completed';
      if (failed) record.error = errorRecord(error);
    };
    try {
      Promise.resolve(stop()).then(
        () => finish(),
        (error: unknown) => finish(error, true),
      );
    } catch (error) {
      finish(error, true);
    }
    let reached = false;
    const deadline = this.#clock.harness.setTimeout(() => void (reached = true), graceMs);
    await drain();
    while (
      !settled &&
      !reached &&
      this.#clock.limit === undefined &&
      this.#clock.timersAlive() > 0
    ) {
      this.#clock.fake.next();
      await drain();
    }
    this.#clock.harness.clearTimeout(deadline);
    record.pathTimersAlive = this.#clock.path.stats.alive;
    record.pendingAttempts = this.#core.network.pendingAttempts();
  }

  /** The scripted events as a timeline (for telling the run). */
  timeline(): Timeline {
    return {
      format: timelineFormat,
      seed: this.#seed,
      config: structuredClone(scriptedConfig),
      events: [...this.#events],
    };
  }

  /** What happened so far, as a history; `requests` are the logical requests the holder tracked. */
  history(requests: RequestRecord[] = []): History {
    const history = this.#core.history({
      seed: this.#seed,
      config: structuredClone(scriptedConfig),
      start: { result: 'ok', settledAt: 0 },
      requests,
      stop: { ...this.#stop },
      unhandledRejections: [],
      thrown: [],
      logs: [],
      logsDropped: 0,
    });
    return structuredClone(history);
  }

  /**
   * Ends the run: the globals and `makeWASocket` are the process's own again; timers left never
   * fire. Idempotent.
   */
  close(): void {
    const undo = this.#undo;
    if (undo === undefined) return;
    this.#undo = undefined;
    try {
      undo();
    } finally {
      this.#clock.release();
    }
  }

  #requireOpen(what: string): void {
    if (this.#undo === undefined) throw new Error(`${what}(): this scripted network is closed`);
  }

  #record(event: TimelineEvent): void {
    if (this.#events.length >= scriptedEventsMax)
      throw new RangeError(`a scripted network holds at most ${scriptedEventsMax} events`);
    this.#events.push(event);
  }
}
