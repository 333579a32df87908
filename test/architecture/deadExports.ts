/**
 * No dead exports, as a pure function of the sources' texts. An exported name is live when
 * another file imports it (a static import, `import()` of a literal, a module named by URL), when
 * the package exposes it (an entry point re-exports it, by name or through `export *`), or when
 * it is named in the declared signature of an exposed name, transitively: a user must be able to
 * name every type the API hands out. A re-export is not a use by itself: it keeps its origin
 * alive only while the name it re-exports is live.
 */
import { dirname, posix } from 'node:path';
import ts from 'typescript';

/** A name of a module: `file` exports it as `name` (`*`: all of them). */
export interface ModuleName {
  readonly file: string;
  readonly name: string;
}

/** What one file exports, what it takes of other files, and what its declarations name. */
export interface ModuleNames {
  /** The names it exports, with the line of each. */
  readonly exported: ReadonlyMap<string, number>;
  /** For each file it imports (resolved, from the root): the names it takes, or `*` for all. */
  readonly imported: ReadonlyMap<string, ReadonlySet<string>>;
  /** The names it exports that come from another file (`export { a } from`, an import). */
  readonly reexported: ReadonlyMap<string, ModuleName>;
  /** The files whose names it re-exports all (`export * from`). */
  readonly stars: readonly string[];
  /** The names it exports of its own declarations, and the local name of each. */
  readonly locals: ReadonlyMap<string, string>;
  /**
   * For each top-level declaration (by local name): what its declared signature names (types,
   * heritage, `typeof`; for a value without a declared type, what its initializer names),
   * outside function bodies and private members. A name of this file is `{ file, name }` with
   * the local name.
   */
  readonly signatures: ReadonlyMap<string, readonly ModuleName[]>;
  /**
   * Whether it exports its own URL (`export const x = import.meta.url`) for a loader to load it
   * by: the loader calls its default export.
   */
  readonly handsOutOwnUrl: boolean;
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
 * A module named by URL, as a worker, a loader hook or the bin loads one: `new URL('./x.ts',
 * import.meta.url)` or `register('./x.mjs', import.meta.url)` (relative to the file), or `new
 * URL('cli/main.js', dist)` (the build mirrors the root, so relative to a file at the root).
 */
function moduleUrl(node: ts.Node): { spec: string; base: string | undefined } | undefined {
  if (!ts.isNewExpression(node) && !ts.isCallExpression(node)) return undefined;
  const isUrl = ts.isNewExpression(node) && node.expression.getText() === 'URL';
  const [spec, base] = node.arguments ?? [];
  if (spec === undefined || base === undefined || !ts.isStringLiteral(spec)) return undefined;
  if (!/\.(ts|mts|js|mjs)$/.test(spec.text)) return undefined;
  const relativeToFile = base.getText() === 'import.meta.url';
  if (!isUrl && !relativeToFile) return undefined;
  return {
    spec: relativeToFile || spec.text.startsWith('.') ? spec.text : `./${spec.text}`,
    base: relativeToFile ? undefined : 'root',
  };
}

/** Whether a statement carries the modifier `kind`. */
function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** The local names a top-level statement declares (`default` for an anonymous default). */
function declaredNames(node: ts.Statement): string[] {
  if (ts.isVariableStatement(node)) {
    return node.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  if (ts.isExportAssignment(node)) return ts.isIdentifier(node.expression) ? [] : ['default'];
  const named = node as ts.Statement & { name?: ts.Node };
  if (named.name !== undefined && ts.isIdentifier(named.name)) return [named.name.text];
  return hasModifier(node, ts.SyntaxKind.DefaultKeyword) ? ['default'] : [];
}

/** Adds `names` to the set kept under `key`. */
function add<K, V>(map: Map<K, Set<V>>, key: K, names: Iterable<V>): void {
  const set = map.get(key) ?? new Set<V>();
  for (const name of names) set.add(name);
  map.set(key, set);
}

/** One file's names, as they are being read. */
interface Reading {
  readonly file: string;
  readonly source: ts.SourceFile;
  readonly files: ReadonlySet<string>;
  readonly exported: Map<string, number>;
  readonly imported: Map<string, Set<string>>;
  readonly reexported: Map<string, ModuleName>;
  readonly stars: string[];
  readonly locals: Map<string, string>;
  /** Each imported binding: the file and the name it takes (`*` for a namespace). */
  readonly bindings: Map<string, ModuleName>;
  /** Each top-level declaration's nodes, by local name. */
  readonly declarations: Map<string, ts.Node[]>;
}

/** The file a module specifier means, when it is a relative one. */
function targetOf(reading: Reading, spec: ts.Expression | undefined): string | undefined {
  if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) {
    return undefined;
  }
  return resolveModule(reading.file, spec.text, reading.files);
}

/** The line a node starts on, from 1. */
function lineOf(reading: Reading, node: ts.Node): number {
  return reading.source.getLineAndCharacterOfPosition(node.getStart(reading.source)).line + 1;
}

/** Reads an import declaration: what it takes, and the bindings it makes. */
function readImport(reading: Reading, statement: ts.ImportDeclaration): void {
  const from = targetOf(reading, statement.moduleSpecifier);
  const clause = statement.importClause;
  if (from === undefined) return;
  if (clause === undefined) return add(reading.imported, from, []);
  if (clause.name !== undefined) {
    reading.bindings.set(clause.name.text, { file: from, name: 'default' });
    add(reading.imported, from, ['default']);
  }
  const bindings = clause.namedBindings;
  if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
    reading.bindings.set(bindings.name.text, { file: from, name: '*' });
    add(reading.imported, from, ['*']);
  } else {
    for (const element of bindings?.elements ?? []) {
      const name = (element.propertyName ?? element.name).text;
      reading.bindings.set(element.name.text, { file: from, name });
      add(reading.imported, from, [name]);
    }
  }
}

