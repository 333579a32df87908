/**
 * A send path's own settings (`sendPathSettings`): validated as a timeline's config is, used as
 * given by every generated timeline (the checkers judge by them), recorded in the failure file;
 * without them, a liveness bound from generated settings the path never read says so.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import { judge } from '../../properties/campaigns/judge.js';
import {
  failureFileOf,
  parseFailureFile,
  serializeFailure,
} from '../../properties/campaigns/failureFile.js';
import { runArb } from '../../properties/generation/arbitraries.js';
import { loadSendPath } from '../../properties/paths/loadSendPath.js';
import { parseSendPathSettings, settingsLine } from '../../properties/paths/settings.js';
import {
  parseTimeline,
  serializeTimeline,
  type SendPathSettings,
  type TimelineConfig,
} from '../../sim/timeline.js';
import { referenceSendPath } from '../../src/reference.js';
import type { SendPathConfig, SendPathFactory } from '../../src/ports.js';

const declared = {
  replyDeadlineMs: 90_000,
  reconnect: { initialMs: 1500, maxMs: 20_000, factor: 1.5, jitter: 0.1, maxAttempts: 7 },
  socket: { keepAliveIntervalMs: 25_000, connectTimeoutMs: 15_000 },
} satisfies SendPathSettings;

/** The reference path, recording the config of every run it is built for. */
function recording(configs: SendPathConfig[]): SendPathFactory {
  return (env) => {
    configs.push(structuredClone(env.config));
    return referenceSendPath(env);
  };
}

/**
 * The reference, except that a reply never settles: every run with a reply fails, and is shrunk.
 */
const neverReplies: SendPathFactory = (env) => {
  const path = referenceSendPath(env);
  return {
    start: (onMessage) =>
      path.start((message) => onMessage({ ...message, reply: () => new Promise(() => undefined) })),
    stop: () => path.stop(),
  };
};

describe('declared settings', () => {
  it('are the config of every generated timeline, and only the undeclared fields vary', () => {
    // Arrange
    const own = fc.sample(runArb({ settings: declared }), { numRuns: 300, seed: 4 });
    const partly = fc.sample(runArb({ settings: { replyDeadlineMs: 45_000 } }), {
      numRuns: 300,
      seed: 4,
    });
    // Act
    const policies = new Set(partly.map((run) => JSON.stringify(run.timeline.config.reconnect)));
    // Assert
    expect(own.map((run) => run.timeline.config)).toEqual(own.map(() => declared));
    expect(new Set(partly.map((run) => run.timeline.config.replyDeadlineMs))).toEqual(
      new Set([45_000]),
    );
    expect(policies.size).toBeGreaterThan(1);
  });

  it(
    'are what a path declaring them is given and judged by in every run of a campaign, ' +
      'shrinking included',
    async () => {
      // Arrange
      const configs: SendPathConfig[] = [];
      const record: SendPathFactory = (env) => {
        configs.push(structuredClone(env.config));
        return neverReplies(env);
      };
      // Act
      const result = await runCampaign({
        path: { name: 'declares', factory: record, settings: declared },
        seed: 2,
        numRuns: 300,
      });
      // Assert
      expect(result.failures[0]?.shrinkSimulations).toBeGreaterThan(0);
      expect(configs.length).toBeGreaterThan(result.runs);
      expect(configs).toEqual(configs.map(() => declared));
      expect(result.failures[0]?.timeline.config).toEqual(declared);
      expect(result.settings).toEqual(declared);
    },
  );

  it('are varied by the generator when the path declares none', async () => {
    // Arrange
    const configs: SendPathConfig[] = [];
    // Act
    const result = await runCampaign({
      path: { name: 'declares nothing', factory: recording(configs) },
      seed: 2,
      numRuns: 200,
    });
    // Assert
    expect(new Set(configs.map((c) => c.replyDeadlineMs)).size).toBeGreaterThan(1);
    expect(result.settings).toBeUndefined();
  });

  it(
    'are loaded from a module with its factory, ' + 'and a bad one is refused naming the field',
    async () => {
      // Arrange
      const dir = mkdtempSync(join(tmpdir(), 'bsim-settings-'));
      const factory = 'export const createSendPath = () => ({ start() {}, async stop() {} });\n';
      writeFileSync(
        join(dir, 'own.mjs'),
        `${factory}export const sendPathSettings = ${JSON.stringify(declared)};\n`,
      );
      writeFileSync(
        join(dir, 'bad.mjs'),
        `${factory}export const sendPathSettings = { replyDeadlineMs: 0, reconnect: { ` +
          `initialMs: 9000, maxMs: 1000, factor: 2, jitter: 0, maxAttempts: 3 } };\n`,
      );
      // Act
      const own = await loadSendPath('./own.mjs', dir);
      const bad = loadSendPath('./bad.mjs', dir);
      // Assert
      expect(own.settings).toEqual(declared);
      await expect(bad).rejects.toThrow(
        './bad.mjs: sendPathSettings.replyDeadlineMs: must be >= 1, got 0',
      );
    },
  );

  it.each([
    [{ replyDeadlineMs: '2m' }, 'sendPathSettings.replyDeadlineMs: expected a number, got "2m"'],
    [
      { reconnect: { initialMs: 5000, maxMs: 100, factor: 2, jitter: 0, maxAttempts: 3 } },
      'sendPathSettings.reconnect.maxMs: must be >= initialMs (100 < 5000)',
    ],
    [
      { socket: { keepAliveIntervalMs: 10, pingMs: 5 } },
      'sendPathSettings.socket.pingMs: unknown field',
    ],
    [[], 'sendPathSettings: expected an object such as { replyDeadlineMs: 120000 }, got an array'],
  ])('are validated by the timeline config schema: %j', (value, message) => {
    expect(parseSendPathSettings(value)).toEqual({ issues: [message] });
  });

  it('are recorded in the failure file, which reads back', async () => {
    // Arrange
    const result = await runCampaign({
      path: { name: 'never replies', factory: neverReplies, settings: declared },
      seed: 1,
      numRuns: 50,
    });
    // Act
    const file = failureFileOf(result, result.failures[0]!);
    const read = parseFailureFile(serializeFailure(file));
    // Assert
    expect(read.settings).toEqual(declared);
    expect(read.timeline.config).toEqual(declared);
  });
});

