/**
 * The bench's memory check: the reference path (maxPending = n) receives messages, loses its
 * connection, and the bot then asks for `n` replies while no socket comes back (time is frozen,
 * so the outage lasts as long as the measurement). It reports the heap growth of holding them,
 * whether reply n + 1 is refused with `OutboxFullError`, and whether `stop()` settles them all.
 */
import { Boom } from '@hapi/boom';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { VirtualClock } from '../sim/clock.js';
import type { InboundMessage, Logger, SimEnv, SocketLike } from '../src/ports.js';
import { defaultReconnectPolicy } from '../src/reconnectPolicy.js';
import { createReferenceSendPath } from '../src/reference.js';
import { memoryStore } from '../src/stores.js';

/** Stated bound on the heap growth of 10,000 queued replies (about 1.6 KiB per reply). */
export const queuedRepliesHeapBytesMax = 16 * 1024 * 1024;
/** Chats the queued replies are spread over. */
const chats = 100;
/** Most replies one measurement may queue. */
const queuedMax = 1_000_000;

/** What {@link measureQueuedReplies} found. */
interface QueuedRepliesReport {
  queued: number;
  heapDeltaBytes: number;
  /** Error name of the reply past `maxPending` ('accepted' if it was not refused). */
  refusal: string;
  /** Queued replies settled (rejected) after `stop()`. */
  settled: number;
  timersAliveAfterStop: number;
}

type Listener = (arg: unknown) => void;

/** A socket that opens and closes when told; sends never get that far in an outage. */
class OutageSocket {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly ev = {
    on: (event: string, listener: Listener) => {
      const set = this.#listeners.get(event) ?? new Set<Listener>();
      set.add(listener);
      this.#listeners.set(event, set);
    },
    off: (event: string, listener: Listener) => void this.#listeners.get(event)?.delete(listener),
  };
  emit(event: string, arg: unknown): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(arg);
  }
  sendMessage = (): Promise<never> =>
    Promise.reject(new Boom('Connection Closed', { statusCode: 428 }));
  sendPresenceUpdate = (): Promise<void> => Promise.resolve();
  end = (): void => undefined;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heapUsedAfterGc(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Queues `queued` replies during an outage; see the module comment. */
export async function measureQueuedReplies(queued: number): Promise<QueuedRepliesReport> {
  if (!Number.isInteger(queued) || queued < 1 || queued > queuedMax)
    throw new RangeError(`queued must be 1..${queuedMax}`);
  const gc = collectGarbage();
  const clock = new VirtualClock();
  const sockets: OutageSocket[] = [];
  let ids = 0;
  const env: SimEnv = {
    makeSocket: () => {
      const socket = new OutageSocket();
      sockets.push(socket);
      return socket as unknown as SocketLike;
    },
    clock: clock.path,
    random: () => 0.5,
    messageIds: () => `3EB0${(++ids).toString(16).toUpperCase().padStart(18, '0')}`,
    logger: silent,
    store: memoryStore(),
    config: { reconnect: { ...defaultReconnectPolicy }, replyDeadlineMs: 120_000 },
  };
  const path = createReferenceSendPath({ maxPending: queued })(env);
  const inbound: InboundMessage[] = [];
  await path.start((message) => inbound.push(message));
  const first = sockets[0]!;
  first.emit('connection.update', { connection: 'open' });
  first.emit('messages.upsert', {
    type: 'notify',
    messages: Array.from({ length: chats }, (_, i) => ({
      key: { remoteJid: `${1000 + i}@s.whatsapp.net`, id: `IN${i}`, fromMe: false },
      message: { conversation: 'hi' },
    })),
  });
  // The outage: the connection is lost and the reconnect timer never fires (time is frozen).
  first.emit('connection.update', {
    connection: 'close',
    lastDisconnect: {
      error: new Boom('Connection was lost', { statusCode: 408 }),
      date: new Date(0),
    },
  });
  await drain();

  let settled = 0;
  const before = heapUsedAfterGc(gc);
  const replies: Promise<unknown>[] = [];
  for (let i = 0; i < queued; i++) {
    replies.push(
      inbound[i % inbound.length]!.reply(`reply ${i}`).then(
        () => settled++,
        () => settled++,
      ),
    );
  }
  await drain();
  const heapDeltaBytes = heapUsedAfterGc(gc) - before;

  let refusal = 'accepted';
  await inbound[0]!
    .reply('one too many')
    .catch((err: unknown) => void (refusal = (err as Error).name));

  await path.stop();
  await Promise.all(replies);
  return { queued, heapDeltaBytes, refusal, settled, timersAliveAfterStop: clock.path.stats.alive };
}
