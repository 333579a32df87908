/**
 * Loading a send path module so that its Baileys imports can be intercepted. A module binds
 * `makeWASocket` when it is imported, so the module hook (`baileysInterceptHooks.mjs`) must be
 * in place before: a process that may audit a module as written (the CLI, a shard worker)
 * declares it with {@link interceptBaileysImports}, and the hook is registered the first time a
 * module file is about to be imported (never for `--help` or a built-in path). While that import
 * runs, Baileys' main module resolves to the stand-in; afterwards only intercepted runs redirect.
 *
 * A module imported this way that exports a `SendPathFactory` runs on the seam as before; should
 * it call Baileys' `makeWASocket` itself outside an intercepted run, the stand-in refuses with an
 * error that names `--intercept` (an audit never opens a real connection).
 */
import { register } from 'node:module';
import type { AsWrittenModule } from '../../src/asWritten.js';
import { baileysBridge } from '../../sim/intercept/baileysBridge.js';

let declared = false;

/**
 * Declares that this process loads send path modules with their Baileys imports interceptable
 * (`audit --intercept`, or a module with a `start`/`stop` entry, an {@link AsWrittenModule}). The
 * CLI and its workers call it; a script that audits a module as written calls it once before
 * `loadSendPath()`, which then redirects the module's `@whiskeysockets/baileys` import:
 *
 * ```ts
 * // from baileys-sim/properties: interceptBaileysImports, loadSendPath,
 * // loadTypeScriptWithTsx and runCampaign
 * interceptBaileysImports();
 * loadTypeScriptWithTsx(); // a .ts module in plain Node
 * const path = await loadSendPath('./src/whatsapp.ts');
 * const result = await runCampaign({ path, seed: 1, numRuns: 500 });
 * ```
 *
 * A module imported before the call keeps the real Baileys. Idempotent; the hook is registered
 * the first time a module is loaded after it. It needs Node's own module loader: inside vitest,
 * whose module graph Node's hooks do not reach, use `fakeBaileysModule` of `baileys-sim/vitest`.
 */
export function interceptBaileysImports(): void {
  declared = true;
}

/** Whether this process intercepts Baileys imports of the modules it loads. */
export function baileysImportsInterceptable(): boolean {
  return declared;
}

/** Registers the hook once per process (Node keeps hooks for the process's life). */
function registerHook(): void {
  const bridge = baileysBridge();
  if (bridge.hookRegistered) return;
  register('./baileysInterceptHooks.mjs', import.meta.url, {
    data: { redirect: bridge.redirectBuffer },
  });
  bridge.hookRegistered = true;
}

/**
 * Imports `url` (the module `spec` names) with its Baileys imports bound to the stand-in, if this
 * process declared interception; plainly otherwise.
 */
export async function importInterceptable(
  url: string,
  spec: string,
): Promise<Record<string, unknown>> {
  if (!declared) return (await import(url)) as Record<string, unknown>;
  registerHook();
  const end = baileysBridge().beginLoading(spec);
  try {
    return (await import(url)) as Record<string, unknown>;
  } finally {
    end();
  }
}
