/**
 * Loading a user's `.ts` send path module in a plain Node process. Node 20 cannot import
 * TypeScript, so a process that runs the compiled package (the CLI, a shard worker) declares
 * with {@link loadTypeScriptWithTsx} that it uses tsx, and tsx's ESM hooks are registered the
 * first time a `.ts` module is about to be imported, never before: `--help`, a built-in path or
 * a `.js` module pay nothing (loading tsx takes about 100 ms), and the CLI process that only
 * restarts itself with V8 flags never loads it.
 *
 * A process that already loads TypeScript (vitest, which transforms the files it imports, or
 * one started with `--import tsx`) never calls {@link loadTypeScriptWithTsx}: a second loader
 * would only get in the way of the first.
 */
import { register } from 'node:module';
import { extname } from 'node:path';

/** Module extensions that need a TypeScript loader. */
const typeScriptExtensions = new Set(['.ts', '.mts']);

/** What {@link beforeImport} does with a TypeScript module: nothing (the host loads it), or tsx. */
let mode: 'host' | 'tsx' = 'host';
/** The registration, once started: it happens at most once per process. */
let registered: Promise<void> | undefined;

/** True when `file` is a TypeScript module by its extension. */
export function isTypeScriptModule(file: string): boolean {
  return typeScriptExtensions.has(extname(file));
}

/**
 * Declares that this process imports TypeScript send path modules through tsx (a dependency of
 * baileys-sim), registered on first use. For entry points that run the compiled JavaScript.
 */
export function loadTypeScriptWithTsx(): void {
  mode = 'tsx';
}

/**
 * Registers tsx's ESM hooks, then the hook that keeps a `.ts` outside an ESM package an ES module.
 */
function registerTsx(): Promise<void> {
  registered ??= (async () => {
    const { register: registerTsxHooks } = await import('tsx/esm/api');
    registerTsxHooks();
    // Chained after tsx's, see typescriptEsmHooks.mjs (plain JS: it runs in Node's hooks thread).
    register('./typescriptEsmHooks.mjs', import.meta.url);
  })();
  return registered;
}

/** Call before importing `file`: registers tsx first when this process needs it for `file`. */
export async function beforeImport(file: string): Promise<void> {
  if (mode === 'tsx' && isTypeScriptModule(file)) await registerTsx();
}
