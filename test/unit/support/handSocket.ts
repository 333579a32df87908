/**
 * A hand-made Baileys-shaped socket for unit tests of `src/`: the test opens, closes and
 * answers sends explicitly, so each test states exactly the interleaving it checks.
 * (The simulator's fake in `sim/` is the realistic one; this one is deliberately dumb.)
 */
import { Boom } from '@hapi/boom';
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock, Logger, SendPathConfig, SimEnv, SocketLike } from '../../../src/ports.js';
import { defaultReconnectPolicy } from '../../../src/reconnectPolicy.js';
import { memoryStore } from '../../../src/stores.js';

type Listener = (arg: any) => void;

/** What the next `sendMessage` does. `hang` stays pending until the test settles it. */
type SendScript = 'ok' | 'closed428' | 'timeout408' | 'hang' | { rejectWith: Error };

/** One recorded call to `sendMessage`. */
interface SendCall {
  generation: number;
  jid: string;
  text: string | undefined;
  messageId: string | undefined;
  settle: (how: 'ok' | Error) => void;
}

/** A controllable socket; `generation` counts from 1. */
class HandSocket {
  readonly listeners = new Map<string, Set<Listener>>();
  ended = false;
  isOpen = false;
  constructor(
    readonly generation: number,
    private readonly world: HandWorld,
  ) {}

  readonly ev = {
    on: (event: string, listener: Listener) => {
      const set = this.listeners.get(event) ?? new Set();
      set.add(listener);
      this.listeners.set(event, set);
    },
    off: (event: string, listener: Listener) => {
      this.listeners.get(event)?.delete(listener);
    },
  };

  emit(event: string, arg: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(arg);
  }

  open(): void {
    this.isOpen = true;
    this.emit('connection.update', { connection: 'open' });
  }

  close(statusCode: number, message = 'closed'): void {
    this.isOpen = false;
    this.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: new Boom(message, { statusCode }), date: new Date(0) },
    });
  }

  deliver(chatJid: string, id: string, text: string): void {
    this.emit('messages.upsert', {
      type: 'notify',
      messages: [
        { key: { remoteJid: chatJid, id, fromMe: false }, message: { conversation: text } },
      ],
    });
  }

  sendMessage = (jid: string, content: any, options?: { messageId?: string }): Promise<any> => {
    const script = this.world.scripts.shift() ?? 'ok';
    return new Promise((resolve, reject) => {
      const call: SendCall = {
        generation: this.generation,
        jid,
        text: content?.text ?? content?.caption,
        messageId: options?.messageId,
        // Resolves as Baileys does: the key, and the message it wrote.
        settle: (how) =>
          how === 'ok'
            ? resolve({
                key: { id: options?.messageId },
                message: { extendedTextMessage: { text: content?.text } },
              })
            : reject(how),
      };
      this.world.sends.push(call);
      if (!this.isOpen) return call.settle(new Boom('Connection Closed', { statusCode: 428 }));
      if (script === 'ok') return call.settle('ok');
      if (script === 'closed428')
        return call.settle(new Boom('Connection Closed', { statusCode: 428 }));
      if (script === 'timeout408') return call.settle(new Boom('Timed Out', { statusCode: 408 }));
      if (script === 'hang') return;
      call.settle(script.rejectWith);
    });
  };

  sendPresenceUpdate = async (_type: string, _jid?: string): Promise<void> => {
    if (!this.isOpen) throw new Boom('Connection Closed', { statusCode: 428 });
    this.world.presences += 1;
  };

  end = async (error: Error | undefined): Promise<void> => {
    if (this.ended) return;
    this.ended = true;
    this.isOpen = false;
    this.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error, date: new Date(0) },
    });
  };
}

/** Captured log line. */
interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

/** Everything a unit test controls: sockets, send scripts, a fake clock, captured logs. */
export class HandWorld {
  readonly sockets: HandSocket[] = [];
  readonly sends: SendCall[] = [];
  readonly scripts: SendScript[] = [];
  readonly logs: LogLine[] = [];
  /** The config each `makeSocket` call got, in order. */
  readonly configs: unknown[] = [];
  presences = 0;
  readonly fake = FakeTimers.withGlobal({
    Date,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    Promise,
  } as any).createClock(0);
  #ids = 0;

  readonly clock: Clock & { countTimers(): number } = {
    now: () => this.fake.now,
    setTimeout: (callback, delayMs) => this.fake.setTimeout(callback, delayMs),
    clearTimeout: (handle) => this.fake.clearTimeout(handle as any),
    countTimers: () => this.fake.countTimers(),
  };

  /** The store every env of this harness shares: it outlives a path, as a disk does. */
  readonly store = memoryStore();
  readonly logger: Logger = {
    debug: (obj, msg) => this.logs.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => this.logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => this.logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => this.logs.push({ level: 'error', obj, msg }),
  };

  /** The newest socket the factory made. */
  get latest(): HandSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket made yet');
    return socket;
  }

  env(config: Partial<SendPathConfig> = {}): SimEnv {
    return {
      makeSocket: (config) => {
        this.configs.push(config);
        const socket = new HandSocket(this.sockets.length + 1, this);
        this.sockets.push(socket);
        return socket as unknown as SocketLike;
      },
      clock: this.clock,
      random: () => 0.5,
      messageIds: () => `3EB0${(++this.#ids).toString(16).toUpperCase().padStart(18, '0')}`,
      logger: this.logger,
      store: this.store,
      config: { reconnect: { ...defaultReconnectPolicy }, replyDeadlineMs: 120_000, ...config },
    };
  }

  /** Runs timers up to `ms` from now, draining promise continuations between them. */
  async advance(ms: number): Promise<void> {
    await this.fake.tickAsync(ms);
  }

  /**
   * The newest socket is lost (408 `Connection was lost`, as Baileys' keep-alive reports a dead
   * connection) and, 3 s later (past the default first backoff at draw 0.5), the reconnect opens.
   */
  async loseAndReconnect(): Promise<void> {
    this.latest.close(408, 'Connection was lost');
    await this.advance(3000);
    this.latest.open();
    await this.settle();
  }

  /** Lets pending promise continuations run without moving time. */
  async settle(): Promise<void> {
    await this.fake.tickAsync(0);
  }
}
