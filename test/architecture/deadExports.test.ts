/**
 * No dead exports (deadExports.ts): every name a module exports is imported by another file, is
 * exposed by the package (package.json "exports", and the types their signatures name), or is
 * taken by a loader that reads a module outside the import graph. Those loaders, and what each
 * takes, are listed here: a send path module's contract (properties/paths/loadSendPath.ts,
 * asWritten.ts, settings.ts) and a tool's configuration file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadExports, moduleNames, type ModuleName, type ModuleNames } from './deadExports.js';
import { root, sources } from './sources.js';

/** The folders of modules loaded as send paths (`baileys-sim run|audit <module>`, the tests). */
const sendPathFolders = ['examples/', 'properties/specimens/', 'test/fixtures/'];

/** What the loader takes of a send path module: a factory, its settings, or an as-written entry. */
const sendPathContract = [
  'default',
  'createSendPath',
  'sendPathSettings',
  'start',
  'stop',
  'reset',
];

/** The package's entry points: the sources of package.json "exports". */
function entryPointsOf(manifest: { exports: Record<string, unknown> }): Set<string> {
  const targets = Object.values(manifest.exports).flatMap((target) =>
    typeof target === 'object' && target !== null ? Object.values(target) : [target],
  );
  return new Set(
    targets
      .filter((target): target is string => typeof target === 'string')
      .filter((target) => target.startsWith('./dist/') && target.endsWith('.js'))
      .map((target) => target.slice('./dist/'.length).replace(/\.js$/, '.ts')),
  );
}

/** The names loaders take outside the import graph. */
function loadedNames(modules: ReadonlyMap<string, ModuleNames>): ModuleName[] {
  return [...modules.keys()].flatMap((file) => {
    if (/^[^/]+\.config\.ts$/.test(file)) return [{ file, name: 'default' }];
    if (!sendPathFolders.some((folder) => file.startsWith(folder))) return [];
    return sendPathContract.map((name) => ({ file, name }));
  });
}

/** The names each module of `texts` (file, text) imports and exports, its files known. */
function namesOfModules(texts: Iterable<[string, string]>): Map<string, ModuleNames> {
  const entries = [...texts];
  const files = new Set(entries.map(([file]) => file));
  return new Map(entries.map(([file, text]) => [file, moduleNames(file, text, files)]));
}

describe('dead exports', () => {
  it('every exported name is imported, exposed by the package, or taken by a loader', () => {
    // Arrange
    const modules = namesOfModules(sources);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const entryPoints = entryPointsOf(manifest);
    // Act
    const found = deadExports(modules, entryPoints, loadedNames(modules));
    // Assert
    expect([...entryPoints].sort()).toEqual([
      'properties/index.ts',
      'sim/index.ts',
      'src/index.ts',
      'vitest/index.ts',
    ]);
    expect(found).toEqual([]);
  });

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
    const modules = namesOfModules(Object.entries(texts));
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
    const modules = namesOfModules(Object.entries(texts));
    // Act
    const found = deadExports(modules, new Set(), [{ file: 'fixtures/bot.ts', name: 'start' }]);
    // Assert
    expect(found.map((line) => line.split(' is ')[0])).toEqual([
      'lib/tasks.ts:3: helper',
      'fixtures/bot.ts:2: status',
    ]);
  });
});
