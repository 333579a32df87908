/**
 * Entry of a watched simulation thread (see watchdog.ts). Plain JavaScript on purpose, as
 * shardWorkerEntry.mjs: a worker thread starts without its parent's loaders (vitest's transform,
 * or tsx). In the package (dist/) the thread is compiled JavaScript and tsx is registered only
 * if a `.ts` send path is loaded; in the repository's TypeScript sources tsx is registered first.
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

const compiled = new URL('./simulationThread.js', import.meta.url);
if (existsSync(compiled)) {
  const { loadTypeScriptWithTsx } = await import('../paths/typescriptLoader.js');
  loadTypeScriptWithTsx();
  // As in shardWorkerEntry.mjs: a module audited as written gets its Baileys imports intercepted.
  const { interceptBaileysImports } = await import('../paths/interceptLoader.js');
  interceptBaileysImports();
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  // As in typescriptLoader.ts: a user's `.ts` outside an ESM package still loads as an ES module.
  registerHooks('../paths/typescriptEsmHooks.mjs', import.meta.url);
  const { interceptBaileysImports } = await import('../paths/interceptLoader.ts');
  interceptBaileysImports();
  await import('./simulationThread.ts');
}
