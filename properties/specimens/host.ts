/**
 * Shared scaffolding for specimens: every buggy send path in the catalog keeps the reference's
 * connection handling (a {@link Supervisor}) and a correct inbound handover, and changes one
 * thing: how a reply is sent (its {@link SpecimenSend}), or one rule of {@link SpecimenOptions}
 * (the handover, the socket factory the supervisor connects through, what stop() waits for),
 * so each specimen shows exactly one bug.
 */
import type {
  AnyMessageContent,
  BaileysEventMap,
  MessageUpsertType,
  WAMessage,
} from '@whiskeysockets/baileys';
import type {
  InboundMessage,
  MediaSpec,
  SendPath,
  SimEnv,
  SocketFactory,
  SocketLike,
} from '../../src/ports.js';
import { mediaContent } from '../../src/inbound.js';
import { HandedIds } from '../../src/handedIds.js';
import { SentMessages } from '../../src/sentMessages.js';
import { validateReconnectPolicy } from '../../src/reconnectPolicy.js';
import { classifySendError, type CloseClass } from '../../src/sendErrors.js';
import { Supervisor, type LiveSocket } from '../../src/supervisor.js';

/** What a specimen's reply function gets to work with. */
export interface SpecimenContext {
  env: SimEnv;
  supervisor: Supervisor;
  /** The live socket when the inbound message arrived (what a naive closure captures). */
  capturedAtInbound: LiveSocket | undefined;
  /** Work the path must wait for on stop (specimens register their send loops here). */
  track<T>(work: Promise<T>): Promise<T>;
}

/** Sends one piece of content for a chat; the specimen's bug lives here. */
export type SpecimenSend = (
  ctx: SpecimenContext,
  chatJid: string,
  content: AnyMessageContent,
) => Promise<unknown>;

/**
 * How inbound messages reach the bot. {@link correctHandover} is right; a specimen may break one
 * rule.
 */
interface HandoverRules {
  /**
   * `messages.upsert` types handed over: rc14 delivers offline messages and redeliveries as
   * `append`.
   */
  types: readonly MessageUpsertType[];
  /** Leave out the path's own messages (`key.fromMe`): rc14 echoes every send as an `append`. */
  skipOwn: boolean;
  /** Hand each message id over once: WhatsApp redelivers a message whose receipt it did not get. */
  dedupe: boolean;
  /** What tells two messages apart for the dedupe: its id (right), or a specimen's wrong key. */
  dedupeKeyOf(message: WAMessage): string | undefined;
  /**
   * Keep what was handed over in `env.store` too, so a restarted bot does not hand a redelivery
   * over again.
   */
  persist: boolean;
  /** The message's text; must not throw on any shape (media, reaction, stub, no `message`). */
  textOf(message: WAMessage): string;
  /**
   * Whether the bot gets this message at all, asked before the dedupe: every message (right),
   * or a specimen's filter, which may also throw to refuse a message for now.
   */
  admits(message: WAMessage): boolean;
}

/** The handover every specimen has unless it breaks one rule of it. */
export const correctHandover: Readonly<HandoverRules> = Object.freeze({
  types: Object.freeze(['notify', 'append'] as const),
  skipOwn: true,
  dedupe: true,
  dedupeKeyOf: (message: WAMessage) => message.key?.id ?? undefined,
  persist: true,
  textOf: (message: WAMessage) => {
    const body = message.message;
    return (
      body?.conversation ?? body?.extendedTextMessage?.text ?? body?.imageMessage?.caption ?? ''
    );
  },
  admits: () => true,
});

/** Message ids remembered for deduplication, at most (the oldest are forgotten first). */
const handedIdsMax = 10_000;

/** Of those, the newest kept in the store across restarts (as the reference keeps them). */
const handedIdsPersisted = 1000;

/** The one thing a specimen changes besides its send function (all optional). */
interface SpecimenOptions {
  /** Rules of the inbound handover that differ from {@link correctHandover}. */
  handover?: Partial<HandoverRules>;
  /** The socket factory the supervisor connects through, built from the host's. */
  wrapFactory?: (makeSocket: SocketFactory) => SocketFactory;
  /** Hears every close of the supervisor's socket. */
  onClose?: (generation: number, kind: CloseClass, ctx: SpecimenContext) => void;
  /** stop() waits for the replies in flight to settle (default true). */
  stopAwaitsReplies?: boolean;
  /**
   * Pass Baileys a `getMessage` that answers with what the path wrote (default true): a retry
   * receipt on a socket other than the writer's can be answered only so.
   */
  getMessage?: boolean;
}

