/**
 * The command line answers `--help` and a bad flag without loading the simulator: what
 * `cli/main.ts` imports when it starts (commands are imported when they run) reaches no
 * simulator or send path code and no package but commander. The flag parsers take the property
 * names from the light name modules of `properties/judging/`, not from the checkers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Whether an import brings values at run time (not `import type`, nor only `type` names). */
function loadsAtRunTime(statement: ts.ImportDeclaration): boolean {
  const clause = statement.importClause;
  if (clause === undefined) return true;
  if (clause.isTypeOnly) return false;
  const named = clause.namedBindings;
  if (clause.name !== undefined || named === undefined || !ts.isNamedImports(named)) return true;
  return named.elements.some((element) => !element.isTypeOnly);
}

/** What `file` imports when it runs, as written: imports and re-exports, not `import()`. */
function runTimeImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) => {
    const isImport = ts.isImportDeclaration(statement) && loadsAtRunTime(statement);
    const isReexport =
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier !== undefined &&
      !statement.isTypeOnly;
    if (!isImport && !isReexport) return [];
    return [(statement.moduleSpecifier as ts.StringLiteral).text];
  });
}

/** The source files and the packages a start of `entry` loads. */
function loadedAtStart(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>([entry]);
  const packages = new Set<string>();
  for (const file of files) {
    for (const spec of runTimeImports(file)) {
      if (!spec.startsWith('.')) {
        if (!spec.startsWith('node:') && !builtinModules.includes(spec)) packages.add(spec);
        continue;
      }
      const path = posix.join(dirname(file), spec);
      const typescript = path.replace(/\.js$/, '.ts');
      files.add(existsSync(join(root, typescript)) ? typescript : path);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe('command line start-up', () => {
  it('loads no simulator, send path or checker code and no package but commander', () => {
    // Act
    const { files, packages } = loadedAtStart('cli/main.ts');
    // Assert
    expect(files).toContain('cli/parseFlags.ts');
    expect(files.filter((file) => /^(sim|src)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.startsWith('properties/'))).toEqual([
      'properties/judging/propertyNames.ts',
      'properties/judging/verdictProperties.ts',
    ]);
    expect(packages).toEqual(['commander']);
  });
});
