/**
 * No dead exports (deadExports.ts): every name a module exports is imported by another file, is
 * exposed by the package (package.json "exports", and the types their signatures name), or is
 * taken by a loader that reads a module outside the import graph. Proved here on small texts.
 */
import { describe, expect, it } from 'vitest';
import { deadExports, moduleNames } from './deadExports.js';

describe('dead exports', () => {
  it('finds a name no file imports, not a used, exposed or signature one (the check works)', () => {
    // Arrange
    const texts: Record<string, string> = {
      'src/a.ts': 'export const used = 1;\nexport const dead = 2;\nexport function viaStar() {}',
      'src/b.ts': "import { used } from './a.js';\nexport * from './c.js';",
      'src/c.ts': 'export type Reexported = number;',
      'src/index.ts':
        "export { used as publicName } from './a.js';\nexport { run } from './f.js';\n" +
        'export const entry = 1;',
      'src/d.ts': "const m = await import('./e.js');",
      'src/e.ts': 'export default 1;',
      'src/f.ts':
        "import type { Options } from './g.js';\nexport function run(o: Options): Result {}\n" +
        'export interface Result { detail: Detail }\nexport interface Detail {}\n' +
        'export interface Internal {}',
      'src/g.ts': 'export interface Options {}\nexport interface Unused {}',
    };
    const files = new Set(Object.keys(texts));
    const modules = new Map(
      Object.entries(texts).map(([file, text]) => [file, moduleNames(file, text, files)]),
    );
    // Act
    const found = deadExports(modules, new Set(['src/index.ts']));
    // Assert
    expect(found.map((line) => line.split(' is ')[0])).toEqual([
      'src/a.ts:2: dead',
      'src/a.ts:3: viaStar',
      'src/c.ts:1: Reexported',
      'src/f.ts:5: Internal',
      'src/g.ts:2: Unused',
    ]);
  });

  it('keeps what a loader takes outside the import graph, and only that', () => {
    // Arrange
    const texts: Record<string, string> = {
      'lib/pool.ts':
        "import { tasksModule } from './tasks.js';\n" +
        "new Worker(new URL('./worker.mjs', import.meta.url));\n" +
        "register('./hooks.mjs', import.meta.url);",
      'lib/worker.mjs': 'export default function handle() {}\nexport function ready() {}',
      'lib/hooks.mjs': 'export async function resolve() {}',
      'lib/tasks.ts':
        'export const tasksModule = import.meta.url;\nexport default function serve() {}\n' +
        'export function helper() {}',
      'fixtures/bot.ts': 'export function start() {}\nexport function status() {}',
    };
    const files = new Set(Object.keys(texts));
    const modules = new Map(
      Object.entries(texts).map(([file, text]) => [file, moduleNames(file, text, files)]),
    );
    // Act
    const found = deadExports(modules, new Set(), [{ file: 'fixtures/bot.ts', name: 'start' }]);
    // Assert
    expect(found.map((line) => line.split(' is ')[0])).toEqual([
      'lib/tasks.ts:3: helper',
      'fixtures/bot.ts:2: status',
    ]);
  });
});