describe('a timeline config with socket timings', () => {
  it('round-trips, and a config without them stays valid', () => {
    // Arrange
    const base = { format: 'baileys-sim/timeline@1', seed: 1, events: [] };
    // Act
    const withSocket = parseTimeline({ ...base, config: declared });
    const without = parseTimeline({
      ...base,
      config: { reconnect: declared.reconnect, replyDeadlineMs: 1000 },
    });
    // Assert
    expect(parseTimeline(serializeTimeline(withSocket))).toEqual(withSocket);
    expect(without.config).toEqual({ reconnect: declared.reconnect, replyDeadlineMs: 1000 });
  });
});

describe('a bound from settings the path never read', () => {
  const config: TimelineConfig = {
    reconnect: { initialMs: 1000, maxMs: 5000, factor: 2, jitter: 0, maxAttempts: 5 },
    replyDeadlineMs: 30_000,
  };
  const timeline = parseTimeline({
    format: 'baileys-sim/timeline@1',
    seed: 1,
    config,
    events: [
      { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
      { at: 100, do: 'reply', to: 'm1', key: 'r1' },
    ],
  });

  /**
   * The reference, replying 50 s late with its own 120 s deadline; reads its config only if
   * `reads`.
   */
  function late(reads: boolean): SendPathFactory {
    return (env) => {
      const own = { reconnect: config.reconnect, replyDeadlineMs: 120_000 };
      const path = referenceSendPath({
        ...env,
        config: reads ? { ...env.config, replyDeadlineMs: 120_000 } : own,
      });
      return {
        start: (onMessage) =>
          path.start((message) =>
            onMessage({
              ...message,
              reply: (text) =>
                new Promise<void>((resolve) => env.clock.setTimeout(() => resolve(), 50_000)).then(
                  () => message.reply(text),
                ),
            }),
          ),
        stop: () => path.stop(),
      };
    };
  }

  it('says so in the violation, with how to declare the path own', async () => {
    // Act
    const { violations } = await judge(timeline, { name: 'late', factory: late(false) });
    // Assert
    expect(violations.find((v) => v.property === 'liveness')?.message).toMatch(
      /^r1 settled after 5\d{4} ms, beyond 3\d{4} ms \(bound from generated settings the path never read: replyDeadlineMs 30000; declare its own as sendPathSettings\)$/,
    );
  });

  it('says nothing more when the path read its settings, or declared them', async () => {
    // Act
    const read = await judge(timeline, { name: 'late', factory: late(true) });
    const declaredOwn = await judge(timeline, {
      name: 'late',
      factory: late(false),
      settings: { replyDeadlineMs: 30_000 },
    });
    // Assert
    for (const { violations } of [read, declaredOwn]) {
      const liveness = violations.find((v) => v.property === 'liveness')!;
      expect(liveness.message).toMatch(/^r1 settled after 5\d{4} ms, beyond 3\d{4} ms$/);
    }
  });
});

describe('the settings line of a summary', () => {
  it('names the generated settings and how to declare the path own, in one line', () => {
    expect(settingsLine(undefined)).toBe(
      'generated reply deadline 30, 60 or 120 s, one of 4 reconnect policies, which the ' +
        "checkers judged by: declare the path's own as `export const sendPathSettings` (see " +
        'docs/audit-as-written.md)',
    );
  });

  it("names the path's own when it declared them", () => {
    expect(settingsLine(declared)).toBe(
      "the path's own: reply deadline 90000 ms, reconnect 1500-20000 ms x1.5 ±0.1, 7 " +
        'attempts, socket keepAliveIntervalMs 25000, connectTimeoutMs 15000',
    );
  });
});
