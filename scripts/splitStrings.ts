/**
 * Splits string literals on lines past the line limit, which a code formatter leaves as written.
 *
 * `npx tsx scripts/splitStrings.ts [files...]` (no files: every tracked source file) rewrites, in
 * place, each string or untagged template literal on a line over 100 columns into a `+` of
 * pieces cut after a space, after a `\n` escape or beside a `${...}` (never inside one): the
 * value is the same string. A literal that fits on a line that does not is cut in two. Prettier
 * then lays the pieces out (`npm run format` runs both). Left alone: literals
 * that are types, module names, property names or tagged templates, literals marked `as const`,
 * and a literal with no place to cut (a URL).
 */
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { applyEdits, lineWidthMax, rewriteFiles, type TextEdit } from './sourceFiles.js';

/** Columns a formatter adds before a piece of a broken `+`: the piece's indent and ` +`. */
const pieceIndent = 8;

/** A literal that may be cut: a string or a template, with the parts of it that are text. */
interface Cuttable {
  readonly start: number;
  readonly end: number;
  readonly quote: string;
  /** [from, to) source ranges of the literal's text (not its `${...}` expressions). */
  readonly textRanges: readonly (readonly [number, number])[];
}

/** Whether a literal must keep its form: a type, a name, a module, a tagged template. */
function mustStayWhole(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isTaggedTemplateExpression(parent) || ts.isLiteralTypeNode(parent)) return true;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) return true;
  if (ts.isExternalModuleReference(parent) || ts.isImportTypeNode(parent)) return true;
  if (ts.isPropertyAssignment(parent) && parent.name === node) return true;
  if (ts.isPropertySignature(parent) || ts.isEnumMember(parent)) return true;
  if (ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword) {
    return true;
  }
  if (ts.isExpressionStatement(parent)) return true;
  for (let up: ts.Node | undefined = parent; up !== undefined; up = up.parent) {
    if (ts.isAsExpression(up) && up.type.getText() === 'const') return true;
    if (ts.isTypeNode(up)) return true;
  }
  return false;
}

/** The literal as a cuttable, or undefined when it is none. */
function cuttableOf(node: ts.Node, file: ts.SourceFile): Cuttable | undefined {
  const start = node.getStart(file);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    const quote = file.text[start]!;
    return { start, end: node.end, quote, textRanges: [[start + 1, node.end - 1]] };
  }
  if (ts.isTemplateExpression(node)) {
    const ranges: [number, number][] = [[start + 1, node.head.end - 2]];
    for (const span of node.templateSpans) {
      const literal = span.literal;
      const closing = ts.isTemplateTail(literal) ? 1 : 2;
      ranges.push([literal.getStart(file) + 1, literal.end - closing]);
    }
    return { start, end: node.end, quote: '`', textRanges: ranges };
  }
  return undefined;
}

/** The columns of the line holding `pos`, and its indent. */
function lineAt(text: string, pos: number): { length: number; indent: number } {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  const endAt = text.indexOf('\n', pos);
  const line = text.slice(start, endAt === -1 ? text.length : endAt);
  return { length: [...line].length, indent: /^\s*/.exec(line)![0].length };
}

/** Whether a line the literal covers runs past the limit. */
function isOnLongLine(text: string, literal: Cuttable): boolean {
  for (let pos = literal.start; pos <= literal.end;) {
    if (lineAt(text, pos).length > lineWidthMax) return true;
    const next = text.indexOf('\n', pos);
    if (next === -1 || next >= literal.end) return false;
    pos = next + 1;
  }
  return false;
}

/** Whether a cut before `pos` leaves every escape whole (`pos` follows no lone backslash). */
function isCleanCut(text: string, pos: number): boolean {
  let backslashes = 0;
  while (text[pos - 1 - backslashes] === '\\') backslashes += 1;
  return backslashes % 2 === 0;
}

/** Where a literal may be cut: after a space, or after a `\n` escape (preferred). */
function cutPoints(text: string, literal: Cuttable): { pos: number; newline: boolean }[] {
  const points: { pos: number; newline: boolean }[] = [];
  literal.textRanges.forEach(([from, to], index) => {
    // Beside a `${...}` is a place too: `${a}${b}` is `${a}` + `${b}`.
    const last = index === literal.textRanges.length - 1;
    if (index > 0 && (from < to || !last)) {
      points.push({ pos: from, newline: false });
    }
    for (let pos = from + 1; pos < to; pos += 1) {
      const newline = text.slice(pos - 2, pos) === '\\n' && isCleanCut(text, pos - 2);
      const space = text[pos - 1] === ' ' && text[pos] !== ' ' && isCleanCut(text, pos - 1);
      if (newline || space) points.push({ pos, newline });
    }
    if (!last && to > from) points.push({ pos: to, newline: false });
  });
  return points;
}

