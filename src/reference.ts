/**
 * The reference send path: one supervisor owns the socket, an outbox owns the replies, and
 * inbound messages are bound to both. Exported as a {@link SendPathFactory} so the simulator
 * (or anyone's production host) can run it.
 */
import { ConfigError, validateReconnectPolicy } from './reconnectPolicy.js';
import { bindInbound } from './inbound.js';
import { Outbox } from './outbox.js';
import type { InboundMessage, SendPath, SendPathFactory, SimEnv, SocketConfig } from './ports.js';
import { Supervisor, type UpsertListener } from './supervisor.js';

/** Limits for the reference path; all optional. */
export interface ReferenceOptions {
  /** Replies held at once (default 1,000). */
  maxPending?: number;
  /** Attempts per reply (default 8). */
  maxSendAttempts?: number;
  /** Concurrent live-socket waiters (default 10,000). */
  maxWaiters?: number;
  /** Extra config passed to the socket factory on every connect. */
  socketConfig?: SocketConfig;
}

/** Builds the reference send path with the given limits. */
export function createReferenceSendPath(options: ReferenceOptions = {}): SendPathFactory {
  return (env: SimEnv): SendPath => buildReferencePath(env, options);
}

/** The reference send path with default limits. */
export const referenceSendPath: SendPathFactory = createReferenceSendPath();

function buildReferencePath(env: SimEnv, options: ReferenceOptions): SendPath {
  const policy = validateReconnectPolicy(env.config.reconnect, 'config.reconnect');
  const deadlineMs = env.config.replyDeadlineMs;
  if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
    throw new ConfigError(`config.replyDeadlineMs must be a number > 0 (got ${deadlineMs})`);
  }
  let onMessage: ((msg: InboundMessage) => void) | undefined;
  const onUpsert: UpsertListener = (upsert) => {
    if (upsert.type !== 'notify') return;
    for (const message of upsert.messages) {
      const bound = bindInbound(message, { outbox, supervisor, logger: env.logger });
      if (bound) onMessage?.(bound);
    }
  };
  const supervisor = new Supervisor({
    makeSocket: env.makeSocket,
    clock: env.clock,
    random: env.random,
    logger: env.logger,
    policy,
    socketConfig: options.socketConfig,
    maxWaiters: options.maxWaiters,
    onUpsert,
  });
  const outbox = new Outbox({
    supervisor,
    clock: env.clock,
    messageIds: env.messageIds,
    logger: env.logger,
    deadlineMs,
    maxPending: options.maxPending,
    maxSendAttempts: options.maxSendAttempts,
  });
  return {
    start(handler) {
      onMessage = handler;
      supervisor.start();
    },
    async stop() {
      // Outbox first (refuse new work), then end the socket so in-flight attempts settle.
      const drained = outbox.stop();
      await supervisor.stop();
      await drained;
    },
  };
}
