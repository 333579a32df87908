/**
 * Worker entry of a sharded campaign (see shard.ts): loads the task handler as workerModules.mjs
 * says, compiled or from source, with Baileys imports interceptable.
 */
import { importWorkerModule } from './workerModules.mjs';

const handler = await importWorkerModule('shardWorker');

/** The tinypool task handler: runs one chunk, see shardWorker.ts. */
export default handler.default;

/** Answers once this worker has started and loaded the handler (the pool's readiness probe). */
export function ready() {
  return true;
}
