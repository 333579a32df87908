/**
 * The file Node starts a worker from: a watched thread (watchdog.ts), or a child process of the
 * pool (workers.ts), whose tinypool handler is the default export. It loads serve.ts. Plain
 * JavaScript on purpose: a worker starts without its parent's loaders (vitest's transform, or
 * tsx). In the package (dist/) serve is compiled JavaScript, and tsx is registered only if a `.ts`
 * send path is loaded (properties/paths/typescriptLoader.ts). In the repository's TypeScript
 * sources (its own tests run them) tsx is registered first, and then also loads any `.ts` send
 * path module. Either way the worker may audit a module as written: Baileys imports of the
 * modules it loads can be intercepted (interceptLoader.ts).
 */
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { isMainThread } from 'node:worker_threads';

/** serve.ts, compiled or from source. */
async function importServe() {
  const compiled = new URL('./serve.js', import.meta.url);
  if (existsSync(compiled)) {
    const { loadTypeScriptWithTsx } = await import('../../paths/typescriptLoader.js');
    loadTypeScriptWithTsx();
    const { interceptBaileysImports } = await import('../../paths/interceptLoader.js');
    interceptBaileysImports();
    return import(compiled.href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  // As in typescriptLoader.ts: a user's `.ts` outside an ESM package still loads as an ES module.
  registerHooks('../../paths/typescriptEsmHooks.mjs', import.meta.url);
  const { interceptBaileysImports } = await import('../../paths/interceptLoader.ts');
  interceptBaileysImports();
  return import(new URL('./serve.ts', import.meta.url).href);
}

const serve = await importServe();
if (!isMainThread) serve.serveThread();

/** The pool's task handler: serves one request, see serve.ts. */
export default serve.serveProcessRequest;

/** Answers once this worker has started and loaded serve.ts (the pool's readiness probe). */
export function ready() {
  return true;
}
