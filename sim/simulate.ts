/**
 * `simulate(timeline, factory)`: runs a send path against the fake network under the virtual
 * clock and returns its {@link History}. The harness plays the bot: it starts the path, has the
 * server push each `inbound`, takes the `InboundMessage` the path hands over, and calls
 * `reply` / `sendMedia` / `sendComposing` on that very object when the timeline says so (or as
 * soon as the path hands it over, if that is later). Network events are handed to their fault
 * module (`sim/faults/`). It then stops the path: at a `stop` event (later events still happen),
 * once every event has fired
 * and every request settled (and no blackhole's aftermath is still unfolding: see
 * `FakeNetwork.lossUnsettled`), or at the stop deadline (the last request's time +
 * `replyDeadlineMs` + `settleMarginMs`, or later while a fault's aftermath lasts), whichever
 * comes first.
 *
 * Same timeline, same factory, same options: the same history, byte for byte.
 */
import type {
  InboundMessage,
  SendPath,
  SendPathFactory,
  SimEnv,
  SocketFactory,
} from '../src/ports.js';
import { timerDelayMsMax, VirtualClock, drain, type ClockLimits } from './clock.js';
import { builtInFaults, type FaultRegistry } from './faults/index.js';
import type { FakeNetwork, NetworkOptions } from './network/fakeNetwork.js';
import {
  errorRecord,
  type ErrorRecord,
  jsonSafe,
  outcomeOfError,
  pendingTimersMax,
  type CreationSites,
  type History,
  type InboundRecord,
  type RequestRecord,
  type RestartRecord,
  type StopRecord,
  type ThrownRecord,
  type ExitRecord,
} from './history.js';
import {
  checkGlobalsMode,
  enterGlobals,
  globalsHeld,
  globalUsesMax,
  type GlobalName,
  type GlobalsMode,
  type GlobalUse,
} from './globals.js';
import { installInterception, interceptionInstalled } from './intercept/install.js';
import { captureOutput, outputCaptureActive, OutputRecorder } from './intercept/console.js';
import {
  captureProcessExit,
  isProcessExitSignal,
  type CapturedExit,
} from './intercept/processExit.js';
import { ChatLanes } from './chatLanes.js';
import { CapturingLogger, type LogSink } from './logger.js';
import type { ProgressBoard } from './progress.js';
import { messageIdSource, streamFor, type RandomStream } from './random.js';
import { mediaCaption, replyText } from './network/server.js';
import { restartBegun, restartStopSettled, type RestartInProgress } from './restart.js';
import { SimStore } from './store.js';
import {
  answerableInboundKinds,
  groupMemberJids,
  timelineChats,
  type BotEvent,
  type RestartEvent,
  type Timeline,
  type TimelineEvent,
} from './timeline.js';
import {
  deliveriesPerInboundMax,
  inboundQueueMaxDefault,
  RunCore,
  stopGraceMsDefault,
} from './runCore.js';
import { captureStack, siteOf, type CapturedStack } from './sites.js';
import { factKinds, inboundFactId, Journal } from './journal.js';

