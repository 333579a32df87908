/**
 * The run core: what every run records, whoever drives it. `simulate` drives one from a
 * timeline, the scripted network (`intercept/scriptedNetwork.ts`) a step at a time for its
 * holder; both build the server and the fake network here, record inbound messages, their
 * emissions and the network events here, and take their history from here. So the two cannot
 * tell the same run apart: one inbound hook, one timer record, one history snapshot (the chats'
 * JIDs come from `chatJids.ts`, the one scheme of both).
 */
import type { ClockView, TimerStats, VirtualClock } from './clock.js';
import type { FaultEventBase, FaultRegistry } from './faults/index.js';
import {
  historyFormat,
  pendingTimersMax,
  type History,
  type InboundRecord,
  type NetworkEventRecord,
  type TimerRecord,
} from './history.js';
import { factKinds, inboundFactId, type Journal } from './journal.js';
import { FakeNetwork, type NetworkOptions } from './network/fakeNetwork.js';
import { ServerModel } from './network/server.js';
import { messageIdSource, streamFor } from './random.js';

/** Deliveries recorded per inbound message (redeliveries and re-emissions beyond it are not). */
export const deliveriesPerInboundMax = 100;
/** Messages the server holds for a bot that is offline, by default. */
export const inboundQueueMaxDefault = 10_000;
/** Virtual time `stop()` may take before it counts as hung, by default: 10 minutes. */
export const stopGraceMsDefault = 600_000;

/** What a run core is built from: the driver's clock and chats, and the network's knobs. */
interface RunCoreOptions {
  /** The run's seed: the network's ids and the inbound ids are drawn from its streams. */
  readonly seed: number;
  readonly clock: VirtualClock;
  /** JID → chat name (`ChatJids.names`), read by the server and the network as chats appear. */
  readonly chatNames: ReadonlyMap<string, string>;
  /** Member JIDs per group chat JID (their phones send a group's receipts). */
  readonly groupMembers?: ReadonlyMap<string, readonly string[]>;
  /** The server drops a second copy of a message id, as WhatsApp does. */
  readonly dedupeById: boolean;
  /** Messages the server holds for an offline bot before it refuses more. */
  readonly inboundQueueMax: number;
  readonly network?: Partial<NetworkOptions>;
  /** The order facts are recorded in, when the driver keeps it (`history.order`). */
  readonly journal?: Journal;
}

/**
 * What only the driver knows: how the path was started and asked and how it stopped, and what
 * it threw and logged. The core adds what the network, the server and the clock recorded.
 */
type DriverRecords = Pick<
  History,
  | 'seed'
  | 'config'
  | 'start'
  | 'requests'
  | 'stop'
  | 'unhandledRejections'
  | 'thrown'
  | 'logs'
  | 'logsDropped'
  | 'order'
>;

/** See the module comment. */
export class RunCore {
  readonly clock: VirtualClock;
  readonly server: ServerModel;
  readonly network: FakeNetwork;
  /** Inbound message ids, in the order the driver asks for them. */
  readonly inboundIds: () => string;
  /** Every inbound message of the run, in the order the driver added them. */
  readonly inbound: InboundRecord[] = [];
  /** Faults and heals as they fired: the checkers need to know when the network was good. */
  readonly networkEvents: NetworkEventRecord[] = [];
  /** Each inbound message's index in {@link inbound}, by id. */
  readonly #inboundIndex = new Map<string, number>();
  readonly #journal: Journal | undefined;

