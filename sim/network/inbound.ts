/**
 * One fake socket's inbound part, the part rc14 keeps in `Socket/messages-recv.js`: messages
 * that arrive join the event buffer and are emitted as one upsert (`notify` live, `append` for
 * those held while the bot was offline), each receipted first (`handleMessage` sends the receipt,
 * then `upsertMessage`); receipts from recipients become `messages.update` (a group's
 * `message-receipt.update`), and a retry receipt is answered by rc14 itself (`handleReceipt`,
 * `sendMessagesAgain`) through the send pipeline. At `close` it hands back what the server must
 * deliver again: messages never receipted, retry receipts never acknowledged.
 */
import type { TimerHandle } from '../../src/ports.js';
import type { Connection } from './connection.js';
import type { HandedBack } from './connectionShared.js';
import { inboundUpsert, receiptUpdate } from './messageShapes.js';
import { resendOfMessage } from './resendCache.js';
import type { QueuedInbound, ReceiptForBot, RetryAnswer } from './server.js';
import type { Resendable, SendPipeline } from './sendPipeline.js';
import type { PathSocketHooks, SocketHost } from './socketHost.js';

/** What an inbound part is made of. */
interface InboundParts {
  host: SocketHost;
  generation: number;
  connection: Connection;
  pipeline: SendPipeline;
  /** The path's `getMessage`, if it passed one. */
  getMessage: PathSocketHooks['getMessage'];
}

/** The inbound part of one fake socket (see the module comment). */
export class Inbound {
  readonly #host: SocketHost;
  readonly #parts: InboundParts;
  readonly #connection: Connection;
  /** Inbound ids this socket sent a receipt for (rc14 receipts a message before emitting it). */
  readonly #receipted = new Set<string>();
  /** Inbound emitted but not yet receipted by the server, by id. */
  readonly #unreceipted = new Map<string, QueuedInbound>();
  /** Retry receipts this socket received and has not acknowledged yet: a close hands them back. */
  readonly #unansweredRetries = new Set<ReceiptForBot>();
  /** Offline messages the server pushed at login, not yet emitted: a close hands them back. */
  #offlinePending: QueuedInbound[] = [];
  /** Offline receipts the server pushed at login, not yet processed. */
  #offlineReceipts: ReceiptForBot[] = [];
  /** Inbound arrived, waiting for the next upsert flush (or re-emission after a throw). */
  #upsertBuffer: QueuedInbound[] = [];
  #flushTimer: TimerHandle | undefined;

  /** The inbound part of `parts`. */
  constructor(parts: InboundParts) {
    this.#host = parts.host;
    this.#parts = parts;
    this.#connection = parts.connection;
  }

  /** A message from the server, live: it arrives one latency later. */
  deliver(message: QueuedInbound): void {
    this.#connection.fromServer(() => this.#arrived(message));
  }

  /** A receipt from a recipient, live: it arrives one latency later. */
  deliverReceipt(receipt: ReceiptForBot): void {
    // Unacknowledged from the moment it is pushed: a close before it arrives hands it back.
    if (receipt.type === 'retry') this.#unansweredRetries.add(receipt);
    this.#connection.fromServer(() => this.#receiptArrived(receipt));
  }

  /** An inbound frame arrived: it joins the event buffer, flushed as one upsert. */
  #arrived(message: QueuedInbound): void {
    if (this.#connection.state !== 'open') return;
    this.#upsertBuffer.push(message);
    const flushMs = this.#host.options.inboundFlushMs;
    this.#flushTimer ??= this.#host.timers.setTimeout(() => this.#flush('notify'), flushMs);
  }

