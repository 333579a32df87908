/**
 * Where a timer or a socket was made, read from the JavaScript stack at the moment it was made:
 * whose it is (the send path's, or Baileys' and its dependencies'), and its creation site, the
 * first frame in the user's own code (`src/bot.ts:88:5`, relative to the working directory and
 * mapped through the module's source map when it has one).
 *
 * A capture keeps V8's frames unformatted (`Error.captureStackTrace` with a small frame limit):
 * the frames are read only when asked, as call sites, never formatted as text. Reading them
 * touches no global but `Error.prepareStackTrace`, which is put back at once.
 *
 * Frames are of five kinds: the harness's own (this package's simulator, properties, CLI and
 * vitest code, and the intercepted Baileys stand-in), the runtime's (`node:`), Baileys' (its
 * package directory, and the packages installed inside it), a dependency's (any other
 * `node_modules`), and the user's (everything else: the send path, the bot, its tests; the
 * specimens and the reference path count as user code too: they are send paths under test).
 */
import { findSourceMap } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Frames kept per capture: enough to reach the user's call through a library or two. */
export const siteFramesMax = 16;

/**
 * Frames of a first, cheaper capture (a capture costs in proportion to its frames): the code
 * that called the timer function directly nearly always decides; a full capture is made only
 * when it does not (a library's frame, a waiting helper).
 */
const siteFramesFirst = 2;

/** A stack captured and not yet read. */
export interface CapturedStack {
  readonly stack?: unknown;
}

/** Who made a timer: the send path (the bot and the libraries it calls) or Baileys. */
type MadeBy = 'path' | 'baileys';

/** A creation site as a history records it. */
export interface SiteRecord {
  /**
   * `file:line:column` of the first frame in the user's code, the file relative to the working
   * directory.
   */
  at: string;
  /**
   * The call that made it: `makeWASocket`, `env.makeSocket`, `setTimeout`, `setInterval`,
   * `env.clock.setTimeout`.
   */
  call: string;
}

type FrameKind = 'harness' | 'runtime' | 'baileys' | 'dependency' | 'user';

/** The marker the intercept hook gives the Baileys stand-in's URL (baileysInterceptHooks.mjs). */
const standInMarker = '?baileys-sim-intercepted';
const baileysDir = `${sep}node_modules${sep}@whiskeysockets${sep}baileys${sep}`;
const nodeModules = `${sep}node_modules${sep}`;

/** This package's root (the repository, or `dist` in the build): two levels above this module. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The harness's own directories; `properties/specimens` and `src` are send paths, not harness. */
const harnessDirs = ['sim', 'properties', 'cli', 'vitest', 'report', 'bin'].map(
  (dir) => join(packageRoot, dir) + sep,
);
const specimensDir = join(packageRoot, 'properties', 'specimens') + sep;

/**
 * Captures the stack of the code that called `above` (frames of `above` and the frames it called
 * are left out). Costs a few microseconds; nothing is formatted.
 */
export function captureStack(
  above: (...args: never[]) => unknown,
  framesMax: number = siteFramesMax,
): CapturedStack {
  const holder: { stack?: unknown } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = framesMax;
  Error.captureStackTrace(holder, above);
  Error.stackTraceLimit = limit;
  return holder;
}

/**
 * The captured frames as V8 call sites (innermost first); empty if the stack was formatted already.
 */
