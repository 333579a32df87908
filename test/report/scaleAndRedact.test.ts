import { describe, expect, it } from 'vitest';
import { redactText } from '../../report/redact.js';
import { timeScale } from '../../report/scale.js';
import { escapeHtml } from '../../report/html.js';

describe('timeScale', () => {
  it('maps 0 and the end to the plot edges and is monotone', () => {
    // Arrange
    const scale = timeScale([0, 10, 60, 1062, 180_000], 180_000, 100, 1100);
    // Act
    const xs = [0, 5, 10, 60, 500, 1062, 50_000, 180_000].map((ms) => scale.x(ms));
    // Assert
    expect(xs[0]).toBe(100);
    expect(xs[xs.length - 1]).toBeCloseTo(1100);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
  });

  it('compresses a long idle gap so the busy start keeps its room', () => {
    const scale = timeScale([0, 10, 20, 40, 60, 80, 100, 180_000], 180_000, 0, 1000);
    expect(scale.breaks).toEqual([{ fromMs: 100, toMs: 180_000 }]);
    expect(scale.x(100)).toBeGreaterThan(200);
  });

  it('inverts x back to time (tick labels)', () => {
    const scale = timeScale([0, 62, 327, 1062, 2327], 2327, 150, 1050);
    for (const ms of [0, 62, 500, 2327]) expect(scale.msAt(scale.x(ms))).toBeCloseTo(ms, 3);
  });
});

describe('redactText and escapeHtml', () => {
  it('keeps only the last four digits of JIDs and phone numbers, not of small numbers', () => {
    expect(redactText('to 15550000001@s.whatsapp.net, +15551234567, attempt #12 at 1062 ms')).toBe(
      'to ***0001@s.whatsapp.net, ***4567, attempt #12 at 1062 ms',
    );
  });

  it('escapes markup', () => {
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe(
      '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;',
    );
  });
});
