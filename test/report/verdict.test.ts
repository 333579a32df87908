/**
 * One verdict, one place: for campaigns that pass, fail one property, fail several, stop early
 * or fail only on the whole campaign, the property table, the FAIL blocks, the last line and the
 * JSON summary say the same thing, in the same order (the worst for a user first).
 */
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignOptions } from '../../properties/campaigns/campaign.js';
import { lossRank } from '../../properties/judging/verdictProperties.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { formatSummary } from '../../report/summaryText.js';
import {
  brokenProperties,
  summarize,
  type CampaignSummary,
  type WrittenFile,
} from '../../report/verdict.js';
import type { VerdictProperty } from '../../properties/judging/verdictProperties.js';
import { specimenByName } from '../../properties/specimens/index.js';

/** The summary of a campaign as `run --json` prints it (through JSON), and its text. */
async function campaign(
  options: Partial<CampaignOptions> & { path: CampaignOptions['path'] },
): Promise<{ summary: CampaignSummary; text: string[] }> {
  const result = await runCampaign({ seed: 1, numRuns: 200, ...options });
  const files = new Map<VerdictProperty, WrittenFile>(
    result.failures.map((f) => [
      f.property,
      { file: `${f.property}.json`, replayCommand: `replay ${f.property}.json` },
    ]),
  );
  const summary = JSON.parse(
    JSON.stringify(summarize(result, files, { failFast: options.failFast })),
  ) as CampaignSummary;
  return { summary, text: formatSummary(summary) };
}

/** The property table as the text prints it. */
function tableRows(text: readonly string[]): {
  property: string;
  verdict: string;
  violated: number;
  judged: number;
  first?: number;
  shrunk?: number;
}[] {
  const row =
    /^ {4}(\S+) +(held|violated|not judged|skipped) +(\d+) +(\d+) +(run (\d+)|-) +((\d+) events?|-)/;
  return text.flatMap((line) => {
    const m = row.exec(line);
    if (m === null) return [];
    return [
      {
        property: m[1]!,
        verdict: m[2]!,
        violated: Number(m[3]),
        judged: Number(m[4]),
        ...(m[6] && { first: Number(m[6]) - 1 }),
        ...(m[8] && { shrunk: Number(m[8]) }),
      },
    ];
  });
}

/** Checks that the text and the JSON agree; see the module comment. */
function expectOneVerdict(summary: CampaignSummary, text: readonly string[]): void {
  const failed = summary.failures.map((f) => f.property);
  // The table: one row per property, violated exactly where a failure is, with its run and size.
  expect(tableRows(text)).toEqual(
    summary.properties.map((row) => ({
      property: row.property,
      verdict: row.verdict,
      violated: row.runsViolated,
      judged: row.runsJudged,
      ...(row.firstRunIndex !== undefined && { first: row.firstRunIndex }),
      ...(row.shrunkEvents !== undefined && { shrunk: row.shrunkEvents }),
    })),
  );
  expect(
    summary.properties
      .filter((row) => row.verdict === 'violated')
      .map((row) => row.property)
      .sort(),
  ).toEqual([...failed].sort());
  for (const failure of summary.failures) {
    const row = summary.properties.find((r) => r.property === failure.property)!;
    expect([row.firstRunIndex, row.shrunkEvents, row.runsViolated]).toEqual([
      failure.runIndex,
      failure.events,
      failure.runsViolated,
    ]);
  }
  // The blocks and the last line: the same properties, the worst for a user first.
  const blocks = text.flatMap((line) => /^FAIL(?: \d+\/\d+)? {2}([a-z-]+)/.exec(line)?.[1] ?? []);
  expect(blocks).toEqual(failed);
  expect(failed.map(lossRank)).toEqual([...failed.map(lossRank)].sort((a, b) => a - b));
  const last = text.at(-1)!;
  if (failed.length === 0) expect(last).toMatch(/^OK: every property held in \d+ runs/);
  else expect(last.replace(/^.*: /, '').split(', ')).toEqual(failed);
  expect(summary.verdict).toBe(failed.length === 0 ? 'clean' : 'violation');
}

describe('the verdict', () => {
  it.each([
    ['reference', {}],
    ['specimen:captured-socket', {}],
    ['specimen:unordered', {}],
    ['specimen:notify-only', {}],
    ['specimen:per-reply-poll', { seed: 4 }],
    ['specimen:captured-socket', { failFast: true }],
    ['specimen:captured-socket', { only: ['order', 'clean'] as VerdictProperty[] }],
    ['specimen:fresh-id-retry', { skip: ['exactly-once'] as VerdictProperty[] }],
  ])(
    'of %s %o agrees in the table, the blocks, the last line and the JSON',
    async (name, options) => {
      // Act
      const { summary, text } = await campaign({ path: builtInSendPath(name), ...options });
      // Assert
      expectOneVerdict(summary, text);
    },
  );

  it(
    'of a campaign that fails only as a whole ' + '(never-connects: exercised) agrees too',
    async () => {
      // Act
      const { summary, text } = await campaign({
        path: { name: 'never-connects', factory: specimenByName('never-connects').factory },
      });
      // Assert
      expect(summary.failures.map((f) => f.property)).toEqual(['exercised']);
      expectOneVerdict(summary, text);
    },
  );

  it(
    'reports every property a buggy path breaks, ' + 'each from the first run that broke it',
    async () => {
      // Act
      const result = await runCampaign({
        path: builtInSendPath('specimen:captured-socket'),
        seed: 1,
        numRuns: 200,
      });
      // Assert: each failure is the earliest run its property was counted in, and a run that broke
      // several counts for each.
      expect(result.runs).toBe(200);
      expect(result.failures.length).toBeGreaterThan(2);
      for (const failure of result.failures) {
        expect(result.violationsByProperty[failure.property]).toBeGreaterThan(0);
        expect(failure.violations.map((v) => v.property)).toContain(failure.property);
      }
      const counted = Object.entries(result.violationsByProperty)
        .filter(([, n]) => n > 0)
        .map(([p]) => p);
      expect(result.failures.map((f) => f.property).sort()).toEqual(counted.sort());
    },
  );

  it(
    'with only, judges and reports nothing ' + 'else; the others are skipped in the table',
    async () => {
      // Act
      const { summary } = await campaign({
        path: builtInSendPath('specimen:captured-socket'),
        only: ['order'],
      });
      // Assert
      expect(summary.failures.map((f) => f.property)).toEqual(['order']);
      expect(
        summary.properties.filter((row) => row.verdict !== 'skipped').map((row) => row.property),
      ).toEqual(['order']);
      expect(summary.selection).toEqual({ only: ['order'] });
    },
  );
});

describe('brokenProperties', () => {
  const neverConnects = {
    name: 'never-connects',
    factory: specimenByName('never-connects').factory,
  };
  it.each([
    ['reference', {}, builtInSendPath('reference')],
    ['specimen:captured-socket', {}, builtInSendPath('specimen:captured-socket')],
    ['never-connects', {}, neverConnects],
    ['never-connects', { skip: ['exercised'] as VerdictProperty[] }, neverConnects],
  ])(
    'of %s %o names, from the counts alone, what the summary fails',
    async (_name, options, path) => {
      // Arrange
      const result = await runCampaign({ path, seed: 1, numRuns: 200, ...options });
      const summary = summarize(result, new Map());
      // Act
      const broken = brokenProperties(result);
      // Assert
      expect(broken).toEqual(summary.failures.map((f) => f.property));
      expect(broken.length > 0).toBe(summary.verdict === 'violation');
    },
  );
});
