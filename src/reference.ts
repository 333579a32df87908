/**
 * The reference send path: one supervisor owns the socket, an outbox owns the replies, and
 * inbound messages are bound to both. Exported as a {@link SendPathFactory} so the simulator
 * (or anyone's production host) can run it.
 */
import type { proto, WAMessageKey } from '@whiskeysockets/baileys';
import { ConfigError, type ReconnectPolicy, validateReconnectPolicy } from './reconnectPolicy.js';
import { bindInbound } from './inbound.js';
import { baileysKeepAliveIntervalMs, Outbox, type OutboxStats } from './outbox.js';
import type { InboundMessage, SendPath, SimEnv, SocketConfig } from './ports.js';
import { HandedIds } from './handedIds.js';
import { redactJid } from './redact.js';
import { Supervisor, type UpsertListener } from './supervisor.js';

/** Limits for the reference path; all optional. */
export interface ReferenceOptions {
  /** Replies held at once (default 1,000). */
  maxPending?: number;
  /** Attempts per reply (default 8). */
  maxSendAttempts?: number;
  /** Concurrent live-socket waiters (default 10,000). */
  maxWaiters?: number;
  /**
   * Extra config passed to the socket factory on every connect. Its `keepAliveIntervalMs`
   * (default Baileys' 30,000) also sets how long a write stays unconfirmed. Without a
   * `getMessage` of its own, the reference passes one that answers from the messages it wrote
   * lately (`sentMessagesRemembered`): a recipient's retry receipt that reaches a newer socket
   * than the one that wrote the message can only be answered so. The newest of them
   * (`sentMessagesPersisted`) are kept in the host's store too, so a retry that comes after a
   * restart of the bot is answered as well.
   */
  socketConfig?: SocketConfig;
  /** Written messages remembered for `getMessage` (default 1,000, oldest forgotten first). */
  sentMessagesRemembered?: number;
  /**
   * Of those, the newest kept in the store across restarts (default 100, at most the remembered).
   */
  sentMessagesPersisted?: number;
  /**
   * Resend, with the same id, replies written on a socket that closed before the write was
   * confirmed (default true). Relies on WhatsApp dropping a second copy of an id it already has.
   */
  resendUnconfirmed?: boolean;
  /**
   * End a reply at its deadline when Baileys still holds its media send, and end that send's
   * socket so it can never be written behind the chat's next replies (default true): rc14 gives
   * a media upload no timeout, so a media host that never answers holds it for good. Off, the
   * reply waits for the send however long it takes (the `no-upload-timeout` specimen).
   */
  boundMediaSends?: boolean;
  /**
   * Written replies held until confirmed or resent (default 1,000; at the limit the oldest counts
   * as confirmed).
   */
  maxUnconfirmed?: number;
  /**
   * Inbound message ids remembered to hand each message over once (default 10,000, oldest forgotten
   * first).
   */
  inboundIdsRemembered?: number;
  /**
   * Of those, the newest kept in `env.store` (default 1,000; 0: none), so that after a restart a
   * message WhatsApp delivers again is not handed to the bot a second time.
   */
  inboundIdsPersisted?: number;
  /** The store key of the persisted ids (default `reference/handed-inbound-ids`). */
  storeKey?: string;
  /** The store key of the persisted written messages (default `reference/written-messages`). */
  sentMessagesStoreKey?: string;
}

/** The reference send path, with its outbox counters for logs and benches. */
export interface ReferenceSendPath extends SendPath {
  /** Outbox counters now: pending, unconfirmed, resending, resends, evicted, lost. */
  stats(): OutboxStats;
}

/** A factory of the reference send path (a `SendPathFactory` whose paths also report stats). */
export type ReferenceSendPathFactory = (env: SimEnv) => ReferenceSendPath;

/** Builds the reference send path with the given limits. */
export function createReferenceSendPath(options: ReferenceOptions = {}): ReferenceSendPathFactory {
  return (env: SimEnv): ReferenceSendPath => buildReferencePath(env, options);
}

/** The reference send path with default limits. */
export const referenceSendPath: ReferenceSendPathFactory = createReferenceSendPath();

/** The limits of a reference path, each checked: a bad one is a `ConfigError` naming it. */
interface ReferenceLimits {
  readonly policy: ReconnectPolicy;
  readonly deadlineMs: number;
  readonly keepAliveIntervalMs: number;
  readonly maxUnconfirmed: number;
  readonly sentMessagesRemembered: number;
  readonly sentMessagesPersisted: number;
}

