/**
 * Re-wraps comments that run past the line limit, which a code formatter leaves as written.
 *
 * `npx tsx scripts/wrapComments.ts [files...]` (no files: every tracked source file) rewrites, in
 * place, each comment paragraph that holds a line over 100 columns: a run of `//` lines or the
 * text of a `/** ... *\/` block. Paragraphs end at a blank comment line, a list item (`- `, `* `,
 * `1. `), a `@tag` and a code fence; fenced code, lines indented as code and directives
 * (`@ts-expect-error`, `prettier-ignore`) are kept as written. A `//` comment after code on a
 * line over the limit moves to its own line above the code. A one-line `/** ... *\/` over the
 * limit becomes a block. Paragraphs within the limit are never touched, so running it twice
 * changes nothing the second time.
 */
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { applyEdits, lineWidthMax, rewriteFiles, type TextEdit } from './sourceFiles.js';

/** A comment's text as the source holds it. */
interface CommentRange {
  readonly pos: number;
  readonly end: number;
  readonly kind: ts.CommentKind;
}

/** Every comment of `text`, in order, each once. */
function commentRanges(fileName: string, text: string): CommentRange[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found = new Map<number, CommentRange>();
  const visit = (node: ts.Node): void => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      found.set(range.pos, range);
    }
    for (const range of ts.getTrailingCommentRanges(text, node.end) ?? []) {
      found.set(range.pos, range);
    }
    for (const child of node.getChildren(file)) visit(child);
  };
  visit(file);
  return [...found.values()].sort((a, b) => a.pos - b.pos);
}

/** Whether a comment line's text starts a paragraph of its own. */
function startsParagraph(content: string): boolean {
  return /^([-*] |\d+\. |@)/.test(content);
}

