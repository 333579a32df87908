/**
 * Loads a send path from a spec: `reference`, `specimen:<name>`, or a module file (`.ts`, `.js`,
 * `.mjs`, any directory) that exports either a `SendPathFactory` (as `createSendPath`, or as its
 * default export) or an as-written entry (`start` and `stop`, see asWritten.ts), and optionally its
 * own settings (`sendPathSettings`, see settings.ts). An entry runs with Baileys and the globals
 * intercepted, which the process must have declared (interceptLoader.ts); `intercept` runs a
 * factory that way too. TypeScript files need a loader in the process: vitest's own transform, or
 * tsx, which the CLI and shard workers register on first use (see typescriptLoader.ts).
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SendPathFactory } from '../../src/ports.js';
import { socketStubsIssues, type SocketStubs } from '../../sim/network/socketSurface.js';
import {
  asWrittenEntryOf,
  asWrittenFactory,
  isAsWrittenEntry,
  seamFactoryWithStubs,
} from './asWritten.js';
import { baileysImportsInterceptable, importInterceptable } from './interceptLoader.js';
import { parseSendPathSettings, settingsExportName } from './settings.js';
import { builtInSendPath, builtInSendPathNames, type NamedSendPath } from './sendPaths.js';
import { beforeImport, isTypeScriptModule } from './typescriptLoader.js';
import { importCaptured, type CapturedImport } from './capturedImport.js';
import {
  describeExitWhileLoading,
  describeJavaScriptSyntaxError,
  describeThrown,
  describeTransformError,
} from './loadErrors.js';

/** A send path spec that cannot be loaded; the message says why and what would work. */
export class SendPathLoadError extends Error {
  override readonly name = 'SendPathLoadError';
}

const moduleExtensions = new Set(['.ts', '.mts', '.js', '.mjs']);

/** True when `spec` names a module file rather than a built-in path. */
export function isModuleSpec(spec: string): boolean {
  return moduleExtensions.has(extname(spec)) || spec.startsWith('.') || spec.startsWith('/');
}

/** Options of {@link loadSendPath}. */
export interface LoadSendPathOptions {
  /**
   * Run the path with Baileys and the globals intercepted even if it exports a factory
   * (`--intercept`).
   */
  intercept?: boolean;
}

/** Resolves `spec` to a named send path. */
export async function loadSendPath(
  spec: string,
  cwd = process.cwd(),
  options: LoadSendPathOptions = {},
): Promise<NamedSendPath> {
  if (!isModuleSpec(spec)) {
    if (options.intercept)
      throw new SendPathLoadError(
        `${spec}: a built-in send path runs on the seam; interception is for a module file`,
      );
    try {
      return builtInSendPath(spec);
    } catch {
      throw new SendPathLoadError(
        `unknown send path "${spec}": use ${builtInSendPathNames.join(', ')} or a module ` +
          `file (.ts, .js, .mjs)`,
      );
    }
  }
  const file = resolve(cwd, spec);
  if (!existsSync(file)) throw new SendPathLoadError(`${spec}: no such file`);
  if (!moduleExtensions.has(extname(file)))
    throw new SendPathLoadError(`${spec}: expected a .ts, .mts, .js or .mjs module`);
  await beforeImport(file);
  const imported = await importCaptured(() => importInterceptable(pathToFileURL(file).href, spec));
  const module = imported.module ?? (await loadFailure(imported, spec, file, cwd));
  const loadOutput = imported.output === undefined ? {} : { loadOutput: imported.output };
  const declared = { ...declaredSettings(module, spec), ...loadOutput };
  const stubs = declaredSocketStubs(module, spec);
  const factory = module.createSendPath ?? (isAsWrittenEntry(module) ? undefined : module.default);
  if (typeof factory === 'function') {
    if (options.intercept) requireInterception(spec, 'runs with --intercept');
    return {
      name: spec,
      factory: seamFactoryWithStubs(factory as SendPathFactory, stubs),
      ...declared,
      ...(options.intercept ? { intercept: true } : {}),
    };
  }
  if (isAsWrittenEntry(module)) {
    requireInterception(
      spec,
      'exports start() and stop(), a send path as written, which runs with Baileys intercepted',
    );
    const entry = asWrittenEntryOf(module);
    return {
      name: spec,
      factory: asWrittenFactory(entry, stubs),
      ...declared,
      intercept: true,
      requests: ['reply'],
      resets: entry.reset !== undefined,
    };
  }
  throw new SendPathLoadError(
    `${spec}: export a SendPathFactory as the default export or as "createSendPath", or ` +
      `start() and stop() (a send path as written) (found: ` +
      `${Object.keys(module).join(', ') || 'no exports'})`,
  );
}

/** The one-line error of a module that did not load. */
async function loadFailure(
  imported: CapturedImport,
  spec: string,
  file: string,
  cwd: string,
): Promise<never> {
  throw new SendPathLoadError(await loadFailureLine(imported, spec, file, cwd));
}

async function loadFailureLine(imported: CapturedImport, spec: string, file: string, cwd: string) {
  if (imported.exit !== undefined)
    return `${spec}: ${describeExitWhileLoading(imported.exit, cwd)}`;
  const error = imported.error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && isTypeScriptModule(file)) {
    const remedy = 'start node with --import tsx, or call loadTypeScriptWithTsx() first';
    return `${spec}: this process has no TypeScript loader: ${remedy}`;
  }
  const compileError = describeTransformError(error, cwd);
  if (compileError !== undefined) return compileError;
  if (error instanceof SyntaxError && !isTypeScriptModule(file)) {
    return describeJavaScriptSyntaxError(error, file, cwd);
  }
  // Node's own errors (a module not found, ...) name what and where in their message.
  const firstLine = (error as Error).message.split('\n')[0];
  if (code?.startsWith('ERR_')) return `${spec}: cannot load module (${firstLine})`;
  return `${spec}: threw while being imported: ${describeThrown(error, cwd)}`;
}

/** The module's `sendPathSettings`, validated (a bad one is a load error naming the field). */
function declaredSettings(
  module: Record<string, unknown>,
  spec: string,
): Pick<NamedSendPath, 'settings'> {
  const value = module[settingsExportName];
  if (value === undefined) return {};
  const parsed = parseSendPathSettings(value);
  if ('issues' in parsed) throw new SendPathLoadError(`${spec}: ${parsed.issues.join('; ')}`);
  return { settings: parsed.settings };
}

/** The module's `socketStubs`, validated (a bad one is a load error naming the member). */
function declaredSocketStubs(
  module: Record<string, unknown>,
  spec: string,
): SocketStubs | undefined {
  const value = module['socketStubs'];
  if (value === undefined) return undefined;
  const issues = socketStubsIssues(value);
  if (issues.length > 0) throw new SendPathLoadError(`${spec}: ${issues.join('; ')}`);
  return value as SocketStubs;
}

function requireInterception(spec: string, why: string): void {
  if (baileysImportsInterceptable()) return;
  throw new SendPathLoadError(
    `${spec} ${why}: load it with the CLI (npx baileys-sim audit ${spec}), or call ` +
      `interceptBaileysImports() before loading it`,
  );
}
