/**
 * Node module hooks (chained after tsx's): a `.ts` file that Node would load as CommonJS (no
 * `"type": "module"` in its nearest package.json, e.g. a send path in a scratch directory) is
 * loaded as an ES module instead. Without this, `audit /tmp/my-path.ts` fails: tsx compiles it
 * to CommonJS, Node then sees ESM syntax and reports a require(esm) cycle, and any ESM-only
 * dependency (Baileys) cannot be required. `.cts` files and node_modules keep Node's choice.
 * Plain JS because it runs in Node's hooks thread before any TypeScript loader is active.
 */

/** The `resolve` hook: overrides the format of CommonJS-by-default `.ts`/`.mts` files only. */
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const path = result.url.split('?')[0] ?? '';
  if (
    result.format === 'commonjs' &&
    /\.m?ts$/.test(path) &&
    path.startsWith('file:') &&
    !path.includes('/node_modules/')
  ) {
    return { ...result, format: 'module' };
  }
  return result;
}
