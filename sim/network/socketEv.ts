/**
 * The fake socket's `ev`: rc14's event members (`Utils/event-buffer.js`) over one
 * {@link FakeEmitter}; the members the fake does not model are recorded and throw
 * (unmodelledMembers.ts). Apart from the surface, so the socket that owns the `ev` imports
 * nothing of what a bot holds.
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { FakeEmitter, ProcessHandler } from './emitter.js';
import type { SocketChannel } from './socketChannel.js';
import { channelOf, eventStubsPrototype, type WithChannel } from './unmodelledMembers.js';
import { countCall } from './wsFacade.js';

/**
 * The fake socket's `ev`: rc14's members over one {@link FakeEmitter}, typed as Baileys types
 * them. `isBuffering()` is false and `flush()` does nothing and returns false: rc14 buffers
 * around offline processing and history sync, the fake emits at once.
 */
export type FakeEv = Pick<
  WASocket['ev'],
  'on' | 'off' | 'process' | 'emit' | 'removeAllListeners' | 'isBuffering' | 'flush'
>;

/** Where an `ev` keeps its emitter, and the closures of its members made on first use. */
const emitterOf = Symbol('baileys-sim.emitter');
const evMembersOf = Symbol('baileys-sim.evMembers');

interface EvSlots extends WithChannel {
  [emitterOf]: FakeEmitter;
  [evMembersOf]?: Record<string, unknown>;
}

/** `ev`'s members besides `on` and `off`, as closures (detachable, as rc14's), for one emitter. */
function evMembers(ev: EvSlots): Record<string, unknown> {
  const emitter = ev[emitterOf];
  const channel = ev[channelOf]!;
  return {
    process: (handler: ProcessHandler) => {
      const ch = channel();
      ch.record.calls = countCall(ch.record.calls, 'ev.process');
      return emitter.process(handler);
    },
    emit: (event: string, data: unknown) => emitter.emit(event, data),
    removeAllListeners: (event?: string) => emitter.removeAllListeners(event),
    isBuffering: () => false,
    flush: () => false,
  };
}

/**
 * The shared prototype of every `ev`: `process`, `emit`, `removeAllListeners`, `isBuffering`,
 * `flush` as getters that make the `ev`'s closures on first use (most paths never read them: a
 * socket is made per connect, and its surface must cost next to nothing), over the unmodelled
 * stubs.
 */
const evPrototype: object = (() => {
  const prototype = Object.create(eventStubsPrototype) as object;
  for (const name of ['process', 'emit', 'removeAllListeners', 'isBuffering', 'flush']) {
    Object.defineProperty(prototype, name, {
      get(this: EvSlots) {
        return (this[evMembersOf] ??= evMembers(this))[name];
      },
      enumerable: true,
    });
  }
  return prototype;
})();

/**
 * The `ev` of a fake socket over `emitter`; its unmodelled members reach the connection through
 * `channel`.
 */
export function fakeEv(emitter: FakeEmitter, channel: () => SocketChannel): FakeEv {
  const ev = Object.create(evPrototype) as Record<string, unknown> & EvSlots;
  ev[channelOf] = channel;
  ev[emitterOf] = emitter;
  ev.on = (event: string, listener: (arg: never) => void) => emitter.on(event, listener);
  ev.off = (event: string, listener: (arg: never) => void) => emitter.off(event, listener);
  return ev as unknown as FakeEv;
}
