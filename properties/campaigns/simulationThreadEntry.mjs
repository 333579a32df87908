/**
 * Entry of a watched simulation thread (see watchdog.ts): loads the thread's module as
 * workerModules.mjs says, compiled or from source, with Baileys imports interceptable.
 */
import { importWorkerModule } from './workerModules.mjs';

await importWorkerModule('simulationThread');