  /**
   * Offline messages and receipts pushed at login; a socket that closes before emitting the
   * messages hands them back (no receipt went out), and its unanswered retry receipts too.
   */
  deliverOffline(messages: readonly QueuedInbound[], receipts: readonly ReceiptForBot[]): void {
    this.#offlinePending.push(...messages);
    this.#offlineReceipts.push(...receipts);
    this.#host.timers.setTimeout(() => {
      if (this.#connection.state !== 'open') return;
      const offlineReceipts = this.#offlineReceipts;
      this.#offlineReceipts = [];
      for (const receipt of offlineReceipts) this.#receiptArrived(receipt);
      if (this.#offlinePending.length === 0) return;
      this.#upsertBuffer.push(...this.#offlinePending);
      this.#offlinePending = [];
      this.#flush('append');
    }, this.#host.options.offlineDeliveryMs);
  }

  /**
   * `close` was emitted: rc14's `ev.destroy()` drops what its buffer held. Receipted messages
   * (emitted, a listener may have thrown) are the server's no more; never receipted ones, and
   * retry receipts never acknowledged, come again at the next login.
   */
  handBack(): HandedBack {
    if (this.#flushTimer !== undefined) this.#host.timers.clearTimeout(this.#flushTimer);
    const held = [...this.#offlinePending, ...this.#upsertBuffer];
    const unemitted = held.filter((m) => !this.#receipted.has(m.id));
    const unreceipted = [...this.#unreceipted.values(), ...unemitted];
    const offlineRetries = this.#offlineReceipts.filter((r) => r.type === 'retry');
    const unanswered = [...this.#unansweredRetries, ...offlineRetries];
    this.#unreceipted.clear();
    this.#unansweredRetries.clear();
    this.#offlinePending = [];
    this.#offlineReceipts = [];
    this.#upsertBuffer = [];
    return { unreceipted, unanswered };
  }

  /**
   * A `<receipt>` arrived (`handleReceipt`, `Socket/messages-recv.js`): delivered and read ones
   * become `messages.update` (a group's `message-receipt.update`); a retry receipt is answered.
   * A socket whose `end()` began no longer reads frames: a retry receipt then waits for the next
   * login, unacknowledged.
   */
  #receiptArrived(receipt: ReceiptForBot): void {
    const connection = this.#connection;
    if (receipt.type !== 'retry') {
      if (connection.state !== 'open') return;
      const update = receiptUpdate(receipt, this.#host.now());
      connection.emit(update.event, update.arg);
      return;
    }
    this.#unansweredRetries.add(receipt);
    if (connection.state !== 'open') return;
    void this.#answerRetry(receipt).then((answer) => {
      if (answer === undefined || !this.#unansweredRetries.has(receipt)) return;
      // The acknowledgement (`sendMessageAck`, in `handleReceipt`'s finally) tells the server.
      connection.toServer(() => {
        if (!this.#unansweredRetries.delete(receipt)) return;
        this.#host.retryAnswered(receipt, this.#parts.generation, answer);
      });
    });
  }

  /**
   * `handleReceipt` and `sendMessagesAgain`: the message from this socket's cache, else from the
   * path's `getMessage`; then the send pipeline writes it again. Undefined when the socket closed
   * first: the receipt stays unacknowledged.
   */
  async #answerRetry(receipt: ReceiptForBot): Promise<RetryAnswer | undefined> {
    const { chatJid, messageId } = receipt;
    const { resends } = this.#parts.pipeline;
    if (!resends.admitRetry(messageId)) return 'overLimit';
    const cached = resends.take(messageId, this.#host.now());
    const message = cached ?? (await this.#askPathForMessage(receipt));
    if (message === undefined) return 'unavailable';
    if (resends.admitResend(messageId) === 'overLimit') return 'overLimit';
    try {
      await this.#parts.pipeline.resendAgain(chatJid, messageId, message);
      return 'resent';
    } catch {
      // rc14 logs 'error in sending message again' and acknowledges, unless the socket is gone.
      return this.#connection.state === 'open' ? 'failed' : undefined;
    }
  }

  /** The path's `getMessage`, asked with rc14's key (`{ ...key, id }`); a throw is no message. */
  async #askPathForMessage(receipt: ReceiptForBot): Promise<Resendable | undefined> {
    const getMessage = this.#parts.getMessage;
    if (getMessage === undefined) return undefined;
    const { chatJid: remoteJid, messageId: id } = receipt;
    const participant = receipt.participantJid ?? remoteJid;
    try {
      const found = resendOfMessage(await getMessage({ remoteJid, id, fromMe: true, participant }));
      if (found === undefined) return undefined;
      return { ...found, attemptSeq: this.#host.attemptSeqOf(id) };
    } catch {
      return undefined;
    }
  }

  /**
   * Emits the buffered messages as one upsert, each receipted first: rc14's `handleMessage`
   * (`Socket/messages-recv.js`) sends the receipt, then `upsertMessage`, and the event buffer
   * emits. If a listener throws, rc14's buffer is not cleared: the same messages are emitted
   * again with the next flush on this socket, and never again once it closes (the server has
   * their receipts).
   */
  #flush(type: 'notify' | 'append'): void {
    this.#flushTimer = undefined;
    if (this.#upsertBuffer.length === 0 || this.#connection.state !== 'open') return;
    const batch = this.#upsertBuffer;
    const { generation } = this.#parts;
    for (const message of batch) this.#receipt(message);
    for (const message of batch) this.#host.hooks.onInboundEmitted(message, generation, type);
    const ok = this.#connection.emit('messages.upsert', inboundUpsert(batch, type));
    if (ok) this.#upsertBuffer = [];
  }

  /** An inbound message's receipt, once per socket; a close before it arrives hands it back. */
  #receipt(message: QueuedInbound): void {
    if (this.#receipted.has(message.id)) return;
    this.#receipted.add(message.id);
    this.#unreceipted.set(message.id, message);
    this.#connection.toServer(() => {
      const lost = this.#host.rules.receipt({ chatJid: message.chatJid }) === 'lost';
      if (!lost) this.#unreceipted.delete(message.id);
    });
  }
}
