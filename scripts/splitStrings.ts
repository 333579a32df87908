/**
 * Splits string literals on lines past the line limit, which a code formatter leaves as written.
 *
 * `npx tsx scripts/splitStrings.ts [files...]` (no files: every tracked source file) rewrites, in
 * place, each string or untagged template literal on a line over 100 columns into a `+` of
 * pieces of the same value, each filled as far as the limit allows. A piece ends after a space
 * (the space stays on its left), after a `\n` escape or beside a `${...}` (never inside one);
 * only a word longer than a whole line (a URL, an identifier) is cut inside. Strings already
 * joined by `+` are cut again as one, so no short piece is left between full ones. A literal that
 * fits on a line that does not is cut in two. Prettier then lays the pieces out (`npm run format`
 * runs both). Left alone: literals that are types, module names, property names or tagged
 * templates, and literals marked `as const`.
 */
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { applyEdits, lineWidthMax, rewriteFiles, type TextEdit } from './sourceFiles.js';

/** Columns a formatter adds before a piece of a broken `+`: the piece's indent and ` +`. */
const pieceIndent = 8;

/**
 * A literal, or a run of string literals joined by `+`, that may be cut: the source it spans, its
 * quote, its text between the quotes, and the parts of that text that are text.
 */
interface Cuttable {
  readonly start: number;
  readonly end: number;
  readonly quote: string;
  /** The source between the quotes, as one literal (a run's pieces joined). */
  readonly body: string;
  /** [from, to) offsets into `body` of the literal's text (not its `${...}` expressions). */
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
  const body = file.text.slice(start + 1, node.end - 1);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    const quote = file.text[start]!;
    return { start, end: node.end, quote, body, textRanges: [[0, body.length]] };
  }
  if (ts.isTemplateExpression(node)) {
    const offset = start + 1;
    const ranges: [number, number][] = [[0, node.head.end - 2 - offset]];
    for (const span of node.templateSpans) {
      const literal = span.literal;
      const closing = ts.isTemplateTail(literal) ? 1 : 2;
      ranges.push([literal.getStart(file) + 1 - offset, literal.end - closing - offset]);
    }
    return { start, end: node.end, quote: '`', body, textRanges: ranges };
  }
  return undefined;
}

/** The operands of the `+` chain `node` is the top of, left to right (`a + b + c`). */
function chainOperands(node: ts.BinaryExpression): ts.Expression[] {
  const operands: ts.Expression[] = [node.right];
  let left: ts.Expression = node.left;
  while (ts.isBinaryExpression(left) && left.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    operands.unshift(left.right);
    left = left.left;
  }
  operands.unshift(left);
  return operands;
}

/** Whether `node` is a `+` that is not the left side of a larger `+` (the top of a chain). */
function isChainTop(node: ts.Node): node is ts.BinaryExpression {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.PlusToken) {
    return false;
  }
  const parent = node.parent;
  return !(
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.PlusToken &&
    parent.left === node
  );
}

/** The chain's operands in runs: adjacent quoted strings with only ` + ` between them. */
function stringRuns(operands: readonly ts.Expression[], file: ts.SourceFile): ts.Expression[][] {
  const runs: ts.Expression[][] = [];
  operands.forEach((operand, index) => {
    const previous = operands[index - 1];
    const run = runs.at(-1);
    const joins =
      previous !== undefined &&
      run !== undefined &&
      ts.isStringLiteral(previous) &&
      ts.isStringLiteral(operand) &&
      /^\s*\+\s*$/.test(file.text.slice(previous.end, operand.getStart(file)));
    if (joins) run.push(operand);
    else runs.push([operand]);
  });
  return runs;
}

/** Source characters from `pos` that make one character of a literal's value (an escape whole). */
function unitLength(body: string, pos: number): number {
  if (body[pos] === '\\') {
    const next = body[pos + 1];
    if (next === 'u' && body[pos + 2] === '{') return body.indexOf('}', pos) - pos + 1;
    if (next === 'u') return 6;
    if (next === 'x') return 4;
    if (next === '\r' && body[pos + 2] === '\n') return 3;
    return 2;
  }
  const code = body.charCodeAt(pos);
  return code >= 0xd800 && code <= 0xdbff ? 2 : 1;
}

