/**
 * baileys-sim for vitest: `describeSendPath` puts a send path under a campaign in a test file,
 * `replayFailures` keeps a folder of shrunk failures as a regression suite, and `whatsapp` with
 * `fakeBaileysModule` replaces a hand-made Baileys mock in an ordinary test. vitest is a peer
 * dependency of this entry point only.
 */
export { describeSendPath } from './describeSendPath.js';
export { replayFailures, failureFilesMax, type FailureSendPaths } from './replayFailures.js';
export { sendPathSuiteDefaults, SuiteOptionsError, type SendPathSuiteOptions } from './options.js';
export { SendPathFailure } from './failureText.js';
export { fakeBaileysModule } from './fakeBaileysModule.js';
export { whatsapp, FakeWhatsApp, sessionProperties, type SessionOptions } from './whatsapp.js';