/** Builds a send path from a specimen's send function and the one rule it changes. */
export function specimenPath(
  env: SimEnv,
  send: SpecimenSend,
  options: SpecimenOptions = {},
): SendPath {
  const policy = validateReconnectPolicy(env.config.reconnect, 'config.reconnect');
  const inFlight = new Set<Promise<unknown>>();
  let onMessage: ((msg: InboundMessage) => void) | undefined;
  const rules: HandoverRules = { ...correctHandover, ...options.handover };
  const handed = new HandedIds({
    store: env.store,
    logger: env.logger,
    key: 'specimen/handed-inbound-ids',
    remembered: handedIdsMax,
    persisted: rules.persist ? handedIdsPersisted : 0,
  });
  let stopped = false;
  const handOver = handoverOf(rules, handed, (message) => {
    const bound = bindSpecimen(message, ctxFor(), send, rules);
    if (bound) onMessage?.(bound);
  });
  const makeSocket = boundingMediaSends(
    options.wrapFactory?.(env.makeSocket) ?? env.makeSocket,
    env,
    () => supervisor,
  );
  const supervisor: Supervisor = new Supervisor({
    makeSocket: options.getMessage === false ? makeSocket : keepingWrittenMessages(makeSocket),
    clock: env.clock,
    random: env.random,
    logger: env.logger,
    policy,
    onUpsert: handOver,
    onClose: (generation, kind) => options.onClose?.(generation, kind, ctxFor()),
  });
  const live = supervisor;
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const forget = (): void => void inFlight.delete(work);
    work.then(forget, forget);
    return work;
  };
  const ctxFor = (): SpecimenContext => ({
    env,
    supervisor: live,
    capturedAtInbound: live.current(),
    track,
  });
  return {
    async start(handler) {
      onMessage = handler;
      await handed.load();
      if (!stopped) live.start();
    },
    async stop() {
      stopped = true;
      await live.stop();
      if (options.stopAwaitsReplies ?? true) await Promise.allSettled([...inFlight]);
      await handed.flush();
    },
  };
}

/** A message bound to the specimen's `send`: its replies and presence go through `ctx`. */
function bindSpecimen(
  message: WAMessage,
  ctx: SpecimenContext,
  send: SpecimenSend,
  rules: HandoverRules,
): InboundMessage | undefined {
  const chatJid = message.key?.remoteJid;
  const id = message.key?.id;
  if (!chatJid || !id) return undefined;
  const go = (content: AnyMessageContent) => ctx.track(send(ctx, chatJid, content));
  return {
    chatJid,
    id,
    text: rules.textOf(message),
    reply: (text) => go({ text }),
    sendMedia: (media: MediaSpec) => go(mediaContent(media)),
    sendComposing: async () => {
      await ctx.supervisor
        .current()
        ?.socket.sendPresenceUpdate('composing', chatJid)
        .catch(() => undefined);
    },
  };
}

/**
 * An upsert listener applying `rules`, handing each message that passes to `handOne`. An id
 * counts as handed from the moment its handover begins, as the reference counts it: a message
 * whose handling threw is not handed again when rc14 emits the batch again.
 */
function handoverOf(
  rules: HandoverRules,
  handed: HandedIds,
  handOne: (message: WAMessage) => void,
): (upsert: BaileysEventMap['messages.upsert']) => void {
  return (upsert) => {
    if (!rules.types.includes(upsert.type)) return;
    for (const message of upsert.messages) {
      if (rules.skipOwn && message.key?.fromMe) continue;
      if (!rules.admits(message)) continue;
      const key = rules.dedupe ? rules.dedupeKeyOf(message) : undefined;
      if (key && !handed.add(key)) continue;
      handOne(message);
    }
  };
}

/**
 * rc14 gives a media upload no timeout: a media host that never answers leaves `sendMessage`
 * pending for good. The host bounds it as a correct path must (a media send still pending after
 * `replyDeadlineMs` rejects as ambiguous: it may yet be written, and its socket is ended, as the
 * reference does: rc14 writes nothing after the close, and the socket's later sends, held behind
 * the upload, go on the next socket), so no specimen shows that bug besides its own. Rings on the
 * supervisor's shared timer.
 */
