#!/usr/bin/env node
// The baileys-sim command line. The CLI and the send paths it loads are TypeScript: tsx's ESM
// loader is registered first, so `audit ./my-path.ts` works with no build step, then a hook that
// loads a user's `.ts` as an ES module even outside an ESM package (see properties/typescriptEsmHooks.mjs).
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHooks('../properties/typescriptEsmHooks.mjs', import.meta.url);
// Before any simulation runs: V8 settings that make long campaigns fast (sim/v8Tuning.ts).
const { tuneV8ForSimulation } = await import('../sim/v8Tuning.ts');
tuneV8ForSimulation();
const { main } = await import('../cli/main.ts');
// exitCode rather than process.exit(): a piped stdout (`--json | jq`) must drain first.
process.exitCode = await main(process.argv.slice(2));
