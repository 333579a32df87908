import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSendPath } from '../../properties/paths/loadSendPath.js';

describe('loadSendPath', () => {
  it('resolves built-in names', async () => {
    expect((await loadSendPath('reference')).name).toBe('reference');
    expect((await loadSendPath('specimen:unordered')).name).toBe('specimen:unordered');
  });

  it('loads a default or createSendPath export from a module in any directory', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'bsim-load-'));
    writeFileSync(
      join(dir, 'named.mjs'),
      'export const createSendPath = () => ({ start() {}, async stop() {} });\n',
    );
    writeFileSync(
      join(dir, 'default.mjs'),
      'export default () => ({ start() {}, async stop() {} });\n',
    );
    // Act
    const named = await loadSendPath(join(dir, 'named.mjs'));
    const fallback = await loadSendPath('./default.mjs', dir);
    // Assert
    expect(typeof named.factory).toBe('function');
    expect(typeof fallback.factory).toBe('function');
  });

  it.each([
    ['specimen:nope', 'unknown send path "specimen:nope"'],
    ['./missing.ts', './missing.ts: no such file'],
  ])('rejects %s with a clear message', async (spec, message) => {
    await expect(loadSendPath(spec)).rejects.toThrow(message);
  });

  it('names what a module exports when it has no factory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsim-load-'));
    writeFileSync(join(dir, 'wrong.mjs'), 'export const somethingElse = 1;\n');
    await expect(loadSendPath(join(dir, 'wrong.mjs'))).rejects.toThrow(
      'export a SendPathFactory as the default export or as "createSendPath", or start() ' +
        'and stop() (a send path as written) (found: somethingElse)',
    );
  });
});
