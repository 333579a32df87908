/**
 * docs/FIDELITY.md shows the differential suite as it is: its table is the one generated from the
 * scenarios the real and the fake socket are held to.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fidelityCases } from './scenarios.js';
import { fidelityTableMarkdown, tableMarkers } from './table.js';

describe('docs/FIDELITY.md', () => {
  it(
    'holds the table generated from every fidelity scenario (npx tsx ' +
      'scripts/fidelity-table.ts)',
    () => {
      // Arrange
      const text = readFileSync('docs/FIDELITY.md', 'utf8');
      // Act
      const table = text
        .slice(
          text.indexOf(tableMarkers.start) + tableMarkers.start.length,
          text.indexOf(tableMarkers.end),
        )
        .trim();
      // Assert
      expect(table).toBe(fidelityTableMarkdown());
      expect(table.split('\n')).toHaveLength(fidelityCases.length + 2);
    },
  );
});
