/**
 * The run core both drivers share: `simulate` (a timeline) and the scripted network (a step at a
 * time) give the same chat the same JID and the same message the same id from the same seed.
 */
import { describe, expect, it } from 'vitest';
import { baileysBridge } from '../../sim/intercept/baileysBridge.js';
import { ScriptedNetwork } from '../../sim/intercept/scriptedNetwork.js';
import type { SocketLike } from '../../src/ports.js';
import { simulate } from '../../sim/simulate.js';
import { referenceSendPath } from '../../src/reference.js';
import { timelineOf } from './helpers.js';

const seed = 11;

/** The same three chats, a group between two 1:1 chats, as a scripted run would name them. */
const chats = [
  { chat: 'alice', kind: 'text' },
  { chat: 'team', kind: 'group' },
  { chat: 'bob', kind: 'text' },
] as const;

function scriptedInbound(): { chatJid: string; id: string }[] {
  const network = new ScriptedNetwork({ seed });
  try {
    return chats.map(({ chat, kind }) => {
      const { chatJid, id } = network.inbound(chat, 'hi', kind);
      return { chatJid, id };
    });
  } finally {
    network.close();
  }
}

describe('the run core shared by simulate and the scripted network', () => {
  it('gives the same chat the same JID and the same message the same id', async () => {
    // Arrange
    const events = chats.map(({ chat, kind }, n) => ({
      at: 100 * (n + 1),
      do: 'inbound' as const,
      chat,
      msg: `m${n + 1}`,
      text: 'hi',
      ...(kind === 'group' ? { kind } : {}),
    }));
    const timeline = timelineOf(events, seed);

    // Act
    const simulated = (await simulate(timeline, referenceSendPath)).inbound;
    const scripted = scriptedInbound();

    // Assert
    expect(simulated.map(({ chatJid, id }) => ({ chatJid, id }))).toEqual(scripted);
    expect(scripted.map(({ chatJid }) => chatJid)).toEqual([
      '15550000001@s.whatsapp.net',
      '120363000000000002@g.us',
      '15550000003@s.whatsapp.net',
    ]);
  });

  it('keeps a known chat its JID when the scripted network names it again', () => {
    // Arrange
    const network = new ScriptedNetwork({ seed });
    try {
      // Act
      const first = network.inbound('alice', 'one');
      network.inbound('bob', 'two');
      const again = network.inbound('alice', 'three');

      // Assert
      expect(again.chatJid).toBe(first.chatJid);
      expect(again.id).not.toBe(first.id);
    } finally {
      network.close();
    }
  });
});

describe('a fault that names a chat on the scripted network', () => {
  it('hits that chat only, though the chat was named after the network was made', async () => {
    // Arrange: two chats named as the holder goes, then a nack of bob's next message.
    const network = new ScriptedNetwork({ seed });
    try {
      const socket = baileysBridge().makeWASocket(undefined) as SocketLike;
      await network.advance(1000);
      const alice = network.inbound('alice', 'hi');
      const bob = network.inbound('bob', 'hi');
      network.network({ do: 'nack', chat: 'bob', delayMs: 10 });
      // Act
      const sent = [
        socket.sendMessage(alice.chatJid, { text: 'to alice' }),
        socket.sendMessage(bob.chatJid, { text: 'to bob' }),
      ];
      await network.advance(5000);
      await Promise.all(sent);
      // Assert
      const nacked = network.history().attempts.filter((a) => a.nacked === true);
      expect(nacked.map((a) => a.chatJid)).toEqual([bob.chatJid]);
    } finally {
      network.close();
    }
  });
});
