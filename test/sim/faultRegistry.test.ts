/**
 * Adding a fault kind is one module plus one registry entry: a throwaway kind defined here, and
 * registered with `builtInFaults.with(...)`, is validated, simulated, written back, described,
 * counted by coverage and generated, with no other change anywhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import { runArb } from '../../properties/generation/arbitraries.js';
import { runCoverage } from '../../properties/judging/coverage.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { describeEvent, runFacts } from '../../report/facts.js';
import { builtInFaults, defineFault } from '../../sim/faults/index.js';
import { simulate } from '../../sim/simulate.js';
import { atSchema, chatNameSchema, delayMsSchema } from '../../sim/timelineAtoms.js';
import { parseTimeline, serializeTimeline, TimelineError } from '../../sim/timeline.js';
import { testConfig } from './helpers.js';

/**
 * Throwaway: until `heal`, every write to `chat` (or to any chat) is stuck behind a full buffer.
 */
const flakyChat = defineFault({
  kind: 'flakyChat',
  summary: 'until heal, every write to chat (or any chat) is stuck: 408 after connectTimeoutMs',
  isFault: true,
  schema: z.strictObject({
    at: atSchema,
    do: z.literal('flakyChat'),
    chat: chatNameSchema.optional(),
    delayMs: delayMsSchema,
  }),
  keyOrder: ['at', 'do', 'chat', 'delayMs'],
  check: (event, facts) =>
    event.chat === undefined || facts.inboundChats.has(event.chat)
      ? []
      : [`chat: unknown chat "${event.chat}"`],
  apply(event, target) {
    const jid = event.chat === undefined ? undefined : target.jidOf(event.chat);
    const stuck = (chatJid: string): boolean => jid === undefined || chatJid === jid;
    target.addRules({ write: (send) => (stuck(send.chatJid) ? 'stuck' : undefined) });
  },
  describe: (event) => `flakyChat ${event.chat ?? 'every chat'}, noted after ${event.delayMs} ms`,
  draw: { shape: 'tick', tone: 'slow', label: () => 'flaky' },
  coverage: { swarm: { flakyChat: fc.boolean() }, kindOf: () => 'flakyChat' },
  generate: {
    step: fc.record({
      do: fc.constant('flakyChat' as const),
      chat: fc.nat(2),
      delayMs: fc.integer({ min: 0, max: 5000 }),
    }),
    stepWeight: 5,
    sceneWeight: 5,
    toEvent(step, at, chats) {
      const chat = chats.name(step.chat);
      return chats.hasInboundFrom(chat)
        ? { at, do: 'flakyChat', chat, delayMs: step.delayMs }
        : { at, do: 'flakyChat', delayMs: step.delayMs };
    },
  },
});

const faults = builtInFaults.with(flakyChat);

const json = {
  format: 'baileys-sim/timeline@1',
  seed: 3,
  config: testConfig,
  events: [
    { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 100, do: 'flakyChat', chat: 'c1', delayMs: 2000 },
    { at: 500, do: 'reply', to: 'm1', key: 'r1' },
    { at: 9000, do: 'heal' },
  ],
};

describe('a fault kind added as one module', () => {
  it('is rejected by the built-in registry and validated by the one that has it', () => {
    // Arrange
    const badChat = {
      ...json,
      events: [json.events[0], { at: 100, do: 'flakyChat', chat: 'c9', delayMs: 1 }],
    };
    // Act
    const unknown = () => parseTimeline(json);
    const invalid = () => parseTimeline(badChat, { faults });
    // Assert
    expect(unknown).toThrow(/events\[1\]\.do: unknown event "flakyChat"/);
    expect(invalid).toThrow(TimelineError);
    expect(invalid).toThrow('events[1].chat: unknown chat "c9"');
  });

  it('acts on the fake network, is recorded, described and written back', async () => {
    // Arrange
    const timeline = parseTimeline(json, { faults });
    // Act
    const history = await simulate(timeline, builtInSendPath('reference').factory, { faults });
    const text = runFacts(timeline, history, faults).facts.map((f) => f.text);
    // Assert
    expect(history.networkEvents.map((e) => e.do)).toEqual(['flakyChat', 'heal']);
    const stuck = history.attempts.filter((a) => a.at < 9000);
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck.every((a) => a.error?.statusCode === 408 && !a.written)).toBe(true);
    expect(text).toContain('flakyChat c1, noted after 2000 ms');
    expect(describeEvent(timeline.events[1]!, faults)).toBe('flakyChat c1, noted after 2000 ms');
    expect(parseTimeline(JSON.parse(serializeTimeline(timeline, { faults })), { faults })).toEqual(
      timeline,
    );
    expect(serializeTimeline(timeline, { faults })).toContain(
      '{ "at": 100, "do": "flakyChat", "chat": "c1", "delayMs": 2000 }',
    );
  });

  it('is counted by fault coverage', async () => {
    // Arrange
    const timeline = parseTimeline(json, { faults });
    const history = await simulate(timeline, builtInSendPath('reference').factory, { faults });
    // Act
    const coverage = runCoverage(timeline, history, faults);
    // Assert
    expect(coverage['flakyChat']).toEqual({ fired: 1, mattered: 1 });
  });

  it('is generated, and a campaign runs it end to end', async () => {
    // Arrange
    const samples = fc.sample(runArb({ faults }), { numRuns: 200, seed: 5 });
    // Act
    const result = await runCampaign({
      path: builtInSendPath('reference'),
      seed: 2,
      numRuns: 40,
      faults,
    });
    // Assert
    expect(
      samples.some((run) => run.timeline.events.some((e) => (e.do as string) === 'flakyChat')),
    ).toBe(true);
    expect(samples.every((run) => parseTimeline(run.timeline, { faults }) !== undefined)).toBe(
      true,
    );
    expect(result.coverage['flakyChat']!.fired).toBeGreaterThan(0);
  });
});
