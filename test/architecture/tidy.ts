/**
 * The house rules every source file keeps, as pure functions of its text (TigerBeetle's `tidy`):
 * each returns its breaches as one line each, `file:line: what`. The tests in this folder apply
 * them to every tracked source file (`scripts/sourceFiles.ts`) and to small texts that break
 * them (the checks themselves work).
 */
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
