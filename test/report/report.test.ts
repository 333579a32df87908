/**
 * The HTML failure report, end to end: a caught specimen's failure file goes through
 * `baileys-sim report`, and the page is opened in headless Chromium (Debian's, driven by
 * playwright-core). It must render with no console errors, make no network request, show the
 * violation with what its property means and the typical fix, name every mark and band it draws
 * in its legend, tell the bot's side of the run, and contain no JID.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainProperty } from '../../properties/judging/propertyTexts.js';
import { runCli } from '../cli/runCli.js';

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const hasChromium = existsSync(chromiumPath);
/** In CI a missing browser is a broken setup, not a reason to skip: the tests must run there. */
const inCi = process.env.CI === 'true' || process.env.CI === '1';

describe('baileys-sim report --html', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bsim-report-'));
  const htmlFile = join(cwd, 'out', 'failure.html');
  let reportCode = -1;
  let reportStdout = '';

  // Two CLI processes (a campaign, then the report): on a loaded 2-core machine this takes
  // several times vitest's 10 s default for a hook.
  beforeAll(async () => {
    const run = await runCli(['run', '--path', 'specimen:captured-socket', '--runs', '200'], cwd);
    const failureFile = /failure file: (\S+)/.exec(run.stdout)?.[1];
    if (!failureFile) throw new Error(`run found no failure:\n${run.stdout}${run.stderr}`);
    const report = await runCli(['report', failureFile, '--html', 'out/failure.html'], cwd);
    reportCode = report.code;
    reportStdout = report.stdout;
  }, 60_000);

  it('writes one self-contained file with no JID in it', () => {
    // Assert
    expect(reportCode).toBe(0);
    expect(reportStdout).toMatch(/^report written: out\/failure\.html \(FAIL: still violates /);
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toMatch(/\d{11}@s\.whatsapp\.net/);
    expect(html).toContain('data-testid="violation"');
  });

  // A skipped test says why in the default reporter's output, not only in verbose test names.
  if (!hasChromium && !inCi)
    console.warn(
      `report.test.ts: the browser tests are skipped: no Chromium at ${chromiumPath} ` +
        `(apt-get install chromium; .ci/run installs it, and with CI=true its absence ` +
        `fails ` +
        `them)`,
    );
  describe.skipIf(!hasChromium && !inCi)(
    `in headless Chromium (${chromiumPath}; .ci/run installs it)`,
    () => {
      let browser: Browser;

      beforeAll(async () => {
        if (!hasChromium)
          throw new Error(
            `CI is set but ${chromiumPath} is missing: install Debian's chromium (see .ci/run)`,
          );
        browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      });

      afterAll(async () => {
        await browser?.close();
      });

      it(
        'renders the swimlanes and the violation with no console error and no network ' + 'request',
        async () => {
          // Arrange
          const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
          const consoleErrors: string[] = [];
          const requests: string[] = [];
          page.on('console', (message) => {
            if (message.type() === 'error') consoleErrors.push(message.text());
          });
          page.on('pageerror', (error) => consoleErrors.push(String(error)));
          await page.route('**/*', (route) => {
            const url = route.request().url();
            if (url.startsWith('file:')) return route.continue();
            requests.push(url);
            return route.abort();
          });
          // Act
          await page.goto(pathToFileURL(htmlFile).href);
          // Assert
          await expect(page.getByTestId('violation').first().isVisible()).resolves.toBe(true);
          await expect(page.getByTestId('swimlanes').isVisible()).resolves.toBe(true);
          await expect(page.getByTestId('violation-marker').count()).resolves.toBeGreaterThan(0);
          await expect(page.locator('.lane.socket').count()).resolves.toBeGreaterThan(0);
          await expect(
            page.locator('[data-testid="events"] tbody tr').count(),
          ).resolves.toBeGreaterThan(3);
          expect(consoleErrors).toEqual([]);
          expect(requests).toEqual([]);
        },
      );

      it('shows each violated property with what it means and the typical fix', async () => {
        // Arrange
        const page = await browser.newPage();
        // Act
        await page.goto(pathToFileURL(htmlFile).href);
        const groups = await page.getByTestId('property').evaluateAll((sections) =>
          sections.map((section) => ({
            property: section.getAttribute('data-property')!,
            meaning: section.querySelector('[data-testid="meaning"]')?.textContent,
            fix: section.querySelector('[data-testid="fix"]')?.textContent,
            violations: section.querySelectorAll('[data-testid="violation"]').length,
          })),
        );
        // Assert
        expect(groups.length).toBeGreaterThan(0);
        for (const group of groups) {
          const texts = explainProperty(group.property)!;
          expect(group).toEqual({
            property: group.property,
            meaning: texts.meaning,
            fix: `Typical fix: ${texts.fix}`,
            violations: expect.any(Number),
          });
          expect(group.violations).toBeGreaterThan(0);
        }
        await expect(page.getByTestId('fix').first().isVisible()).resolves.toBe(true);
      });

      it(
        'names every mark and band the chart draws in its legend, each with a visible ' + 'sample',
        async () => {
          // Arrange
          const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
          // Act
          await page.goto(pathToFileURL(htmlFile).href);
          const drawn = await page
            .locator('[data-testid="swimlanes"] [data-mark]')
            .evaluateAll((marks) => [...new Set(marks.map((m) => m.getAttribute('data-mark')))]);
          const named = await page
            .locator('[data-testid="legend"] [data-legend]')
            .evaluateAll((items) => items.map((i) => i.getAttribute('data-legend')));
          // Assert
          expect(drawn.length).toBeGreaterThan(3);
          expect(named).toEqual(expect.arrayContaining(drawn));
          for (const kind of drawn) {
            const item = page.locator(`[data-testid="legend"] [data-legend="${kind}"]`);
            await expect(item.isVisible()).resolves.toBe(true);
            await expect(item.locator('svg > *').count()).resolves.toBeGreaterThan(0);
            await expect(item.textContent()).resolves.toMatch(/\w{3,}/);
          }
        },
      );

      it(
        "tells the bot's side: the message handed to the bot, the reply it asked for, and " +
          'stop()',
        async () => {
          // Arrange
          const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
          // Act
          await page.goto(pathToFileURL(htmlFile).href);
          const rows = await page.locator('[data-testid="events"] tbody tr').allTextContents();
          // Assert
          await expect(
            page.locator('.lane.bot [data-mark="handed"]').count(),
          ).resolves.toBeGreaterThan(0);
          await expect(page.locator('.lane.bot [data-mark="stop"]').count()).resolves.toBe(1);
          expect(rows.some((row) => /handed to the bot/.test(row))).toBe(true);
          expect(rows.some((row) => /the bot calls reply\(r\d+\) on m\d+/.test(row))).toBe(true);
          expect(rows.some((row) => /the harness calls stop\(\)/.test(row))).toBe(true);
        },
      );

      it('focuses the lanes of a violation when it is clicked', async () => {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(htmlFile).href);
        await page.getByTestId('violation').first().click();
        await expect(page.locator('.chart.focus').count()).resolves.toBe(1);
        await expect(page.locator('.lane.hl').count()).resolves.toBeGreaterThan(0);
      });
    },
  );
});
