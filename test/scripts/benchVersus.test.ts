/**
 * scripts/bench-versus.ts as a maintainer runs it: against a checkout (here this one, which must
 * judge its own reference clean), and with input it must refuse by name.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = path.resolve('scripts/bench-versus.ts');

async function benchVersus(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const notACheckout = mkdtempSync(path.join(os.tmpdir(), 'bench-versus-'));
afterAll(() => rmSync(notACheckout, { recursive: true, force: true }));

describe('bench-versus', () => {
  it(
    'measures both checkouts on the same common ' + 'timelines and prints their rates and ratio',
    async () => {
      // Arrange: this checkout against itself, briefly.
      // Act
      const result = await benchVersus('.', '--seconds', '0.5');
      // Assert
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^40 common timelines \(20-40 events\), TypeScript through tsx, \d+ blocks of 40 runs per side$/m,
      );
      expect(result.stdout.match(/: [\d,]+ runs\/s, 0 violations$/gm)).toHaveLength(2);
      expect(result.stdout).toMatch(
        /^this \/ other: \d+\.\d{3} over the whole measurement; block ratios median \d+\.\d{3}, quartiles \d+\.\d{3} to \d+\.\d{3}$/m,
      );
    },
    90_000,
  );

  it('times blocks by CPU time with --cpu, and says so', async () => {
    // Act
    const result = await benchVersus('.', '--seconds', '0.5', '--cpu');
    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout.match(/: [\d,]+ runs per CPU second, 0 violations$/gm)).toHaveLength(2);
  }, 90_000);

  it('refuses a measurement length out of range, naming the option', async () => {
    // Act
    const result = await benchVersus('.', '--seconds', '0');
    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'bench-versus: --seconds must be a number in (0, 3600], got 0',
    );
  }, 60_000);

  it(
    'refuses a directory that is not a baileys-sim ' + 'checkout, naming what it looked for',
    async () => {
      // Act
      const result = await benchVersus(notACheckout);
      // Assert
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`bench-versus: ${notACheckout}`);
      expect(result.stderr).toContain('is not a baileys-sim checkout');
      expect(result.stderr).toContain(path.join('sim', 'timeline.ts'));
    },
    60_000,
  );
});