function boundingMediaSends(
  makeSocket: SocketFactory,
  env: SimEnv,
  supervisor: () => Supervisor,
): SocketFactory {
  return (config) => {
    const socket = makeSocket(config);
    const sendMessage: SocketLike['sendMessage'] = (jid, content, options) => {
      const sending = socket.sendMessage(jid, content, options);
      if (!isMediaContent(content)) return sending;
      const alarm = supervisor().alarm(env.clock.now() + env.config.replyDeadlineMs);
      const overdue = alarm.rang.then(() => {
        const error = new Error('media send still pending at the reply deadline');
        socket.end(error).catch(() => undefined);
        return Promise.reject(Object.assign(error, { ambiguous: true }));
      });
      overdue.catch(() => undefined);
      return Promise.race([sending, overdue]).finally(() => alarm.release());
    };
    return forwardingSocket(socket, { sendMessage });
  };
}

function isMediaContent(content: AnyMessageContent): boolean {
  if (typeof content !== 'object' || content === null) return false;
  return 'image' in content || 'document' in content || 'video' in content;
}

/**
 * A factory whose sockets get a `getMessage` answering with the messages they wrote (the last
 * {@link handedIdsMax}), as a correct path keeps them for rc14's retry receipts.
 */
function keepingWrittenMessages(makeSocket: SocketFactory): SocketFactory {
  const written = new SentMessages(handedIdsMax);
  const getMessage = async (key: { id?: string | null }) => written.get(key.id);
  return (config) => {
    const socket = makeSocket({ ...config, getMessage });
    const sendMessage: SocketLike['sendMessage'] = async (jid, content, options) => {
      const sent = await socket.sendMessage(jid, content, options);
      if (sent?.message && sent.key.id) written.remember(sent.key.id, sent.message);
      return sent;
    };
    return forwardingSocket(socket, { sendMessage });
  };
}

/** Resolves after `delayMs` on the path's clock (a timer the `clean` checker counts). */
export function sleep(env: SimEnv, delayMs: number): Promise<void> {
  return new Promise((resolve) => env.clock.setTimeout(resolve, delayMs));
}

/** A socket that forwards to `socket`, with the members in `overrides` replaced. */
export function forwardingSocket(socket: SocketLike, overrides: Partial<SocketLike>): SocketLike {
  return {
    ev: overrides.ev ?? socket.ev,
    sendMessage: overrides.sendMessage ?? socket.sendMessage.bind(socket),
    sendPresenceUpdate: overrides.sendPresenceUpdate ?? socket.sendPresenceUpdate.bind(socket),
    end: overrides.end ?? socket.end.bind(socket),
  };
}

/** How a specimen's retry loop behaves; each specimen changes one of these. */
interface RetryPolicy {
  attemptsMax: number;
  /** Id for every attempt; `fresh` lets Baileys mint a new id per attempt (the fresh-id bug). */
  ids?: 'stable' | 'fresh';
  /** The stable id to use (default: a new one from `env.messageIds`). */
  messageId?: string;
  /** Send only on a socket newer than this generation (default 0: any live socket). */
  afterGeneration?: number;
  /**
   * Told the generation of the socket that took the write and the id it carried, once `sendMessage`
   * resolved.
   */
  onWritten?: (generation: number, messageId: string) => void;
  /**
   * After a failed attempt: the socket generation to wait past before retrying (its own to
   * wait for a newer socket, one less to retry on the same one), or throw to give up.
   * Default: the reference's rule ({@link referenceRetryRule}).
   */
  next?: (err: unknown, live: LiveSocket, ctx: SpecimenContext) => number;
  /** Runs before each retry (e.g. a random spread). */
  pause?: (ctx: SpecimenContext) => Promise<void>;
  /** How one attempt calls the socket (default: `sendMessage` as it is; a specimen may wrap it). */
  sendVia?: (
    socket: SocketLike,
    chatJid: string,
    content: AnyMessageContent,
    options: { messageId: string } | undefined,
  ) => Promise<unknown>;
  /** After a failed attempt: whether the next one goes out under a new id (default: never). */
  renewIdAfter?: (err: unknown) => boolean;
}

/**
 * The reference's rule after a failed attempt (`Outbox`): give up on a terminal error; retry on
 * the same socket an ambiguous failure (a timeout) of a socket whose close was not heard; else
 * wait for a newer socket. A socket Baileys is ending answers 428 at once until its close comes,
 * up to ws's 30 s close timeout later: retrying on it would spend every attempt in an instant.
 */
