/**
 * Config for driving the real `makeWASocket` against the loopback server. What rc14 does under each
 * fault is measured by the fidelity scenarios (`test/fidelity/`).
 */
import type { UserFacingSocketConfig } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { makeLoggedInAuthState } from './auth.js';
import type { WaServer } from './waServer.js';

/** A peer (the chat the bot talks to). Only ever a fake number. */
export const PEER_JID = '15550000002@s.whatsapp.net';

/** A pino logger that writes nothing. */
const silentLogger = pino({ level: 'silent' });

/**
 * Socket config for a loopback test: silent logger, a fresh logged-in auth state, short
 * timeouts (an unanswered query keeps a timer for `defaultQueryTimeoutMs` even after the
 * socket ended, so keep it short), no presence, no history sync.
 */
export function loopbackSocketConfig(
  server: WaServer,
  overrides: Partial<UserFacingSocketConfig> = {},
): UserFacingSocketConfig {
  return {
    waWebSocketUrl: server.url,
    auth: makeLoggedInAuthState(),
    logger: silentLogger,
    connectTimeoutMs: 2000,
    defaultQueryTimeoutMs: 1000,
    keepAliveIntervalMs: 30_000,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    ...overrides,
  };
}