/** Reads an export declaration: `export { a as b }`, with or without `from`, and `export *`. */
function readExport(reading: Reading, statement: ts.ExportDeclaration): void {
  const from = targetOf(reading, statement.moduleSpecifier);
  const clause = statement.exportClause;
  if (clause === undefined) {
    if (from !== undefined) reading.stars.push(from);
  } else if (ts.isNamedExports(clause)) {
    for (const element of clause.elements) {
      const local = (element.propertyName ?? element.name).text;
      reading.exported.set(element.name.text, lineOf(reading, element));
      if (from !== undefined)
        reading.reexported.set(element.name.text, { file: from, name: local });
      else if (statement.moduleSpecifier === undefined)
        reading.locals.set(element.name.text, local);
    }
  } else {
    reading.exported.set(clause.name.text, lineOf(reading, clause));
    if (from !== undefined) reading.reexported.set(clause.name.text, { file: from, name: '*' });
  }
}

/** Reads a top-level statement that declares names, exported or not. */
function readDeclaration(reading: Reading, statement: ts.Statement): void {
  const names = declaredNames(statement);
  for (const name of names) {
    reading.declarations.set(name, [...(reading.declarations.get(name) ?? []), statement]);
  }
  if (ts.isExportAssignment(statement)) {
    reading.exported.set('default', lineOf(reading, statement));
    const expression = statement.expression;
    reading.locals.set('default', ts.isIdentifier(expression) ? expression.text : 'default');
    return;
  }
  if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) return;
  const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
  for (const name of names) {
    const exportedAs = isDefault ? 'default' : name;
    reading.exported.set(exportedAs, lineOf(reading, statement));
    reading.locals.set(exportedAs, name);
  }
}

/** Records the modules `import()` of a literal and a URL name: all their names are taken. */
function readDynamicImports(reading: Reading): void {
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const from = targetOf(reading, node.arguments[0]);
      if (from !== undefined) add(reading.imported, from, ['*']);
    }
    const url = moduleUrl(node);
    if (url !== undefined) {
      const module = resolveModule(url.base ?? reading.file, url.spec, reading.files);
      add(reading.imported, module, ['*']);
    }
    node.forEachChild(visit);
  };
  visit(reading.source);
}

/**
 * Exports of a name that is an imported binding (`import { a } from './x.js'; export { a }`)
 * are re-exports of `./x.js`.
 */
function resolveImportedExports(reading: Reading): void {
  for (const [exportedAs, local] of reading.locals) {
    const binding = reading.bindings.get(local);
    if (binding === undefined || reading.declarations.has(local)) continue;
    reading.locals.delete(exportedAs);
    reading.reexported.set(exportedAs, binding);
  }
}