/** Knobs of one run. Defaults suit property runs; every one is bounded. */
export interface SimulateOptions {
  /** Clock limits. `virtualTimeMsMax` defaults to the stop deadline + `stopGraceMs`. */
  limits?: Partial<ClockLimits>;
  /** Fake network knobs. */
  network?: Partial<NetworkOptions>;
  /** Server dedupes by message id (default true). */
  dedupeById?: boolean;
  /**
   * Extra virtual time after the last request's deadline before the harness stops the path (default
   * 60 s).
   */
  settleMarginMs?: number;
  /** Virtual time `stop()` may take before the run is cut with a `LoopLimit` (default 10 min). */
  stopGraceMs?: number;
  /** Log records kept (default 10,000); further calls are counted in `logsDropped`. */
  logsMax?: number;
  /**
   * Capture unhandled rejections into the history (default true). While a run is in progress the
   * process's other `unhandledRejection` listeners are set aside (and restored after), so a send
   * path's leaked rejection is a fact in its history, not a crash of the test process.
   */
  captureUnhandledRejections?: boolean;
  /**
   * Capture what the path does to its process (default: as `captureUnhandledRejections`): what it
   * writes to stdout and stderr (`console.*` included) goes to `history.output` instead of the
   * terminal, and a `process.exit`, a signal to its own process, `process.abort` or an uncaught
   * exception is recorded as `history.exited` and ends the run there, as it would end the
   * process (see `sim/intercept/console.ts` and `processExit.ts`). Runs that capture go one at
   * a time per process.
   */
  captureProcess?: boolean;
  /**
   * Requests of one chat the harness has under way at once (default: no limit). A send path that
   * answers one message at a time per chat declares 1: the harness then calls a chat's next
   * `reply` (or `sendMedia`, `sendComposing`) only once the previous one's promise settled, as
   * that bot would (sim/chatLanes.ts). Recorded in the history.
   */
  repliesPerChatMax?: number;
  /**
   * Requests of one kind in flight per run before the harness refuses more (limit; default 10,000).
   */
  inboundQueueMax?: number;
  /** The network event kinds the timeline may use (default: the built-in {@link builtInFaults}). */
  faults?: FaultRegistry;
  /**
   * What the process's global timers, time and randomness are during the run (sim/globals.ts):
   * `'tripwire'` (default) records every call in `history.globalsUsed` and answers it with a
   * deterministic placeholder; `'untouched'` leaves them alone; `'intercept'` runs them on the
   * run's clock and seed and an intercepted Baileys import's `makeWASocket` on its fake network,
   * for a path audited as written (see `sim/intercept/`). Either way they are put back when the
   * run ends. Tripwire and intercepted runs go one at a time per process.
   */
  globals?: GlobalsMode;
  /**
   * A board the run ticks on at every turn and event, for a watchdog in another thread (see
   * progress.ts). Absent: nothing is written.
   */
  progress?: ProgressBoard;
  /**
   * Record where the path made each socket and each timer it left pending (`history.sites`: the
   * first frame in its own code). Off by default: it costs a stack capture per socket and timer.
   * Runs are deterministic, so a failing run simulated again with it on is the same run, and
   * explains itself (`replayWith` does so).
   */
  creationSites?: boolean;
}

const settleMarginMsDefault = 60_000;
const logsMaxDefault = 10_000;

/**
 * A second run that captures unhandled rejections was started while one is in progress in this
 * process. A rejection carries no mark of the run it came from, so two such runs at once could
 * blame one path for another's leak: runs are one at a time.
 */
export class SimulationBusyError extends Error {
  override readonly name = 'SimulationBusyError';
  constructor() {
    super(
      'simulate(): another run is in progress in this process; await each simulate() ' +
        'before starting the next (or pass captureUnhandledRejections: false and globals: ' +
        "'untouched', and judge no rejections nor global calls)",
    );
  }
}

/**
 * Runs `factory`'s send path against `timeline` (already validated by `parseTimeline`). Runs that
 * capture unhandled rejections (the default) go one at a time per process: a second one started
 * before the first settled rejects with {@link SimulationBusyError}.
 */
export async function simulate(
  timeline: Timeline,
  factory: SendPathFactory,
  options: SimulateOptions = {},
): Promise<History> {
  const globals = checkGlobalsMode(options.globals);
  const rejections = options.captureUnhandledRejections ?? true;
  // A module imported with its output captured (properties/paths/capturedImport.ts) holds it too.
  const held = capturingRun !== undefined || processCaptured || outputCaptureActive();
  if ((rejections || (options.captureProcess ?? rejections)) && held)
    throw new SimulationBusyError();
  if (globals !== 'untouched' && (globalsHeld() || interceptionInstalled()))
    throw new SimulationBusyError();
  const run = new Run(timeline, factory, options);
  return run.execute();
}

interface PendingCall {
  readonly request: RequestRecord;
  readonly event: ReplyLikeEvent;
}

/** A call waiting for its turn in its chat (see `repliesPerChatMax`). */
interface QueuedCall extends PendingCall {
  readonly message: InboundMessage;
}

/** The bot's requests: what the harness calls on an `InboundMessage`. */
type ReplyLikeEvent = Extract<BotEvent, { do: 'reply' | 'sendMedia' | 'composing' }>;

