/**
 * The shrinker on its own, with failure tests that need no simulation: what it keeps is exactly
 * what the test needs (1-minimal), a removed message takes its replies with it, candidates that are
 * no timeline cost nothing, the budget bounds the work, and the same input gives the same result.
 */
import { describe, expect, it } from 'vitest';
import { shrinkTimeline, type StillFails } from '../../properties/campaigns/shrink.js';
import type { Timeline, TimelineEvent } from '../../sim/timeline.js';
import { timelineOf } from '../sim/helpers.js';

/** Ten chats' worth of noise around a message m3, its reply r3 and a drop. */
function noisyTimeline(): Timeline {
  const events: TimelineEvent[] = [];
  for (let i = 1; i <= 10; i += 1) {
    events.push({ at: i * 1000, do: 'inbound', chat: `c${i}`, msg: `m${i}` });
    events.push({ at: i * 1000 + 500, do: 'reply', to: `m${i}`, key: `r${i}` });
  }
  events.push({ at: 20_000, do: 'drop', reason: 'connectionClosed' });
  events.push({ at: 30_000, do: 'heal' });
  return timelineOf(events);
}

/** Fails while the timeline still has the reply r3 and a drop. */
const needsReplyAndDrop: StillFails = async (t) =>
  t.events.some((e) => e.do === 'reply' && e.key === 'r3') && t.events.some((e) => e.do === 'drop');

describe('shrinkTimeline', () => {
  it(
    'keeps exactly the events the failure ' + 'needs, and what they need to be a timeline',
    async () => {
      // Act
      const shrunk = await shrinkTimeline(noisyTimeline(), needsReplyAndDrop);
      // Assert
      expect(shrunk.timeline.events.map((e) => e.do)).toEqual(['inbound', 'reply', 'drop']);
      expect(shrunk.timeline.events[0]).toMatchObject({ msg: 'm3' });
      expect(shrunk.oneMinimal).toBe(true);
    },
  );

  it('removes a message together with the replies that refer to it', async () => {
    // Arrange: fails while any drop is left; every message and reply can go.
    const seen: Timeline[] = [];
    const needsDrop: StillFails = async (t) => {
      seen.push(t);
      return t.events.some((e) => e.do === 'drop');
    };
    // Act
    const shrunk = await shrinkTimeline(noisyTimeline(), needsDrop);
    // Assert: no candidate ever held a reply without its message.
    expect(shrunk.timeline.events.map((e) => e.do)).toEqual(['drop']);
    for (const candidate of seen) {
      const messages = new Set(
        candidate.events.flatMap((e) => (e.do === 'inbound' ? [e.msg] : [])),
      );
      expect(candidate.events.filter((e) => e.do === 'reply' && !messages.has(e.to))).toEqual([]);
    }
  });

  it('stops at its simulation budget, and says the result is not 1-minimal', async () => {
    // Act
    const shrunk = await shrinkTimeline(noisyTimeline(), needsReplyAndDrop, { simulationsMax: 3 });
    // Assert
    expect(shrunk.simulations).toBe(3);
    expect(shrunk.oneMinimal).toBe(false);
    expect(await needsReplyAndDrop(shrunk.timeline)).toBe(true);
  });

  it('gives the same timeline for the same input, and never tests a candidate twice', async () => {
    // Arrange
    const tested: string[] = [];
    const recording: StillFails = async (t) => {
      tested.push(JSON.stringify(t.events));
      return needsReplyAndDrop(t);
    };
    // Act
    const a = await shrinkTimeline(noisyTimeline(), recording);
    const b = await shrinkTimeline(noisyTimeline(), needsReplyAndDrop);
    // Assert
    expect(b.timeline).toEqual(a.timeline);
    expect(new Set(tested).size).toBe(tested.length);
  });

  it('leaves a timeline of one needed event as it is', async () => {
    // Arrange
    const timeline = timelineOf([{ at: 5, do: 'drop', reason: 'connectionClosed' }]);
    // Act
    const shrunk = await shrinkTimeline(timeline, async (t) => t.events.length > 0);
    // Assert
    expect(shrunk.timeline).toEqual(timeline);
    expect(shrunk.oneMinimal).toBe(true);
  });
});