/** The names `file` exports and imports, and what each of its declarations' signatures names. */
export function moduleNames(file: string, text: string, files: ReadonlySet<string>): ModuleNames {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const reading: Reading = {
    file,
    source,
    files,
    exported: new Map(),
    imported: new Map(),
    reexported: new Map(),
    stars: [],
    locals: new Map(),
    bindings: new Map(),
    declarations: new Map(),
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) readImport(reading, statement);
    else if (ts.isExportDeclaration(statement)) readExport(reading, statement);
    else readDeclaration(reading, statement);
  }
  readDynamicImports(reading);
  resolveImportedExports(reading);
  const signatures = new Map(
    [...reading.declarations].map(([name, nodes]) => [
      name,
      nodes.flatMap((node) => signatureNames(reading, node)),
    ]),
  );
  const handsOutOwnUrl = source.statements.some(
    (statement) =>
      ts.isVariableStatement(statement) &&
      hasModifier(statement, ts.SyntaxKind.ExportKeyword) &&
      statement.declarationList.declarations.some(
        (d) => d.initializer?.getText(source) === 'import.meta.url',
      ),
  );
  const { exported, imported, reexported, stars, locals } = reading;
  return { exported, imported, reexported, stars, locals, signatures, handsOutOwnUrl };
}

/** What an identifier, or `ns.name` of a namespace import, names: a module name, or nothing. */
function nameOf(reading: Reading, node: ts.Node): ModuleName | undefined {
  if (ts.isIdentifier(node)) {
    if (reading.declarations.has(node.text)) return { file: reading.file, name: node.text };
    return reading.bindings.get(node.text);
  }
  const left = ts.isQualifiedName(node)
    ? node.left
    : (node as ts.PropertyAccessExpression).expression;
  const right = ts.isQualifiedName(node) ? node.right : (node as ts.PropertyAccessExpression).name;
  const namespace = ts.isIdentifier(left) ? reading.bindings.get(left.text) : undefined;
  if (namespace?.name !== '*' || !ts.isIdentifier(right)) return undefined;
  return { file: namespace.file, name: right.text };
}

/**
 * Whether an identifier names something here: not a declaration's or a member's own name
 * (`{ a }` is the one whose name is a value), nor the namespace of `ns.T` (its member is named).
 */
function isReference(reading: Reading, node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  if (ts.isQualifiedName(parent)) {
    return parent.left === node && reading.bindings.get(node.text)?.name !== '*';
  }
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
    return reading.bindings.get(node.text)?.name !== '*';
  }
  return (parent as { name?: ts.Node }).name !== node;
}

/** Whether a class member is private, so not part of what a user of the class sees. */
function isPrivateMember(node: ts.Node): boolean {
  if (!ts.isClassElement(node)) return false;
  return (
    hasModifier(node, ts.SyntaxKind.PrivateKeyword) ||
    (node.name !== undefined && ts.isPrivateIdentifier(node.name))
  );
}

/**
 * The module names a declaration's signature names: what a type reference, a heritage clause,
 * `typeof`, `import('./x.js').T` or (in an initializer) a value names, outside function bodies,
 * private members and the initializers of values whose type is declared.
 */
function signatureNames(reading: Reading, declaration: ts.Node): ModuleName[] {
  const found: ModuleName[] = [];
  const record = (node: ts.Node): void => {
    const name = nameOf(reading, node);
    if (name !== undefined) found.push(name);
  };
  const visit = (node: ts.Node): void => {
    if (isPrivateMember(node)) return;
    if (ts.isImportTypeNode(node)) return visitImportType(reading, node, found);
    if (ts.isIdentifier(node) && isReference(reading, node)) record(node);
    if (ts.isQualifiedName(node) || ts.isPropertyAccessExpression(node)) record(node);
    if (ts.isFunctionLike(node) || ts.isVariableDeclaration(node)) {
      return visitSignatureOnly(node, visit);
    }
    node.forEachChild(visit);
  };
  visit(declaration);
  return found;
}

/** Visits what a function's or a value's signature is made of: its body or value is left out. */
function visitSignatureOnly(
  node: ts.SignatureDeclaration | ts.VariableDeclaration,
  visit: (node: ts.Node) => void,
): void {
  if (ts.isVariableDeclaration(node)) {
    if (node.type !== undefined) visit(node.type);
    else if (node.initializer !== undefined) visit(node.initializer);
    return;
  }
  node.forEachChild((child) => {
    if (child !== (node as ts.FunctionLikeDeclaration).body) visit(child);
  });
}

