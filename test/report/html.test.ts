/**
 * The HTML report's page, read as text: the bot's lane draws every second copy of a message the
 * bot was handed, and each violated property comes with what it means and the typical fix.
 */
import { describe, expect, it } from 'vitest';
import { checkAll } from '../../properties/judging/checkers.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';
import { explainProperty } from '../../properties/judging/propertyTexts.js';
import { escapeHtml, renderReportHtml } from '../../report/html.js';
import { simulate } from '../../sim/simulate.js';
import { redeliveredTimeline } from './timelines.js';

/**
 * The report of the specimen that hands every copy of a message to the bot, on a timeline that
 * redelivers one.
 */
async function reportOfSecondCopy(): Promise<string> {
  const timeline = redeliveredTimeline();
  const history = await simulate(timeline, builtInSendPath('specimen:no-inbound-dedupe').factory);
  return renderReportHtml({
    fileLabel: 'second-copy.json',
    pathName: 'specimen:no-inbound-dedupe',
    timeline,
    history,
    violations: checkAll(history),
    recordedOnly: false,
    verdictLine: 'FAIL: still violates',
    sameHistory: true,
  });
}

describe('the HTML report', () => {
  it('draws a message handed to the bot a second time, and lists it', async () => {
    // Act
    const html = await reportOfSecondCopy();
    // Assert
    expect(html).toMatch(/<g class="inb handed again" data-mark="handed-again">/);
    expect(html).toMatch(/<g class="inb emitted again" data-mark="emitted-again">/);
    expect(html).toContain('m1 handed to the bot again (2nd time): a second copy');
  });

  it('says under each violated property what it means and the typical fix', async () => {
    // Act
    const html = await reportOfSecondCopy();
    // Assert
    const texts = explainProperty('inbound-handover');
    expect(html).toContain(
      `<section class="property" data-testid="property" ` +
        `data-property="inbound-handover"><h3>inbound-handover</h3><p class="meaning" ` +
        `data-testid="meaning">${escapeHtml(texts.meaning)}</p>`,
    );
    expect(html).toContain(
      `<p class="fix" data-testid="fix"><b>Typical fix:</b> ${escapeHtml(texts.fix)}</p>`,
    );
  });
});
