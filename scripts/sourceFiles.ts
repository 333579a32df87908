/**
 * The source files the house rules cover, and the line limit: shared by the formatting scripts
 * (`npm run format`) and the tidy test.
 */
import { execFileSync } from 'node:child_process';

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
