/**
 * Worker entry of a sharded campaign (see shard.ts). Plain JavaScript on purpose: a worker starts
 * without its parent's loaders (vitest's transform, or tsx when the parent ran under it; and on
 * Node 20 a worker thread ignores `execArgv: ['--import', 'tsx']`), so this file registers tsx
 * first, then loads the TypeScript task handler and any `.ts` send path module it imports.
 */
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Same as the CLI: a user's `.ts` outside an ESM package still loads as an ES module.
registerHooks('../paths/typescriptEsmHooks.mjs', import.meta.url);
const { default: shardWorker } = await import('./shardWorker.ts');

/** The tinypool task handler: runs one chunk, see shardWorker.ts. */
export default shardWorker;

/** Answers once this worker has started and loaded the handler (the pool's readiness probe). */
export function ready() {
  return true;
}
