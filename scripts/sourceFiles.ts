/**
 * The source files the house rules cover, and the line limit: shared by the formatting scripts
 * (`npm run format`) and the tidy test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** The longest line, in columns (characters, not bytes). */
export const lineWidthMax = 100;

/** The folders whose sources the rules cover; files at the top level (configurations) too. */
const sourceFolders = [
  'src',
  'sim',
  'properties',
  'report',
  'cli',
  'vitest',
  'scripts',
  'bin',
  'examples',
  'test',
];

/** Every tracked TypeScript or JavaScript source file of `root`, relative to it, sorted. */
export function trackedSourceFiles(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((file) => /\.(ts|mts|mjs|js)$/.test(file) && !file.endsWith('.d.ts'))
    .filter((file) => !file.includes('/') || sourceFolders.includes(file.split('/')[0]!))
    .sort();
}

/** A replacement of `text.slice(start, end)`. */
export interface TextEdit {
  start: number;
  end: number;
  replacement: string;
}

/** `text` with `edits` made; the edits are in text order and do not overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].reverse()) {
    result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.end);
  }
  return result;
}

/**
 * Runs a codemod over the files named on the command line (default: every tracked source file),
 * writing back those it changed; prints how many, ending with `what` ("files re-wrapped").
 */
export function rewriteFiles(codemod: (file: string, text: string) => string, what: string): void {
  const files = process.argv.length > 2 ? process.argv.slice(2) : trackedSourceFiles(process.cwd());
  let changed = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const rewritten = codemod(file, text);
    if (rewritten === text) continue;
    writeFileSync(file, rewritten);
    changed += 1;
  }
  console.log(`${changed} of ${files.length} ${what}`);
}
