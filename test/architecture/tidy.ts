/**
 * The house rules every source file keeps, as pure functions of its text (TigerBeetle's `tidy`):
 * each returns its breaches as one line each, `file:line: what`. The tests in this folder apply
 * them to every tracked source file (`scripts/sourceFiles.ts`) and to small texts that break
 * them (the checks themselves work).
 */
import { dirname, posix } from 'node:path';
import ts from 'typescript';
import { lineWidthMax } from '../../scripts/sourceFiles.js';

/** The most lines a function may span, its signature and closing brace included. */
export const functionLinesMax = 70;

/**
 * Whether a line over the limit may stay: it holds one token nothing can break. A URL (the
 * line within the limit without it), or a regular expression literal alone on its line (only
 * its indent and the punctuation after it beside it): cutting either changes what it is.
 */
function isUnbreakable(line: string): boolean {
  const withoutUrls = line.replace(/https?:\/\/\S+/g, '');
  if (withoutUrls !== line && [...withoutUrls].length <= lineWidthMax) return true;
  return /^\s*\/(?![/*]).*\/[dgimsuvy]*[,;)]*$/.test(line);
}

/** Lines longer than the limit, in columns (characters). */
export function longLines(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    const columns = [...line].length;
    if (columns <= lineWidthMax || isUnbreakable(line)) return [];
    return [`${file}:${index + 1}: ${columns} columns (at most ${lineWidthMax})`];
  });
}

/** Whether `node` is the callback handed straight to vitest's `describe` (or a variant). */
function isDescribeBlock(node: ts.Node): boolean {
  const call = node.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(node as ts.Expression)) return false;
  let callee: ts.Expression = call.expression;
  // describe.skip(...), describe.each(table)(...): the name at the root is what counts.
  while (ts.isPropertyAccessExpression(callee) || ts.isCallExpression(callee)) {
    callee = ts.isCallExpression(callee) ? callee.expression : callee.expression;
  }
  return ts.isIdentifier(callee) && callee.text === 'describe';
}

/** A readable name for a function-like node. */
function functionName(node: ts.FunctionLikeDeclaration, file: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(file);
  if (ts.isConstructorDeclaration(node))
    return `constructor of ${node.parent.name?.text ?? 'a class'}`;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText(file);
  }
  if (ts.isCallExpression(parent)) return `callback of ${parent.expression.getText(file)}`;
  return 'anonymous function';
}

/**
 * Functions longer than the limit: every function-like node with a body (declarations,
 * expressions, arrows, methods, accessors, constructors). The callback handed to `describe` is
 * not one: it is a container of tests, as a file is, and each test inside it is measured.
 */
export function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const breaches: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = last - first + 1;
      if (lines > functionLinesMax && !isDescribeBlock(node)) {
        const name = functionName(node as ts.FunctionLikeDeclaration, source);
        breaches.push(
          `${file}:${first + 1}: ${name} is ${lines} lines (at most ${functionLinesMax})`,
        );
      }
    }
    node.forEachChild(visit);
  };
  visit(source);
  return breaches;
}

