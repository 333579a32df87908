import { describe, expect, it } from 'vitest';
import { mediaCaption, parseReplyKey, replyText, ServerModel } from '../../sim/network/server.js';

const c1 = '15550000001@s.whatsapp.net';
const frame = (messageId: string, text: string, generation = 1, attemptSeq = 1) => ({
  chatJid: c1,
  messageId,
  text,
  kind: 'text' as const,
  generation,
  attemptSeq,
});

describe('server model', () => {
  it('dedupes by message id: a resend with the same id is logged but not shown twice', () => {
    const server = new ServerModel({
      dedupeById: true,
      chatNames: new Map([[c1, 'c1']]),
      inboundQueueMax: 10,
    });
    expect(server.receiveMessage(frame('ID1', replyText('r1', 'm1')), 100)).toBe(false);
    expect(server.receiveMessage(frame('ID1', replyText('r1', 'm1'), 2, 2), 200)).toBe(true);
    expect(server.receiveMessage(frame('ID2', replyText('r1', 'm1'), 2, 3), 300)).toBe(false);
    const { frames, visible } = server.snapshot();
    expect(frames.map((f) => [f.messageId, f.generation, f.duplicate])).toEqual([
      ['ID1', 1, false],
      ['ID1', 2, true],
      ['ID2', 2, false],
    ]);
    // A new id is a new message: the user sees r1 twice (the fresh-id-retry bug).
    expect(visible['c1']!.map((v) => [v.key, v.messageId, v.frameSeq])).toEqual([
      ['r1', 'ID1', 1],
      ['r1', 'ID2', 3],
    ]);
  });

  it('shows every frame when dedupe is off', () => {
    const server = new ServerModel({
      dedupeById: false,
      chatNames: new Map([[c1, 'c1']]),
      inboundQueueMax: 10,
    });
    server.receiveMessage(frame('ID1', 'a'), 1);
    server.receiveMessage(frame('ID1', 'a'), 2);
    expect(server.snapshot().visible['c1']).toHaveLength(2);
  });

  it('names unknown chats by their JID', () => {
    const server = new ServerModel({ dedupeById: true, chatNames: new Map(), inboundQueueMax: 10 });
    server.receiveMessage(frame('ID1', 'a'), 1);
    expect(Object.keys(server.snapshot().visible)).toEqual([c1]);
  });

  it('parses the logical key from reply texts and media captions, wherever the tag is', () => {
    expect(parseReplyKey(replyText('r-1.x:y', 'm1'))).toBe('r-1.x:y');
    expect(parseReplyKey('> quoted ' + mediaCaption('k2', 'image', 'm1'))).toBe('k2');
    expect(parseReplyKey('no key here')).toBeUndefined();
    expect(parseReplyKey(undefined)).toBeUndefined();
  });

  it('bounds the inbound queue', () => {
    const server = new ServerModel({ dedupeById: true, chatNames: new Map(), inboundQueueMax: 1 });
    server.queueInbound({ chatJid: c1, id: 'A', text: 'a', kind: 'text', msg: 'm1', sentAt: 0 });
    expect(() =>
      server.queueInbound({ chatJid: c1, id: 'B', text: 'b', kind: 'text', msg: 'm2', sentAt: 0 }),
    ).toThrow('server: inbound queue over its limit of 1');
  });
});
