/**
 * A send path that answers one message at a time per chat declares it (`repliesPerChatMax: 1`):
 * the harness then calls a chat's next reply only once the previous one settled, records the
 * declaration, and the checkers judge each reply from when the harness could call it.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import {
  failureFileOf,
  parseFailureFile,
  replayWith,
  serializeFailure,
} from '../../properties/campaigns/failureFile.js';
import { checkAll } from '../../properties/judging/checkers.js';
import { parseSendPathSettings, settingsLine } from '../../properties/paths/settings.js';
import { simulate } from '../../sim/simulate.js';
import { parseTimeline, timelineFormat, type TimelineEvent } from '../../sim/timeline.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { testConfig, timelineOf } from '../sim/helpers.js';

/** The reference, thinking `thinkMs` before each reply is sent. */
function thinking(thinkMs: number): SendPathFactory {
  return (env) => {
    const path = referenceSendPath(env);
    return {
      start: (onMessage) =>
        path.start((message) =>
          onMessage({
            ...message,
            reply: (text) =>
              new Promise<void>((resolve) => env.clock.setTimeout(resolve, thinkMs)).then(() =>
                message.reply(text),
              ),
          }),
        ),
      stop: () => path.stop(),
    };
  };
}

/**
 * The reference behind a bot that is not reentrant per chat: it answers one message at a time,
 * and a second reply asked for in a chat while one is under way is refused, as such a bot would
 * never be asked.
 */
const oneAtATime: SendPathFactory = (env) => {
  const path = referenceSendPath(env);
  const busy = new Set<string>();
  return {
    start: (onMessage) =>
      path.start((message) =>
        onMessage({
          ...message,
          reply: (text) => {
            if (busy.has(message.chatJid))
              return Promise.reject(new Error('a reply is already under way in this chat'));
            busy.add(message.chatJid);
            return message.reply(text).finally(() => busy.delete(message.chatJid));
          },
        }),
      ),
    stop: () => path.stop(),
  };
};

const twoChats: TimelineEvent[] = [
  { at: 1000, do: 'inbound', chat: 'c1', msg: 'm1' },
  { at: 1000, do: 'inbound', chat: 'c2', msg: 'm2' },
  { at: 2000, do: 'reply', to: 'm1', key: 'r1' },
  { at: 2100, do: 'reply', to: 'm1', key: 'r2' },
  { at: 2100, do: 'reply', to: 'm2', key: 'q1' },
  { at: 2200, do: 'reply', to: 'm1', key: 'r3' },
];