class Run {
  readonly #timeline: Timeline;
  readonly #factory: SendPathFactory;
  readonly #faults: FaultRegistry;
  readonly #clock: VirtualClock;
  /** The server, the network and what they record: shared with the scripted network. */
  readonly #core: RunCore;
  readonly #network: FakeNetwork;
  readonly #jids: Map<string, string>;
  /** Member JIDs of each group chat by participant name ('' for member 0). */
  readonly #members: Map<string, Map<string, string>>;
  readonly #logSink: LogSink;
  readonly #capture: boolean;
  readonly #captureProcess: boolean;
  /** What the path wrote to stdout and stderr, when the process is captured. */
  readonly #output: OutputRecorder | undefined;
  /** How the path ended its process, if it did: the run stops there. */
  #exited: ExitRecord | undefined;
  readonly #lanes: ChatLanes<QueuedCall>;
  readonly #settleMarginMs: number;
  readonly #globals: GlobalsMode;
  readonly #progress: ProgressBoard | undefined;
  readonly #globalUses: GlobalUse[] = [];
  #globalsStream: RandomStream | undefined;
  readonly #thrown: ThrownRecord[] = [];
  readonly #rejections: History['unhandledRejections'] = [];
  readonly #strayInbound: { at: number; id: string }[] = [];
  readonly #inboundById = new Map<
    string,
    {
      index: number;
      record: InboundRecord;
      received: InboundMessage | undefined;
      waiting: PendingCall[];
    }
  >();
  readonly #inboundByMsg = new Map<string, string>();
  readonly #requests: RequestRecord[] = [];
  readonly #requestByEvent = new Map<number, RequestRecord>();
  /** Each request's index in `#requests`: its id in the journal. */
  readonly #requestIndex = new Map<RequestRecord, number>();
  /** The order facts were recorded in (journal.ts). */
  readonly #journal = new Journal();
  #unsettled = 0;
  /** Requests called so far: gives each its place in the order the bot asked. */
  #calls = 0;
  #eventsFired = 0;
  #deadlineTimer: unknown;
  #stopDeadlineAt: number;
  readonly #start: History['start'] = { result: 'pending' };
  readonly #stop: StopRecord = {
    result: 'not-requested',
    pendingAttempts: 0,
    pendingRequests: 0,
    pathTimersAlive: 0,
  };
  #stopFinished = false;
  #path: SendPath | undefined;
  #env: SimEnv | undefined;
  /** What the path persists: it outlives every restart of the run. */
  readonly #store = new SimStore();
  /**
   * Paths built so far (1 before the first restart): a handover counts for the bot only from the
   * newest.
   */
  #pathsBuilt = 0;
  readonly #restarts: RestartRecord[] = [];
  /**
   * A restart under way: its old path is stopping, or the bot is down; the new path not started
   * yet.
   */
  #restarting: RestartInProgress | undefined;
  /** The stacks sockets were made from, by generation, when creation sites are recorded. */
  readonly #socketStacks: Map<number, { stack: CapturedStack; call: string }> | undefined;
  /**
   * The `makeWASocket` the path gets: the network's, or one that notes where it was called from.
   */
  readonly #makeSocket: SocketFactory;

  constructor(timeline: Timeline, factory: SendPathFactory, options: SimulateOptions) {
    this.#timeline = timeline;
    this.#factory = factory;
    this.#faults = options.faults ?? builtInFaults;
    const settleMarginMs = boundedOption(
      'settleMarginMs',
      options.settleMarginMs,
      settleMarginMsDefault,
      0,
      86_400_000,
    );
    const stopGraceMs = boundedOption(
      'stopGraceMs',
      options.stopGraceMs,
      stopGraceMsDefault,
      0,
      86_400_000,
    );
    const logsMax = boundedOption('logsMax', options.logsMax, logsMaxDefault, 0, 10_000_000);
    const inboundQueueMax = boundedOption(
      'inboundQueueMax',
      options.inboundQueueMax,
      inboundQueueMaxDefault,
      1,
      10_000_000,
    );
    this.#capture = options.captureUnhandledRejections ?? true;
    this.#captureProcess = options.captureProcess ?? this.#capture;
    this.#lanes = new ChatLanes(options.repliesPerChatMax);
    this.#settleMarginMs = settleMarginMs;
    this.#globals = checkGlobalsMode(options.globals);
    this.#progress = options.progress;

    const times = runTimes(timeline, this.#faults, this.#lanes.limited, settleMarginMs);
    this.#stopDeadlineAt = times.stopDeadlineAt;
    const virtualTimeMsMax = Math.min(
      times.stopDeadlineAt + times.heldBackMs + stopGraceMs,
      timerDelayMsMax,
    );
    this.#clock = new VirtualClock({ virtualTimeMsMax, ...options.limits });
    this.#clock.path.onThrow = (error) => this.#recordThrown('timer', error);

    const chats = timelineChats(timeline);
    this.#jids = chats.byChat();
    this.#members = groupMemberJids(timeline, this.#jids);
    this.#core = new RunCore({
      seed: timeline.seed,
      clock: this.#clock,
      chatNames: chats.names,
      groupMembers: new Map([...this.#members].map(([jid, byName]) => [jid, [...byName.values()]])),
      dedupeById: options.dedupeById ?? true,
      inboundQueueMax,
      network: options.network,
      journal: this.#journal,
    });
    this.#network = this.#core.network;
    this.#logSink = { records: [], dropped: 0, max: logsMax, now: () => this.#clock.now() };
    this.#output = this.#captureProcess ? new OutputRecorder(() => this.#clock.now()) : undefined;
    this.#clock.library.onThrow = this.#clock.path.onThrow;
    this.#socketStacks = options.creationSites === true ? new Map() : undefined;
    this.#clock.path.captureSites = options.creationSites === true;
    this.#makeSocket = this.#notingMakeSocket(this.#socketStacks);
    this.#prepareRecords();
  }

  /**
   * The network's `makeWASocket`, noting each socket in the journal, and the stack of each call
   * by the socket's generation when creation sites are recorded.
   */
  #notingMakeSocket(
    stacks: Map<number, { stack: CapturedStack; call: string }> | undefined,
  ): SocketFactory {
    const network = this.#network;
    const journal = this.#journal;
    const call = this.#globals === 'intercept' ? 'makeWASocket' : 'env.makeSocket';
    const makeSocket: SocketFactory = (config) => {
      const stack = stacks === undefined ? undefined : captureStack(makeSocket);
      const socket = network.makeSocket(config);
      const generation = network.sockets.length;
      journal.note(factKinds.socketCreated, generation);
      if (stack !== undefined) stacks!.set(generation, { stack, call });
      return socket;
    };
    return makeSocket;
  }

  /** Inbound ids are drawn up front in event order: independent of how the run unfolds. */
  #prepareRecords(): void {
    const inboundIds = this.#core.inboundIds;
    this.#timeline.events.forEach((event, eventIndex) => {
      if (event.do === 'inbound') {
        const record: InboundRecord = {
          msg: event.msg,
          chat: event.chat,
          chatJid: this.#jids.get(event.chat)!,
          id: inboundIds(),
          kind: event.kind ?? 'text',
          answerable: answerableInboundKinds.has(event.kind ?? 'text'),
          eventIndex,
          at: event.at,
          deliveries: [],
          handedCount: 0,
        };
        const index = this.#core.addInbound(record);
        this.#inboundById.set(record.id, { index, record, received: undefined, waiting: [] });
        this.#inboundByMsg.set(event.msg, record.id);
      } else if (event.do === 'reply' || event.do === 'sendMedia' || event.do === 'composing') {
        const inbound = this.#inboundById.get(this.#inboundByMsg.get(event.to)!)!.record;
        const request: RequestRecord = {
          key: event.do === 'composing' ? `composing@${eventIndex}` : event.key,
          kind: event.do,
          chat: inbound.chat,
          chatJid: inbound.chatJid,
          msg: event.to,
          eventIndex,
          requestedAt: event.at,
          outcome: 'pending',
        };
        this.#requestIndex.set(request, this.#requests.length);
        this.#requests.push(request);
        this.#requestByEvent.set(eventIndex, request);
        this.#unsettled++;
      }
    });
  }

  async execute(): Promise<History> {
    const release = this.#capture ? captureRejections(this) : undefined;
    let restoreGlobals: (() => void) | undefined;
    let releaseProcess: (() => void) | undefined;
    this.#progress?.runStarted();
    try {
      restoreGlobals = enterGlobals(this.#globals, {
        now: () => this.#clock.now(),
        draw: () => (this.#globalsStream ??= streamFor(this.#timeline.seed, 'globals')).uniform(),
        record: (name) => this.#recordGlobalUse(name),
        intercept: () =>
          installInterception({
            clock: this.#clock,
            seed: this.#timeline.seed,
            makeSocket: this.#makeSocket,
          }),
        watchImmediates: () => this.#clock.watchImmediates(),
        immediateQueued: () => this.#clock.immediateQueued(),
      });
      // After the globals: undone before them, so an interception's last resync of built-in
      // bindings sees the process's own stdout functions again.
      if (this.#captureProcess) releaseProcess = this.#holdProcess();
      this.#begin();
      await this.#clock.run(() => this.#afterDrain());
      // Let rejections of the last step surface before the capture ends.
      await drain();
    } finally {
      try {
        releaseProcess?.();
      } finally {
        try {
          restoreGlobals?.();
        } finally {
          release?.();
        }
      }
    }
    const history = this.#snapshot();
    // Nothing of this run runs any more (no timer is stepped); its fake clock serves the next run.
    this.#clock.release();
    return history;
  }

  /** @internal Called by the rejection capture. */
  recordRejection(reason: unknown): void {
    if (this.#exited !== undefined || isProcessExitSignal(reason)) return;
    this.#rejections.push({ at: this.#clock.now(), error: errorRecord(reason) });
  }

  /** Captures the process's output and exits for the run; returns what puts them back. */
  #holdProcess(): () => void {
    processCaptured = true;
    const releases: (() => void)[] = [];
    try {
      releases.push(captureOutput(this.#output!));
      releases.push(captureProcessExit((exit) => this.#processExited(exit)));
    } catch (error) {
      releaseAll(releases);
      throw error;
    }
    return () => releaseAll(releases);
  }

  /** The path ended its process: nothing of it runs on (the loop stops at its next turn). */
  #processExited({ thrown, ...exit }: CapturedExit): void {
    if (this.#exited !== undefined) return;
    const error = thrown === undefined ? {} : { error: errorRecord(thrown) };
    this.#exited = { at: this.#clock.now(), ...exit, ...error };
  }

  #begin(): void {
    const clock = this.#clock;
    this.#env = {
      makeSocket: this.#makeSocket,
      clock: clock.path,
      random: randomPort(streamFor(this.#timeline.seed, 'jitter')),
      messageIds: messageIdSource(streamFor(this.#timeline.seed, 'messageIds')),
      logger: new CapturingLogger(this.#logSink),
      store: this.#store.port,
      config: structuredClone(this.#timeline.config),
    };
    this.#timeline.events.forEach((event, index) => {
      clock.harness.setTimeout(() => this.#fire(event, index), event.at);
    });
    this.#deadlineTimer = clock.harness.setTimeout(
      () => this.#requestStop('deadline'),
      this.#stopDeadlineAt,
    );
    this.#startPath(this.#start);
  }

  /**
   * Builds a path from the factory and starts it, recording how `start()` ends in `outcome` (the
   * run's start, or a restart's). A path built by a restart gets the same env: ports, store,
   * config.
   */
  #startPath(
    outcome: { result?: 'ok' | 'rejected' | 'pending'; settledAt?: number; error?: ErrorRecord },
    restart?: RestartRecord,
  ): void {
    const clock = this.#clock;
    const built = ++this.#pathsBuilt;
    const settle = (result: 'ok' | 'rejected', error?: unknown): void => {
      if (this.#exited !== undefined) return;
      if (restart === undefined) {
        outcome.result = result;
        outcome.settledAt = clock.now();
        if (result === 'rejected') outcome.error = errorRecord(error);
      } else {
        restart.startResult = result;
        if (result === 'rejected') restart.startError = errorRecord(error);
      }
    };
    try {
      this.#path = this.#factory(this.#env!);
      const started = this.#path.start((message) => this.#onMessage(message, built));
      Promise.resolve(started).then(
        () => settle('ok'),
        (error: unknown) => settle('rejected', error),
      );
    } catch (error) {
      if (this.#exited !== undefined) return;
      settle('rejected', error);
      this.#recordThrown('start', error);
    }
  }

  /**
   * A `restart`: stops the running path as a shutdown would, then (once that settled and the
   * downtime passed) starts a new one. The bot loses what it held in memory: replies it had not
   * made yet to messages the old path handed over are made only if a new path hands the message
   * over again.
   */
  #restart(event: RestartEvent, index: number): void {
    // Stopped for good already, or still down (its old path's stop never settled): nothing to
    // restart.
    if (this.#stop.requestedAt !== undefined || this.#restarting !== undefined) return;
    const record = restartBegun(index, this.#clock.now());
    this.#restarts.push(record);
    for (const entry of this.#inboundById.values()) entry.received = undefined;
    // Calls waiting for their turn in a chat were the old process's: asked again only if a new
    // path hands their message over again.
    for (const queued of this.#lanes.takeWaiting()) {
      const entry = this.#inboundById.get(this.#inboundByMsg.get(queued.event.to)!)!;
      entry.waiting.push({ request: queued.request, event: queued.event });
    }
    const path = this.#path;
    let stopping: Promise<void>;
    try {
      stopping = Promise.resolve(path?.stop());
    } catch (error) {
      this.#recordThrown('stop', error);
      stopping = Promise.reject(error);
    }
    const restarting: RestartInProgress = {
      record,
      stopped: stopping.then(
        () => undefined,
        () => undefined,
      ),
      cancelled: false,
    };
    this.#restarting = restarting;
    stopping.then(
      () => this.#restartStopped(restarting, event, undefined, false),
      (error: unknown) => this.#restartStopped(restarting, event, error, true),
    );
  }

  /** The old path's stop() settled: the new path starts when the downtime is over. */
  #restartStopped(
    restarting: RestartInProgress,
    event: RestartEvent,
    error: unknown,
    failed: boolean,
  ): void {
    const clock = this.#clock;
    restartStopSettled(
      restarting.record,
      clock.now(),
      clock.path.stats.alive,
      failed ? errorRecord(error) : undefined,
    );
    const startAt = Math.max(clock.now(), event.at + (event.downMs ?? 0));
    clock.harness.setTimeout(() => {
      if (restarting.cancelled) return;
      this.#restarting = undefined;
      restarting.record.startedAt = clock.now();
      restarting.record.startResult = 'pending';
      this.#startPath({}, restarting.record);
    }, startAt - clock.now());
  }

  /**
   * After every drain: stop once everything settled; done once stop() settled and every event
   * fired (events after a `stop` event still happen: what the stopped path does with them is
   * part of its history).
   */
  #afterDrain(): boolean {
    this.#progress?.turned(this.#clock.now());
    if (this.#exited !== undefined) return true;
    const allFired = this.#eventsFired === this.#timeline.events.length;
    const quiet = allFired && this.#unsettled === 0 && this.#restarting === undefined;
    if (
      this.#stop.requestedAt === undefined &&
      quiet &&
      !this.#network.lossUnsettled(this.#clock.path.stats.alive > 0)
    ) {
      this.#requestStop('settled');
      // stop() was called outside any timer: what it does now happens before the next timer fires.
      this.#clock.drainFirst();
    }
    return this.#stopFinished && allFired;
  }

  #fire(event: TimelineEvent, index: number): void {
    this.#eventsFired++;
    this.#journal.note(factKinds.eventFired, index);
    this.#progress?.eventFired(index, this.#clock.now());
    if (this.#faults.get(event.do) !== undefined) {
      this.#core.fault(event, this.#faults);
      return;
    }
    this.#act(event as BotEvent, index);
  }

  /** Acts out a bot event: an inbound message from the server, a request to the path, or stop. */
  #act(event: BotEvent, index: number): void {
    switch (event.do) {
      case 'inbound': {
        const id = this.#inboundByMsg.get(event.msg)!;
        const kind = event.kind ?? 'text';
        const chatJid = this.#jids.get(event.chat)!;
        const participantJid = this.#members.get(chatJid)?.get(event.participant ?? '');
        const text = event.text ?? `hello from ${event.msg}`;
        const message = { chatJid, id, text, kind, msg: event.msg };
        const queued = participantJid === undefined ? message : { ...message, participantJid };
        this.#network.pushInbound(queued);
        return;
      }
      case 'reply':
      case 'sendMedia':
      case 'composing': {
        const request = this.#requestByEvent.get(index)!;
        const entry = this.#inboundById.get(this.#inboundByMsg.get(event.to)!)!;
        if (entry.received !== undefined) this.#request(entry.received, { request, event });
        else entry.waiting.push({ request, event });
        return;
      }
      case 'stop':
        this.#requestStop('event');
        return;
      case 'restart':
        this.#restart(event, index);
        return;
      default:
        assertNever(event);
    }
  }

  #onMessage(message: InboundMessage, built: number): void {
    if (this.#exited !== undefined) return;
    const now = this.#clock.now();
    const id = typeof message === 'object' && message !== null ? message.id : undefined;
    const entry = typeof id === 'string' ? this.#inboundById.get(id) : undefined;
    if (entry === undefined) {
      this.#strayInbound.push({ at: now, id: String(id) });
      return;
    }
    const { record } = entry;
    if (record.handedCount < deliveriesPerInboundMax) {
      this.#journal.note(factKinds.inboundHanded, inboundFactId(entry.index, record.handedCount));
      (record.handedAt ??= []).push(now);
    }
    record.handedCount++;
    // A path stopped or stopping for a restart hands a bot that is shutting down: nothing answers.
    if (
      entry.received !== undefined ||
      built !== this.#pathsBuilt ||
      this.#restarting !== undefined
    )
      return;
    entry.received = message;
    entry.record.receivedAt ??= now;
    if (entry.waiting.length === 0) return;
    const waiting = entry.waiting.splice(0, entry.waiting.length);
    // After the path's onMessage returns: the bot acts on the message, not inside the callback.
    queueMicrotask(() => {
      for (const call of waiting) this.#request(message, call);
    });
  }

  /** Calls the request now, or once its turn in its chat comes (see `repliesPerChatMax`). */
  #request(message: InboundMessage, call: PendingCall): void {
    if (this.#lanes.admit(call.request.chat, { ...call, message })) this.#call(message, call);
  }

  #call(message: InboundMessage, { request, event }: PendingCall): void {
    request.calledAt = this.#clock.now();
    request.callSeq = ++this.#calls;
    this.#journal.note(factKinds.requestCalled, this.#requestIndex.get(request)!);
    let result: unknown;
    try {
      if (event.do === 'reply') {
        result = message.reply(replyText(event.key, event.to));
      } else if (event.do === 'sendMedia') {
        result = message.sendMedia({
          kind: event.kind,
          caption: mediaCaption(event.key, event.kind, event.to),
          bytes: event.bytes ?? 1000,
        });
      } else {
        result = message.sendComposing();
      }
    } catch (error) {
      this.#recordThrown('request', error);
      this.#settleRequest(request, false, error);
      return;
    }
    Promise.resolve(result).then(
      (value) => this.#settleRequest(request, true, value),
      (error: unknown) => this.#settleRequest(request, false, error),
    );
  }

  #settleRequest(request: RequestRecord, ok: boolean, value: unknown): void {
    if (request.settledAt !== undefined || this.#exited !== undefined) return;
    request.settledAt = this.#clock.now();
    this.#journal.note(factKinds.requestSettled, this.#requestIndex.get(request)!);
    this.#unsettled--;
    if (ok) {
      request.outcome = 'ok';
      const receipt = jsonSafe(value);
      if (receipt !== undefined) request.receipt = receipt;
    } else {
      request.outcome = outcomeOfError(value);
      request.error = errorRecord(value);
    }
    const next = this.#lanes.settled(request.chat);
    if (next === undefined) return;
    this.#holdStopForHeldCall();
    this.#call(next.message, next);
  }

  /**
   * A call made later than its time, held back for its turn in its chat: the harness's stop
   * deadline leaves it a reply's deadline too, as it does every request called on time.
   */
  #holdStopForHeldCall(): void {
    const dueAt = this.#clock.now() + this.#timeline.config.replyDeadlineMs + this.#settleMarginMs;
    if (this.#stop.requestedAt !== undefined || dueAt <= this.#stopDeadlineAt) return;
    this.#stopDeadlineAt = dueAt;
    this.#clock.harness.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = this.#clock.harness.setTimeout(
      () => this.#requestStop('deadline'),
      dueAt - this.#clock.now(),
    );
  }

  #requestStop(reason: NonNullable<StopRecord['reason']>): void {
    const stop = this.#stop;
    if (stop.requestedAt !== undefined) return;
    const clock = this.#clock;
    stop.reason = reason;
    stop.requestedAt = clock.now();
    this.#journal.note(factKinds.stopCalled, 0);
    stop.result = 'hung';
    clock.harness.clearTimeout(this.#deadlineTimer);
    const finish = (error?: unknown, failed = false): void => {
      if (this.#exited !== undefined) return;
      stop.completedAt = clock.now();
      this.#journal.note(factKinds.stopSettled, 0);
      stop.result = failed ? 'rejected' : 'completed';
      if (failed) stop.error = errorRecord(error);
      this.#stopFinished = true;
    };
    const path = this.#path;
    if (this.#restarting !== undefined) {
      // The bot is down for a restart: it stays down, and stops once the old path's stop settled.
      this.#restarting.cancelled = true;
      void this.#restarting.stopped.then(() => finish());
      return;
    }
    if (path === undefined) {
      finish();
      return;
    }
    try {
      Promise.resolve(path.stop()).then(
        () => finish(),
        (error: unknown) => finish(error, true),
      );
    } catch (error) {
      this.#recordThrown('stop', error);
      finish(error, true);
    }
  }

  #recordGlobalUse(name: GlobalName): void {
    if (this.#globalUses.length < globalUsesMax)
      this.#globalUses.push({ at: this.#clock.now(), name });
  }

  #recordThrown(where: ThrownRecord['where'], error: unknown): void {
    if (this.#exited !== undefined || isProcessExitSignal(error)) return;
    this.#thrown.push({ at: this.#clock.now(), where, error: errorRecord(error) });
  }

  #snapshot(): History {
    const clock = this.#clock;
    const network = this.#network;
    const stop = this.#stop;
    stop.pendingAttempts = network.pendingAttempts();
    stop.pendingRequests = this.#unsettled;
    stop.pathTimersAlive = clock.path.stats.alive;
    const history = this.#core.history({
      seed: this.#timeline.seed,
      config: this.#timeline.config,
      start: this.#start,
      requests: this.#requests,
      stop,
      unhandledRejections: this.#rejections,
      thrown: this.#thrown,
      logs: this.#logSink.records,
      logsDropped: this.#logSink.dropped,
      order: this.#journal.entries,
    });
    if (this.#strayInbound.length > 0) history.strayInbound = this.#strayInbound;
    if (this.#restarts.length > 0) history.restarts = this.#restarts;
    if (this.#globalUses.length > 0) history.globalsUsed = this.#globalUses;
    const output = this.#output?.finish();
    if (output !== undefined) history.output = output;
    if (this.#exited !== undefined) history.exited = this.#exited;
    if (this.#lanes.limited) history.repliesPerChatMax = this.#lanes.max;
    if (this.#socketStacks !== undefined) history.sites = this.#sites(this.#socketStacks);
    return history;
  }

  /** Where the path made each socket and each timer it left pending (asked for: creationSites). */
  #sites(socketStacks: Map<number, { stack: CapturedStack; call: string }>): CreationSites {
    const sites: CreationSites = { sockets: {}, timers: {} };
    for (const [generation, { stack, call }] of socketStacks) {
      const site = siteOf(stack, call);
      if (site !== undefined) sites.sockets[generation] = site;
    }
    for (const timer of this.#clock.path.pending(pendingTimersMax)) {
      const site =
        timer.origin?.stack === undefined
          ? undefined
          : siteOf(timer.origin.stack, timer.origin.call);
      if (site !== undefined) sites.timers[timer.id] = site;
    }
    return sites;
  }
}

/** Exhaustiveness: a bot event kind added to the format but not acted out here does not compile. */
function assertNever(event: never): never {
  throw new Error(`simulate: no handler for event ${JSON.stringify(event)}`);
}

function randomPort(stream: { uniform(): number }): () => number {
  return () => stream.uniform();
}

function boundedOption(
  name: string,
  value: number | undefined,
  fallback: number,
  lo: number,
  hi: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new RangeError(
      `simulate option ${name} must be an integer in [${lo}, ${hi}], got ${value}`,
    );
  }
  return value;
}

// ---- unhandled rejections, per run ------------------------------------------------------------

/** The run whose unhandled rejections are being captured, if any: one per process at a time. */
let capturingRun: Run | undefined;
/** A run captures the process's output and exits now (one at a time per process). */
let processCaptured = false;

function releaseAll(releases: readonly (() => void)[]): void {
  try {
    for (const release of [...releases].reverse()) release();
  } finally {
    processCaptured = false;
  }
}

function isRequest(event: TimelineEvent): boolean {
  return event.do === 'reply' || event.do === 'sendMedia' || event.do === 'composing';
}
let setAside: ((...args: unknown[]) => void)[] = [];

function onUnhandledRejection(reason: unknown): void {
  capturingRun?.recordRejection(reason);
}

/**
 * Routes `unhandledRejection` into `run` until the returned release is called, setting the
 * process's other listeners aside meanwhile and putting them back after.
 */
function captureRejections(run: Run): () => void {
  if (capturingRun !== undefined) throw new Error('invariant: one capturing run at a time');
  capturingRun = run;
  setAside = process.listeners('unhandledRejection') as ((...args: unknown[]) => void)[];
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onUnhandledRejection);
  return () => {
    capturingRun = undefined;
    process.off('unhandledRejection', onUnhandledRejection);
    for (const listener of setAside) process.on('unhandledRejection', listener);
    setAside = [];
  };
}

/**
 * When a run's stop comes (its last event, its last request's deadline, the aftermath of its
 * faults, each with the settle margin), and the time calls held back for their turn in a chat
 * may add to it.
 */
function runTimes(
  timeline: Timeline,
  faults: FaultRegistry,
  lanesLimited: boolean,
  settleMarginMs: number,
): { stopDeadlineAt: number; heldBackMs: number } {
  let lastEventAt = 0;
  let lastRequestAt = -1;
  let aftermathUntil = -1;
  for (const event of timeline.events) {
    lastEventAt = Math.max(lastEventAt, event.at);
    if (event.do === 'reply' || event.do === 'sendMedia' || event.do === 'composing')
      lastRequestAt = event.at;
    if (event.do === 'restart') lastEventAt = Math.max(lastEventAt, event.at + (event.downMs ?? 0));
    const until = faults.get(event.do)?.aftermathUntil?.(event);
    if (until !== undefined) aftermathUntil = Math.max(aftermathUntil, until);
  }
  const requestDeadlineAt =
    lastRequestAt < 0 ? 0 : lastRequestAt + timeline.config.replyDeadlineMs + settleMarginMs;
  // A reply lost to a fault may only be found out later: give the path that time.
  const aftermathDeadlineAt =
    aftermathUntil < 0 || lastRequestAt < 0 ? 0 : aftermathUntil + settleMarginMs;
  const stopDeadlineAt = Math.max(lastEventAt, requestDeadlineAt, aftermathDeadlineAt);
  // Calls held back for their turn in a chat may each push the stop deadline back by a deadline.
  const requests = lanesLimited ? timeline.events.filter(isRequest).length : 0;
  const heldBackMs = requests * (timeline.config.replyDeadlineMs + settleMarginMs);
  return { stopDeadlineAt, heldBackMs };
}
