/** Episodes: the situations a run opens with, lined up on purpose (generation/episodes.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runArb, toTimeline, type SwarmSettings } from '../../properties/generation/arbitraries.js';
import type {
  GroupRefusalEpisode,
  HungUploadEpisode,
  LateRetryEpisode,
} from '../../properties/generation/episodes.js';
import { builtInFaults } from '../../sim/faults/index.js';
import {
  parseTimeline,
  serializeTimeline,
  type Timeline,
  type TimelineEvent,
} from '../../sim/timeline.js';
import {
  confirmWindowMs,
  keepAliveDetectionMsMax,
  wsCloseTimeoutMs,
} from '../../src/baileysFacts.js';

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
const lateRetry: LateRetryEpisode = {
  do: 'lateRetry',
  chat: 0,
  via: 'reset',
  downMs: 0,
  afterConfirmMs: 5000,
  retryAfterLossMs: 10_000,
  followUpMs: 3000,
};
const confirmMs = confirmWindowMs(30_000);

/** The first event of `timeline` doing `what`. */
function first<D extends TimelineEvent['do']>(
  timeline: Timeline,
  what: D,
): Extract<TimelineEvent, { do: D }> {
  const found = timeline.events.find((e) => e.do === what);
  if (found === undefined) throw new Error(`no ${what} event`);
  return found as Extract<TimelineEvent, { do: D }>;
}

describe('late retry episodes', () => {
  const faults = { ...allOff, undecryptable: true, drop: true, silentDrop: true };
  const on = { ...settings, faults };

  it("loses the writer's socket a window after the reply; the receipt, then a message", () => {
    // Act
    const timeline = toTimeline(1, { ...on, episode: lateRetry }, []);
    // Assert: the message, the reply its recipient cannot decrypt, then the reset
    const opening = timeline.events.slice(0, 3).map((e) => e.do);
    expect(opening).toEqual(['inbound', 'undecryptable', 'reply']);
    const reply = first(timeline, 'reply');
    const retry = first(timeline, 'undecryptable');
    const reset = first(timeline, 'drop');
    expect(retry).toMatchObject({ chat: 'c1' });
    expect(reset).toMatchObject({ reason: 'connectionReset' });
    expect(reset.at - reply.at).toBeGreaterThanOrEqual(confirmMs + lateRetry.afterConfirmMs);
    // The receipt leaves retryAfterMs after the frame arrived (no earlier than the reply's call).
    expect(reply.at + retry.retryAfterMs).toBe(reset.at + lateRetry.retryAfterLossMs);
    const next = timeline.events.filter((e) => e.do === 'inbound')[1]!;
    expect(next.at).toBeGreaterThan(reply.at + retry.retryAfterMs);
    expect(timeline.events.at(-2)).toMatchObject({ do: 'reply', to: next.msg });
  });

  it('with a silent loss, replies into the dead link; the receipt leaves after the close', () => {
    // Act
    const timeline = toTimeline(1, { ...on, episode: { ...lateRetry, via: 'silent' } }, []);
    // Assert
    const retry = first(timeline, 'undecryptable');
    const silence = first(timeline, 'drop');
    const [firstReply, intoTheLink] = timeline.events.filter((e) => e.do === 'reply');
    expect(silence).toMatchObject({ reason: 'connectionLost' });
    expect(intoTheLink!.at).toBe(silence.at + lateRetry.followUpMs);
    const heardMs = keepAliveDetectionMsMax(30_000) + wsCloseTimeoutMs;
    const receiptAt = silence.at + heardMs + lateRetry.retryAfterLossMs;
    expect(firstReply!.at + retry.retryAfterMs).toBe(receiptAt);
  });

  it("restarts the bot's process for the loss, or resets the connection if it cannot", () => {
    // Arrange
    const episode = { ...lateRetry, via: 'restart', downMs: 800 } as const;
    // Act
    const restart = toTimeline(1, { ...on, restarts: true, episode }, []);
    const noRestarts = toTimeline(1, { ...on, episode }, []);
    // Assert
    expect(first(restart, 'restart')).toMatchObject({ downMs: 800 });
    expect(restart.events.some((e) => e.do === 'drop')).toBe(false);
    expect(first(noRestarts, 'drop')).toMatchObject({ reason: 'connectionReset' });
  });

  it('comes before the steps, and the run stops no earlier than its end', () => {
    // Arrange
    const step = { gapMs: 0, do: 'inbound', chat: 1, kind: 'text', batch: 1, phrase: 0 } as const;
    // Act
    const timeline = toTimeline(1, { ...on, episode: lateRetry, stopAtPermille: 0 }, [step]);
    // Assert: the step's message (c2) comes after the episode's last reply
    const episodeEnd = timeline.events.filter((e) => e.do === 'reply').at(-1)!.at;
    const stepMessage = timeline.events.find((e) => e.do === 'inbound' && e.chat === 'c2')!;
    expect(stepMessage.at).toBeGreaterThanOrEqual(episodeEnd);
    expect(first(timeline, 'stop').at).toBeGreaterThanOrEqual(episodeEnd);
  });
});

