import { defineConfig } from 'vitest/config';
import { simulationV8Flags } from './sim/v8Tuning.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Property suites run thousands of simulations per file: the same V8 settings as the CLI.
    execArgv: [...simulationV8Flags],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: { lines: 90, branches: 90 },
    },
  },
});
