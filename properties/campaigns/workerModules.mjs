/**
 * How a worker (a shard worker process, a watched simulation thread) loads its handler module.
 * Plain JavaScript on purpose: a worker starts without its parent's loaders (vitest's transform,
 * or tsx). In the package (dist/) the handler is compiled JavaScript, and tsx is registered only
 * if a `.ts` send path is loaded (properties/paths/typescriptLoader.ts). In the repository's
 * TypeScript sources (its own tests run them) tsx is registered first, and then also loads any
 * `.ts` send path module. Either way the worker may audit a module as written: Baileys imports
 * of the modules it loads can be intercepted (interceptLoader.ts).
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

/** Imports the module `name` (no extension) of this folder, compiled or from source. */
export async function importWorkerModule(name) {
  const compiled = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(compiled)) {
    const { loadTypeScriptWithTsx } = await import('../paths/typescriptLoader.js');
    loadTypeScriptWithTsx();
    const { interceptBaileysImports } = await import('../paths/interceptLoader.js');
    interceptBaileysImports();
    return import(compiled.href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  // As in typescriptLoader.ts: a user's `.ts` outside an ESM package still loads as an ES module.
  registerHooks('../paths/typescriptEsmHooks.mjs', import.meta.url);
  const { interceptBaileysImports } = await import('../paths/interceptLoader.ts');
  interceptBaileysImports();
  return import(new URL(`./${name}.ts`, import.meta.url).href);
}
