/**
 * Wires the ports to the real world: Baileys' `makeWASocket`, the system clock, `Math.random`
 * for jitter, Baileys' `generateMessageIDV2` for ids, and pino for logs. Never used inside a
 * simulation: every one of these reads real time or real entropy.
 */
import makeWASocket, {
  generateMessageIDV2,
  type UserFacingSocketConfig,
} from '@whiskeysockets/baileys';
import { pino } from 'pino';
import {
  systemClock,
  systemRandom,
  type KeyValueStore,
  type Logger,
  type SendPathConfig,
  type SimEnv,
} from './ports.js';
import { defaultReconnectPolicy } from './reconnectPolicy.js';
import { memoryStore } from './stores.js';

/** Default whole-life bound for a reply in production (2 minutes). */
export const defaultReplyDeadlineMs = 120_000;

/** Options for {@link productionEnv}. */
export interface ProductionEnvOptions {
  /** Passed to every `makeWASocket` call (auth state, logger, URLs...). */
  socketConfig: UserFacingSocketConfig;
  logger?: Logger;
  config?: Partial<SendPathConfig>;
  /**
   * What the send path persists across restarts (default: in memory, gone with the process).
   * Pass `fileStore(dir)` so that, after a restart, the reference does not hand the bot again
   * the messages WhatsApp delivers a second time.
   */
  store?: KeyValueStore;
}

/** The real-world host for any {@link SendPathFactory}. */
export function productionEnv(options: ProductionEnvOptions): SimEnv {
  const { socketConfig } = options;
  return {
    makeSocket: (extra) => makeWASocket({ ...socketConfig, ...extra }),
    clock: systemClock,
    random: systemRandom,
    messageIds: () => generateMessageIDV2(socketConfig.auth.creds.me?.id),
    logger: options.logger ?? pino({ level: 'info' }),
    store: options.store ?? memoryStore(),
    config: {
      reconnect: options.config?.reconnect ?? { ...defaultReconnectPolicy },
      replyDeadlineMs: options.config?.replyDeadlineMs ?? defaultReplyDeadlineMs,
    },
  };
}