  constructor(options: RunCoreOptions) {
    const { clock, journal } = options;
    this.clock = clock;
    this.#journal = journal;
    const onFrame = (seq: number): void => journal?.note(factKinds.frameReached, seq);
    this.server = new ServerModel({
      dedupeById: options.dedupeById,
      chatNames: options.chatNames,
      inboundQueueMax: options.inboundQueueMax,
      ...(journal === undefined ? {} : { onFrame }),
    });
    this.network = new FakeNetwork({
      clock,
      fakeIds: messageIdSource(streamFor(options.seed, 'fakeMessageIds')),
      server: this.server,
      chatNames: options.chatNames,
      ...(options.groupMembers === undefined ? {} : { groupMembers: options.groupMembers }),
      hooks: {
        onInboundEmitted: (message, generation, type) =>
          this.#emitted(message.id, generation, type),
        ...(journal === undefined ? {} : { note: (kind, id) => journal.note(kind, id) }),
      },
      options: options.network,
    });
    this.inboundIds = messageIdSource(streamFor(options.seed, 'inboundIds'));
  }

  /** Adds an inbound message's record; returns its index (its id in the journal). */
  addInbound(record: InboundRecord): number {
    const index = this.inbound.length;
    this.inbound.push(record);
    this.#inboundIndex.set(record.id, index);
    return index;
  }

  /** A network event fires now: recorded, then handed to its fault module. */
  fault(event: FaultEventBase, faults: FaultRegistry): void {
    this.networkEvents.push({ at: this.clock.now(), do: event.do });
    this.network.apply(event, faults);
  }

  /** The run's history so far: the driver's records and what the core recorded. */
  history(driver: DriverRecords): History {
    const { clock, network } = this;
    const history: History = {
      format: historyFormat,
      seed: driver.seed,
      config: driver.config,
      endedAt: clock.now(),
      start: driver.start,
      sockets: network.sockets.map((socket) => socket.record),
      inbound: this.inbound,
      requests: driver.requests,
      attempts: network.attempts,
      server: this.server.snapshot(),
      timers: timerRecords(clock),
      connects: { count: network.connectTimes.length, at: network.connectTimes },
      networkEvents: this.networkEvents,
      unhandledRejections: driver.unhandledRejections,
      thrown: driver.thrown,
      logs: driver.logs,
      logsDropped: driver.logsDropped,
      stop: driver.stop,
      ...(driver.order === undefined ? {} : { order: driver.order }),
    };
    if (clock.limit !== undefined) history.limit = clock.limit;
    if (network.unmodelled !== undefined) history.unmodelled = network.unmodelled;
    return history;
  }

  /** The inbound hook: `messages.upsert` carried the message with `id` on socket `generation`. */
  #emitted(id: string, generation: number, type: 'notify' | 'append'): void {
    const index = this.#inboundIndex.get(id);
    if (index === undefined) return;
    const record = this.inbound[index]!;
    const at = this.clock.now();
    if (record.emittedAt === undefined) {
      record.emittedAt = at;
      record.generation = generation;
    }
    if (record.deliveries.length >= deliveriesPerInboundMax) return;
    const factId = inboundFactId(index, record.deliveries.length);
    this.#journal?.note(factKinds.inboundEmitted, factId);
    record.deliveries.push({ at, generation, type });
  }
}

/** Every view's timer counts; the path's with the timers it left pending. */
function timerRecords(clock: VirtualClock): History['timers'] {
  const library = clock.library.stats.created > 0 ? { library: timerRecord(clock.library) } : {};
  return {
    path: pathTimerRecord(clock.path),
    network: timerRecord(clock.network),
    harness: timerRecord(clock.harness),
    ...library,
    firedTotal: clock.timersFired,
  };
}

function timerRecord(view: ClockView): TimerRecord {
  const stats: TimerStats = view.stats;
  return {
    created: stats.created,
    cleared: stats.cleared,
    fired: stats.fired,
    aliveAtEnd: stats.alive,
    aliveMax: stats.aliveMax,
  };
}

/** The path's timer counts, with the timers it left pending. */
function pathTimerRecord(view: ClockView): TimerRecord {
  const record = timerRecord(view);
  if (record.aliveAtEnd === 0) return record;
  record.pending = view.pending(pendingTimersMax).map(({ id, createdAt, delayMs, origin }) => ({
    id,
    createdAt,
    delayMs,
    ...(origin?.repeats === true ? { repeats: true as const } : {}),
  }));
  return record;
}