describe('group refusal episodes', () => {
  const refusal: GroupRefusalEpisode = {
    ...{ do: 'groupRefusal', reason: 'notInGroup' },
    ...{ forMs: 5000, replies: 2, spacingMs: 100 },
  };
  const on = { ...settings, groupChat: true, faults: { ...allOff, queryRejects: true } };

  it('answers the group while refused, and its next message a confirmation window later', () => {
    // Act
    const timeline = toTimeline(1, { ...on, episode: refusal }, []);
    // Assert
    const [message, next] = timeline.events.filter((e) => e.do === 'inbound');
    const refused = first(timeline, 'queryRejects');
    const replies = timeline.events.filter((e) => e.do === 'reply');
    expect(message).toMatchObject({ chat: 'c2', kind: 'group' });
    const untilAt = refused.at + refusal.forMs;
    expect(refused).toMatchObject({ chat: 'c2', reason: 'notInGroup', untilAt });
    expect(replies.slice(0, 2).every((r) => r.at > refused.at && r.at < untilAt)).toBe(true);
    // The last reply's outcome comes by its metadata query's timeout (60 s), then the window.
    expect(next!.at).toBeGreaterThan(replies[1]!.at + 60_000 + confirmMs);
    expect(next).toMatchObject({ chat: 'c2' });
  });
});

describe('hung upload episodes', () => {
  const hung: HungUploadEpisode = { do: 'hungUpload', chat: 0, forMs: 0, followUpMs: 4000 };
  const on = { ...settings, faults: { ...allOff, mediaFails: true } };

  it('answers with media into an upload never answered, then with text behind it', () => {
    // Act
    const timeline = toTimeline(1, { ...on, episode: hung }, []);
    // Assert: the window lasts past the upload's start even when drawn empty
    const hangs = first(timeline, 'mediaFails');
    const media = first(timeline, 'sendMedia');
    expect(hangs).toMatchObject({ stage: 'uploadHangs' });
    expect(hangs.at).toBeLessThan(media.at);
    expect(hangs.untilAt).toBeGreaterThan(media.at + 1000);
    const text = timeline.events.filter((e) => e.do === 'reply');
    expect(text[0]).toMatchObject({ at: media.at + hung.followUpMs, to: media.to });
  });

  it("answers the chat's next message once a correct path gave the media reply up", () => {
    // Act
    const timeline = toTimeline(1, { ...on, episode: hung }, []);
    // Assert: a deadline after the media reply, and ws's close timeout for its socket
    const media = first(timeline, 'sendMedia');
    const next = timeline.events.filter((e) => e.do === 'inbound')[1]!;
    expect(next.at).toBeGreaterThan(media.at + settings.replyDeadlineMs + wsCloseTimeoutMs);
  });
});

describe('what episodes and finales switch on', () => {
  it("switches on an episode's kinds and group chat, a finale scene's kind; faultsOff wins", () => {
    const off = runArb({ faultsOff: ['undecryptable', 'queryRejects'] });
    fc.assert(
      fc.property(runArb(), off, (run, withOff) => {
        // Act
        const { episode, finale, faults, groupChat, chats } = run.settings;
        // Assert
        if (episode?.do === 'lateRetry') expect(faults['undecryptable']).toBe(true);
        if (episode?.do === 'hungUpload') expect(faults['mediaFails']).toBe(true);
        if (episode?.do === 'groupRefusal') {
          expect([faults['queryRejects'], groupChat, chats >= 2]).toEqual([true, true, true]);
        }
        if (finale?.do === 'scene') {
          const module = builtInFaults.get(finale.scene.fault.do)!;
          const chatNames = { name: (i: number) => `c${i + 1}`, hasInboundFrom: () => false };
          const event = module.generate!.toEvent(finale.scene.fault, 0, chatNames) as never;
          expect(faults[builtInFaults.swarmKindOf(event)!]).toBe(true);
        }
        const { undecryptable, queryRejects } = withOff.settings.faults;
        expect([undecryptable, queryRejects]).toEqual([false, false]);
        expect(parseTimeline(JSON.parse(serializeTimeline(run.timeline)))).toEqual(run.timeline);
      }),
      { numRuns: 200 },
    );
  });
});
