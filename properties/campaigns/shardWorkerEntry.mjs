/**
 * Worker entry of a sharded campaign (see shard.ts). Plain JavaScript on purpose: a worker
 * process starts without its parent's loaders (vitest's transform, or tsx), and this file must
 * load the task handler either way. In the package (dist/) the handler is compiled JavaScript,
 * and tsx is registered only if a `.ts` send path is loaded (properties/paths/typescriptLoader.ts).
 * In the repository's TypeScript sources (its own tests run them) tsx is registered first, and
 * then also loads any `.ts` send path module. Either way the worker may audit a module as
 * written: Baileys imports of the modules it loads can be intercepted (interceptLoader.ts).
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

const compiled = new URL('./shardWorker.js', import.meta.url);
let handler;
if (existsSync(compiled)) {
  const { loadTypeScriptWithTsx } = await import('../paths/typescriptLoader.js');
  loadTypeScriptWithTsx();
  const { interceptBaileysImports } = await import('../paths/interceptLoader.js');
  interceptBaileysImports();
  handler = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  // As in typescriptLoader.ts: a user's `.ts` outside an ESM package still loads as an ES module.
  registerHooks('../paths/typescriptEsmHooks.mjs', import.meta.url);
  const { interceptBaileysImports } = await import('../paths/interceptLoader.ts');
  interceptBaileysImports();
  handler = await import('./shardWorker.ts');
}

/** The tinypool task handler: runs one chunk, see shardWorker.ts. */
export default handler.default;

/** Answers once this worker has started and loaded the handler (the pool's readiness probe). */
export function ready() {
  return true;
}
