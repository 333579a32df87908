/**
 * Node module hooks (registered by interceptLoader.ts): while the shared redirect flag is up, an
 * import that resolves to Baileys' main module (`@whiskeysockets/baileys/lib/index.js`, in any
 * node_modules) resolves instead to a stand-in: a module that re-exports every export of that same
 * Baileys, except `makeWASocket` (named and default), which asks the bridge of the importing
 * process (`sim/intercept/baileysBridge.ts`): the run's fake socket during an intercepted run, an
 * error at any other time; and the helpers that touch the disk or the network
 * (`useMultiFileAuthState`, `makeCacheableSignalKeyStore`'s cache, `fetchLatestBaileysVersion`,
 * `fetchLatestWaWebVersion`), which the bridge answers in memory and offline
 * (`sim/intercept/baileysHelpers.ts`). The stand-in's own import of Baileys is never redirected. No
 * file is changed; with the flag down every import resolves as usual. Plain JS because it runs in
 * Node's hooks thread before any TypeScript loader is active.
 */

/** Query that marks the stand-in's URL (the real file's URL with it). */
const marker = 'baileys-sim-intercepted';
const baileysMain = /\/node_modules\/@whiskeysockets\/baileys\/lib\/index\.js$/;

/** @type {Int32Array | undefined} */
let redirect;

/** Receives the redirect flag shared with the main thread. */
export function initialize(data) {
  redirect = new Int32Array(data.redirect);
}

/** The `resolve` hook: Baileys' main module becomes the stand-in while the flag is up. */
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (redirect === undefined || Atomics.load(redirect, 0) !== 1) return result;
  if (!baileysMain.test(result.url) || (context.parentURL ?? '').endsWith(`?${marker}`))
    return result;
  return { url: `${result.url}?${marker}`, format: 'module', shortCircuit: true };
}

/** The `load` hook: the stand-in's source. */
export async function load(url, context, nextLoad) {
  if (!url.endsWith(`?${marker}`)) return nextLoad(url, context);
  const real = JSON.stringify(url.slice(0, -marker.length - 1));
  const source = [
    `import * as real from ${real};`,
    `export * from ${real};`,
    `function bridge() {`,
    `  const found = globalThis[Symbol.for('baileys-sim.intercept.baileys')];`,
    `  if (found === undefined) throw new Error('baileys-sim: the intercepted Baileys ` +
      `has ` +
      `no bridge in this process');`,
    `  return found;`,
    `}`,
    `export function makeWASocket(config) { return bridge().makeWASocket(config); }`,
    `export default makeWASocket;`,
    `export function useMultiFileAuthState(folder) { return ` +
      `bridge().useMultiFileAuthState(folder); }`,
    `export function makeCacheableSignalKeyStore(store, logger, cache) { return ` +
      `bridge().makeCacheableSignalKeyStore(real.makeCacheableSignalKeyStore, store, ` +
      `logger, ` +
      `cache); }`,
    `export function fetchLatestBaileysVersion() { return bridge().fetchLatestVersion(); }`,
    `export function fetchLatestWaWebVersion() { return bridge().fetchLatestVersion(); }`,
  ].join('\n');
  return { format: 'module', source, shortCircuit: true };
}
