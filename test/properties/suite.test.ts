/**
 * The property suite: the reference send path must pass every property on generated timelines,
 * and every specimen in the catalog must be caught by the property it exists to show. Each run
 * also checks determinism (sampled runs and every failure simulated twice: same fingerprint).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { runArb } from '../../properties/generation/arbitraries.js';
import { failureFileOf, runCampaign } from '../../properties/campaigns/campaign.js';
import { checkAll, judgedBy } from '../../properties/judging/checkers.js';
import { replayCommand, writeFailureFile } from '../../properties/campaigns/failureFile.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { specimenByName, specimens } from '../../properties/specimens/index.js';
import { fingerprint } from '../../sim/history.js';
import { simulate } from '../../sim/simulate.js';
import { referenceSendPath } from '../../src/reference.js';

/** Failure files of this suite: a temporary directory, named in every failure message. */
const failuresDir = mkdtempSync(join(tmpdir(), 'baileys-sim-suite-'));
const reference = builtInSendPath('reference');

describe('reference send path', () => {
  fcTest.prop([runArb()], { numRuns: 200 })('passes every property on generated timelines', async (run) => {
    // Act
    const history = await simulate(run.timeline, referenceSendPath);
    const violations = checkAll(history);
    // Assert: on failure, leave the (latest = most shrunk) timeline where a human can replay it.
    if (violations.length > 0) {
      const file = await writeFailureFile(failuresDir, {
        format: 'baileys-sim/failure@1',
        path: 'reference',
        timeline: run.timeline,
        dedupeById: true,
        violations,
        fingerprint: fingerprint(history),
      });
      expect.fail(`${violations.map((v) => `${v.property}: ${v.message}`).join('\n')}\nreplay: ${replayCommand(file)}`);
    }
  });

  it('passes a campaign with determinism sampled on every 10th run', async () => {
    // Act
    const result = await runCampaign({ path: reference, seed: 20261126, numRuns: 300 });
    // Assert
    expect(result.failure).toBeUndefined();
    expect(result.runs).toBe(300);
    expect(result.determinism).toEqual({ checked: 30, mismatches: 0 });
    expect(result.virtualMs).toBeGreaterThan(0);
  });
});

/**
 * Runs a specimen's campaign may take to catch it here. Detection power (caught in >= 99 of 100
 * seeds at 100 runs) is a measurement, `scripts/detection.ts`, listed in README; this test checks
 * each specimen is caught at all, shrunk, deterministic and replayable.
 */
const specimenRunsMax = 1000;

describe.each(specimens.map((s) => [s.name, s] as const))('specimen %s', (name, specimen) => {
  it(`is caught by ${specimen.caughtBy.join(' or ')}, shrunk, deterministic and replayable`, async () => {
    // Arrange
    const path = builtInSendPath(`specimen:${name}`);
    // Act
    const result = await runCampaign({ path, seed: 42, numRuns: specimenRunsMax, only: specimen.caughtBy });
    // Assert
    const failure = result.failure;
    expect(failure, `${name} was not caught in ${specimenRunsMax} runs`).toBeDefined();
    const caught = new Set(failure!.violations.map((v) => v.property));
    expect(specimen.caughtBy.some((p) => caught.has(p))).toBe(true);
    // Shrinking heads toward fewer steps; a step can be a 3-event scene, so a tiny first failure may not shrink in events.
    expect(failure!.timeline.events.length).toBeLessThanOrEqual(Math.max(failure!.eventsBeforeShrink, 3));
    expect(result.determinism.mismatches).toBe(0);
    const file = await writeFailureFile(failuresDir, failureFileOf(result, failure!));
    expect(file).toMatch(new RegExp(`specimen-${name}-[0-9a-f]{12}\\.json$`));
  });
});

describe('verdict specimen never-connects', () => {
  fcTest.prop([runArb()], { numRuns: 30 })('passes every property of every run, having given the ones about replies and inbound nothing to judge', async (run) => {
    // Act
    const history = await simulate(run.timeline, specimenByName('never-connects').factory);
    const judged = judgedBy(history);
    // Assert: only a campaign-level verdict can catch it.
    expect(checkAll(history)).toEqual([]);
    expect([judged['exactly-once'], judged.liveness, judged['inbound-handover'], judged['live-socket']]).toEqual([false, false, false, false]);
  });
});
