/**
 * One fake socket's send pipeline, the part rc14 keeps in `Socket/messages-send.js` (and
 * `sendPresenceUpdate`, `Socket/chats.js`): a send is recorded as an attempt, rejects 428 unless
 * the WebSocket is open, runs its media steps (`media_conn`, cached per socket even when it
 * failed, then the upload, outside the lock), then inside the socket's send lock (sendLock.ts)
 * the pre-write queries `relayMessage` runs (a group's metadata, devices, a key fetch, the LID
 * mapping), the write (`sendRawMessage`: 408 behind a full buffer), and the frame's way to the
 * server, which acks it, may nack it or find it undecryptable. It resolves right after the write
 * with a `proto.WebMessageInfo` and echoes it as an `append` upsert (`emitOwnEvents`). It keeps
 * what this socket wrote for rc14's own resends (resendCache.ts).
 */
import type { Boom } from '@hapi/boom';
import type {
  AnyMessageContent,
  MiscMessageGenerationOptions,
  WAMessage,
  WAPresence,
} from '@whiskeysockets/baileys';
import { errorRecord, type AttemptRecord } from '../history.js';
import { factKinds } from '../journal.js';
import {
  allEncryptionsFailedError,
  connectionClosedError,
  groupMetadataMissingError,
  mediaConnError,
  mediaConnUnansweredError,
  mediaUploadFailedError,
  presenceWithoutJidError,
  timedOutError,
} from './baileysErrors.js';
import type { Connection } from './connection.js';
import { describeContent, nackUpdate, sentWaMessage } from './messageShapes.js';
import { ResendCache } from './resendCache.js';
import { parseReplyKey, type FrameKind } from './server.js';
import { SendLock } from './sendLock.js';
import type { NewAttempt, PathSocketHooks, SocketHost } from './socketHost.js';

/** A message rc14 can write again: its text and kind, and the send attempt that wrote it first. */
export type Resendable = { text: string | undefined; kind: FrameKind; attemptSeq: number };

/** What a send pipeline is made of. */
export interface SendPipelineParts {
  host: SocketHost;
  generation: number;
  connection: Connection;
  /** rc14's `emitOwnEvents` (socketBehaviour.ts). */
  emitOwnEvents: boolean;
  /** The path's `cachedGroupMetadata`, if it passed one. */
  cachedGroupMetadata: PathSocketHooks['cachedGroupMetadata'];
}

/** The send pipeline of one fake socket (see the module comment). */
export class SendPipeline {
  readonly #host: SocketHost;
  readonly #parts: SendPipelineParts;
  readonly #connection: Connection;
  readonly #pendingSends = new Set<AttemptRecord>();
  /** Chats whose device list this socket knows (their usync queries are done). */
  readonly #knownChats = new Set<string>();
  /** This socket's send lock (see sendLock.ts). */
  readonly #sendLock = new SendLock();
  /** What this socket wrote lately and how often it resent it (resendCache.ts). */
  readonly resends = new ResendCache();
  #mediaConn: Promise<void> | undefined;

  /** The pipeline of `parts`. */
  constructor(parts: SendPipelineParts) {
    this.#host = parts.host;
    this.#parts = parts;
    this.#connection = parts.connection;
  }

  /** Sends still pending on this socket (hung uploads included). */
  get inflightCount(): number {
    return this.#pendingSends.size;
  }

