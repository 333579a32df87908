import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultKindOf, runArb, toTimeline, type SwarmSettings } from '../../properties/arbitraries.js';
import { parseTimeline, serializeTimeline } from '../../sim/timeline.js';

const allOff: SwarmSettings['faults'] = { drop: false, refuseConnects: false, slowAck: false, latency: false, terminal: false, restart: false };
const settings: SwarmSettings = { faults: allOff, chats: 2, latencyMs: 0, reconnect: { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 }, replyDeadlineMs: 120_000 };

describe('timeline arbitraries', () => {
  it('always produce valid timelines that round-trip and end with heal', () => {
    fc.assert(
      fc.property(runArb(), (run) => {
        // Act
        const reparsed = parseTimeline(JSON.parse(serializeTimeline(run.timeline)));
        // Assert
        expect(reparsed).toEqual(run.timeline);
        expect(run.timeline.events.at(-1)?.do).toBe('heal');
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out the fault kinds a run switched off', () => {
    // Arrange
    const steps = [
      { gapMs: 0, do: 'inbound', chat: 0 },
      { gapMs: 10, do: 'drop', reason: 'connectionLost', noticeMs: 5 },
      { gapMs: 10, do: 'reply', back: 0, media: false, count: 2 },
    ] as const;
    // Act
    const off = toTimeline(7, settings, [...steps]);
    const on = toTimeline(7, { ...settings, faults: { ...allOff, drop: true } }, [...steps]);
    // Assert
    expect(off.events.map((e) => e.do)).toEqual(['inbound', 'reply', 'reply', 'heal']);
    expect(on.events.map((e) => e.do)).toEqual(['inbound', 'drop', 'reply', 'reply', 'heal']);
  });

  it('places a scene fault relative to its first reply, in time order', () => {
    // Arrange
    const scene = { gapMs: 100, do: 'scene', chat: 1, replyDelayMs: 2000, replies: 2, spacingMs: 50, media: false, fault: { do: 'drop', reason: 'connectionClosed', noticeMs: undefined }, faultOffsetMs: -300 } as const;
    // Act
    const timeline = toTimeline(1, { ...settings, faults: { ...allOff, drop: true } }, [scene]);
    // Assert
    expect(timeline.events).toEqual([
      { at: 100, do: 'inbound', chat: 'c2', msg: 'm1' },
      { at: 1800, do: 'drop', reason: 'connectionClosed' },
      { at: 2100, do: 'reply', to: 'm1', key: 'r1' },
      { at: 2150, do: 'reply', to: 'm1', key: 'r2' },
      { at: 3150, do: 'heal' },
    ]);
  });

  it('maps drop reasons to fault kinds', () => {
    expect(faultKindOf({ do: 'drop', reason: 'conflict' })).toBe('terminal');
    expect(faultKindOf({ do: 'drop', reason: 'loggedOut' })).toBe('terminal');
    expect(faultKindOf({ do: 'drop', reason: 'restartRequired' })).toBe('restart');
    expect(faultKindOf({ do: 'drop', reason: 'connectionLost' })).toBe('drop');
    expect(faultKindOf({ do: 'reply' })).toBeUndefined();
  });
});
