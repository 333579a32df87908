/**
 * `--reporter junit`: one test case per property, a failing one for each broken property carrying
 * its FAIL block, its shrunk timeline and its replay command; skipped cases say why; every text is
 * escaped so the document stays XML whatever a message holds.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../properties/campaigns/campaign.js';
import type { VerdictProperty } from '../../properties/judging/verdictProperties.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { junitXml } from '../../report/junit.js';
import { summarize, type WrittenFile } from '../../report/verdict.js';

async function junitOf(name: string, options: { only?: VerdictProperty[] } = {}) {
  const result = await runCampaign({
    path: builtInSendPath(name),
    seed: 1,
    numRuns: 100,
    ...options,
  });
  const files = new Map<VerdictProperty, WrittenFile>(
    result.failures.map((f) => [
      f.property,
      {
        file: `f-${f.property}.json`,
        replayCommand: `npx baileys-sim replay f-${f.property}.json`,
      },
    ]),
  );
  const summary = summarize(result, files);
  return {
    summary,
    result,
    xml: junitXml(summary, new Map(result.failures.map((f) => [f.property, f.timeline]))),
  };
}

describe('junitXml', () => {
  it(
    'has one test case per property, a failure for each broken one with its block, shrunk ' +
      'timeline and replay command',
    async () => {
      // Act
      const { summary, result, xml } = await junitOf('specimen:captured-socket');
      // Assert
      const cases = [
        ...xml.matchAll(
          /<testcase classname="baileys-sim\.specimen:captured-socket" name="([a-z-]+)"/g,
        ),
      ].map((m) => m[1]);
      expect(cases).toEqual(summary.properties.map((row) => row.property));
      expect(xml).toContain(
        `<testsuites name="baileys-sim" tests="${summary.properties.length}" failures="` +
          `${summary.failures.length}"`,
      );
      for (const failure of result.failures) {
        const body = new RegExp(
          `name="${failure.property}" time="0">\\n {6}<failure type="${failure.property}" ` +
            `message="\\d+ runs violated ${failure.property} \\(first in run ` +
            `${failure.runIndex + 1}\\): [^"]+"><!\\[CDATA\\[([\\s\\S]*?)\\]\\]></failure>`,
        ).exec(xml);
        expect(body, failure.property).not.toBeNull();
        expect(body![1]).toContain(
          `replay:       npx baileys-sim replay f-${failure.property}.json`,
        );
        expect(body![1]).toContain(`shrunk timeline (${failure.timeline.events.length} events):`);
      }
    },
  );

  it('skips the properties a campaign left out, saying why', async () => {
    // Act
    const { xml } = await junitOf('reference', { only: ['order'] });
    // Assert
    expect(xml).toMatch(
      /name="exactly-once" time="0">\n {6}<skipped message="left out of this campaign \(--only \/ --skip\)"\/>/,
    );
    expect(xml).toMatch(/name="order" time="0"\/>/);
  });

  it('escapes what messages carry, so the document stays well-formed', async () => {
    // Arrange
    const { summary } = await junitOf('specimen:captured-socket');
    const hostile = {
      ...summary,
      path: 'a<b>&"c"',
      failures: summary.failures.map((f) => ({ ...f, message: 'ends ]]> here & <there>' })),
    };
    // Act
    const xml = junitXml(hostile);
    // Assert
    expect(xml).toContain('classname="baileys-sim.a&lt;b&gt;&amp;&quot;c&quot;"');
    expect(xml).toContain(']]]]><![CDATA[>');
    expect(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')).not.toMatch(/&(?!(amp|lt|gt|quot|#10);)/);
  });
});
