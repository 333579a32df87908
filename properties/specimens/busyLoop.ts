/**
 * Specimen `busy-loop`.
 * BUG: the `messages.upsert` handler rate-limits the bot by busy-waiting: past a few messages it
 * spins until its window has passed (`while (clock.now() < until) {}`). In production that
 * freezes the whole process for the window (keep-alives, timers, every other chat); under a
 * virtual clock time never moves inside synchronous code, and the loop never ends.
 * Everything else is the reference path, so the stall is the only verdict it can earn.
 * RUNS FOREVER once it spins: only a watchdog-guarded run (a process with a wall-clock budget)
 * may execute it. It is a verdict specimen marked `hangs`, never in `specimens`.
 * Caught by: the campaign's watchdog (a run that makes no progress within its wall-clock budget).
 */
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { SendPathFactory, SimEnv, SocketLike } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { forwardingSocket } from './host.js';

/** Messages handled before the limiter starts waiting. */
const messagesBeforeLimit = 3;
/** The limiter's window. */
const windowMs = 1000;

type Upsert = BaileysEventMap['messages.upsert'];
type Listener = (arg: never) => void;

/**
 * `socket` with every `messages.upsert` listener behind the limiter: once `counter` has seen more
 * than {@link messagesBeforeLimit} messages from others, each upsert first spins out the window.
 */
function limited(env: SimEnv, socket: SocketLike, counter: { handled: number }): SocketLike {
  const wrapped = new Map<Listener, Listener>();
  const spinFirst =
    (listener: Listener): Listener =>
    (arg: never) => {
      counter.handled += (arg as Upsert).messages.filter((m) => m.key?.fromMe !== true).length;
      if (counter.handled > messagesBeforeLimit) {
        const until = env.clock.now() + windowMs;
        while (env.clock.now() < until) {
          // spin until the window has passed
        }
      }
      listener(arg);
    };
  const ev = {
    on: (event: string, listener: Listener) => {
      if (event !== 'messages.upsert') return socket.ev.on(event as never, listener);
      const limitedListener = spinFirst(listener);
      wrapped.set(listener, limitedListener);
      return socket.ev.on(event as never, limitedListener);
    },
    off: (event: string, listener: Listener) => {
      const limitedListener = event === 'messages.upsert' ? wrapped.get(listener) : undefined;
      if (limitedListener !== undefined) wrapped.delete(listener);
      return socket.ev.off(event as never, limitedListener ?? listener);
    },
  } as SocketLike['ev'];
  return forwardingSocket(socket, { ev });
}

/** The busy-loop specimen: the reference path, its upsert handler behind a busy-waiting limiter. */
export const busyLoop: SendPathFactory = (env) => {
  const counter = { handled: 0 };
  return referenceSendPath({
    ...env,
    makeSocket: (config) => limited(env, env.makeSocket(config), counter),
  });
};

/** Loadable as a module file (`baileys-sim run ./properties/specimens/busyLoop.ts`). */
export default busyLoop;