/** What one file exports, and what it takes of other files. */
export interface ModuleNames {
  /** The names it exports, with the line of each. */
  readonly exported: ReadonlyMap<string, number>;
  /** For each file it imports (resolved, from the root): the names it takes, or `*` for all. */
  readonly imported: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The source file a relative module name means: `x.js` is `x.ts` when that is the file. */
function resolveModule(from: string, spec: string, files: ReadonlySet<string>): string {
  const joined = posix.normalize(posix.join(dirname(from), spec));
  for (const candidate of [
    joined,
    joined.replace(/\.js$/, '.ts'),
    joined.replace(/\.mjs$/, '.mts'),
  ]) {
    if (files.has(candidate)) return candidate;
  }
  return joined;
}

/**
 * A module named by URL, as a worker or the bin loads one: `new URL('./x.ts', import.meta.url)`
 * (relative to the file), or `new URL('cli/main.js', dist)` (the build mirrors the root, so
 * relative to a file at the root).
 */
function moduleUrl(node: ts.Node): { spec: string; base: string | undefined } | undefined {
  if (!ts.isNewExpression(node) || node.expression.getText() !== 'URL') return undefined;
  const [spec, base] = node.arguments ?? [];
  if (spec === undefined || base === undefined || !ts.isStringLiteral(spec)) return undefined;
  if (!/\.(ts|mts|js|mjs)$/.test(spec.text)) return undefined;
  const relativeToFile = base.getText() === 'import.meta.url';
  return {
    spec: relativeToFile || spec.text.startsWith('.') ? spec.text : `./${spec.text}`,
    base: relativeToFile ? undefined : 'root',
  };
}

/** Whether a statement carries `export`. */
function isExported(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

/** The names a declaration statement exports. */
function declaredNames(node: ts.Statement): string[] {
  const isDefault = (ts.getModifiers(node as ts.HasModifiers) ?? []).some(
    (m) => m.kind === ts.SyntaxKind.DefaultKeyword,
  );
  if (isDefault) return ['default'];
  if (ts.isVariableStatement(node)) {
    return node.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  const named = node as ts.Statement & { name?: ts.Node };
  return named.name !== undefined && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

/** Records that `file` takes `names` of `target`. */
function take(imported: Map<string, Set<string>>, target: string, names: readonly string[]): void {
  const set = imported.get(target) ?? new Set<string>();
  for (const name of names) set.add(name);
  imported.set(target, set);
}

/** The names `file` exports and imports (static imports, re-exports, `import()` of a literal). */
export function moduleNames(file: string, text: string, files: ReadonlySet<string>): ModuleNames {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const exported = new Map<string, number>();
  const imported = new Map<string, Set<string>>();
  const lineOf = (node: ts.Node): number =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const target = (spec: ts.Expression): string | undefined =>
    ts.isStringLiteral(spec) && spec.text.startsWith('.')
      ? resolveModule(file, spec.text, files)
      : undefined;
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const from = target(statement.moduleSpecifier);
      const clause = statement.importClause;
      if (from === undefined) continue;
      if (clause === undefined) take(imported, from, []);
      else if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) {
        take(imported, from, ['*']);
      } else {
        const named = clause.namedBindings?.elements ?? [];
        const names = named.map((e) => (e.propertyName ?? e.name).text);
        take(imported, from, clause.name !== undefined ? ['default', ...names] : names);
      }
    } else if (ts.isExportDeclaration(statement)) {
      const from = statement.moduleSpecifier && target(statement.moduleSpecifier);
      const clause = statement.exportClause;
      if (clause === undefined) {
        if (from !== undefined) take(imported, from, ['*']);
      } else if (ts.isNamedExports(clause)) {
        for (const element of clause.elements) exported.set(element.name.text, lineOf(element));
        const names = clause.elements.map((e) => (e.propertyName ?? e.name).text);
        if (from !== undefined) take(imported, from, names);
      } else {
        exported.set(clause.name.text, lineOf(clause));
        if (from !== undefined) take(imported, from, ['*']);
      }
    } else if (ts.isExportAssignment(statement)) {
      exported.set('default', lineOf(statement));
    } else if (isExported(statement)) {
      for (const name of declaredNames(statement)) exported.set(name, lineOf(statement));
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const from = node.arguments[0] && target(node.arguments[0]);
      if (from !== undefined) take(imported, from, ['*']);
    }
    const url = moduleUrl(node);
    if (url !== undefined) take(imported, resolveModule(url.base ?? file, url.spec, files), ['*']);
    node.forEachChild(visit);
  };
  visit(source);
  return { exported, imported };
}

/**
 * Exported names no other file imports: dead code or a missing `export`-less local. Exports of
 * `entryPoints` (the package's public modules) are used by definition. An import by a file
 * `countsAsUser` rejects (a test importing what only tests use) does not keep a name alive.
 */
export function deadExports(
  modules: ReadonlyMap<string, ModuleNames>,
  entryPoints: ReadonlySet<string>,
  countsAsUser: (importer: string, exporter: string) => boolean,
): string[] {
  const used = new Map<string, Set<string>>();
  for (const [importer, names] of modules) {
    for (const [exporter, taken] of names.imported) {
      if (exporter === importer || !countsAsUser(importer, exporter)) continue;
      const set = used.get(exporter) ?? new Set<string>();
      for (const name of taken) set.add(name);
      used.set(exporter, set);
    }
  }
  const breaches: string[] = [];
  for (const [file, names] of modules) {
    if (entryPoints.has(file)) continue;
    const taken = used.get(file) ?? new Set<string>();
    if (taken.has('*')) continue;
    for (const [name, line] of names.exported) {
      if (!taken.has(name))
        breaches.push(`${file}:${line}: ${name} is exported and never imported`);
    }
  }
  return breaches;
}
