/**
 * The layers and their arrows, enforced: `cli -> report -> properties -> sim -> src`, where an
 * arrow means "may import". `src/` (the reference send path, what production runs) imports no
 * simulator, property, report or CLI code; nothing but the bin imports the CLI. Imports are read
 * with TypeScript's own pre-processor (static imports, re-exports and dynamic `import()`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Each layer and the layers it must never import. */
const forbidden: Record<string, readonly string[]> = {
  src: ['sim', 'properties', 'report', 'cli', 'vitest', 'test', 'scripts'],
  sim: ['properties', 'report', 'cli', 'vitest', 'test', 'scripts'],
  properties: ['report', 'cli', 'vitest', 'test', 'scripts'],
  report: ['cli', 'vitest', 'test', 'scripts'],
  cli: ['vitest', 'test', 'scripts'],
  scripts: ['cli'],
};

function sourceFiles(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `[file, layer it imports]` for every relative import of `file`. */
function importedLayers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(root, resolve(root, dirname(file), spec)).split(sep)[0]!);
}

describe('layering', () => {
  for (const [layer, banned] of Object.entries(forbidden)) {
    it(`${layer}/ imports none of ${banned.join(', ')}`, () => {
      // Arrange
      const files = sourceFiles(layer);
      // Act
      const breaches = files.flatMap((file) => importedLayers(file).filter((to) => banned.includes(to)).map((to) => `${file} -> ${to}/`));
      // Assert
      expect(files.length).toBeGreaterThan(0);
      expect(breaches).toEqual([]);
    });
  }

  it('sees an import that breaks the rule (the check itself works)', () => {
    // Arrange
    const text = "import { x } from '../sim/clock.js';\nexport * from '../cli/main.js';\nconst m = await import('../report/html.js');";
    // Act
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    // Assert
    expect(specs).toEqual(['../sim/clock.js', '../cli/main.js', '../report/html.js']);
  });
});
