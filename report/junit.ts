/**
 * A campaign's summary as JUnit XML (`--reporter junit`), the format CI systems read into their
 * test views: one test suite per campaign, one test case per property. A broken property is a
 * failing test case whose body is its FAIL block as the command line prints it, its shrunk
 * timeline and the command that replays it; a property that judged nothing (or was left out with
 * `--only`/`--skip`) is skipped, with the reason. Built from the one summary (verdict.ts), so it
 * says what the text and `--json` say.
 */
import type { Timeline } from '../sim/timeline.js';
import { describeEvent } from './facts.js';
import { redactText } from './redact.js';
import { formatFailure } from './summaryText.js';
import type { CampaignSummary, FailureSummary, PropertyRow } from './verdict.js';

/** The shrunk timeline of each failure that has one, by property. */
export type FailureTimelines = ReadonlyMap<string, Timeline>;

/** The summary as one JUnit XML document. */
export function junitXml(
  summary: CampaignSummary,
  timelines: FailureTimelines = new Map(),
): string {
  const suite =
    `baileys-sim ${summary.path} (seed ${summary.seed}, ${summary.runs} runs` +
    `${summary.shard ? `, shard ${summary.shard.index}` + `/${summary.shard.count}` : ''})`;
  const skipped = summary.properties.filter(
    (row) => row.verdict === 'skipped' || row.verdict === 'not judged',
  ).length;
  const seconds = (summary.wallMs / 1000).toFixed(3);
  const errors = summary.harnessLimit === undefined ? 0 : 1;
  const counts =
    `tests="${summary.properties.length + errors}" failures="${summary.failures.length}" ` +
    `errors="${errors}" skipped="${skipped}" time="${seconds}"`;
  const cases = [
    ...harnessLimitCase(summary),
    ...summary.properties.map((row) => testCase(summary, row, timelines)),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="baileys-sim" ${counts}>`,
    `  <testsuite name="${attribute(redactText(suite))}" ${counts}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * A campaign that ended on a harness limit: an error (of the harness, not a failure of the path).
 */
function harnessLimitCase(summary: CampaignSummary): string[] {
  const limit = summary.harnessLimit;
  if (limit === undefined) return [];
  return [
    `    <testcase classname="` +
      `${attribute(`baileys-sim.` + `${redactText(summary.path)}`)}` +
      `" ` +
      `name="harness-limit" time="0">\n` +
      `      <error type="harness-limit" message="${attribute(limit.message)}"/>\n` +
      `    </testcase>`,
  ];
}

function testCase(summary: CampaignSummary, row: PropertyRow, timelines: FailureTimelines): string {
  const open =
    `    <testcase classname="${attribute(`baileys-sim.` + `${redactText(summary.path)}`)}` +
    `" ` +
    `name="${row.property}" time="0"`;
  const failure = summary.failures.find((f) => f.property === row.property);
  if (failure !== undefined) {
    const index = summary.failures.indexOf(failure);
    const body = [
      ...formatFailure(failure, index, summary.failures.length),
      ...timelineLines(timelines.get(row.property)),
    ].join('\n');
    return (
      `${open}>\n` +
      `      <failure type="${row.property}" message="${attribute(failureMessage(failure))}` +
      `">` +
      `${cdata(body)}</failure>\n    </testcase>`
    );
  }
  if (row.verdict === 'skipped')
    return (
      `${open}>\n      <skipped message="left out of this campaign (--only / --skip)"/>\n` +
      `    </testcase>`
    );
  if (row.verdict === 'not judged') {
    const why =
      summary.harnessLimit === undefined
        ? 'no run gave it anything to judge: it held only vacuously'
        : 'the campaign ended on a limit of the harness before judging';
    return `${open}>\n      <skipped message="${why}"/>\n    </testcase>`;
  }
  return `${open}/>`;
}

/** The failure in one line, for CI views that show only the message. */
function failureMessage(failure: FailureSummary): string {
  const own =
    failure.violations.find((v) => v.property === failure.property)?.message ??
    failure.campaignViolation?.message ??
    failure.message ??
    '';
  const runs =
    failure.runsViolated > 0
      ? `${failure.runsViolated} runs violated ${failure.property}`
      : `${failure.property} violated`;
  return redactText(
    `${runs}` +
      `${failure.runIndex === undefined ? '' : ` (first in run ` + `${failure.runIndex + 1})`}` +
      `: ` +
      `${own}`,
  );
}

function timelineLines(timeline: Timeline | undefined): string[] {
  if (timeline === undefined) return [];
  return [
    '',
    `shrunk timeline (${timeline.events.length} events):`,
    ...timeline.events.map(
      (event) => `  ${String(event.at).padStart(8)} ms  ${redactText(describeEvent(event))}`,
    ),
  ];
}

/** Text safe inside a double-quoted XML attribute. */
function attribute(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

/** Text safe in XML character data: no control characters XML 1.0 forbids. */
function xmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A CDATA section of `text` (a `]]>` inside is split across two sections). */
function cdata(text: string): string {
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
  return `<![CDATA[${clean.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}
