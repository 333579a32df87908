/**
 * The recipient's phone, as the loopback server plays it: what it sends back for a `<message>`
 * the bot wrote. WhatsApp relays these to the bot as `<receipt>` stanzas:
 *
 * - a delivery receipt (no `type`): rc14 emits `messages.update` status DELIVERY_ACK (3);
 * - a read receipt (`type="read"`): status READ (4) (`getStatusFromReceiptType`,
 *   `Utils/generics.js`; `handleReceipt`, `Socket/messages-recv.js`);
 * - a retry receipt (`type="retry"` with a `<retry count>` child): the recipient could not
 *   decrypt the message and asks for it again; rc14 resends it with the same id
 *   (`sendMessagesAgain`, `Socket/messages-recv.js`) if it still has it.
 *
 * A receipt goes to the newest logged-in connection, or waits for the next login (offline, with
 * the `offline` attribute, like any stanza the device has not acknowledged). Every timer is the
 * server's and is cleared when it closes.
 */
import type { BinaryNode } from '@whiskeysockets/baileys';

/** When the recipient's phone sends receipts for each message frame, ms after it arrived. */
interface ReceiptPolicy {
  deliveryMs?: number;
  readMs?: number;
}

/** What the recipient does with a message frame the server received. */
interface RecipientHost {
  /** Runs `fn` after `ms` unless the server closes first. */
  later(ms: number, fn: () => void): void;
  /** Delivers `node` to the bot now: on its newest logged-in connection, else at its next login. */
  deliver(node: BinaryNode): void;
  /** The member whose phone answers for a group (undefined for a 1:1 chat). */
  memberOf(jid: string): string | undefined;
}

/** Retry receipts pending at once (a limit on everything). */
const retriesMax = 100;

/** The recipient's phone (see the module comment). */
export class Recipient {
  /** Receipts for every message frame from now on; undefined: none (no phone online). */
  receipts: ReceiptPolicy | undefined = undefined;
  /**
   * The next message frames the recipient cannot decrypt: each asks for a resend `afterMs` after it
   * arrived.
   */
  readonly retryNext: { afterMs: number }[] = [];
  /** Retry receipts sent, per message id. */
  readonly retriesSent = new Map<string, number>();

  constructor(private readonly host: RecipientHost) {}

  /** A `<message>` frame from the bot arrived at the server. */
  received(message: { id: string; to: string }): void {
    const retry = this.retryNext.shift();
    if (retry !== undefined) {
      if (this.retriesSent.size >= retriesMax)
        throw new Error(`loopback recipient: more than ${retriesMax} retry receipts`);
      const count = (this.retriesSent.get(message.id) ?? 0) + 1;
      this.retriesSent.set(message.id, count);
      const participant = this.host.memberOf(message.to);
      this.host.later(retry.afterMs, () =>
        this.host.deliver(retryReceipt(message, count, participant)),
      );
      return;
    }
    const policy = this.receipts;
    const participant = this.host.memberOf(message.to);
    if (policy?.deliveryMs !== undefined)
      this.host.later(policy.deliveryMs, () =>
        this.host.deliver(receipt(message, undefined, participant)),
      );
    if (policy?.readMs !== undefined)
      this.host.later(policy.readMs, () =>
        this.host.deliver(receipt(message, 'read', participant)),
      );
  }
}

const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

/**
 * A delivery (no type) or read receipt from the recipient (in a group, from one member:
 * `participant`).
 */
function receipt(
  message: { id: string; to: string },
  type: 'read' | undefined,
  participant: string | undefined,
): BinaryNode {
  return {
    tag: 'receipt',
    attrs: {
      id: message.id,
      from: message.to,
      t: nowSeconds(),
      ...(participant ? { participant } : {}),
      ...(type ? { type } : {}),
    },
  };
}

/** A retry receipt: `<retry count id t v>` and the recipient's registration id (4 bytes). */
function retryReceipt(
  message: { id: string; to: string },
  count: number,
  participant: string | undefined,
): BinaryNode {
  const t = nowSeconds();
  return {
    tag: 'receipt',
    attrs: {
      id: message.id,
      from: message.to,
      type: 'retry',
      t,
      ...(participant ? { participant } : {}),
    },
    content: [
      { tag: 'retry', attrs: { count: String(count), id: message.id, t, v: '1' } },
      { tag: 'registration', attrs: {}, content: Buffer.from([0, 0, 0x30, 0x39]) },
    ],
  };
}
