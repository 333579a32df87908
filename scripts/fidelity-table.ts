/**
 * Writes the fidelity table (test/fidelity/table.ts, generated from the differential suite's
 * scenarios) into docs/FIDELITY.md between its markers. `test/fidelity/table.test.ts` fails
 * when the document and the suite differ.
 *   npx tsx scripts/fidelity-table.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fidelityTableMarkdown, tableMarkers } from '../test/fidelity/table.js';

const file = 'docs/FIDELITY.md';
const text = readFileSync(file, 'utf8');
const start = text.indexOf(tableMarkers.start);
const end = text.indexOf(tableMarkers.end);
if (start < 0 || end < start)
  throw new Error(`${file} has no ${tableMarkers.start} … ${tableMarkers.end} markers`);
writeFileSync(
  file,
  `${text.slice(0, start + tableMarkers.start.length)}\n${fidelityTableMarkdown()}\n` +
    `${text.slice(end)}`,
);
console.log(`${file}: table written`);
