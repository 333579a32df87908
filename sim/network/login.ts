/**
 * The login of one fake socket's connection: `connection.update` `connecting` from
 * `process.nextTick` (rc14 `Socket/socket.js:822-830`), the WebSocket's upgrade (`ws.isOpen`,
 * which `sendRawMessage` checks: `:58-61`), the handshake and login (`validateConnection`,
 * `:308-337`, under ws's handshake timeout `connectTimeoutMs`) and how they end: `CB:success`
 * (`:746-766`: `creds.update`, then `open`), `CB:failure` (`:798-801`: `Connection Failure`), ws's
 * `error` (`:689`: a refused connect, the handshake timeout), or an HTTP error on the upgrade
 * (ws's `unexpected-response`, which Baileys ignores: `connecting` for ever). The faults decide
 * through `host.rules.connect` (`sim/faults/ruleStages.ts`); a login that fails ends the socket
 * through the close (close.ts).
 */
import type { Boom } from '@hapi/boom';
import type { ConnectVerdict } from '../faults/ruleStages.js';
import { factKinds } from '../journal.js';
import { connectRefusedError, handshakeTimedOutError, loginFailureError } from './baileysErrors.js';
import type { Close } from './close.js';
import type { ConnectionShared } from './connectionShared.js';
import { simulatedAccount } from './socketChannel.js';

/** See the module comment. */
export class Login {
  readonly #shared: ConnectionShared;
  readonly #close: Close;
  /** When the server accepts the upgrade (one latency after the connect), unless it fails. */
  readonly #upgradeAt: number;
  /** Emissions rc14's event buffer holds until the login's notifications (echoes of sends). */
  #heldUntilLogin: (() => void)[] = [];

  /** The login of the connection that shares `shared`, ended by `close` if it fails. */
  constructor(shared: ConnectionShared, close: Close) {
    this.#shared = shared;
    this.#close = close;
    this.#upgradeAt = shared.host.now() + shared.host.latencyMs();
  }