function referenceRetryRule(err: unknown, live: LiveSocket, ctx: SpecimenContext): number {
  const closeHeard = ctx.supervisor.isClosed(live.generation);
  const kind = classifySendError(err, { closeHeard });
  if (kind === 'terminal') throw err;
  return kind === 'ambiguous' && !closeHeard ? live.generation - 1 : live.generation;
}

/** The send loop most specimens share: wait for a live socket, send, retry per `policy`. */
export async function sendWithRetry(
  ctx: SpecimenContext,
  chatJid: string,
  content: AnyMessageContent,
  policy: RetryPolicy,
): Promise<unknown> {
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  let messageId = policy.messageId ?? ctx.env.messageIds();
  const next = policy.next ?? referenceRetryRule;
  let afterGeneration = policy.afterGeneration ?? 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await ctx.supervisor.whenLive(afterGeneration, deadlineAt);
    try {
      const options = policy.ids === 'fresh' ? undefined : { messageId };
      const sent = await (policy.sendVia?.(live.socket, chatJid, content, options) ??
        live.socket.sendMessage(chatJid, content, options));
      policy.onWritten?.(live.generation, messageId);
      return sent;
    } catch (err) {
      if (attempt >= policy.attemptsMax) throw err;
      if (policy.renewIdAfter?.(err)) messageId = ctx.env.messageIds();
      afterGeneration = next(err, live, ctx);
      await policy.pause?.(ctx);
    }
  }
}

/**
 * How a specimen resends what a closing socket may have swallowed: the reference's rule, with a
 * knob to break.
 */
interface ResendRule {
  /**
   * How long after its write a reply is held: a close within it sends the reply again on the next
   * socket.
   */
  heldMs: number;
  /**
   * The id of every send: the reply's own throughout (`stable`), or one Baileys mints per send
   * (`fresh`).
   */
  ids: 'stable' | 'fresh';
  /**
   * How each attempt calls the socket, and when it takes a new id (a specimen's bug; default:
   * neither).
   */
  attempt?: Pick<RetryPolicy, 'sendVia' | 'renewIdAfter'>;
}

/** Written replies held at once for a resend, at most (the oldest are dropped first). */
const heldRepliesMax = 1000;

interface HeldReply {
  chatJid: string;
  content: AnyMessageContent;
  messageId: string;
  generation: number;
  writtenAt: number;
}

/**
 * A path that holds each written reply for `rule.heldMs` and, when its socket closes (not for
 * good) within that time, sends it again on the next socket. rc14 resolves a send at the local
 * write, so a frame written into a link that died is lost unless the path sends it again.
 */
export function resendingPath(
  env: SimEnv,
  rule: ResendRule,
  options: Omit<SpecimenOptions, 'onClose'> = {},
): SendPath {
  let held: HeldReply[] = [];
  const write = (
    ctx: SpecimenContext,
    chatJid: string,
    content: AnyMessageContent,
    messageId: string,
    afterGeneration: number,
  ) =>
    sendWithRetry(ctx, chatJid, content, {
      ...rule.attempt,
      attemptsMax: 8,
      ids: rule.ids,
      messageId,
      afterGeneration,
      onWritten: (generation, writtenId) => {
        const writtenAt = env.clock.now();
        held = held
          .filter((h) => writtenAt - h.writtenAt <= rule.heldMs)
          .slice(-(heldRepliesMax - 1));
        held.push({ chatJid, content, messageId: writtenId, generation, writtenAt });
      },
    });
  const send: SpecimenSend = (ctx, chatJid, content) =>
    write(ctx, chatJid, content, env.messageIds(), 0);
  return specimenPath(env, send, {
    ...options,
    onClose: (generation, kind, ctx) => {
      if (kind === 'terminal') return;
      const now = env.clock.now();
      const again = held.filter(
        (h) => h.generation === generation && now - h.writtenAt <= rule.heldMs,
      );
      held = held.filter((h) => h.generation !== generation);
      for (const h of again)
        ctx.track(write(ctx, h.chatJid, h.content, h.messageId, generation)).catch(() => undefined);
    },
  });
}

/**
 * The send loop with the reference's retry rule and attempt budget: a specimen whose bug is
 * elsewhere sends with it.
 */
export const retryingSend: SpecimenSend = (ctx, chatJid, content) =>
  sendWithRetry(ctx, chatJid, content, { attemptsMax: 8 });
