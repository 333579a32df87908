/**
 * Loads a send path from a spec: `reference`, `specimen:<name>`, or a module file (`.ts`, `.js`,
 * `.mjs`, any directory) whose default export or named export `createSendPath` is a
 * `SendPathFactory`. TypeScript files need a loader in the process: vitest's own transform, or tsx,
 * which the CLI and shard workers register on first use (see typescriptLoader.ts).
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SendPathFactory } from '../../src/ports.js';
import { builtInSendPath, builtInSendPathNames, type NamedSendPath } from './sendPaths.js';
import { beforeImport, isTypeScriptModule } from './typescriptLoader.js';

/** A send path spec that cannot be loaded; the message says why and what would work. */
export class SendPathLoadError extends Error {
  override readonly name = 'SendPathLoadError';
}

const moduleExtensions = new Set(['.ts', '.mts', '.js', '.mjs']);

/** True when `spec` names a module file rather than a built-in path. */
export function isModuleSpec(spec: string): boolean {
  return moduleExtensions.has(extname(spec)) || spec.startsWith('.') || spec.startsWith('/');
}

/** Resolves `spec` to a named send path. */
export async function loadSendPath(spec: string, cwd = process.cwd()): Promise<NamedSendPath> {
  if (!isModuleSpec(spec)) {
    try {
      return builtInSendPath(spec);
    } catch {
      throw new SendPathLoadError(`unknown send path "${spec}": use ${builtInSendPathNames.join(', ')} or a module file (.ts, .js, .mjs)`);
    }
  }
  const file = resolve(cwd, spec);
  if (!existsSync(file)) throw new SendPathLoadError(`${spec}: no such file`);
  if (!moduleExtensions.has(extname(file))) throw new SendPathLoadError(`${spec}: expected a .ts, .mts, .js or .mjs module`);
  let module: Record<string, unknown>;
  try {
    await beforeImport(file);
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION' && isTypeScriptModule(file)) {
      throw new SendPathLoadError(`${spec}: this process has no TypeScript loader: start node with --import tsx, or call loadTypeScriptWithTsx() first`);
    }
    throw new SendPathLoadError(`${spec}: cannot load module (${(err as Error).message.split('\n')[0]})`);
  }
  const factory = module.createSendPath ?? module.default;
  if (typeof factory !== 'function') {
    throw new SendPathLoadError(`${spec}: export a SendPathFactory as the default export or as "createSendPath" (found: ${Object.keys(module).join(', ') || 'no exports'})`);
  }
  return { name: spec, factory: factory as SendPathFactory };
}