/** The cuts that keep every piece of a literal within `pieceMax` columns where it can. */
function chooseCuts(text: string, literal: Cuttable, pieceMax: number): number[] {
  const points = cutPoints(text, literal);
  const cuts: number[] = [];
  let pieceStart = literal.start;
  let index = 0;
  while (index < points.length) {
    if (literal.end - pieceStart + 2 <= pieceMax) break;
    let chosen = -1;
    for (let at = index; at < points.length; at += 1) {
      if (points[at]!.pos - pieceStart + 2 > pieceMax) break;
      if (chosen === -1 || points[at]!.newline || !points[chosen]!.newline) chosen = at;
    }
    if (chosen === -1) chosen = index;
    cuts.push(points[chosen]!.pos);
    pieceStart = points[chosen]!.pos;
    index = chosen + 1;
  }
  return cuts;
}

/** The cut nearest the middle of a literal of 40 columns or more (none for a shorter one). */
function halfCut(text: string, literal: Cuttable): number[] {
  if (literal.end - literal.start < 40) return [];
  const middle = (literal.start + literal.end) / 2;
  const points = cutPoints(text, literal).map((point) => point.pos);
  const distance = (pos: number): number => Math.abs(pos - middle);
  const nearest = points.reduce<number | undefined>(
    (best, pos) => (best === undefined || distance(pos) < distance(best) ? pos : best),
    undefined,
  );
  return nearest === undefined ? [] : [nearest];
}

/** Whether a `+` of pieces can stand where the literal stands without parentheses. */
function standsAlone(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    ts.isBinaryExpression(parent) ||
    ts.isCallExpression(parent) ||
    ts.isNewExpression(parent) ||
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isReturnStatement(parent) ||
    ts.isArrowFunction(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isConditionalExpression(parent) ||
    ts.isTemplateSpan(parent) ||
    ts.isThrowStatement(parent) ||
    ts.isParenthesizedExpression(parent) ||
    ts.isParameter(parent) ||
    ts.isCaseClause(parent)
  );
}

/** The literal's source cut at `cuts` into a `+` of pieces. */
function cutLiteral(text: string, literal: Cuttable, cuts: readonly number[]): string {
  const q = literal.quote;
  let result = '';
  let from = literal.start;
  for (const cut of cuts) {
    result += `${text.slice(from, cut)}${q} + ${q}`;
    from = cut;
  }
  return result + text.slice(from, literal.end);
}

/** `text` with every literal on a line past the limit cut into pieces that fit. */
export function splitStrings(fileName: string, text: string): string {
  let result = text;
  // A literal inside a cut literal's `${...}` is cut on the next pass.
  for (let pass = 0; pass < 10; pass += 1) {
    const next = splitOnce(fileName, result);
    if (next === result) break;
    result = next;
  }
  return result;
}

/** One pass of `splitStrings`: the outermost literals of each long line. */
function splitOnce(fileName: string, text: string): string {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const edits: TextEdit[] = [];
  const visit = (node: ts.Node): void => {
    const literal = cuttableOf(node, file);
    if (literal === undefined) {
      node.forEachChild(visit);
      return;
    }
    if (mustStayWhole(node)) return;
    if (!isOnLongLine(text, literal)) {
      node.forEachChild(visit);
      return;
    }
    const pieceMax = lineWidthMax - lineAt(text, literal.start).indent - pieceIndent;
    const fitting = chooseCuts(text, literal, pieceMax);
    // A literal that fits, on a line that does not (a test's name before its callback), is cut
    // in two so the formatter breaks the line.
    const isPiece =
      ts.isBinaryExpression(node.parent) &&
      node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken;
    const cuts = fitting.length > 0 || isPiece ? fitting : halfCut(text, literal);
    if (cuts.length === 0) {
      node.forEachChild(visit);
      return;
    }
    const sum = cutLiteral(text, literal, cuts);
    const replacement = standsAlone(node) ? sum : `(${sum})`;
    edits.push({ start: literal.start, end: literal.end, replacement });
  };
  visit(file);
  return applyEdits(text, edits);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  rewriteFiles(splitStrings, 'files with strings split');
}