function framesOf(captured: CapturedStack): NodeJS.CallSite[] {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, callSites) => callSites;
  try {
    const frames = captured.stack;
    return Array.isArray(frames) ? (frames as NodeJS.CallSite[]) : [];
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

/**
 * A frame's file as a path (ESM frames name a `file:` URL); undefined for native and eval frames.
 */
function fileOf(frame: NodeJS.CallSite): string | undefined {
  const name = frame.getFileName() ?? frame.getScriptNameOrSourceURL?.();
  if (typeof name !== 'string' || name === '') return undefined;
  if (name.startsWith('file:')) {
    try {
      return fileURLToPath(name.includes('?') ? name.slice(0, name.indexOf('?')) : name);
    } catch {
      return undefined;
    }
  }
  return name;
}

/** Kinds of the files frames were in, by the name V8 gives (a file's kind never changes). */
const kindsByName = new Map<string, FrameKind>();
/**
 * Names kept in {@link kindsByName}: a process loads a bounded number of modules, but bound it
 * anyway.
 */
const kindsByNameMax = 10_000;

function kindOf(frame: NodeJS.CallSite): FrameKind {
  const name = frame.getFileName() ?? '';
  let kind = kindsByName.get(name);
  if (kind === undefined) {
    kind = kindOfFile(name, fileOf(frame));
    if (kindsByName.size < kindsByNameMax) kindsByName.set(name, kind);
  }
  return kind;
}

function kindOfFile(name: string, file: string | undefined): FrameKind {
  if (name.endsWith(standInMarker)) return 'harness';
  if (file === undefined || !isAbsolute(file)) return 'runtime';
  if (harnessDirs.some((dir) => file.startsWith(dir)) && !file.startsWith(specimensDir))
    return 'harness';
  if (file.includes(baileysDir)) return 'baileys';
  if (file.includes(nodeModules)) return 'dependency';
  return 'user';
}

/**
 * Baileys' exported waiting helpers (`Utils/generics.js`): a bot that sleeps with them makes the
 * timer itself, so they decide nothing and the frame that called them does.
 */
const sleepHelpers: ReadonlySet<string> = new Set(['delay', 'delayCancellable', 'promiseTimeout']);
const baileysGenerics = `${sep}lib${sep}Utils${sep}generics.js`;

/** A frame of a waiting helper, or of the anonymous promise executor inside one. */
function isSleepHelper(frame: NodeJS.CallSite): boolean {
  if (!(fileOf(frame) ?? '').endsWith(baileysGenerics)) return false;
  const name = frame.getFunctionName();
  return name === null || name === '' || sleepHelpers.has(name);
}

/**
 * Whose a timer made with `captured` is. Read outwards from the call: the first frame in Baileys
 * makes it Baileys' (but for its waiting helpers, `delay` and the like, which wait for whoever
 * called them); the first in the user's code makes it the path's (a library the bot calls,
 * p-retry say, works for the bot). A stack with neither (a library's own continuation, cut off
 * at {@link siteFramesMax}) is Baileys' when its innermost library is one Baileys depends on,
 * and the path's otherwise.
 */
function madeBy(captured: CapturedStack): MadeBy {
  return decidedBy(captured) ?? undecidedOwner(captured);
}

/**
 * Owners already decided, by the callback a timer was made with: a bot's `setTimeout(connect, ms)`
 * passes the same function again and again, and a function's author does not change. Weak: a
 * callback the code dropped is forgotten.
 */
const ownersByCallback = new WeakMap<object, MadeBy>();

/**
 * The source texts of callbacks whose timers were the path's. Most timers are made with a new
 * closure each time (`setTimeout(() => ..., ms)`), a new object of the same text: a text seen
 * making a path timer makes a path timer again without a capture, which costs some 15 µs in a
 * run. Only the path's verdicts are kept: a library closure of the very same text as one of the
 * bot's would count as the bot's, as every timer did before attribution, never the other way.
 */
const pathCallbackTexts = new Set<string>();
/** Texts kept in {@link pathCallbackTexts}; past it, new texts are captured every time. */
const pathCallbackTextsMax = 10_000;
/**
 * Shorter texts are not kept: `() => {}`, `() => undefined` and a native `resolve` are written
 * alike in a bot and in a library, and are captured every time.
 */
const pathCallbackTextLengthMin = 40;

/** A callback's source text, if it has one long enough to tell it from others. */
function distinctTextOf(callback: object): string | undefined {
  let text: string;
  try {
    text = Function.prototype.toString.call(callback);
  } catch {
    return undefined;
  }
  return text.length >= pathCallbackTextLengthMin ? text : undefined;
}

/**
 * Whose a timer made with `callback` is, from the stack of the call that is making it: a capture of
 * {@link siteFramesFirst} frames, and a full one only when those decide nothing; a callback seen
 * before, or one of the text of a callback that made a path timer, is not captured again, unless
 * `site` asks for the stack (for the timer's creation site). Call it from the function `above` that
 * the code called (the frames of `above` and of what it called are left out).
 */
export function ownerOfCall(
  above: (...args: never[]) => unknown,
  callback: object,
  site: boolean,
): { madeBy: MadeBy; stack?: CapturedStack } {
  // The text first: a callback object seen before is rare, and asking a new closure for its
  // identity (a WeakMap lookup) gives it a hash it did not need.
  const text = site ? undefined : distinctTextOf(callback);
  if (text !== undefined && pathCallbackTexts.has(text)) return { madeBy: 'path' };
  const known = site ? undefined : ownersByCallback.get(callback);
  if (known !== undefined) return { madeBy: known };
  const first = captureStack(above, site ? siteFramesMax : siteFramesFirst);
  let owner = decidedBy(first);
  let stack = first;
  if (owner === undefined) {
    stack = site ? first : captureStack(above, siteFramesMax);
    owner = madeBy(stack);
  }
  ownersByCallback.set(callback, owner);
  if (owner === 'path' && text !== undefined && pathCallbackTexts.size < pathCallbackTextsMax)
    pathCallbackTexts.add(text);
  return { madeBy: owner, stack };
}

/** The owner the first frame in Baileys or in the user's code gives, if a frame does. */
function decidedBy(captured: CapturedStack): MadeBy | undefined {
  for (const frame of framesOf(captured)) {
    const kind = kindOf(frame);
    if (kind === 'baileys' && isSleepHelper(frame)) continue;
    if (kind === 'baileys') return 'baileys';
    if (kind === 'user') return 'path';
  }
  return undefined;
}

/** The owner of a timer no frame decided: by the innermost library (see {@link madeBy}). */
function undecidedOwner(captured: CapturedStack): MadeBy {
  let innermostDependency: string | undefined;
  for (const frame of framesOf(captured)) {
    if (kindOf(frame) === 'dependency') {
      innermostDependency = fileOf(frame);
      break;
    }
  }
  if (innermostDependency === undefined) return 'path';
  const name = packageNameOf(innermostDependency);
  return name !== undefined && baileysDependencies().has(name) ? 'baileys' : 'path';
}

/**
 * The creation site of `captured`: the first frame in the user's code, else the first in a
 * library; undefined when the stack holds neither (the harness's own call).
 */
export function siteOf(
  captured: CapturedStack,
  call: string,
  cwd: string = process.cwd(),
): SiteRecord | undefined {
  // The host's own stack formatter (a test runner's, which maps its transformed sources), if any.
  const hostFormat = Error.prepareStackTrace;
  let fallback: NodeJS.CallSite | undefined;
  for (const frame of framesOf(captured)) {
    const kind = kindOf(frame);
    if (kind === 'user') return { at: positionOf(frame, cwd, hostFormat), call };
    if ((kind === 'baileys' || kind === 'dependency') && fallback === undefined) fallback = frame;
  }
  return fallback === undefined ? undefined : { at: positionOf(fallback, cwd, hostFormat), call };
}

type StackFormat = NonNullable<typeof Error.prepareStackTrace>;

/**
 * `file:line:column` of a frame as its author wrote it, the file relative to `cwd`: through the
 * host's stack formatter when one is installed (it knows the maps of the sources it
 * transformed), else through the module's source map as Node keeps it (tsx's, with source maps
 * enabled), else as V8 reports it.
 */
function positionOf(
  frame: NodeJS.CallSite,
  cwd: string,
  hostFormat: StackFormat | undefined,
): string {
  const file = fileOf(frame)!;
  const formatted = hostFormat === undefined ? undefined : hostPosition(frame, hostFormat);
  if (formatted !== undefined)
    return `${displayFile(formatted.file, cwd)}:${formatted.line}:${formatted.column}`;
  let line = frame.getLineNumber() ?? 0;
  let column = frame.getColumnNumber() ?? 0;
  let source = file;
  const map = sourceMapOf(frame.getFileName() ?? file, file);
  const entry = map?.findEntry(line - 1, column - 1) as
    { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (entry?.originalLine !== undefined && entry.originalColumn !== undefined) {
    line = entry.originalLine + 1;
    column = entry.originalColumn + 1;
    if (entry.originalSource) source = originalFile(entry.originalSource, file);
  }
  return `${displayFile(source, cwd)}:${line}:${column}`;
}

/** The position the host's formatter gives one frame: the last `(file:line:column)` of its text. */
function hostPosition(
  frame: NodeJS.CallSite,
  hostFormat: StackFormat,
): { file: string; line: number; column: number } | undefined {
  let text: unknown;
  try {
    text = hostFormat(new Error(''), [frame]);
  } catch {
    return undefined;
  }
  if (typeof text !== 'string') return undefined;
  const found = /\(?((?:file:\/\/)?\/[^()\n]*?):(\d+):(\d+)\)?\s*$/.exec(text);
  if (found === null) return undefined;
  const file = found[1]!.startsWith('file:') ? fileURLToPath(found[1]!) : found[1]!;
  return { file, line: Number(found[2]), column: Number(found[3]) };
}

function sourceMapOf(name: string, file: string): ReturnType<typeof findSourceMap> {
  try {
    return findSourceMap(name) ?? findSourceMap(file);
  } catch {
    return undefined;
  }
}

/** A source map's `originalSource` (a URL, or a path relative to the generated file) as a path. */
function originalFile(source: string, generated: string): string {
  if (source.startsWith('file:')) {
    try {
      return fileURLToPath(source);
    } catch {
      return generated;
    }
  }
  return isAbsolute(source) ? source : resolve(dirname(generated), source);
}

/** This package's directory (the repository, or the installed package: `dist`'s parent). */
const packageDir = basename(packageRoot) === 'dist' ? dirname(packageRoot) : packageRoot;

/** `file` relative to `dir` with `/` separators, or undefined when it is not inside `dir`. */
function inside(dir: string, file: string): string | undefined {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
    ? rel.split(sep).join('/')
    : undefined;
}

/**
 * A path as the user would type it from `cwd`: relative inside it; a file of this package
 * outside it (a specimen) as `baileys-sim/<path in the package>`, the same on every machine;
 * absolute otherwise.
 */
function displayFile(file: string, cwd: string): string {
  const own = inside(cwd, file);
  if (own !== undefined) return own;
  const packaged = inside(packageDir, file);
  return packaged === undefined ? file : `baileys-sim/${packaged}`;
}

/** The package a file in `node_modules` belongs to (`p-retry`, `@cacheable/node-cache`). */
function packageNameOf(file: string): string | undefined {
  const at = file.lastIndexOf(nodeModules);
  if (at < 0) return undefined;
  const parts = file.slice(at + nodeModules.length).split(sep);
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Packages read at most while collecting Baileys' dependencies. */
const dependencyPackagesMax = 500;
let baileysDependencyNames: ReadonlySet<string> | undefined;

/**
 * The packages Baileys depends on, directly or through each other, as installed beside the
 * harness's own Baileys (read once per process from their package.json files).
 */
function baileysDependencies(): ReadonlySet<string> {
  if (baileysDependencyNames !== undefined) return baileysDependencyNames;
  const names = new Set<string>();
  const start = packageDirFrom(packageRoot, '@whiskeysockets/baileys');
  const queue: string[] = start === undefined ? [] : [start];
  while (queue.length > 0 && names.size < dependencyPackagesMax) {
    const dir = queue.shift()!;
    for (const name of Object.keys(readDependencies(dir))) {
      if (names.has(name)) continue;
      names.add(name);
      const found = packageDirFrom(dir, name);
      if (found !== undefined) queue.push(found);
    }
  }
  baileysDependencyNames = names;
  return names;
}

/** Where Node would find package `name` from `dir`: the nearest `node_modules/<name>` upwards. */
function packageDirFrom(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

function readDependencies(dir: string): Record<string, string> {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    return manifest.dependencies ?? {};
  } catch {
    return {};
  }
}