  /** Baileys `sendMessage`: see the module comment. */
  readonly sendMessage = (
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined> => {
    const { text, kind } = describeContent(content);
    // Baileys draws the id in generateWAMessage, before any check: so does the fake.
    const messageId =
      typeof options?.messageId === 'string' ? options.messageId : this.#host.drawFakeId();
    const fields: NewAttempt = {
      kind: 'message',
      generation: this.#parts.generation,
      chat: this.#host.chatName(jid),
      chatJid: jid,
      messageId,
      socketState: this.#connection.state,
      closeEmittedBefore: this.#connection.closeEmitted,
    };
    const key = parseReplyKey(text);
    if (key !== undefined) fields.key = key;
    const attempt = this.#host.newAttempt(fields);
    // Over the attempts limit: the run is over; a promise that never settles stops a retry loop.
    if (attempt === undefined) return new Promise<never>(() => {});
    if (!this.#connection.wsOpen) return this.#settleRejected(attempt, connectionClosedError());
    const media = kind === 'image' || kind === 'document';
    return this.#track(attempt, async () => {
      if (media) await this.#mediaPhase(attempt);
      await this.#sendLock.run(async () => {
        await this.#preWritePhase(attempt, jid);
        await this.#write(attempt, text);
        this.#frameToServer(attempt, text, kind);
        const writtenAt = this.#host.now();
        this.resends.remember(messageId, { text, kind, attemptSeq: attempt.seq, writtenAt });
      });
      // rc14's sendMessage echoes the very message object it resolves to.
      const at = attempt.at;
      const sent = sentWaMessage({ chatJid: jid, messageId, text, kind, at }) as WAMessage;
      if (this.#parts.emitOwnEvents) this.#echo(sent);
      return sent;
    });
  };

  /**
   * Baileys `sendPresenceUpdate`: a chat state (`composing`, ...) needs a JID (a TypeError
   * otherwise, whatever the socket's state); then 428 unless open; otherwise written at once.
   */
  readonly sendPresenceUpdate = (type: WAPresence, toJid?: string): Promise<void> => {
    const chatJid = toJid ?? '';
    const attempt = this.#host.newAttempt({
      kind: 'presence',
      generation: this.#parts.generation,
      chat: this.#host.chatName(chatJid),
      chatJid,
      presence: type,
      socketState: this.#connection.state,
      closeEmittedBefore: this.#connection.closeEmitted,
    });
    if (attempt === undefined) return new Promise<never>(() => {});
    const chatState = type !== 'available' && type !== 'unavailable';
    const jidless = chatState && !(typeof toJid === 'string' && toJid.includes('@'));
    if (jidless) return this.#settleRejected(attempt, presenceWithoutJidError());
    if (!this.#connection.wsOpen) return this.#settleRejected(attempt, connectionClosedError());
    const connection = this.#connection;
    return this.#track(attempt, async () => {
      if (connection.resetUnread) throw connection.failedWrite();
      this.#markWritten(attempt);
      connection.toServer(() => {
        attempt.reachedServer = true;
        const { generation } = this.#parts;
        const now = this.#host.now();
        this.#host.server.receivePresence(chatJid, type, generation, attempt.seq, now);
      });
      return undefined;
    }) as Promise<void>;
  };

  /**
   * rc14's `sendMessagesAgain` (`Socket/messages-recv.js`) writing `message` again, same id, to
   * answer a retry receipt: a forced key fetch, the devices (never from the cache), and the
   * write, inside the send lock. Rejects when the socket cannot write it.
   */
  resendAgain(chatJid: string, messageId: string, message: Resendable): Promise<void> {
    const connection = this.#connection;
    return this.#sendLock.run(async () => {
      await connection.query('key', undefined, chatJid); // assertSessions(participant, force)
      if (chatJid.endsWith('@g.us')) await this.#groupMetadataPhase(undefined, chatJid);
      await connection.query('usync', undefined, chatJid);
      if (!chatJid.endsWith('@g.us')) await connection.query('usync', undefined, chatJid);
      if (connection.state !== 'open') throw connectionClosedError();
      if (connection.resetUnread) throw connection.failedWrite();
      if (connection.sendBufferFull) throw timedOutError();
      this.#resendFrameToServer(chatJid, messageId, message);
      this.resends.remember(messageId, { ...message, writtenAt: this.#host.now() });
    });
  }

  /**
   * rc14's LID lookup for a user JID (`getLIDForPN`, a usync query) before a presence
   * subscription or a profile picture query: once per chat per socket with the device-list cache
   * (as before a send), every time without. Never fails: rc14's `buildTcTokenFromJid` catches.
   */
  async lidLookup(jid: string): Promise<void> {
    const cache = this.#host.options.deviceListCache;
    if (cache && this.#knownChats.has(jid)) return;
    const answered = await this.#connection.query('usync', undefined, jid).catch(() => false);
    if (answered && cache) this.#knownChats.add(jid);
  }

  /** Runs a send's steps, recording how it settles. */
  #track<T>(attempt: AttemptRecord, steps: () => Promise<T>): Promise<T> {
    this.#pendingSends.add(attempt);
    return steps().then(
      (value) => {
        this.#settled(attempt, true, undefined);
        return value;
      },
      (error: unknown) => {
        this.#settled(attempt, false, error);
        throw error;
      },
    );
  }

  #settled(attempt: AttemptRecord, ok: boolean, error: unknown): void {
    this.#pendingSends.delete(attempt);
    attempt.settledAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.attemptSettled, attempt.seq);
    attempt.result = ok ? 'ok' : 'rejected';
    if (!ok) attempt.error = errorRecord(error);
  }

  #settleRejected(attempt: AttemptRecord, error: Boom | TypeError): Promise<never> {
    attempt.result = 'rejected';
    attempt.settledAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.attemptSettled, attempt.seq);
    attempt.error = errorRecord(error);
    return Promise.reject(error);
  }

  /** `media_conn` (once per socket: a failure stays cached), then the upload over HTTPS. */
  async #mediaPhase(attempt: AttemptRecord): Promise<void> {
    this.#mediaConn ??= this.#askMediaConn(attempt);
    await this.#mediaConn;
    const upload = this.#host.rules.media({ stage: 'upload' });
    if (upload === 'hang') return this.#uploadUnanswered(attempt);
    if (upload === 'fail') {
      await this.#connection.sleep(2 * this.#host.latencyMs());
      throw mediaUploadFailedError();
    }
    // The upload goes to a media host over its own HTTPS connection, not over this socket.
    await this.#connection.sleep(2 * this.#host.latencyMs());
  }

  /**
   * The media host took the upload and never answers. rc14 passes no timeout to it
   * (`uploadWithNodeHttp`, `Utils/messages-media.js`: `timeout: mediaUploadTimeoutMs`, unset by
   * default), so the send never settles, not even when this socket closes; it never reached
   * `relayMessage`, so it wrote nothing.
   */
  #uploadUnanswered(attempt: AttemptRecord): Promise<never> {
    attempt.uploadUnanswered = true;
    return new Promise<never>(() => {});
  }

  /** `refreshMediaConn`: the `media_conn` query, unanswered or answered with an error. */
  async #askMediaConn(attempt: AttemptRecord): Promise<void> {
    const answered = await this.#connection.query('media_conn', attempt, attempt.chatJid);
    if (!answered) throw mediaConnUnansweredError();
    if (this.#host.rules.media({ stage: 'mediaConn' }) === 'fail') throw mediaConnError();
  }

  /**
   * The queries `relayMessage` runs before the write. A group: its metadata (every send: rc14
   * has no metadata cache unless the path passes `cachedGroupMetadata`), then its participants'
   * devices. A contact: its devices, the key fetch of a device the bot has no session with, its
   * LID mapping. Device lists and mappings are known after the first send per chat per socket.
   */
  async #preWritePhase(attempt: AttemptRecord | undefined, chatJid: string): Promise<void> {
    const connection = this.#connection;
    const known = this.#host.options.deviceListCache && this.#knownChats.has(chatJid);
    if (chatJid.endsWith('@g.us')) {
      await this.#groupMetadataPhase(attempt, chatJid);
      if (!known) await connection.query('usync', attempt, chatJid); // the participants' devices
    } else {
      if (!known) await connection.query('usync', attempt, chatJid); // the devices
      await this.#keyFetchPhase(attempt, chatJid);
      if (!known) await connection.query('usync', attempt, chatJid); // the LID mapping
    }
    if (this.#host.options.deviceListCache) this.#knownChats.add(chatJid);
  }

  /** `groupMetadata` (`Socket/groups.js`): unanswered, `extractGroupMetadata` finds no group. */
  async #groupMetadataPhase(attempt: AttemptRecord | undefined, chatJid: string): Promise<void> {
    const cache = this.#parts.cachedGroupMetadata;
    const cached = cache === undefined ? undefined : await cache(chatJid);
    if (Array.isArray((cached as { participants?: unknown } | undefined)?.participants)) return;
    if (!(await this.#connection.query('group', attempt, chatJid))) {
      throw groupMetadataMissingError();
    }
  }

  /** `assertSessions` for a device with no session: its key fetch unanswered, nothing encrypts. */
  async #keyFetchPhase(attempt: AttemptRecord | undefined, chatJid: string): Promise<void> {
    if (this.#host.rules.keyFetch({ chatJid }) !== 'stall') return;
    await this.#connection.query('key', attempt, chatJid, { forced: 'stall' });
    throw allEncryptionsFailedError();
  }

  /**
   * The write: 428 unless open. Blocked behind a full send buffer it waits `connectTimeoutMs`
   * (`sendRawMessage`'s write timeout) and fails 408, never written. A frame larger than the
   * buffer written into a silent link is written (it arrives if the link comes back) but fails
   * 408 the same way, and fills the buffer for every write after it.
   */
  async #write(attempt: AttemptRecord, text: string | undefined): Promise<void> {
    const connection = this.#connection;
    const { connectTimeoutMs } = connection.timings;
    if (!connection.wsOpen) throw connectionClosedError();
    if (connection.resetUnread) throw connection.failedWrite();
    const full = connection.sendBufferFull;
    if (full || this.#host.rules.write({ chatJid: attempt.chatJid }) === 'stuck') {
      await connection.sleep(connectTimeoutMs);
      throw timedOutError();
    }
    this.#markWritten(attempt);
    if (connection.silent && (text?.length ?? 0) >= this.#host.options.sendBufferBytes) {
      connection.fillSendBuffer();
      this.#frameToServer(attempt, text, 'text');
      await connection.sleep(connectTimeoutMs);
      throw timedOutError();
    }
  }

  #markWritten(attempt: AttemptRecord): void {
    attempt.written = true;
    attempt.writtenAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.attemptWritten, attempt.seq);
  }

  /**
   * The written frame travels to the server, which may nack it; its ack keeps the keep-alive
   * content. A frame that reached the recipient may fail to decrypt there (a retry receipt
   * follows); one that shows gets the recipient's delivery and read receipts.
   */
  #frameToServer(attempt: AttemptRecord, text: string | undefined, kind: FrameKind): void {
    const host = this.#host;
    const connection = this.#connection;
    connection.toServer(() => {
      attempt.reachedServer = true;
      const { chatJid } = attempt;
      const messageId = attempt.messageId!;
      const nack = host.rules.serverMessage({ chatJid });
      if (nack !== undefined) attempt.nacked = true;
      const retry = nack === undefined ? host.rules.decrypt({ chatJid }) : undefined;
      if (retry !== undefined) attempt.undecryptable = true;
      const { generation } = this.#parts;
      const undecryptable = retry !== undefined;
      const attemptSeq = attempt.seq;
      const frame = { chatJid, messageId, text, kind, generation, attemptSeq, undecryptable };
      const duplicate = host.server.receiveMessage(frame, host.now(), nack !== undefined);
      connection.fromServer(() => undefined); // the server's ack
      if (nack !== undefined) {
        const update = nackUpdate(attempt, nack.code);
        const emit = (): void => void connection.emit('messages.update', update);
        host.timers.setTimeout(() => connection.fromServer(emit), nack.nackAfterMs);
      } else if (retry !== undefined) {
        host.requestResend({ chatJid, messageId }, retry.retryAfterMs);
      } else if (!duplicate) host.recipientGot({ chatJid, messageId });
    });
  }

  /** rc14's own resend, same id, answering a retry receipt (no nack: the server took the id). */
  #resendFrameToServer(chatJid: string, messageId: string, send: Resendable): void {
    const host = this.#host;
    const connection = this.#connection;
    connection.toServer(() => {
      const retry = host.rules.decrypt({ chatJid });
      const { text, kind, attemptSeq } = send;
      const { generation } = this.#parts;
      const undecryptable = retry !== undefined;
      const frame = { chatJid, messageId, text, kind, generation, attemptSeq, undecryptable };
      const resend = { ...frame, retryResend: true };
      const duplicate = host.server.receiveMessage(resend, host.now(), false);
      connection.fromServer(() => undefined); // the server's ack
      if (retry !== undefined) host.requestResend({ chatJid, messageId }, retry.retryAfterMs);
      else if (!duplicate) host.recipientGot({ chatJid, messageId });
    });
  }

  /**
   * rc14 echoes every write as an `append` upsert `fromMe` (`emitOwnEvents`), after its event
   * buffer's delay; a login still under way holds it until its notifications.
   */
  #echo(message: WAMessage): void {
    const connection = this.#connection;
    const upsert = { messages: [message], type: 'append' };
    const emit = (): void => void connection.emit('messages.upsert', upsert);
    const { echoMs } = this.#host.options;
    this.#host.timers.setTimeout(() => connection.emitOnceLoggedIn(emit), echoMs);
  }
}