describe('repliesPerChatMax: 1', () => {
  it(
    "calls a chat's next reply once the previous one settled, never holds up another chat, " +
      'and records the declaration',
    async () => {
      // Act
      const serial = await simulate(timelineOf(twoChats), thinking(5000), { repliesPerChatMax: 1 });
      const concurrent = await simulate(timelineOf(twoChats), thinking(5000));
      // Assert
      const byKey = (h: typeof serial) =>
        Object.fromEntries(
          h.requests.map((r) => [r.key, { calledAt: r.calledAt, settledAt: r.settledAt }]),
        );
      const s = byKey(serial);
      expect(s.r2!.calledAt).toBe(s.r1!.settledAt);
      expect(s.r3!.calledAt).toBe(s.r2!.settledAt);
      expect(s.q1!.calledAt).toBe(2100);
      expect(serial.repliesPerChatMax).toBe(1);
      expect(Object.values(byKey(concurrent)).map((r) => r.calledAt)).toEqual([
        2000, 2100, 2100, 2200,
      ]);
      expect(concurrent).not.toHaveProperty('repliesPerChatMax');
    },
  );

  it(
    'judges each reply from when the harness could call it: a chain longer than a deadline ' +
      'is no liveness, order or chat-independence violation',
    async () => {
      // Arrange: twelve replies in one chat, each thinking 9 s with a 20 s deadline: the last is
      // called 100 s after the timeline asked, beyond the stop deadline the timeline alone sets
      // (its last request + deadline + 60 s), which each held-back call moves.
      const replies: TimelineEvent[] = Array.from({ length: 12 }, (_, i) => ({
        at: 2000 + i * 100,
        do: 'reply',
        to: 'm1',
        key: `r${i + 1}`,
      }));
      const timeline = parseTimeline({
        format: timelineFormat,
        seed: 7,
        config: { ...testConfig, replyDeadlineMs: 20_000 },
        events: [twoChats[0]!, ...replies],
      });
      // Act
      const history = await simulate(timeline, thinking(9000), { repliesPerChatMax: 1 });
      // Assert
      const last = history.requests.at(-1)!;
      expect(last.calledAt! - last.requestedAt).toBeGreaterThan(
        timeline.config.replyDeadlineMs + 60_000,
      );
      expect(history.requests.map((r) => r.outcome)).toEqual(replies.map(() => 'ok'));
      expect(history.server.frames.map((f) => f.key)).toEqual(
        replies.map((r) => (r as { key: string }).key),
      );
      expect(checkAll(history)).toEqual([]);
    },
  );

  it(
    'is refused when it is not a whole number from 1 to 1000, naming the field, and read ' +
      'in the settings line',
    () => {
      expect(parseSendPathSettings({ repliesPerChatMax: 0 })).toEqual({
        issues: ['sendPathSettings.repliesPerChatMax: must be >= 1, got 0'],
      });
      expect(parseSendPathSettings({ repliesPerChatMax: 1.5 })).toEqual({
        issues: ['sendPathSettings.repliesPerChatMax: expected an integer, got 1.5'],
      });
      expect(parseSendPathSettings({ repliesPerChatMax: 1 })).toEqual({
        settings: { repliesPerChatMax: 1 },
      });
      expect(settingsLine({ replyDeadlineMs: 120_000, repliesPerChatMax: 1 })).toMatch(
        /^the path's own reply deadline 120000 ms, one reply at a time per chat; generated one of 4 reconnect policies/,
      );
    },
  );
});

describe('a bot that answers one message at a time per chat', () => {
  it(
    'fails when the harness asks it for two replies of a chat at once, and passes once it ' +
      'declares it',
    async () => {
      // Act
      const undeclared = await runCampaign({
        path: { name: 'one at a time', factory: oneAtATime },
        seed: 1,
        numRuns: 300,
      });
      const declared = await runCampaign({
        path: { name: 'one at a time', factory: oneAtATime, settings: { repliesPerChatMax: 1 } },
        seed: 1,
        numRuns: 300,
      });
      // Assert
      const messages = undeclared.failures.flatMap((failure) =>
        failure.violations.map((v) => v.message),
      );
      expect(messages).toContainEqual(
        expect.stringMatching(/gave up .*a reply is already under way in this chat/),
      );
      expect(declared.failures).toEqual([]);
      expect(declared.settings).toEqual({ repliesPerChatMax: 1 });
    },
  );

  it(
    'records the declaration in the failure ' + 'file, whose replay calls the bot the same way',
    async () => {
      // Arrange: the bot, with a reply that never settles in chats after the first.
      const stuck: SendPathFactory = (env) => {
        const path = oneAtATime(env);
        let replies = 0;
        return {
          start: (onMessage) =>
            path.start((m) =>
              onMessage({
                ...m,
                reply: (text) => (++replies > 1 ? new Promise(() => undefined) : m.reply(text)),
              }),
            ),
          stop: () => path.stop(),
        };
      };
      const result = await runCampaign({
        path: { name: 'stuck', factory: stuck, settings: { repliesPerChatMax: 1 } },
        seed: 3,
        numRuns: 200,
      });
      // Act
      const file = parseFailureFile(serializeFailure(failureFileOf(result, result.failures[0]!)));
      const replayed = await replayWith(file, stuck);
      // Assert
      expect(file.settings).toEqual({ repliesPerChatMax: 1 });
      expect(replayed.history.repliesPerChatMax).toBe(1);
      expect(replayed.sameHistory).toBe(true);
    },
  );
});
