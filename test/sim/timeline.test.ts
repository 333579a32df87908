import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chatJids,
  parseTimeline,
  serializeTimeline,
  TimelineError,
  timelineFormat,
} from '../../sim/timeline.js';
import { generatedTimeline } from './helpers.js';

const config = {
  reconnect: { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
  replyDeadlineMs: 120000,
};
const base = (events: unknown[], patch: Record<string, unknown> = {}) => ({
  format: timelineFormat,
  seed: 1234,
  config,
  events,
  ...patch,
});
const inbound = { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' };

/** The issues a bad timeline is rejected with. */
function issuesOf(input: unknown): readonly string[] {
  try {
    parseTimeline(input);
  } catch (error) {
    expect(error).toBeInstanceOf(TimelineError);
    return (error as TimelineError).issues;
  }
  throw new Error('timeline was accepted');
}

describe('timeline validation', () => {
  it.each([
    [
      'unknown event',
      [inbound, { at: 5, do: 'explode' }],
      'events[1].do: unknown event "explode" (expected one of: inbound, reply, ' +
        'sendMedia, composing, drop, refuseConnects, blackhole, latency, stallQueries, ' +
        'stuckWrites, loginFailure, upgradeRejected, slowLogin, mediaFails, nack, receiptsLost, ' +
        'queryRejects, undecryptable, recipientAway, heal, stop, restart)',
    ],
    [
      'time going backwards',
      [
        { ...inbound, at: 1000 },
        { at: 900, do: 'heal' },
      ],
      'events[1].at: time goes backwards (900 < 1000)',
    ],
    [
      'reply to an unknown message',
      [inbound, { at: 5, do: 'reply', to: 'm9', key: 'r1' }],
      'events[1].to: reply to unknown message "m9" (no earlier inbound with msg "m9")',
    ],
    [
      'reply before its inbound',
      [{ at: 0, do: 'reply', to: 'm1', key: 'r1' }, inbound],
      'events[0].to: reply to unknown message "m1" (no earlier inbound with msg "m1")',
    ],
    [
      'negative delay',
      [inbound, { at: 5, do: 'nack', delayMs: -5 }],
      'events[1].delayMs: must be >= 0, got -5',
    ],
    [
      'duplicate msg',
      [inbound, { ...inbound, at: 3 }],
      'events[1].msg: duplicate msg "m1" (first at events[0])',
    ],
    [
      'duplicate key',
      [
        inbound,
        { at: 1, do: 'reply', to: 'm1', key: 'r1' },
        { at: 2, do: 'sendMedia', to: 'm1', key: 'r1', kind: 'image' },
      ],
      'events[2].key: duplicate key "r1" (first at events[1])',
    ],
    [
      'untilAt before at',
      [{ at: 1000, do: 'refuseConnects', untilAt: 500 }],
      'events[0].untilAt: untilAt before at (500 < 1000)',
    ],
    [
      'blackhole ending before it starts',
      [{ at: 1000, do: 'blackhole', untilAt: 999 }],
      'events[0].untilAt: untilAt before at (999 < 1000)',
    ],
    ['blackhole without untilAt', [{ at: 1000, do: 'blackhole' }], 'events[0].untilAt: required'],
    [
      'blackhole with an unknown field',
      [{ at: 0, do: 'blackhole', untilAt: 5, chat: 'c1' }],
      'events[0].chat: unknown field',
    ],
    [
      'unknown drop reason',
      [{ at: 0, do: 'drop', reason: 'gremlins' }],
      'events[0].reason: expected "connectionClosed" | "connectionReset" | ' +
        '"connectionResetUnread" | "wsClose" | "streamEnd" | "restartRequired" | "conflict" | ' +
        '"loggedOut" | "serviceUnavailable" | "unknownStreamError" | "connectionLost", got ' +
        '"gremlins"',
    ],
    ['missing field', [{ at: 0, do: 'inbound', chat: 'c1' }], 'events[0].msg: required'],
    ['unknown field', [{ ...inbound, color: 'red' }], 'events[0].color: unknown field'],
    [
      'a second stop',
      [inbound, { at: 1, do: 'stop' }, { at: 2, do: 'heal' }, { at: 3, do: 'stop' }],
      'events[3].do: a second "stop" (the first is events[1])',
    ],
    [
      'nack for an unknown chat',
      [inbound, { at: 1, do: 'nack', chat: 'c9', delayMs: 10 }],
      'events[1].chat: unknown chat "c9" (no inbound in that chat)',
    ],
    [
      'a notice delay on a drop the bot hears at once',
      [{ at: 0, do: 'drop', reason: 'conflict', noticeMs: 5 }],
      'events[0].noticeMs: only a connectionClosed, connectionReset, ' +
        'connectionResetUnread or wsClose drop is heard late (this is conflict)',
    ],
    [
      'an unknown inbound kind',
      [{ ...inbound, kind: 'sticker' }],
      'events[0].kind: expected "text" | "media" | "group" | "reaction" | "revoke" | ' +
        '"stub" | "empty" | "status", got "sticker"',
    ],
    [
      'a login failure reason rc14 has no case for',
      [{ at: 0, do: 'loginFailure', untilAt: 5, reason: 402 }],
      'events[0].reason: expected 401 | 403 | 411 | 500 | 503 | 515, got 402',
    ],
    ['fractional time', [{ ...inbound, at: 1.5 }], 'events[0].at: expected an integer, got 1.5'],
    [
      'bad name',
      [{ ...inbound, chat: 'c 1' }],
      'events[0].chat: must be 1-32 letters, digits, "_" or "-", got "c 1"',
    ],
    ['an event that is not an object', [inbound, 42], 'events[1]: expected an object, got 42'],
    [
      'a participant outside a group',
      [{ ...inbound, participant: 'alice' }],
      'events[0].participant: "alice" writes in chat "c1", which is not a group (no ' +
        'inbound of kind "group" in it)',
    ],
    [
      'a nack code that is not 3 digits',
      [inbound, { at: 1, do: 'nack', delayMs: 0, code: '46' }],
      'events[1].code: must be a 3-digit error code, got "46"',
    ],
    [
      'an unknown query rejection',
      [{ at: 0, do: 'queryRejects', untilAt: 5, reason: 'gremlins' }],
      'events[0].reason: expected "groupMetadataUnanswered" | "notInGroup" | ' +
        '"rateOverlimit" | "keyFetchUnanswered", got "gremlins"',
    ],
    [
      'query rejections for an unknown chat',
      [inbound, { at: 1, do: 'queryRejects', untilAt: 5, reason: 'notInGroup', chat: 'c9' }],
      'events[1].chat: unknown chat "c9" (no inbound in that chat)',
    ],
    [
      'an absence that ends before it starts',
      [{ at: 10, do: 'recipientAway', untilAt: 5 }],
      'events[0].untilAt: untilAt before at (5 < 10)',
    ],
    [
      'an undecryptable message without its retry delay',
      [{ at: 0, do: 'undecryptable' }],
      'events[0].retryAfterMs: required',
    ],
  ])('rejects %s', (_kind, events, message) => {
    expect(issuesOf(base(events))).toEqual([message]);
  });

  it.each([
    [
      'bad format string',
      base([], { format: 'baileys-sim/timeline@2' }),
      'format: expected "baileys-sim/timeline@1", got "baileys-sim/timeline@2"',
    ],
    ['seed out of range', base([], { seed: -1 }), 'seed: must be >= 0, got -1'],
    [
      'config out of range',
      base([], { config: { ...config, reconnect: { ...config.reconnect, factor: 0.5 } } }),
      'config.reconnect.factor: must be >= 1, got 0.5',
    ],
    [
      'maxMs below initialMs',
      base([], { config: { ...config, reconnect: { ...config.reconnect, maxMs: 1000 } } }),
      'config.reconnect.maxMs: must be >= initialMs (1000 < 2000)',
    ],
    ['missing config', { format: timelineFormat, seed: 1, events: [] }, 'config: required'],
    ['not an object', [1, 2], 'timeline: expected an object, got an array'],
  ])('rejects %s', (_kind, input, message) => {
    expect(issuesOf(input)).toEqual([message]);
  });

  it('lists every problem, one line each, in the error message', () => {
    const error = (() => {
      try {
        parseTimeline(
          base([
            { at: -1, do: 'heal' },
            { at: 0, do: 'latency', ms: 'fast' },
          ]),
        );
      } catch (e) {
        return e as TimelineError;
      }
    })();
    expect(error?.message).toBe(
      'events[0].at: must be >= 0, got -1\nevents[1].ms: expected a number, got "fast"',
    );
  });

  it('rejects invalid JSON text with the parser message', () => {
    expect(issuesOf('{"format": ')[0]).toMatch(/^timeline: not valid JSON \(/);
  });
});

describe('timeline serialisation', () => {
  it('writes stable, pretty JSON: fixed key order, one event per line', () => {
    const t = parseTimeline(
      base([
        { msg: 'm1', chat: 'c1', do: 'inbound', at: 0 },
        { key: 'r1', to: 'm1', at: 950, do: 'reply' },
      ]),
    );
    expect(serializeTimeline(t)).toBe(
      [
        '{',
        '  "format": "baileys-sim/timeline@1",',
        '  "seed": 1234,',
        '  "config": {',
        '    "reconnect": {',
        '      "initialMs": 2000,',
        '      "maxMs": 30000,',
        '      "factor": 1.8,',
        '      "jitter": 0.25,',
        '      "maxAttempts": 12',
        '    },',
        '    "replyDeadlineMs": 120000',
        '  },',
        '  "events": [',
        '    { "at": 0, "do": "inbound", "chat": "c1", "msg": "m1" },',
        '    { "at": 950, "do": "reply", "to": "m1", "key": "r1" }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes a blackhole as at, do, untilAt and reads it back', () => {
    // Arrange
    const t = parseTimeline(base([{ untilAt: 9000, do: 'blackhole', at: 1000 }]));
    // Act
    const text = serializeTimeline(t);
    // Assert
    expect(text).toContain('    { "at": 1000, "do": "blackhole", "untilAt": 9000 }\n');
    expect(parseTimeline(text).events).toEqual([{ at: 1000, do: 'blackhole', untilAt: 9000 }]);
  });

  it('round-trips: parse(serialize(t)) deep-equals t, for 100 generated timelines', () => {
    for (let seed = 0; seed < 100; seed++) {
      const t = generatedTimeline(seed);
      const text = serializeTimeline(t);
      expect(parseTimeline(text)).toEqual(t);
      expect(serializeTimeline(parseTimeline(text))).toBe(text);
    }
  });

  it('round-trips the golden files byte for byte', () => {
    const dir = join(import.meta.dirname, '..', 'golden');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(serializeTimeline(parseTimeline(text)), file).toBe(text);
    }
  });

  it('maps chats to phone-like JIDs by first appearance', () => {
    const t = parseTimeline(
      base([
        { ...inbound, chat: 'alice' },
        { at: 1, do: 'inbound', chat: 'bob', msg: 'm2' },
        { at: 2, do: 'inbound', chat: 'alice', msg: 'm3' },
      ]),
    );
    expect([...chatJids(t)]).toEqual([
      ['alice', '15550000001@s.whatsapp.net'],
      ['bob', '15550000002@s.whatsapp.net'],
    ]);
  });
});
