/**
 * The layers and their arrows, enforced: `cli -> report -> properties -> sim -> src`, where an
 * arrow means "may import". `src/` (the reference send path, what production runs) imports no
 * simulator, property, report or CLI code; nothing but the bin imports the CLI. Inside a layer,
 * a folder may be walled off from the rest of its parent (the campaign's workers know nothing of
 * the campaign), and a folder's files may be kept free of import loops. Imports are read with
 * TypeScript's own pre-processor (static imports, re-exports and dynamic `import()`).
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
  vitest: ['cli', 'test', 'scripts'],
  bin: ['vitest', 'test', 'scripts'],
  scripts: ['cli'],
};

/** Folders whose files import nothing of their parent folder outside themselves. */
const walled: readonly string[] = ['properties/campaigns/workers'];

/** Folders (with their subfolders) whose files import one another in no loop. */
const loopFree: readonly string[] = ['properties/campaigns'];

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

/**
 * The files `file` imports by a relative path, from the root, as written (`.js` for a `.ts`).
 * The bin imports the build by URL (`new URL('cli/main.js', dist)`): the build mirrors the
 * root, so such a path is read from the root.
 */
function importedFiles(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const relativeImports = ts
    .preProcessFile(text, true, true)
    .importedFiles.map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) =>
      relative(root, resolve(root, dirname(file), spec))
        .split(sep)
        .join('/'),
    );
  const builtImports = [...text.matchAll(/new URL\(\s*'([^'.][^']*\.m?js)',\s*dist\s*\)/g)];
  return [...relativeImports, ...builtImports.map((match) => match[1]!)];
}

/** The layer (top folder) of every relative import of `file`. */
function importedLayers(file: string): string[] {
  return importedFiles(file).map((path) => path.split('/')[0]!);
}

/** The source file an import names: `x.js` is `x.ts` when that is the file there. */
function sourceOf(imported: string, files: ReadonlySet<string>): string {
  const typescript = imported.replace(/\.js$/, '.ts');
  return files.has(typescript) ? typescript : imported;
}

/** The files among `files` that `file` imports. */
function importsAmong(files: readonly string[]): (file: string) => string[] {
  const known = new Set(files);
  return (file) =>
    importedFiles(file)
      .map((to) => sourceOf(to, known))
      .filter((to) => known.has(to));
}

/** A loop of `importsOf` among `files`: its files in order, the first again; undefined if none. */
function importLoop(
  files: readonly string[],
  importsOf: (file: string) => readonly string[],
): string[] | undefined {
  const edges = new Map(files.map((file) => [file, importsOf(file)]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const to of edges.get(file) ?? []) {
      const loop = visit(to);
      if (loop !== undefined) return loop;
    }
    path.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of files) {
    const loop = visit(file);
    if (loop !== undefined) return loop;
  }
  return undefined;
}

describe('layering', () => {
  for (const [layer, banned] of Object.entries(forbidden)) {
    it(`${layer}/ imports none of ${banned.join(', ')}`, () => {
      // Arrange
      const files = sourceFiles(layer);
      // Act
      const breaches = files.flatMap((file) =>
        importedLayers(file)
          .filter((to) => banned.includes(to))
          .map((to) => `${file} -> ${to}/`),
      );
      // Assert
      expect(files.length).toBeGreaterThan(0);
      expect(breaches).toEqual([]);
    });
  }

  for (const folder of walled) {
    const parent = dirname(folder);
    it(`${folder}/ imports nothing of ${parent}/ outside itself`, () => {
      // Arrange
      const files = sourceFiles(folder);
      // Act
      const breaches = files.flatMap((file) =>
        importedFiles(file)
          .filter((to) => to.startsWith(`${parent}/`) && !to.startsWith(`${folder}/`))
          .map((to) => `${file} -> ${to}`),
      );
      // Assert
      expect(files.length).toBeGreaterThan(0);
      expect(breaches).toEqual([]);
    });
  }

  for (const folder of loopFree) {
    it(`${folder}/ has no import loop`, () => {
      // Arrange
      const files = sourceFiles(folder);
      // Act
      const loop = importLoop(files, importsAmong(files));
      // Assert
      expect(files.length).toBeGreaterThan(0);
      expect(loop).toBeUndefined();
    });
  }

  it('sees an import that breaks the rule (the check itself works)', () => {
    // Arrange
    const text =
      "import { x } from '../sim/clock.js';\nexport * from '../cli/main.js';\n" +
      "const m = await import('../report/html.js');";
    // Act
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    // Assert
    expect(specs).toEqual(['../sim/clock.js', '../cli/main.js', '../report/html.js']);
  });

  it('finds an import loop, and none where imports run one way (the check itself works)', () => {
    // Arrange
    const looped: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['a'] };
    const oneWay: Record<string, string[]> = { a: ['b', 'c'], b: ['c'], c: [], d: ['a', 'c'] };
    // Act
    const found = importLoop(Object.keys(looped), (file) => looped[file]!);
    const none = importLoop(Object.keys(oneWay), (file) => oneWay[file]!);
    // Assert
    expect(found).toEqual(['a', 'b', 'c', 'a']);
    expect(none).toBeUndefined();
  });
});
