/**
 * What a bot holds: the object the fake `makeWASocket` returns, with the members of rc14's
 * socket (`Socket/socket.js` and the layers over it) that public bots use, each behaving as
 * rc14's does (docs/bot-surface.md: the bots measured, the methods they call, rc14's source
 * lines and the loopback scenarios that hold the fake to them):
 *
 * - `ev` (`on`, `off`, `process`, `emit`, `removeAllListeners`, `isBuffering`, `flush`:
 *   emitter.ts), `sendMessage`, `sendPresenceUpdate`, `end`: the fake socket's own;
 * - `ws`: rc14's `WebSocketClient` (wsFacade.ts), made on first read;
 * - `user`: rc14's `authState.creds.me` as it was when `makeWASocket` was called: rc14's socket
 *   layers copy the getter's value with `{ ...sock }` (`Socket/chats.js`, `groups.js`, ...), so
 *   the login's `creds.update` (a new `me`, with the LID) does not reach it. For a session with
 *   no `me` (or no `auth`), the simulated paired account: the simulation always runs a paired
 *   device;
 * - `authState`: the `auth` the path passed (`{ creds, keys }`), `type: 'md'`;
 * - `logout()` and the modelled queries (socketQueries.ts).
 *
 * Every other function of rc14's socket (and of its `ev`) exists too, on a shared prototype:
 * calling one records the call in the run's history (`history.unmodelled`: a limit of the
 * harness, never the bot's bug) and throws an error naming it. A module under audit can answer
 * such calls itself (`socketStubs`, see {@link SocketStubs}).
 */
import type { SocketStubs } from '../../src/asWritten.js';
import type { SocketConfig } from '../../src/ports.js';
import type { FakeSocket } from './fakeSocket.js';
import { simulatedAccount } from './socketChannel.js';
import { modelledQueries, type ModelledQueries } from './socketQueries.js';
import {
  channelOf,
  modelledQueryNames,
  modelledSocketMembers,
  rc14SocketFunctions,
} from './unmodelledMembers.js';
import { socketStubsPrototype, type WithChannel } from './unmodelledMembers.js';
import { FakeWebSocketClient } from './wsFacade.js';

/**
 * A module's own answers for unmodelled socket members (its `socketStubs` export; see
 * src/asWritten.ts).
 */
export type { SocketStubs } from '../../src/asWritten.js';

/** Problems with a `socketStubs` export, one line each (empty when it is fine). */
export function socketStubsIssues(stubs: unknown): string[] {
  if (typeof stubs !== 'object' || stubs === null || Array.isArray(stubs))
    return ['socketStubs: must be an object of functions'];
  const issues: string[] = [];
  for (const [name, value] of Object.entries(stubs)) {
    if (typeof value !== 'function')
      issues.push(`socketStubs.${name}: must be a function (got ${typeof value})`);
    else if (modelledSocketMembers.includes(name))
      issues.push(
        `socketStubs.${name}: modelled by the simulated socket; only unmodelled methods ` +
          `can be stubbed`,
      );
    else if (!rc14SocketFunctions.has(name))
      issues.push(`socketStubs.${name}: not a function of Baileys 7.0.0-rc14's socket`);
  }
  return issues;
}

/** `socket` (a surface) with `stubs` as its members; `socket` itself when there are none. */
export function withSocketStubs<T extends object>(socket: T, stubs: SocketStubs | undefined): T {
  if (stubs === undefined) return socket;
  for (const [name, stub] of Object.entries(stubs))
    (socket as Record<string, unknown>)[name] = stub;
  return socket;
}

/** Where a surface keeps its socket, its account, and what it made on first use. */
const socketOf = Symbol('baileys-sim.socket');
const accountOf = Symbol('baileys-sim.account');
const queriesOf = Symbol('baileys-sim.queries');
const wsOf = Symbol('baileys-sim.ws');

interface SurfaceSlots extends WithChannel {
  [socketOf]: FakeSocket;
  [accountOf]: () => { id: string } | undefined;
  [queriesOf]?: ModelledQueries;
  [wsOf]?: FakeWebSocketClient;
}

/**
 * The shared prototype of every surface: `ws` and the modelled queries as getters that make the
 * socket's `ws` and query closures on first use (detachable once read, as rc14's closures are),
 * over the unmodelled stubs.
 */
const surfacePrototype: object = (() => {
  const prototype = Object.create(socketStubsPrototype) as object;
  Object.defineProperty(prototype, 'ws', {
    get(this: SurfaceSlots) {
      return (this[wsOf] ??= new FakeWebSocketClient(this[socketOf].channel));
    },
    enumerable: true,
  });
  for (const name of modelledQueryNames) {
    Object.defineProperty(prototype, name, {
      get(this: SurfaceSlots) {
        const socket = this[socketOf];
        const queries = (this[queriesOf] ??= modelledQueries(
          () => socket.channel,
          this[accountOf],
          (event, data) => void socket.ev.emit(event as 'groups.update', data as never),
        ));
        return queries[name];
      },
      enumerable: true,
    });
  }
  return prototype;
})();

/** The surface of `socket` (see the module comment); `stubs` answer unmodelled members. */
export function socketSurface(
  socket: FakeSocket,
  config: SocketConfig | undefined,
  stubs?: SocketStubs,
): FakeSocketSurface {
  const auth = config?.auth;
  const user = auth?.creds?.me ?? { ...simulatedAccount };
  const surface = Object.create(surfacePrototype) as FakeSocketSurface & SurfaceSlots;
  surface[channelOf] = () => socket.channel;
  surface[socketOf] = socket;
  surface[accountOf] = () => auth?.creds?.me ?? user;
  surface.user = user;
  surface.type = 'md';
  surface.ev = socket.ev;
  surface.sendMessage = socket.sendMessage;
  surface.sendPresenceUpdate = socket.sendPresenceUpdate;
  surface.end = socket.end;
  if (auth !== undefined) surface.authState = auth;
  return withSocketStubs(surface, stubs);
}

/** The object a bot gets from the fake `makeWASocket`. */
export interface FakeSocketSurface extends ModelledQueries {
  [member: string]: unknown;
  type: 'md';
  ev: FakeSocket['ev'];
  readonly ws: FakeWebSocketClient;
  user: { id: string } | undefined;
  authState?: NonNullable<SocketConfig['auth']>;
  sendMessage: FakeSocket['sendMessage'];
  sendPresenceUpdate: FakeSocket['sendPresenceUpdate'];
  end: FakeSocket['end'];
}
