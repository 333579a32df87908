/**
 * `sock.ws` of a fake socket: rc14's `WebSocketClient` (`Socket/Client/websocket.js`) as a bot
 * sees it. An `EventEmitter` (no listener limit, as rc14's `setMaxListeners(0)`) with:
 *
 * - `isOpen`, `isClosed`, `isClosing`, `isConnecting`, read from the connection now. rc14 reads
 *   them from its ws's `readyState`, and drops its ws (`socket = null`) once a `close()` of its
 *   own completed: `isClosed` and `isClosing` are then both true. `readyState` is not a member of
 *   rc14's client (only of the ws inside it), so it reads as undefined here too.
 * - `close()`: on an open socket ws starts its close handshake and, one round trip later (ws's 30 s
 *   close timeout on a silent link), its `close` makes Baileys end the socket with 428 `Connection
 *   Terminated`, a close a reconnecting bot reconnects after; on a connecting one it aborts the
 *   handshake (500 `WebSocket Error (WebSocket was closed before the connection was
 *   established)`). The promise resolves when ws closed; on a ws that closed by itself (a cut, a
 *   refused connect) it never settles, because `close()` awaits a `close` event that already came.
 * - events: `open` when the connection opens; `close` (with the ws close code) when ws closes
 *   before Baileys' `end()` began (a cut, the bot's own `close()`); `error` on a refused or timed
 *   out connect. Baileys' `end()` removes the listeners of `close`, `open` and `message`. Frame
 *   events (`CB:…`, `frame`, `message`) are accepted and never emitted: the fake moves no frames
 *   a bot could read.
 * - `connect()` is a no-op while rc14's client holds its ws (as rc14's); after a completed
 *   `close()` it would open a new connection under the same socket, which the fake does not model.
 */
import { EventEmitter } from 'node:events';
import type { SocketChannel, WsEvents } from './socketChannel.js';

/** Events Baileys' `end()` removes the listeners of (`Socket/socket.js`). */
const removedByEnd = ['close', 'open', 'message'] as const;

/** See the module comment. */
export class FakeWebSocketClient extends EventEmitter implements WsEvents {
  readonly #channel: SocketChannel;

  /** The client of `channel`'s connection; tells the connection where its ws events go. */
  constructor(channel: SocketChannel) {
    super();
    this.setMaxListeners(0);
    this.#channel = channel;
    channel.attachWs(this);
  }

  /** ws is OPEN. */
  get isOpen(): boolean {
    return this.#channel.state() === 'open';
  }

  /** ws is CLOSED, or rc14's client dropped it after its own `close()`. */
  get isClosed(): boolean {
    return this.#channel.state() === 'closed';
  }

  /** ws is CLOSING, or rc14's client dropped it after its own `close()`. */
  get isClosing(): boolean {
    return this.#channel.state() === 'closing' || this.#channel.wsReleased();
  }

  /**
   * ws is CONNECTING (the upgrade and login are under way, or an upgrade answered with an HTTP
   * error).
   */
  get isConnecting(): boolean {
    return this.#channel.state() === 'connecting';
  }

  /** rc14's `close()`: see the module comment. */
  close(): Promise<void> {
    this.#channel.record.calls = countCall(this.#channel.record.calls, 'ws.close');
    return this.#channel.closeWs();
  }

  /** rc14's `connect()`: a no-op while the client holds its ws. */
  connect(): void {
    if (this.#channel.wsReleased()) this.#channel.unmodelled('ws.connect');
  }

  /** rc14's `send()` writes raw bytes past Baileys: not modelled. */
  send(): boolean {
    this.#channel.unmodelled('ws.send');
    return false;
  }

  /** @internal See {@link WsEvents.emitEvent}. */
  emitEvent(event: 'open' | 'close' | 'error', arg?: unknown): void {
    if (event === 'error' && this.listenerCount('error') === 0) return;
    try {
      if (arg === undefined) this.emit(event);
      else this.emit(event, arg);
    } catch (error) {
      // A throwing ws listener escapes into ws's own emission, which nobody catches.
      void Promise.reject(error);
    }
  }

  /** @internal See {@link WsEvents.endBegan}. */
  endBegan(): void {
    for (const event of removedByEnd) this.removeAllListeners(event);
  }
}

/**
 * Most surface calls counted per method on one socket (a limit on everything: the count saturates).
 */
const surfaceCallsCountedMax = 1_000_000;

/**
 * `calls` with one more call of `method` (created on the first call: a socket nobody called has
 * none).
 */
export function countCall(
  calls: Record<string, number> | undefined,
  method: string,
): Record<string, number> {
  const counts = calls ?? {};
  counts[method] = Math.min((counts[method] ?? 0) + 1, surfaceCallsCountedMax);
  return counts;
}
