/**
 * baileys-sim for vitest: `describeSendPath` puts a send path under a campaign in a test file,
 * `replayFailures` keeps a folder of shrunk failures as a regression suite. vitest is a peer
 * dependency of this entry point only.
 */
export { describeSendPath } from './describeSendPath.js';
export { replayFailures, failureFilesMax, type FailureSendPaths } from './replayFailures.js';
export { sendPathSuiteDefaults, SuiteOptionsError, type SendPathSuiteOptions } from './options.js';
export { SendPathFailure } from './failureText.js';
