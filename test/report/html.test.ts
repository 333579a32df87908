/**
 * The HTML report's page, read as text: the bot's lane draws every second copy of a message the
 * bot was handed, and each violated property comes with what it means and the typical fix.
 */
import { describe, expect, it } from 'vitest';
import { readFailureFile, replayFailure } from '../../properties/campaigns/failureFile.js';
import { explainProperty } from '../../properties/judging/propertyTexts.js';
import { escapeHtml, renderReportHtml } from '../../report/html.js';

async function reportOf(file: string): Promise<string> {
  const failure = await readFailureFile(file);
  const replayed = await replayFailure(failure);
  return renderReportHtml({
    fileLabel: file,
    pathName: failure.path,
    timeline: failure.timeline,
    history: replayed.history,
    violations: replayed.violations,
    recordedOnly: false,
    verdictLine: 'FAIL: still violates',
    sameHistory: replayed.sameHistory,
  });
}

describe('the HTML report', () => {
  it('draws a message handed to the bot a second time, and lists it', async () => {
    // Act
    const html = await reportOf('test/regressions/specimen-no-inbound-dedupe.json');
    // Assert
    expect(html).toMatch(/<g class="inb handed again" data-mark="handed-again">/);
    expect(html).toMatch(/<g class="inb emitted again" data-mark="emitted-again">/);
    expect(html).toContain('m1 handed to the bot again (2nd time): a second copy');
  });

  it('says under each violated property what it means and the typical fix', async () => {
    // Act
    const html = await reportOf('test/regressions/specimen-no-inbound-dedupe.json');
    // Assert
    const texts = explainProperty('inbound-handover');
    expect(html).toContain(`<section class="property" data-testid="property" data-property="inbound-handover"><h3>inbound-handover</h3><p class="meaning" data-testid="meaning">${escapeHtml(texts.meaning)}</p>`);
    expect(html).toContain(`<p class="fix" data-testid="fix"><b>Typical fix:</b> ${escapeHtml(texts.fix)}</p>`);
  });
});
