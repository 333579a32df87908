import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runArb, toTimeline, type SwarmSettings } from '../../properties/generation/arbitraries.js';
import { builtInFaults } from '../../sim/faults/index.js';
import { parseTimeline, serializeTimeline } from '../../sim/timeline.js';

const allOff: SwarmSettings['faults'] = Object.fromEntries(builtInFaults.swarmKinds.map((kind) => [kind, false]));
const settings: SwarmSettings = {
  faults: allOff,
  stopAtPermille: undefined,
  inboundVariety: false,
  chats: 2,
  latencyMs: 0,
  reconnect: { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
  replyDeadlineMs: 120_000,
};

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
      { gapMs: 0, do: 'inbound', chat: 0, kind: 'text', batch: 1 },
      { gapMs: 10, do: 'drop', reason: 'connectionClosed', noticeMs: 5 },
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
    const scene = { gapMs: 100, do: 'scene', chat: 1, replyDelayMs: 2000, replies: 2, spacingMs: 50, media: false, fault: { do: 'drop', reason: 'connectionClosed', noticeMs: undefined }, faultOffsetMs: -300, bystander: undefined, followUpMs: undefined } as const;
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

  it("answers a scene's bystander in another chat, its delay after the scene's first reply", () => {
    // Arrange
    const scene = { gapMs: 100, do: 'scene', chat: 0, replyDelayMs: 2000, replies: 1, spacingMs: 0, media: false, fault: { do: 'stuckWrites', forMs: 30_000 }, faultOffsetMs: -100, bystander: { chatOffset: 1, delayMs: 700 }, followUpMs: undefined } as const;
    // Act
    const timeline = toTimeline(1, { ...settings, chats: 2, faults: { ...allOff, stuckWrites: true } }, [scene]);
    // Assert
    expect(timeline.events).toEqual([
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 100, do: 'inbound', chat: 'c2', msg: 'm2' },
      { at: 2000, do: 'stuckWrites', untilAt: 32_000 },
      { at: 2100, do: 'reply', to: 'm1', key: 'r1' },
      { at: 2800, do: 'reply', to: 'm2', key: 'r2' },
      { at: 3800, do: 'heal' },
    ]);
  });

  it("answers a scene's follow-up in its own chat, its delay after the fault", () => {
    // Arrange
    const scene = { gapMs: 100, do: 'scene', chat: 0, replyDelayMs: 2000, replies: 1, spacingMs: 0, media: false, fault: { do: 'drop', reason: 'connectionLost', noticeMs: undefined }, faultOffsetMs: 500, bystander: undefined, followUpMs: 4000 } as const;
    // Act
    const timeline = toTimeline(1, { ...settings, chats: 2, faults: { ...allOff, silentDrop: true } }, [scene]);
    // Assert
    expect(timeline.events).toEqual([
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 100, do: 'inbound', chat: 'c1', msg: 'm2' },
      { at: 2100, do: 'reply', to: 'm1', key: 'r1' },
      { at: 2600, do: 'drop', reason: 'connectionLost' },
      { at: 6600, do: 'reply', to: 'm2', key: 'r2' },
      { at: 7600, do: 'heal' },
    ]);
  });

  it("answers a media failure's scene with media, unless the path takes only text", () => {
    // Arrange: the scene drew text replies; a hung upload only shows on a media send.
    const scene = { gapMs: 100, do: 'scene', chat: 0, replyDelayMs: 2000, replies: 1, spacingMs: 0, media: false, fault: { do: 'mediaFails', forMs: 60_000, stage: 'uploadHangs' }, faultOffsetMs: -100, bystander: undefined, followUpMs: undefined } as const;
    const on = { ...settings, faults: { ...allOff, mediaFails: true } };
    // Act
    const timeline = toTimeline(1, on, [scene]);
    const textOnly = toTimeline(1, on, [scene], builtInFaults, { requests: ['reply'] });
    // Assert
    expect(timeline.events.map((e) => e.do)).toEqual(['inbound', 'mediaFails', 'sendMedia', 'heal']);
    expect(textOnly.events.map((e) => e.do)).toEqual(['inbound', 'mediaFails', 'reply', 'heal']);
  });

  it('maps drop reasons to fault kinds', () => {
    const kindOf = (event: { at: number; do: string; reason?: string; untilAt?: number }) => builtInFaults.swarmKindOf(event);
    expect(kindOf({ at: 0, do: 'drop', reason: 'conflict' })).toBe('terminal');
    expect(kindOf({ at: 0, do: 'drop', reason: 'loggedOut' })).toBe('terminal');
    expect(kindOf({ at: 0, do: 'drop', reason: 'restartRequired' })).toBe('restart');
    expect(kindOf({ at: 0, do: 'drop', reason: 'connectionLost' })).toBe('silentDrop');
    expect(kindOf({ at: 0, do: 'drop', reason: 'connectionReset' })).toBe('drop');
    expect(kindOf({ at: 0, do: 'blackhole', untilAt: 10 })).toBe('blackhole');
    expect(kindOf({ at: 0, do: 'reply' })).toBeUndefined();
    expect(kindOf({ at: 0, do: 'heal' })).toBeUndefined();
  });

  it('turns a blackhole step into a blackhole event lasting forMs, only when the kind is on', () => {
    // Arrange
    const steps = [
      { gapMs: 0, do: 'inbound', chat: 0, kind: 'text', batch: 1 },
      { gapMs: 100, do: 'blackhole', forMs: 40_000 },
      { gapMs: 200, do: 'reply', back: 0, media: false, count: 1 },
    ] as const;
    // Act
    const off = toTimeline(3, settings, [...steps]);
    const on = toTimeline(3, { ...settings, faults: { ...allOff, blackhole: true } }, [...steps]);
    // Assert
    expect(off.events.map((e) => e.do)).toEqual(['inbound', 'reply', 'heal']);
    expect(on.events).toEqual([
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 100, do: 'blackhole', untilAt: 40_100 },
      { at: 300, do: 'reply', to: 'm1', key: 'r1' },
      { at: 1300, do: 'heal' },
    ]);
  });

  it('generates blackholes alone and together with other fault kinds', () => {
    // Arrange
    let alone = 0;
    let combined = 0;
    // Act
    fc.assert(
      fc.property(runArb(), (run) => {
        const kinds = new Set(run.timeline.events.map((e) => builtInFaults.swarmKindOf(e)).filter((k) => k !== undefined));
        if (kinds.has('blackhole')) {
          if (kinds.size === 1) alone += 1;
          else combined += 1;
        }
      }),
      { numRuns: 300, seed: 9 },
    );
    // Assert
    expect(alone).toBeGreaterThan(0);
    expect(combined).toBeGreaterThan(0);
  });
});
