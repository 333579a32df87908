/**
 * The reference send path on real rc14 over the loopback server, where the fake and rc14 part
 * ways: a reply written into a silent link. rc14 resolves the write, the frame is lost, keep-alive
 * notices 5-7 s after the last frame (keep-alive scaled to 1 s) and `close` comes ws's 30 s close
 * timeout later (test/fidelity/scenarios.ts `silentLink`). The reply must reach the server exactly
 * once, on the next socket, with the same id: the outbox holds a written reply for keep-alive
 * detection + ws's close timeout (`confirmWindowMs`, src/baileysFacts.ts) and resends it.
 */
import { describe, expect, it } from 'vitest';
import {
  createReferenceSendPath,
  productionEnv,
  type InboundMessage,
  type ReferenceSendPath,
} from '../../src/index.js';

/** What the server saw of the reply. */
interface ReferenceObservation {
  /** connection numbers (1, 2, ...) of every `<message>` frame carrying the reply's id */
  framesOnConnections: number[];
  /** the receipt's `resends` at the end */
  resends: number;
}
import { loopbackSocketConfig, PEER_JID } from '../loopback/realBaileys.js';
import { startWaServer, type WaServer } from '../loopback/waServer.js';

const keepAliveIntervalMs = 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

async function loggedIn(server: WaServer, n: number, timeoutMs: number): Promise<void> {
  await server.waitFor(
    () =>
      server.connections.filter((c) => c.received.some((s) => s.child === 'digest')).length >= n,
    timeoutMs,
    `${n} logins`,
  );
  await sleep(300); // the digest answer reaches Baileys, which then emits 'open'
}

/** Runs the reference through a reply written into a silent link; returns what the server saw. */
async function replyIntoSilentLink(): Promise<ReferenceObservation> {
  const server = await startWaServer();
  const env = productionEnv({
    socketConfig: loopbackSocketConfig(server, {
      keepAliveIntervalMs,
      defaultQueryTimeoutMs: 1500,
    }),
    logger: quiet,
    config: {
      reconnect: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0, maxAttempts: 5 },
      replyDeadlineMs: 120_000,
    },
  });
  const path: ReferenceSendPath = createReferenceSendPath({
    socketConfig: { keepAliveIntervalMs },
  })(env);
  try {
    const inbound: InboundMessage[] = [];
    await path.start((msg) => inbound.push(msg));
    await loggedIn(server, 1, 15_000);
    server.current!.pushText({ from: PEER_JID, id: 'IN-SILENT-1', text: 'question' });
    const msg = await server.waitFor(() => inbound[0], 10_000, 'the inbound handed over');
    server.current!.silence();
    const receipt = (await msg.reply('answer into a silent link')) as {
      messageId: string;
      resends: number;
    };
    // close ~30 s after keep-alive notices, then the reconnect; then room for a resend
    await loggedIn(server, 2, 75_000);
    await sleep(2000);
    return {
      framesOnConnections: server.framesWithId(receipt.messageId).map((f) => f.conn),
      resends: receipt.resends,
    };
  } finally {
    await path.stop();
    await server.close();
  }
}

describe('the reference on real rc14: a reply written into a silent link', () => {
  it(
    'reaches the server exactly once, on the next socket, resent with the same id',
    { timeout: 120_000 },
    async () => {
      // Act
      const observed = await replyIntoSilentLink();
      // Assert
      expect(observed).toEqual({ framesOnConnections: [2], resends: 1 });
    },
  );
});
