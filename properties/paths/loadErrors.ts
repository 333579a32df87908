/**
 * Why a send path module could not be loaded, in one line that points at the place: a syntax
 * error as `file:line:column: message`, an exception thrown while the module was evaluated with
 * the first frame of the user's code it came from, an exit of the process while it was imported.
 *
 * Where the place comes from:
 * - TypeScript (tsx compiles it with esbuild): the compile error names it (`file:line:column`).
 * - JavaScript: Node 20 reports a syntax error in an ES module with no file and no line, only
 *   V8's message. esbuild (a dependency of tsx, and of baileys-sim for this) then parses the
 *   module and what it imports (packages excluded) and says where; V8's message is kept.
 * - An exception: the first frame of its stack outside Node and `node_modules`.
 *
 * Files are shown relative to the working directory when inside it.
 */
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapturedExit } from '../../sim/intercept/processExit.js';

/** A place in a file, `file:line:column` (1-based line and column). */
function place(file: string, line: number, column: number, cwd: string): string {
  return `${shownFile(file, cwd)}:${line}:${column}`;
}

/** `file` relative to `cwd` (`./src/bot.ts`) when inside it, else as it is. */
export function shownFile(file: string, cwd: string): string {
  const path = file.startsWith('file:') ? fileURLToPath(file) : file;
  if (!isAbsolute(path)) return path.startsWith('.') ? path : `./${path}`;
  const inside = relative(cwd, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : `./${inside}`;
}

/**
 * The first frame of `error`'s stack in the user's code (not Node's, not a package's), as
 * `file:line:column`; undefined when the stack has none.
 */
export function userFrameOf(error: unknown, cwd: string): string | undefined {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string') return undefined;
  for (const line of stack.split('\n').slice(1)) {
    // `at fn (file:line:column)` or `at file:line:column`.
    const frame = /^at (?:.* \()?(.+?):(\d+):(\d+)\)?$/.exec(line.trim());
    const file = frame?.[1];
    if (file === undefined || !isUserFile(file)) continue;
    return place(file, Number(frame![2]), Number(frame![3]), cwd);
  }
  return undefined;
}

/** A file of a stack frame that is the user's: a file on disk, not Node's nor a package's. */
function isUserFile(file: string): boolean {
  if (file.includes('/node_modules/')) return false;
  return file.startsWith('file:') || isAbsolute(file);
}

/** `Name: message` of an error (its first line), and where in the user's code it was thrown. */
export function describeThrown(error: unknown, cwd: string): string {
  const name = (error as { name?: unknown } | null)?.name;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const where = userFrameOf(error, cwd);
  const at = where === undefined ? '' : ` (at ${where})`;
  return `${typeof name === 'string' ? name : 'Error'}: ${message}${at}`;
}

/** What ending the process while being imported reads as. */
export function describeExitWhileLoading(exit: CapturedExit, cwd: string): string {
  switch (exit.how) {
    case 'exit':
      return `it called process.exit(${exit.code ?? 0}) while being imported`;
    case 'signal':
      return `it sent ${exit.signal ?? 'SIGTERM'} to its own process while being imported`;
    case 'abort':
      return 'it called process.abort() while being imported';
    case 'uncaught':
      return `it left an exception uncaught while imported: ${describeThrown(exit.thrown, cwd)}`;
  }
}

/**
 * tsx's compile error (`Transform failed with 2 errors:\n/abs/bot.ts:3:14: ERROR: Expected ";"
 * but found "2"\n...`) as `./bot.ts:3:15: syntax error: Expected ";" but found "2" (and 1 more)`;
 * undefined for any other error. esbuild's columns count from 0.
 */
export function describeTransformError(error: unknown, cwd: string): string | undefined {
  const message = error instanceof Error ? error.message : '';
  const head = /^Transform failed with (\d+) errors?:\n/.exec(message);
  const first = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (head === null || first === null) return undefined;
  const more = Number(head[1]) - 1;
  const where = place(first[1]!, Number(first[2]), Number(first[3]) + 1, cwd);
  return `${where}: syntax error: ${first[4]}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/**
 * Where the syntax error V8 reported for the JavaScript module `file` (or one it imports) is:
 * `./bot.mjs:3:15: SyntaxError: Unexpected number`. esbuild locates it; when esbuild finds no
 * error (V8 is stricter in a few places), the message says so.
 */
export async function describeJavaScriptSyntaxError(
  error: SyntaxError,
  file: string,
  cwd: string,
): Promise<string> {
  const located = await syntaxErrorPlace(file, cwd);
  if (located !== undefined) return `${located}: SyntaxError: ${error.message}`;
  const where = 'in it or a module it imports; Node 20 does not say where';
  return `${shownFile(file, cwd)}: SyntaxError: ${error.message} (${where})`;
}

/** Where esbuild says an error is (its line counts from 1, its column from 0). */
type EsbuildLocation = { file: string; line: number; column: number };

/** The first syntax error esbuild finds in `file` and the user modules it imports, as a place. */
async function syntaxErrorPlace(file: string, cwd: string): Promise<string | undefined> {
  const esbuild = await import('esbuild');
  try {
    // Bundled without writing, packages left out: every user module `file` imports is parsed.
    await esbuild.build({
      entryPoints: [file],
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    return undefined;
  } catch (failure) {
    const errors = (failure as { errors?: { location?: EsbuildLocation | null }[] }).errors ?? [];
    const location = errors.find((e) => e.location)?.location;
    return location ? place(location.file, location.line, location.column + 1, cwd) : undefined;
  }
}