/** Records what `import('./x.js').T` names, then what its type arguments name. */
function visitImportType(reading: Reading, node: ts.ImportTypeNode, found: ModuleName[]): void {
  const argument = node.argument;
  const spec =
    ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)
      ? argument.literal
      : undefined;
  const from = targetOf(reading, spec);
  const qualifier = node.qualifier;
  if (from !== undefined && qualifier !== undefined) {
    const first = ts.isIdentifier(qualifier) ? qualifier : leftmost(qualifier);
    found.push({ file: from, name: first.text });
  }
  for (const argumentType of node.typeArguments ?? []) {
    found.push(...signatureNames(reading, argumentType));
  }
}

/** The first identifier of `a.b.c`. */
function leftmost(name: ts.QualifiedName): ts.Identifier {
  return ts.isIdentifier(name.left) ? name.left : leftmost(name.left);
}

/** A name on its way through the graph: exported by `file`, or (`local`) declared in it. */
interface Step extends ModuleName {
  /** Whether the package exposes it, so the names of its signature must be exported too. */
  readonly exposed: boolean;
  readonly local: boolean;
}

/** The key of a module name in a set. */
function keyOf(name: ModuleName): string {
  return `${name.file}\0${name.name}`;
}

/** The steps one step leads to, recording in `live` the exported names it reaches. */
function follow(step: Step, module: ModuleNames, live: Set<string>): Step[] {
  const { file, name, exposed } = step;
  const exported = (next: ModuleName): Step => ({ ...next, exposed, local: false });
  if (step.local) {
    for (const [exportedAs, local] of module.locals) {
      if (local === name) live.add(keyOf({ file, name: exportedAs }));
    }
    if (!exposed) return [];
    return (module.signatures.get(name) ?? []).map((next) =>
      next.file === file ? { ...next, exposed, local: true } : exported(next),
    );
  }
  if (name === '*') {
    return [
      ...[...module.exported.keys()].map((each) => exported({ file, name: each })),
      ...module.stars.map((star) => exported({ file: star, name: '*' })),
    ];
  }
  live.add(keyOf(step));
  const origin = module.reexported.get(name);
  if (origin !== undefined) return [exported(origin)];
  const local = module.locals.get(name);
  if (local !== undefined) return [{ file, name: local, exposed, local: true }];
  return module.stars.map((star) => exported({ file: star, name }));
}

/**
 * The exported names that are live (as `file\0name`): every name of `entryPoints` and what they
 * expose, every name another file imports, the default export of a module that hands out its own
 * URL, and every name of `loaded` (taken by a loader outside the import graph: a tool's
 * configuration, the contract of a module loaded by path), each followed through re-exports to
 * the declaration it names.
 */
function liveExports(
  modules: ReadonlyMap<string, ModuleNames>,
  entryPoints: ReadonlySet<string>,
  loaded: readonly ModuleName[],
): Set<string> {
  const queue: Step[] = [...entryPoints].map((file) => ({
    file,
    name: '*',
    exposed: true,
    local: false,
  }));
  for (const [importer, names] of modules) {
    for (const [exporter, taken] of names.imported) {
      if (exporter === importer) continue;
      for (const name of taken) queue.push({ file: exporter, name, exposed: false, local: false });
    }
  }
  queue.push(...loaded.map((name) => ({ ...name, exposed: false, local: false })));
  for (const [file, names] of modules) {
    if (names.handsOutOwnUrl) queue.push({ file, name: 'default', exposed: false, local: false });
  }
  const live = new Set<string>();
  const seen = new Set<string>();
  while (queue.length > 0) {
    const step = queue.pop()!;
    const key = `${keyOf(step)}\0${step.exposed}\0${step.local}`;
    const module = modules.get(step.file);
    if (seen.has(key) || module === undefined) continue;
    seen.add(key);
    queue.push(...follow(step, module, live));
  }
  return live;
}

/**
 * Exported names that are not live (see {@link liveExports}), one line each: `file:line: name
 * ...`. The entry points' own names are live by definition.
 */
export function deadExports(
  modules: ReadonlyMap<string, ModuleNames>,
  entryPoints: ReadonlySet<string>,
  loaded: readonly ModuleName[] = [],
): string[] {
  const live = liveExports(modules, entryPoints, loaded);
  const breaches: string[] = [];
  for (const [file, names] of modules) {
    for (const [name, line] of names.exported) {
      if (entryPoints.has(file) || live.has(keyOf({ file, name }))) continue;
      breaches.push(
        `${file}:${line}: ${name} is exported, but no other file imports it and the package ` +
          'does not expose it',
      );
    }
  }
  return breaches;
}