/** The path's limits from the run's config and the options, or a `ConfigError`. */
function referenceLimits(env: SimEnv, options: ReferenceOptions): ReferenceLimits {
  const policy = validateReconnectPolicy(env.config.reconnect, 'config.reconnect');
  const deadlineMs = env.config.replyDeadlineMs;
  if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
    throw new ConfigError(`config.replyDeadlineMs must be a number > 0 (got ${deadlineMs})`);
  }
  const keepAliveIntervalMs =
    options.socketConfig?.keepAliveIntervalMs ?? baileysKeepAliveIntervalMs;
  if (!(Number.isInteger(keepAliveIntervalMs) && keepAliveIntervalMs > 0)) {
    throw new ConfigError(
      `socketConfig.keepAliveIntervalMs must be a whole number > 0 (got ${keepAliveIntervalMs})`,
    );
  }
  const maxUnconfirmed = options.maxUnconfirmed ?? 1000;
  if (!(Number.isInteger(maxUnconfirmed) && maxUnconfirmed >= 1)) {
    throw new ConfigError(`maxUnconfirmed must be a whole number >= 1 (got ${maxUnconfirmed})`);
  }
  const sentMessagesRemembered = options.sentMessagesRemembered ?? 1000;
  if (!(Number.isInteger(sentMessagesRemembered) && sentMessagesRemembered >= 1)) {
    throw new ConfigError(
      `sentMessagesRemembered must be a whole number >= 1 (got ${sentMessagesRemembered})`,
    );
  }
  const sentMessagesPersisted =
    options.sentMessagesPersisted ?? Math.min(100, sentMessagesRemembered);
  if (!(
    Number.isInteger(sentMessagesPersisted) &&
    sentMessagesPersisted >= 1 &&
    sentMessagesPersisted <= sentMessagesRemembered
  )) {
    throw new ConfigError(
      `sentMessagesPersisted must be a whole number from 1 to sentMessagesRemembered (` +
        `${sentMessagesRemembered}) (got ${sentMessagesPersisted})`,
    );
  }
  return {
    policy,
    deadlineMs,
    keepAliveIntervalMs,
    maxUnconfirmed,
    sentMessagesRemembered,
    sentMessagesPersisted,
  };
}

function buildReferencePath(env: SimEnv, options: ReferenceOptions): ReferenceSendPath {
  const limits = referenceLimits(env, options);
  let onMessage: ((msg: InboundMessage) => void) | undefined;
  let stopped = false;
  const seen = new HandedIds({
    store: env.store,
    logger: env.logger,
    key: options.storeKey ?? 'reference/handed-inbound-ids',
    remembered: options.inboundIdsRemembered ?? 10_000,
    persisted:
      options.inboundIdsPersisted ?? Math.min(1000, options.inboundIdsRemembered ?? 10_000),
  });
  // Live messages come as `notify`, those held while the bot was offline (and redeliveries of
  // ones whose receipt was lost) as `append`: both are answered, each id once, across restarts
  // too. Own sends are echoed as `append` too, and are skipped as `fromMe`.
  const onUpsert: UpsertListener = (upsert) => {
    for (const message of upsert.messages) {
      const bound = bindInbound(message, { outbox, supervisor, logger: env.logger });
      if (bound === undefined || !seen.add(bound.id)) continue;
      handOver(bound);
    }
  };
  // The bot's handler runs inside Baileys' emitter: a throw there would skip the socket's other
  // listeners and make rc14 hand the same messages over again. It is the bot's error, logged.
  const handOver = (bound: InboundMessage): void => {
    try {
      onMessage?.(bound);
    } catch (err) {
      env.logger.error(
        { chat: redactJid(bound.chatJid), messageId: bound.id, err: (err as Error)?.message },
        'message handler threw',
      );
    }
  };
  // Answers rc14's retry receipts that reach a socket other than the one that wrote the message.
  const getMessage = async (key: WAMessageKey): Promise<proto.IMessage | undefined> =>
    outbox.sentMessage(key.id);
  const supervisor = new Supervisor({
    makeSocket: env.makeSocket,
    clock: env.clock,
    random: env.random,
    logger: env.logger,
    policy: limits.policy,
    socketConfig: {
      ...options.socketConfig,
      getMessage: options.socketConfig?.getMessage ?? getMessage,
    },
    maxWaiters: options.maxWaiters,
    onUpsert,
    onClose: (generation, kind) => outbox.socketClosed(generation, kind),
  });
  const outbox = referenceOutbox(env, options, limits, supervisor);
  return {
    async start(handler) {
      onMessage = handler;
      // What a previous process handed over first: its redeliveries are known before they come.
      await Promise.all([seen.load(), outbox.loadSentMessages()]);
      if (!stopped) supervisor.start();
    },
    async stop() {
      stopped = true;
      // Outbox first (refuse new work), then end the socket so in-flight attempts settle.
      const drained = outbox.stop();
      await supervisor.stop();
      await drained;
      await Promise.all([seen.flush(), outbox.flushSentMessages()]);
    },
    stats: () => outbox.stats(),
  };
}

/** The reference's outbox on its supervisor, with the path's limits. */
function referenceOutbox(
  env: SimEnv,
  options: ReferenceOptions,
  limits: ReferenceLimits,
  supervisor: Supervisor,
): Outbox {
  return new Outbox({
    supervisor,
    clock: env.clock,
    messageIds: env.messageIds,
    logger: env.logger,
    deadlineMs: limits.deadlineMs,
    maxPending: options.maxPending,
    maxSendAttempts: options.maxSendAttempts,
    resendUnconfirmed: options.resendUnconfirmed,
    boundMediaSends: options.boundMediaSends,
    maxUnconfirmed: limits.maxUnconfirmed,
    keepAliveIntervalMs: limits.keepAliveIntervalMs,
    sentMessagesRemembered: limits.sentMessagesRemembered,
    sentMessagesStore: {
      store: env.store,
      logger: env.logger,
      key: options.sentMessagesStoreKey ?? 'reference/written-messages',
      persisted: limits.sentMessagesPersisted,
    },
  });
}