/** The text of a string literal's body written between single quotes instead of `quote`. */
function singleQuoted(body: string, quote: string): string {
  if (quote === "'") return body;
  let result = '';
  for (let pos = 0; pos < body.length;) {
    const length = unitLength(body, pos);
    const unit = body.slice(pos, pos + length);
    result += unit === '\\"' ? '"' : unit === "'" ? "\\'" : unit;
    pos += length;
  }
  return result;
}

/** A run of two or more string literals joined by `+` as one cuttable of the same value. */
function cuttableRun(run: readonly ts.Expression[], file: ts.SourceFile): Cuttable {
  const body = run
    .map((piece) => {
      const start = piece.getStart(file);
      return singleQuoted(file.text.slice(start + 1, piece.end - 1), file.text[start]!);
    })
    .join('');
  return {
    start: run[0]!.getStart(file),
    end: run.at(-1)!.end,
    quote: "'",
    body,
    textRanges: [[0, body.length]],
  };
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

/** A place a literal may be cut: an offset into its body; after a `\n` escape is preferred. */
interface CutPoint {
  readonly pos: number;
  readonly newline: boolean;
}

/**
 * Where a literal may be cut: after a space (the space ends the left piece), after a `\n`
 * escape, or beside a `${...}`; never inside an escape or a word.
 */
function cutPoints(literal: Cuttable): CutPoint[] {
  const { body } = literal;
  const points: CutPoint[] = [];
  literal.textRanges.forEach(([from, to], index) => {
    // Beside a `${...}` is a place too: `${a}${b}` is `${a}` + `${b}`.
    const last = index === literal.textRanges.length - 1;
    if (index > 0 && (from < to || !last)) points.push({ pos: from, newline: false });
    for (let pos = from; pos < to;) {
      const length = unitLength(body, pos);
      pos += length;
      const newline = length === 2 && body.slice(pos - 2, pos) === '\\n';
      const space = body[pos - 1] === ' ' && body[pos] !== ' ';
      if (pos < to && (newline || space)) points.push({ pos, newline });
    }
    if (!last && to > from) points.push({ pos: to, newline: false });
  });
  return points;
}

/** The last place before `limit` to cut a word no line can hold, or -1 when there is none. */
function hardCut(literal: Cuttable, pieceStart: number, limit: number): number {
  const range = literal.textRanges.find(([from, to]) => from <= pieceStart && pieceStart < to);
  if (range === undefined) return -1;
  let cut = -1;
  for (let pos = pieceStart; pos < Math.min(range[1], limit);) {
    pos += unitLength(literal.body, pos);
    if (pos <= limit && pos < range[1]) cut = pos;
  }
  return cut;
}

/** Columns a piece may take: the first piece, and the ones after it (quotes included). */
interface PieceWidths {
  readonly first: number;
  readonly rest: number;
}

/**
 * The cuts that fill each piece of a literal as far as its width allows, at the last place to
 * cut that fits (the last `\n` escape that fits, if any); only a word longer than a whole piece
 * (a URL, an identifier) is cut inside, where the piece ends.
 */
function chooseCuts(literal: Cuttable, widths: PieceWidths): number[] {
  const points = cutPoints(literal);
  const cuts: number[] = [];
  let pieceStart = 0;
  let index = 0;
  for (let width = widths.first; ; width = widths.rest) {
    if (literal.body.length - pieceStart + 2 <= width) break;
    let chosen = -1;
    for (let at = index; at < points.length; at += 1) {
      if (points[at]!.pos - pieceStart + 2 > width) break;
      if (chosen === -1 || points[at]!.newline || !points[chosen]!.newline) chosen = at;
    }
    // A word no piece can hold is cut anyway: cut it where this piece ends, not before it.
    const after = points[chosen + 1]?.pos ?? literal.body.length;
    const wordTooLong = chosen !== -1 && after - points[chosen]!.pos + 2 > widths.rest;
    if (wordTooLong && !points[chosen]!.newline) chosen = -1;
    const hard = chosen === -1 ? hardCut(literal, pieceStart, pieceStart + width - 2) : -1;
    if (chosen === -1 && hard === -1 && index >= points.length) break;
    const cut = hard !== -1 ? hard : points[chosen === -1 ? index : chosen]!.pos;
    cuts.push(cut);
    pieceStart = cut;
    while (index < points.length && points[index]!.pos <= cut) index += 1;
  }
  return cuts;
}

/** The cut nearest the middle of a literal of 40 columns or more (none for a shorter one). */
function halfCut(literal: Cuttable): number[] {
  if (literal.end - literal.start < 40) return [];
  const middle = literal.body.length / 2;
  const points = cutPoints(literal).map((point) => point.pos);
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

/** The literal cut at `cuts` into a `+` of pieces, `separator` between them. */
function cutLiteral(literal: Cuttable, cuts: readonly number[], separator = ' + '): string {
  const q = literal.quote;
  const bounds = [0, ...cuts, literal.body.length];
  const pieces = cuts.length + 1;
  return Array.from(
    { length: pieces },
    (_, i) => q + literal.body.slice(bounds[i], bounds[i + 1]) + q,
  ).join(separator);
}

/**
 * How wide the pieces of a run may be, and what goes between them. A run laid out on several
 * lines keeps its layout: its first piece where it starts, the others at the last one's indent.
 */
function runLayout(text: string, run: Cuttable): { widths: PieceWidths; separator: string } {
  const first = lineAt(text, run.start);
  if (!text.slice(run.start, run.end).includes('\n')) {
    const width = lineWidthMax - first.indent - pieceIndent;
    return { widths: { first: width, rest: width }, separator: ' + ' };
  }
  const last = lineAt(text, run.end);
  const column = run.start - (text.lastIndexOf('\n', run.start - 1) + 1);
  const lineEnd = text.indexOf('\n', run.end);
  const tail = text.slice(run.end, lineEnd === -1 ? text.length : lineEnd).trimEnd().length;
  return {
    widths: {
      first: lineWidthMax - column - 2,
      rest: lineWidthMax - last.indent - Math.max(2, tail),
    },
    separator: ` +\n${' '.repeat(last.indent)}`,
  };
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

/**
 * One pass of `splitStrings`: the outermost literals of each long line. A run of strings already
 * joined by `+` is cut again as one, so its pieces fill their lines (no short piece in between).
 */
function splitOnce(fileName: string, text: string): string {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const edits: TextEdit[] = [];
  const cutRun = (run: readonly ts.Expression[]): void => {
    const literal = cuttableRun(run, file);
    if (mustStayWhole(run[0]!) || !isOnLongLine(text, literal)) return;
    const { widths, separator } = runLayout(text, literal);
    const fitting = chooseCuts(literal, widths);
    // Joined, the run may fit: cut in two all the same, as a literal that fits on a long line.
    const cuts = fitting.length > 0 ? fitting : halfCut(literal);
    const replacement = cutLiteral(literal, cuts, separator);
    edits.push({ start: literal.start, end: literal.end, replacement });
  };
  const visit = (node: ts.Node): void => {
    if (isChainTop(node)) {
      for (const run of stringRuns(chainOperands(node), file)) {
        if (run.length === 1) visit(run[0]!);
        else cutRun(run);
      }
      return;
    }
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
    const width = lineWidthMax - lineAt(text, literal.start).indent - pieceIndent;
    const fitting = chooseCuts(literal, { first: width, rest: width });
    // A literal that fits, on a line that does not (a test's name before its callback), is cut
    // in two so the formatter breaks the line.
    const isPiece =
      ts.isBinaryExpression(node.parent) &&
      node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken;
    const cuts = fitting.length > 0 || isPiece ? fitting : halfCut(literal);
    if (cuts.length === 0) {
      node.forEachChild(visit);
      return;
    }
    const sum = cutLiteral(literal, cuts);
    const replacement = standsAlone(node) ? sum : `(${sum})`;
    edits.push({ start: literal.start, end: literal.end, replacement });
  };
  visit(file);
  return applyEdits(text, edits);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  rewriteFiles(splitStrings, 'files with strings split');
}