  /** Starts connecting: `connecting` on the next tick, the login's answer after the delay. */
  start(): void {
    const shared = this.#shared;
    const host = shared.host;
    // Baileys emits `connecting` from process.nextTick after makeWASocket returns.
    queueMicrotask(() => {
      if (shared.state !== 'connecting') return;
      const pending = { receivedPendingNotifications: false, qr: undefined };
      shared.emit('connection.update', { connection: 'connecting', ...pending });
    });
    const delayMs = host.options.connectDelayMs + host.latencyMs();
    shared.connectTimer.start(() => this.#completeConnect(), delayMs);
  }

  /**
   * Whether Baileys may write: `sendRawMessage`'s `ws.isOpen`. The WebSocket is open once the
   * socket is, and already while it logs in once the upgrade was accepted (it may be answered
   * late: `slowLogin`); never after a write failed on it.
   */
  get wsOpen(): boolean {
    const shared = this.#shared;
    if (shared.link.writeFailed) return false;
    return shared.state === 'open' || (shared.state === 'connecting' && this.#upgraded());
  }

  /** The upgrade was accepted: its time came, and the connect does not fail before it opens. */
  #upgraded(): boolean {
    const { host, link, record } = this.#shared;
    if (host.now() < this.#upgradeAt || link.silent) return false;
    if (record.cause !== undefined) return false;
    const verdict = host.rules.connect(host.now())?.kind;
    return verdict !== 'hang' && verdict !== 'refuse' && verdict !== 'upgradeRejected';
  }

  /**
   * Emits now, unless the socket is still logging in: rc14's event buffer then holds it until
   * the login's notifications; never once `close` was emitted.
   */
  emitOnceLoggedIn(emit: () => void): void {
    if (this.#shared.state === 'connecting') this.#heldUntilLogin.push(emit);
    else if (!this.#shared.closeEmitted) emit();
  }

  #completeConnect(): void {
    const shared = this.#shared;
    // A link that went silent while connecting never answers the login.
    const verdict: ConnectVerdict | undefined = shared.link.silent
      ? { kind: 'hang' }
      : shared.host.rules.connect(shared.host.now());
    switch (verdict?.kind) {
      case undefined:
        return this.#loggedIn();
      case 'slowLogin':
        // The WebSocket is open meanwhile; a link gone silent by then never hears the answer.
        shared.connectTimer.start(() => {
          if (shared.link.silent) this.#completeConnect();
          else this.#loggedIn();
        }, verdict.delayMs);
        return;
      case 'hang':
        return this.#hangUntilTimeout();
      case 'refuse':
        shared.record.refused = true;
        shared.lost('refused');
        return this.#refused(connectRefusedError());
      case 'upgradeRejected':
        // ws reports `unexpected-response`, Baileys listens for it and does nothing: no close.
        return shared.lost('upgradeRejected');
      case 'loginFailure':
        shared.lost('loginFailure');
        // The upgrade succeeded: ws opened; Baileys' end() on `<failure>` closes it.
        shared.ws?.emitEvent('open');
        return this.#close.endOnLoginFailure(loginFailureError(verdict.reason));
    }
  }

  /** The upgrade is never answered: ws's handshake timeout ends it `connectTimeoutMs` in. */
  #hangUntilTimeout(): void {
    const shared = this.#shared;
    const timeoutAt = shared.record.createdAt + shared.parts.timings.connectTimeoutMs;
    shared.connectTimer.start(
      () => {
        shared.lost('hang');
        const error = handshakeTimedOutError();
        shared.ws?.emitEvent('error', error.data);
        this.#close.finish(error);
      },
      Math.max(0, timeoutAt - shared.host.now()),
    );
  }

  /**
   * The login was answered. When it ended an older session of the device, that session's 440
   * arrived with the answer and its close takes a round trip; this socket's `open` follows its
   * own login queries, which take longer (rc14 on loopback: the old close 10 ms before the new
   * `open`). Opens after the replaced sessions' closes.
   */
  #loggedIn(): void {
    const { host, parts } = this.#shared;
    if (host.loggingIn(parts.generation) === 0) return this.#open();
    this.#shared.connectTimer.start(() => this.#open(), 2 * host.latencyMs() + 1);
  }

  /**
   * rc14's `creds.update` at each login (`CB:success`): `me` with the LID the server names, which
   * rc14's own listener assigns into the auth's creds before anyone else hears it. A session with
   * no `me` is taken as paired elsewhere: its creds are left alone.
   */
  #loginCredsUpdate(): void {
    const creds = this.#shared.parts.auth?.creds;
    if (creds === undefined) return;
    const update = { me: { ...(creds.me ?? simulatedAccount), lid: simulatedAccount.lid } };
    if (creds.me !== undefined) Object.assign(creds, update);
    this.#shared.emit('creds.update', update);
  }

  /** ws's `error` on a refused connect reaches the bot's ws listeners; Baileys ends with it. */
  #refused(error: Boom): void {
    this.#shared.ws?.emitEvent('error', error.data);
    this.#close.finish(error);
  }

  #open(): void {
    const shared = this.#shared;
    const { host, parts, record } = shared;
    const now = host.now();
    record.state = 'open';
    record.openedAt = now;
    host.hooks.note?.(factKinds.socketOpened, parts.generation);
    shared.link.heardLogin(now);
    shared.ws?.emitEvent('open');
    // rc14 order: the offline notification, the login's `creds.update` (its `me`, with the LID
    // the server gave), then chats.js's presence inside the `open` emission (`CB:success`).
    shared.emit('connection.update', { receivedPendingNotifications: true });
    const held = this.#heldUntilLogin;
    this.#heldUntilLogin = [];
    for (const emit of held) emit();
    this.#loginCredsUpdate();
    shared.emit('connection.update', { isOnline: parts.markOnlineOnConnect });
    shared.emit('connection.update', { connection: 'open' });
    host.opened(parts.generation);
  }
}
