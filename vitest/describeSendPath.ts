/**
 * `describeSendPath(name, factory, options)`: a vitest suite that runs a baileys-sim campaign
 * against a send path, in the spirit of `@fast-check/vitest`. Its one test fails with a block
 * per broken property: its violations, its shrunk timeline, its failure file (written) and the
 * command that replays it.
 */
import { describe, it } from 'vitest';
import type { SendPathFactory } from '../src/ports.js';
import { checkSendPath } from './checkSendPath.js';
import { SendPathFailure } from './failureText.js';
import {
  resolveSuiteOptions,
  shownArgument,
  SuiteOptionsError,
  type SendPathSuiteOptions,
} from './options.js';

/**
 * Declares a suite `name` whose test runs a campaign of generated timelines against `factory`
 * and fails when any property breaks (each shrunk on its own, written as a failure file) or on a
 * nondeterministic run. Options are checked here, when the file is collected: a bad one
 * throws one line naming it.
 *
 * @example describeSendPath('my send path', createSendPath, { runs: 500, seed: 1, module:
 * './src/sendPath.ts' });
 */
export function describeSendPath(
  name: string,
  factory: SendPathFactory,
  options?: SendPathSuiteOptions,
): void {
  if (typeof name !== 'string' || name.trim() === '')
    throw new SuiteOptionsError(
      `describeSendPath: the name must be a non-empty string (got ${shownArgument(name)})`,
    );
  const where = `describeSendPath(${JSON.stringify(name)})`;
  if (typeof factory !== 'function')
    throw new SuiteOptionsError(
      `${where}: the send path must be a SendPathFactory function (got ${shownArgument(factory)})`,
    );
  // Relative options (failuresDir, module) are resolved against the directory vitest runs in.
  const cwd = process.cwd();
  const resolved = resolveSuiteOptions(where, options, cwd);
  describe(name, () => {
    it(
      `every property holds in ${resolved.runs} generated runs (seed ${resolved.seed})`,
      async () => {
        const check = await checkSendPath(name, factory, resolved, cwd);
        if (!check.passed) throw new SendPathFailure(check.message);
      },
      resolved.testTimeoutMs,
    );
  });
}
