/**
 * Every bug in one campaign: a path with three independent bugs (a notify-only filter, a fresh
 * id on every resend, no backoff between reconnects) audited once reports each as a failure of
 * its own property, each with a failure file that replays violating that property, the same
 * from `--json`, the text and `describeSendPath`'s campaign.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainProperty } from '../../properties/judging/propertyTexts.js';
import type { CampaignSummary } from '../../report/verdict.js';
import { checkSendPath } from '../../vitest/checkSendPath.js';
import { resolveSuiteOptions } from '../../vitest/options.js';
import { createSendPath as threeBugs } from '../fixtures/paths/threeBugs.js';
import { repoRoot, runCli } from './runCli.js';

const module = join(repoRoot, 'test/fixtures/paths/threeBugs.ts');
const runs = 3000;
const bugs = ['exactly-once', 'inbound-handover', 'bounded'];
const cwd = mkdtempSync(join(tmpdir(), 'bsim-every-bug-'));
let summary: CampaignSummary;
let text = '';

beforeAll(async () => {
  const [json, table] = await Promise.all([
    runCli(['audit', module, '--runs', String(runs), '--json'], cwd, 240_000),
    runCli(
      ['audit', module, '--runs', String(runs)],
      mkdtempSync(join(tmpdir(), 'bsim-every-bug-')),
      240_000,
    ),
  ]);
  expect(json.code, json.stderr).toBe(1);
  expect(table.code, table.stderr).toBe(1);
  summary = JSON.parse(json.stdout) as CampaignSummary;
  text = table.stdout;
}, 300_000);

describe('a path with three independent bugs, audited once', () => {
  it('goes through every run and reports each bug as a failure of its own property', () => {
    const reported = summary.failures.map((f) => f.property);
    expect(summary.runs).toBe(runs);
    expect(reported).toEqual(expect.arrayContaining(bugs));
    for (const bug of bugs)
      expect(text).toMatch(new RegExp(`^FAIL \\d+/\\d+ {2}${bug}: \\d+ runs violated it$`, 'm'));
  });

  it.each(bugs)(
    'says under the FAIL block of %s what the property means and its typical fix',
    (property) => {
      // Arrange
      const { meaning, fix } = explainProperty(property)!;
      const block = text
        .slice(text.search(new RegExp(`^FAIL \\d+/\\d+ {2}${property}:`, 'm')))
        .split('\n\n')[0]!;
      // Assert
      expect(block).toContain(`  means: ${meaning}`);
      expect(block).toContain(`  fix:   ${fix}`);
    },
  );

  it.each(bugs)(
    'writes a failure file for %s that replays violating that property',
    async (property) => {
      // Arrange
      const failure = summary.failures.find((f) => f.property === property)!;
      // Act
      const replay = await runCli(['replay', failure.file!, '--json'], cwd);
      // Assert
      expect(replay.code).toBe(1);
      expect(JSON.parse(replay.stdout)).toMatchObject({
        status: 'fails',
        reproduced: true,
        properties: expect.arrayContaining([property]),
      });
    },
  );

  it("finds the same failures from describeSendPath's campaign", async () => {
    // Arrange
    const vitestCwd = mkdtempSync(join(tmpdir(), 'bsim-every-bug-'));
    // Act
    const check = await checkSendPath(
      'three bugs',
      threeBugs,
      resolveSuiteOptions('test', { runs, module }, vitestCwd),
      vitestCwd,
    );
    // Assert
    expect(check.passed).toBe(false);
    expect(check.failureFiles.map((f) => f.split('/').at(-1))).toEqual(
      summary.failures.map((f) => f.file!.split('/').at(-1)),
    );
    for (const bug of bugs)
      expect(check.message).toMatch(new RegExp(`^FAIL \\d+/\\d+ {2}${bug}:`, 'm'));
  }, 240_000);
});
