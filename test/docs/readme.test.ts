/**
 * The README tells the truth: its "Reading a failure" example is what the command it shows
 * prints today (scripts/readme-example.ts writes it; run that script after changing a summary).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleOf, readingAFailureArgs, readmeExample } from '../../scripts/readme-example.js';
import { repoRoot, runCli } from '../cli/runCli.js';

describe('README', () => {
  it(
    'shows in "Reading a failure" what the command it shows prints (regenerate: npm run ' +
      'build && npx tsx scripts/readme-example.ts)',
    async () => {
      // Arrange
      const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
      // Act
      const run = await runCli(readingAFailureArgs, mkdtempSync(join(tmpdir(), 'bsim-readme-')));
      // Assert
      expect(run.code).toBe(1);
      expect(readmeExample(readme)).toBe(exampleOf(run.stdout));
    },
  );
});
