import { describe, expect, it } from 'vitest';
import {
  parseRunTimeoutMs,
  parseRuns,
  parseSeed,
  parseShard,
  parseTimeBudgetMs,
  parseWorkers,
  parsePropertyList,
  runTimeoutDefault,
  runTimeoutMsMax,
  runTimeoutMsMin,
  runsMax,
  seedMax,
  shardsMax,
} from '../../cli/parseFlags.js';
import * as watchdog from '../../properties/campaigns/workers/workers.js';
import { shardCountMax } from '../../properties/campaigns/shard.js';
import { campaignRunsMax } from '../../properties/campaigns/search.js';
import { seedMax as simSeedMax } from '../../sim/random.js';

describe('flag parsers', () => {
  it('keep their copied limits equal to the library limits', () => {
    expect(runsMax).toBe(campaignRunsMax);
    expect(seedMax).toBe(simSeedMax);
    expect(shardsMax).toBe(shardCountMax);
    expect([runTimeoutMsMin, runTimeoutMsMax, parseRunTimeoutMs(runTimeoutDefault)]).toEqual([
      watchdog.runTimeoutMsMin,
      watchdog.runTimeoutMsMax,
      watchdog.runTimeoutMsDefault,
    ]);
  });

  it.each([
    ['exactly-once', ['exactly-once']],
    ['exactly-once,live-socket', ['exactly-once', 'live-socket']],
    [' order , clean ', ['order', 'clean']],
  ])('--only %j judges %o', (text, names) => {
    expect(parsePropertyList('--only', text)).toEqual(names);
  });

  it.each([
    [
      '--only',
      'exactly-twice',
      /^--only: unknown property "exactly-twice"; the properties are exactly-once, live-socket, /,
    ],
    [
      '--only',
      'order,,clean',
      /^--only takes property names separated by commas, e\.g\. exactly-once,live-socket \(got "order,,clean"\)$/,
    ],
    ['--skip', 'order,order', /^--skip names order twice$/],
    [
      '--skip',
      'makes-progress',
      /^--skip makes-progress is not possible: a run that makes no progress cannot be judged for anything else$/,
    ],
  ])('%s %j is refused, naming the flag', (flag, text, message) => {
    expect(() => parsePropertyList(flag, text)).toThrow(message);
  });

  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['2/3', { index: 2, count: 3 }],
    [' 3/3 ', { index: 3, count: 3 }],
    ['1000/1000', { index: 1000, count: 1000 }],
  ])('--shard %j is shard %o', (text, shard) => {
    expect(parseShard(text)).toEqual(shard);
  });

  it.each(['0/3', '4/3', 'a/b', '1/0', '3', '1/1001', '2/3/4', '1.5/3', '+1/3', '1 / 3', ''])(
    '--shard %j is refused, naming the flag',
    (text) => {
      expect(() => parseShard(text)).toThrow(
        `--shard must be k/n, shard k of n, with 1 <= k <= n <= 1000, e.g. 2/3 (got ` +
          `${JSON.stringify(text)})`,
      );
    },
  );

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 24h ', 86_400_000],
  ])('--time-budget %j is %d ms', (text, ms) => {
    expect(parseTimeBudgetMs(text)).toBe(ms);
  });

  it.each(['30', '0s', '1.5s', '25h', '-1s', '30 s', 's', ''])(
    '--time-budget %j is refused, naming the flag',
    (text) => {
      expect(() => parseTimeBudgetMs(text)).toThrow(
        /^--time-budget must be a duration from 1ms to 24h/,
      );
    },
  );

  it.each([
    ['100ms', 100],
    ['5s', 5000],
    ['1h', 3_600_000],
  ])('--run-timeout %j is %d ms', (text, ms) => {
    expect(parseRunTimeoutMs(text)).toBe(ms);
  });

  it.each(['5', '99ms', '61m', '2h', '1.5s', ''])(
    '--run-timeout %j is refused, naming the flag',
    (text) => {
      expect(() => parseRunTimeoutMs(text)).toThrow(
        `--run-timeout must be a duration from 100ms to 1h such as 500ms, 5s or 1m (got ` +
          `${JSON.stringify(text)})`,
      );
    },
  );

  it('accepts the bounds of --runs, --seed and --workers and refuses one past them', () => {
    expect(parseRuns('1')).toBe(1);
    expect(parseRuns('10000000')).toBe(10_000_000);
    expect(() => parseRuns('10000001')).toThrow(
      '--runs must be a whole number from 1 to 10000000 (got "10000001")',
    );
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed('4294967295')).toBe(4_294_967_295);
    expect(() => parseSeed('4294967296')).toThrow(
      '--seed must be a whole number from 0 to 4294967295',
    );
    expect(parseWorkers('64')).toBe(64);
    expect(() => parseWorkers('65')).toThrow('--workers must be a whole number from 1 to 64');
  });

  it('refuses fractions, exponents and signs', () => {
    for (const text of ['1.5', '1e3', '+5', '0x10', ''])
      expect(() => parseRuns(text)).toThrow(/^--runs must be/);
  });

  it('shortens a huge bad value so the message stays one short line', () => {
    expect(() => parseRuns('x'.repeat(500))).toThrow(/\(got "x{39}…"\)$/);
  });
});
