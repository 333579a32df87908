import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runArb, toTimeline, type SwarmSettings } from '../../properties/generation/arbitraries.js';
import { builtInFaults } from '../../sim/faults/index.js';
import { parseTimeline, serializeTimeline } from '../../sim/timeline.js';

const allOff: SwarmSettings['faults'] = Object.fromEntries(
  builtInFaults.swarmKinds.map((kind) => [kind, false]),
);
const settings: SwarmSettings = {
  faults: allOff,
  stopAtPermille: undefined,
  inboundVariety: false,
  texts: 'distinct',
  chats: 2,
  latencyMs: 0,
  reconnect: { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 },
  replyDeadlineMs: 120_000,
  restarts: false,
};

describe('timeline arbitraries', () => {
  it(
    'always produce valid timelines that round-trip, ' + 'with a heal after every network event',
    () => {
      fc.assert(
        fc.property(runArb(), (run) => {
          // Act
          const reparsed = parseTimeline(JSON.parse(serializeTimeline(run.timeline)));
          const network = run.timeline.events.filter((e) => builtInFaults.get(e.do) !== undefined);
          // Assert
          expect(reparsed).toEqual(run.timeline);
          expect(network.at(-1)?.do).toBe('heal');
          expect(network.filter((e) => e.do === 'heal')).toHaveLength(1);
        }),
        { numRuns: 300 },
      );
    },
  );

  it('leaves out the fault kinds a run switched off', () => {
    // Arrange
    const steps = [
      { gapMs: 0, do: 'inbound', chat: 0, kind: 'text', batch: 1, phrase: 0 },
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
    const scene = {
      gapMs: 100,
      do: 'scene',
      chat: 1,
      replyDelayMs: 2000,
      replies: 2,
      spacingMs: 50,
      media: false,
      fault: { do: 'drop', reason: 'connectionClosed', noticeMs: undefined },
      faultOffsetMs: -300,
      bystander: undefined,
      followUpMs: undefined,
    } as const;
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
    const scene = {
      gapMs: 100,
      do: 'scene',
      chat: 0,
      replyDelayMs: 2000,
      replies: 1,
      spacingMs: 0,
      media: false,
      fault: { do: 'stuckWrites', forMs: 30_000 },
      faultOffsetMs: -100,
      bystander: { chatOffset: 1, delayMs: 700 },
      followUpMs: undefined,
    } as const;
    // Act
    const timeline = toTimeline(
      1,
      { ...settings, chats: 2, faults: { ...allOff, stuckWrites: true } },
      [scene],
    );
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
    const scene = {
      gapMs: 100,
      do: 'scene',
      chat: 0,
      replyDelayMs: 2000,
      replies: 1,
      spacingMs: 0,
      media: false,
      fault: { do: 'drop', reason: 'connectionLost', noticeMs: undefined },
      faultOffsetMs: 500,
      bystander: undefined,
      followUpMs: 4000,
    } as const;
    // Act
    const timeline = toTimeline(
      1,
      { ...settings, chats: 2, faults: { ...allOff, silentDrop: true } },
      [scene],
    );
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
    const scene = {
      gapMs: 100,
      do: 'scene',
      chat: 0,
      replyDelayMs: 2000,
      replies: 1,
      spacingMs: 0,
      media: false,
      fault: { do: 'mediaFails', forMs: 60_000, stage: 'uploadHangs' },
      faultOffsetMs: -100,
      bystander: undefined,
      followUpMs: undefined,
    } as const;
    const on = { ...settings, faults: { ...allOff, mediaFails: true } };
    // Act
    const timeline = toTimeline(1, on, [scene]);
    const textOnly = toTimeline(1, on, [scene], builtInFaults, { requests: ['reply'] });
    // Assert
    expect(timeline.events.map((e) => e.do)).toEqual([
      'inbound',
      'mediaFails',
      'sendMedia',
      'heal',
    ]);
    expect(textOnly.events.map((e) => e.do)).toEqual(['inbound', 'mediaFails', 'reply', 'heal']);
  });

  it('maps drop reasons to fault kinds', () => {
    const kindOf = (event: { at: number; do: string; reason?: string; untilAt?: number }) =>
      builtInFaults.swarmKindOf(event);
    expect(kindOf({ at: 0, do: 'drop', reason: 'conflict' })).toBe('terminal');
    expect(kindOf({ at: 0, do: 'drop', reason: 'loggedOut' })).toBe('terminal');
    expect(kindOf({ at: 0, do: 'drop', reason: 'restartRequired' })).toBe('restart');
    expect(kindOf({ at: 0, do: 'drop', reason: 'connectionLost' })).toBe('silentDrop');
    expect(kindOf({ at: 0, do: 'drop', reason: 'connectionReset' })).toBe('drop');
    expect(kindOf({ at: 0, do: 'blackhole', untilAt: 10 })).toBe('blackhole');
    expect(kindOf({ at: 0, do: 'reply' })).toBeUndefined();
    expect(kindOf({ at: 0, do: 'heal' })).toBeUndefined();
  });

  it(
    'turns a blackhole step into a blackhole ' + 'event lasting forMs, only when the kind is on',
    () => {
      // Arrange
      const steps = [
        { gapMs: 0, do: 'inbound', chat: 0, kind: 'text', batch: 1, phrase: 0 },
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
    },
  );

  it('generates blackholes alone and together with other fault kinds', () => {
    // Arrange
    let alone = 0;
    let combined = 0;
    // Act
    fc.assert(
      fc.property(runArb(), (run) => {
        const kinds = new Set(
          run.timeline.events
            .map((e) => builtInFaults.swarmKindOf(e))
            .filter((k) => k !== undefined),
        );
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

describe('generated texts', () => {
  it(
    'has a run with repeated texts say short phrases, so one chat can send the same text ' +
      'twice',
    () => {
      // Arrange
      const steps = [
        { gapMs: 0, do: 'inbound', chat: 0, kind: 'text', batch: 1, phrase: 0 },
        { gapMs: 10, do: 'inbound', chat: 0, kind: 'text', batch: 2, phrase: 0 },
      ] as const;
      // Act
      const repeated = toTimeline(1, { ...settings, texts: 'repeated' }, [...steps]);
      const distinct = toTimeline(1, settings, [...steps]);
      // Assert
      expect(
        repeated.events
          .filter((e) => e.do === 'inbound')
          .map((e) => ('text' in e ? e.text : undefined)),
      ).toEqual(['hi', 'hi', 'hi']);
      expect(distinct.events.filter((e) => e.do === 'inbound').every((e) => !('text' in e))).toBe(
        true,
      );
    },
  );
});

describe('restart steps', () => {
  const restartStep = {
    gapMs: 100,
    do: 'restart',
    chat: 0,
    moment: 'wait',
    permille: 500,
    downMs: 3000,
    offline: 1,
    lostReceipts: true,
  } as const;
  const on = { ...settings, restarts: true, faults: { ...allOff, drop: true, receiptsLost: true } };

  it(
    'answers a message, resets the connection, restarts the bot inside the reconnect wait, ' +
      'and answers what came while it was down',
    () => {
      // Act
      const timeline = toTimeline(1, on, [restartStep]);
      // Assert: the reset is heard at once (no latency), the first wait is at least 1.5 s
      expect(timeline.events).toEqual([
        { at: 100, do: 'receiptsLost', untilAt: 1100 },
        { at: 100, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 400, do: 'reply', to: 'm1', key: 'r1' },
        { at: 740, do: 'drop', reason: 'connectionReset' },
        { at: 1450, do: 'restart', downMs: 3000 },
        { at: 2950, do: 'inbound', chat: 'c1', msg: 'm2' },
        { at: 5450, do: 'reply', to: 'm2', key: 'r2' },
        { at: 6450, do: 'heal' },
      ]);
    },
  );

  it('keeps the messages but restarts nothing in a run without restarts, or past the limit', () => {
    // Act
    const off = toTimeline(1, { ...on, restarts: false }, [restartStep]);
    const many = toTimeline(1, on, [restartStep, restartStep, restartStep, restartStep]);
    // Assert
    expect(off.events.filter((e) => e.do === 'restart')).toEqual([]);
    expect(off.events.filter((e) => e.do === 'inbound')).toHaveLength(2);
    expect(many.events.filter((e) => e.do === 'restart')).toHaveLength(3);
    expect(() => parseTimeline(serializeTimeline(many))).not.toThrow();
  });

  it("never puts the run's stop before a restart", () => {
    // Act
    const timeline = toTimeline(1, { ...on, stopAtPermille: 0 }, [restartStep]);
    // Assert
    const stopAt = timeline.events.find((e) => e.do === 'stop')!.at;
    const restart = timeline.events.find((e) => e.do === 'restart')!;
    expect(stopAt).toBeGreaterThanOrEqual(
      restart.at + (('downMs' in restart && restart.downMs) || 0),
    );
  });
});

describe('finales', () => {
  it(
    'ends with a long outage, replies asked once a correct path is back, and the heal when ' +
      'it ends',
    () => {
      // Arrange: deadline 120 s, policy up to 30 s ±25 %: a correct path is back within 37.5 s + 40
      // s + 10 s
      const finale = {
        do: 'outage',
        chat: 0,
        via: 'refuse',
        forMs: 300_000,
        replyDelaysMs: [0, 20_000],
        offline: true,
      } as const;
      const deadline60 = {
        ...settings,
        replyDeadlineMs: 60_000,
        faults: { ...allOff, drop: true, refuseConnects: true },
        finale,
      };
      // Act
      const timeline = toTimeline(
        1,
        { ...settings, faults: { ...allOff, drop: true, refuseConnects: true }, finale },
        [],
      );
      const later = toTimeline(1, deadline60, []);
      // Assert
      expect(timeline.events).toEqual([
        { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
        { at: 1200, do: 'reply', to: 'm1', key: 'r1' },
        { at: 2000, do: 'drop', reason: 'connectionReset' },
        { at: 2000, do: 'refuseConnects', untilAt: 302_000 },
        { at: 152_000, do: 'inbound', chat: 'c2', msg: 'm2' },
        { at: 302_000, do: 'reply', to: 'm1', key: 'r2' },
        { at: 302_000, do: 'heal' },
        { at: 307_000, do: 'reply', to: 'm2', key: 'r4' },
        { at: 322_000, do: 'reply', to: 'm1', key: 'r3' },
      ]);
      expect(
        later.events.filter((e) => e.do === 'reply' && e.to === 'm1').map((e) => e.at),
      ).toEqual([1200, 302_000 + 87_500 - 60_000, 302_000 + 87_500 - 40_000]);
    },
  );

  it('makes an outage of the kinds the run has on', () => {
    // Arrange
    const finale = {
      do: 'outage',
      chat: 0,
      via: 'refuse',
      forMs: 300_000,
      replyDelaysMs: [0],
      offline: false,
    } as const;
    // Act
    const dark = toTimeline(1, { ...settings, faults: { ...allOff, blackhole: true }, finale }, []);
    const silent = toTimeline(
      1,
      { ...settings, faults: { ...allOff, silentDrop: true, refuseConnects: true }, finale },
      [],
    );
    const none = toTimeline(1, { ...settings, faults: { ...allOff, drop: true }, finale }, []);
    // Assert
    expect(dark.events.filter((e) => builtInFaults.get(e.do)?.isFault).map((e) => e.do)).toEqual([
      'blackhole',
    ]);
    expect(silent.events.filter((e) => builtInFaults.get(e.do)?.isFault)).toEqual([
      { at: 2000, do: 'drop', reason: 'connectionLost' },
      { at: 2000, do: 'refuseConnects', untilAt: 302_000 },
    ]);
    expect(none.events.filter((e) => builtInFaults.get(e.do)?.isFault)).toEqual([]);
  });

  it('ends with the stop inside a hanging reconnect, a reply waiting through it', () => {
    // Arrange
    const finale = { do: 'stop', chat: 0, moment: 'connect', permille: 0 } as const;
    // Act
    const timeline = toTimeline(
      1,
      { ...settings, faults: { ...allOff, drop: true, blackhole: true }, finale },
      [],
    );
    // Assert: the reconnect starts by 2.5 s after the reset and hangs 20 s
    const reset = timeline.events.find((e) => e.do === 'drop')!.at;
    const stop = timeline.events.find((e) => e.do === 'stop')!.at;
    expect(timeline.events.map((e) => e.do)).toEqual([
      'inbound',
      'reply',
      'drop',
      'blackhole',
      'reply',
      'stop',
      'heal',
    ]);
    expect(stop - reset).toBeGreaterThan(2500);
    expect(stop - reset).toBeLessThan(1500 + 20_000);
  });
});
