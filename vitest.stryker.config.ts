/**
 * The vitest config StrykerJS runs for every mutant (see stryker.config.json): the unit, sim and
 * property suites, without the real-Baileys loopback integration tests (seconds per file, and
 * their sockets do not suit many sandboxes running at once), without the sharding test (it
 * spawns worker threads; it tests the harness, not `src/`), and without the CLI, vitest-API and
 * package tests (they run the compiled dist/, never a mutant). Coverage is Stryker's own.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/integration/**',
      'test/properties/shard.test.ts',
      'test/cli/**',
      'test/package/**',
      'test/vitest/**',
      '**/node_modules/**',
    ],
    testTimeout: 60_000,
  },
});
