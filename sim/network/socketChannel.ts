/**
 * What the bot-facing surface of a fake socket (socketSurface.ts, wsFacade.ts, socketQueries.ts)
 * reaches of its connection: rc14's `sendNode` and `query` on the fake wire, Baileys' own `end()`,
 * the bot's `ws.close()`, and the account the simulated session is paired to. `FakeSocket`
 * implements it (`FakeSocket.channel`); the surface never touches the socket's state otherwise.
 */
import type { SocketTimings } from '../../src/baileysFacts.js';
import type { ClockView } from '../clock.js';
import type { QueryKind } from '../faults/ruleStages.js';
import type { SocketRecord, SocketState } from '../history.js';
import type { ServerModel } from './server.js';

/**
 * The account a simulated session is paired to, as rc14's `authState.creds.me` holds it once
 * paired (`id` with the companion's device number; `lid` is what the server's `<success>`
 * names and `creds.update` adds at each login). A fake number, never a real one.
 */
export const simulatedAccount = Object.freeze({
  id: '15550900001:7@s.whatsapp.net',
  lid: '209900000000001:7@lid',
  name: 'baileys-sim',
});

/** The ws events a bot can hear (see wsFacade.ts). */
export interface WsEvents {
  /** Emits `event` to the bot's ws listeners (never throws for an `error` nobody listens to). */
  emitEvent(event: 'open' | 'close' | 'error', arg?: unknown): void;
  /** Baileys' `end()` began: it removes the ws listeners of `close`, `open` and `message`. */
  endBegan(): void;
}

/** See the module comment. */
export interface SocketChannel {
  readonly generation: number;
  /** The history's record of the socket (the surface adds its call counts and `logout()`). */
  readonly record: SocketRecord;
  readonly timings: SocketTimings;
  /** The network's timers (never the path's). */
  readonly timers: ClockView;
  readonly server: ServerModel;
  now(): number;
  state(): SocketState;
  /**
   * rc14's client dropped its ws after a `ws.close()` completed (`socket = null`): closed and
   * closing both read true.
   */
  wsReleased(): boolean;
  /**
   * rc14's `sendNode`: rejects 428 unless open; resolves once written; `atServer` runs when the
   * frame arrives.
   */
  sendNode(atServer?: () => void): Promise<void>;
  /**
   * rc14's `query`: true once answered, false after `defaultQueryTimeoutMs` unanswered
   * (`waitForMessage` turns its timeout into `undefined`; `timeoutMs` replaces the socket's
   * default); 428 unless open; the bare close code if the server cuts meanwhile.
   */
  query(kind: QueryKind, timeoutMs?: number): Promise<boolean>;
  /**
   * rc14's LID lookup of a user JID before a presence subscription or a picture query (a usync
   * query, `buildTcTokenFromJid`); resolves when answered, timed out or refused, never rejects.
   */
  lidLookup(jid: string): Promise<void>;
  /** Baileys' own `end(error)` (what `logout()` calls), not the path's. */
  endByBaileys(error: Error): void;
  /** The bot's `ws.close()`: resolves once ws closed (never, on a ws that closed by itself). */
  closeWs(): Promise<void>;
  /** The ws facade to tell of opens, closes and errors. */
  attachWs(ws: WsEvents): void;
  /** Timeline chat name of a JID (the JID itself for one the run does not know). */
  chatName(jid: string): string;
  /** The JIDs of the chats the run knows. */
  chatJids(): Iterable<string>;
  /** The path called `method`, which the fake does not model. */
  unmodelled(method: string): void;
}
