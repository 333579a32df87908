/**
 * End to end: rc14 receipts an inbound message before `messages.upsert` runs, so the server
 * never delivers it again, whatever the path's listener did with it. A path whose listener throws
 * it away, counting on a redelivery, loses it once its socket closes (inbound-handover flags it);
 * a message handed to the bot before the listener threw counts as handed, once.
 */
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { checkProperty } from '../../properties/judging/checkers.js';
import { parseTimeline } from '../../sim/timeline.js';
import { simulate } from '../../sim/simulate.js';
import type { InboundMessage, SendPathFactory, SocketLike } from '../../src/ports.js';

/**
 * Reconnects once after a close; its upsert listener hands each message over (or, on the first
 * batch, not), then throws on the first batch.
 */
function throwingPath(handsOverFirst: boolean): SendPathFactory {
  return (env) => {
    const sockets: SocketLike[] = [];
    let thrown = false;
    let onMessage: (msg: InboundMessage) => void = () => undefined;
    const connect = (): void => {
      const socket = env.makeSocket();
      sockets.push(socket);
      socket.ev.on('connection.update', (update) => {
        if (update.connection === 'close' && sockets.length === 1)
          env.clock.setTimeout(connect, 100);
      });
      socket.ev.on('messages.upsert', (upsert: BaileysEventMap['messages.upsert']) => {
        for (const m of upsert.messages) {
          if (m.key.fromMe || (!thrown && !handsOverFirst)) continue;
          onMessage({ chatJid: m.key.remoteJid!, id: m.key.id!, text: '' } as InboundMessage);
        }
        if (thrown) return;
        thrown = true;
        throw new Error('handler failed: let WhatsApp deliver it again');
      });
    };
    return {
      start(handler) {
        onMessage = handler;
        connect();
      },
      async stop() {
        await Promise.all(sockets.map((s) => s.end(undefined)));
      },
    };
  };
}

/** m1 arrives, and the connection drops before anything else arrives on it. */
const timeline = parseTimeline({
  format: 'baileys-sim/timeline@1',
  seed: 3,
  config: {
    reconnect: { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0.5, maxAttempts: 6 },
    replyDeadlineMs: 30000,
  },
  events: [
    { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 1500, do: 'drop', reason: 'connectionClosed' },
    { at: 2000, do: 'heal' },
  ],
});

describe('the receipt goes out before the handler runs', () => {
  it(
    'flags a message the listener threw away: the server has its receipt and never ' +
      'delivers it again',
    async () => {
      // Act
      const h = await simulate(timeline, throwingPath(false));
      // Assert
      expect(h.sockets.map((s) => s.openedAt !== undefined)).toEqual([true, true]);
      expect(h.inbound[0]!.deliveries.map((d) => `${d.type}@${d.generation}`)).toEqual([
        'notify@1',
      ]);
      expect(h.inbound[0]!.handedCount).toBe(0);
      expect(checkProperty('inbound-handover', h).map((v) => v.message)).toEqual([
        'm1 (text in c1, delivered 1x: notify@1) never reached the bot',
      ]);
    },
  );

  it('counts a message handed over before the listener threw as handed, once', async () => {
    // Act
    const h = await simulate(timeline, throwingPath(true));
    // Assert
    expect(h.inbound[0]!.handedCount).toBe(1);
    expect(checkProperty('inbound-handover', h)).toEqual([]);
  });
});