/** Whether a comment line's text is kept exactly as written. */
function isVerbatim(content: string): boolean {
  return /^(\s|@ts-|prettier-ignore|eslint-|#!)/.test(content) || content.startsWith('```');
}

/** One paragraph's lines wrapped to `width` columns, the first line's list marker hanging. */
function wrapParagraph(lines: readonly string[], width: number): string[] {
  const first = lines[0]!;
  const marker = /^([-*] |\d+\. )/.exec(first)?.[0] ?? '';
  const hanging = ' '.repeat(marker.length);
  const words = lines
    .map((line) => line.trim())
    .join(' ')
    .slice(marker.length)
    .split(/\s+/)
    .filter((word) => word !== '');
  const wrapped: string[] = [];
  let current = marker;
  for (const word of words) {
    const prefix = wrapped.length === 0 ? marker : hanging;
    if (current.length > prefix.length && current.length + 1 + word.length > width) {
      wrapped.push(current);
      current = hanging + word;
    } else {
      current = current.length > prefix.length ? `${current} ${word}` : prefix + word;
    }
  }
  wrapped.push(current);
  return wrapped;
}

/**
 * Comment text lines, re-wrapped where a paragraph holds a line longer than `width`: the rest
 * of the lines as written.
 */
function rewrapContents(contents: readonly string[], width: number): string[] {
  const result: string[] = [];
  let paragraph: string[] = [];
  let fenced = false;
  const flush = (): void => {
    const tooLong = paragraph.some((line) => line.length > width);
    result.push(...(tooLong ? wrapParagraph(paragraph, width) : paragraph));
    paragraph = [];
  };
  for (const content of contents) {
    const fence = content.trimStart().startsWith('```');
    const continuesItem = paragraph.length > 0 && /^([-*] |\d+\. )/.test(paragraph[0]!);
    const keep = fenced || fence || content.trim() === '' || isVerbatim(content);
    if (fence) fenced = !fenced;
    if (keep && !(continuesItem && /^ {2,4}\S/.test(content) && !fenced && !fence)) {
      flush();
      result.push(content);
      continue;
    }
    if (startsParagraph(content)) flush();
    paragraph.push(content);
  }
  flush();
  return result;
}

/** The column where the line holding `pos` starts, and that line's text before `pos`. */
function lineBefore(text: string, pos: number): { start: number; before: string } {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  return { start, before: text.slice(start, pos) };
}

/** The end of the line holding `pos` (the index of its newline, or the text's end). */
function lineEnd(text: string, pos: number): number {
  const end = text.indexOf('\n', pos);
  return end === -1 ? text.length : end;
}

/** The `//` lines of a run starting at `ranges[index]`: whole-line comments at one indent. */
function lineCommentRun(text: string, ranges: readonly CommentRange[], index: number): number {
  const indent = lineBefore(text, ranges[index]!.pos).before;
  let last = index;
  while (last + 1 < ranges.length) {
    const next = ranges[last + 1]!;
    if (next.kind !== ts.SyntaxKind.SingleLineCommentTrivia) break;
    if (lineBefore(text, next.pos).before !== indent) break;
    if (text.slice(ranges[last]!.end, next.pos) !== `\n${indent}`) break;
    last += 1;
  }
  return last;
}

/** The edit that re-wraps a run of whole-line `//` comments, if it needs one. */
function lineCommentEdit(text: string, run: readonly CommentRange[]): TextEdit | undefined {
  const indent = lineBefore(text, run[0]!.pos).before;
  const contents = run.map((range) => text.slice(range.pos + 2, range.end).replace(/^ /, ''));
  const wrapped = rewrapContents(contents, lineWidthMax - indent.length - 3);
  if (wrapped.join('\n') === contents.join('\n')) return undefined;
  const lines = wrapped.map((content) => (content === '' ? '//' : `// ${content}`));
  return { start: run[0]!.pos, end: run.at(-1)!.end, replacement: lines.join(`\n${indent}`) };
}

/** The edit that moves a `//` comment after code, on a line too long, above its line. */
function trailingCommentEdit(text: string, range: CommentRange): TextEdit | undefined {
  const { start, before } = lineBefore(text, range.pos);
  if (lineEnd(text, range.pos) - start <= lineWidthMax) return undefined;
  const indent = /^\s*/.exec(before)![0];
  const content = text.slice(range.pos + 2, range.end).trim();
  const wrapped = rewrapContents([content], lineWidthMax - indent.length - 3);
  const comment = wrapped.map((line) => `${indent}// ${line}`).join('\n');
  const code = before.trimEnd();
  return { start, end: range.end, replacement: `${comment}\n${code}` };
}

/** The edit that re-wraps a `/** ... *\/` block (or makes a block of a long one-liner). */
function blockCommentEdit(text: string, range: CommentRange): TextEdit | undefined {
  const { before } = lineBefore(text, range.pos);
  if (before.trim() !== '') return undefined;
  const raw = text.slice(range.pos, range.end);
  if (!raw.startsWith('/**')) return undefined;
  const width = lineWidthMax - before.length - 3;
  const oneLine = !raw.includes('\n');
  const contents = oneLine
    ? [raw.slice(3, -2).trim()]
    : raw
        .split('\n')
        .slice(1, -1)
        .map((line) => line.replace(/^\s*\* ?/, ''));
  if (oneLine && before.length + raw.length <= lineWidthMax) return undefined;
  const rawLines = raw.split('\n');
  const opensAlone = /^\/\*\*\s*$/.test(rawLines[0]!) && /^\s*\*\/$/.test(rawLines.at(-1)!);
  if (!oneLine && !opensAlone) return undefined;
  const wrapped = rewrapContents(contents, width);
  if (!oneLine && wrapped.join('\n') === contents.join('\n')) return undefined;
  const body = wrapped.map((line) => (line === '' ? `${before} *` : `${before} * ${line}`));
  return {
    start: range.pos,
    end: range.end,
    replacement: ['/**', ...body, `${before} */`].join('\n'),
  };
}

/** `text` with every comment that runs past the limit re-wrapped. */
export function wrapComments(fileName: string, text: string): string {
  const ranges = commentRanges(fileName, text);
  const edits: TextEdit[] = [];
  for (let index = 0; index < ranges.length; index += 1) {
    const range = ranges[index]!;
    if (range.kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      const edit = blockCommentEdit(text, range);
      if (edit !== undefined) edits.push(edit);
      continue;
    }
    if (lineBefore(text, range.pos).before.trim() !== '') {
      const edit = trailingCommentEdit(text, range);
      if (edit !== undefined) edits.push(edit);
      continue;
    }
    const last = lineCommentRun(text, ranges, index);
    const edit = lineCommentEdit(text, ranges.slice(index, last + 1));
    if (edit !== undefined) edits.push(edit);
    index = last;
  }
  return applyEdits(text, edits);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  rewriteFiles(wrapComments, 'files re-wrapped');
