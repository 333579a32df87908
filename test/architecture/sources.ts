/** Every tracked source file the house rules cover, read once for the tests of this folder. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trackedSourceFiles } from '../../scripts/sourceFiles.js';

/** The repository's root. */
export const root = resolve(import.meta.dirname, '..', '..');

/** Each tracked source file (from the root) and its text. */
export const sources: ReadonlyMap<string, string> = new Map(
  trackedSourceFiles(root).map((file) => [file, readFileSync(join(root, file), 'utf8')]),
);
