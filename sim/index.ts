/**
 * The deterministic simulator: run any `SendPathFactory` against a scripted network timeline
 * under a virtual clock and get back a {@link History} of facts. See DESIGN.md.
 */
export { simulate, blackholeAftermathMs, type SimulateOptions } from './simulate.js';
export { parseTimeline, serializeTimeline, chatJids, TimelineError, timelineFormat, timelineLimits, eventKinds } from './timeline.js';
export type { Timeline, TimelineEvent, TimelineConfig, EventKind } from './timeline.js';
export { fingerprint, canonicalJson, historyFormat, errorRecord, outcomeOfError, jsonSafe } from './history.js';
export type * from './history.js';
export { VirtualClock, ClockView, defaultClockLimits, type ClockLimits, type TimerStats } from './clock.js';
export {
  FakeNetwork,
  FakeSocket,
  defaultNetworkOptions,
  type NetworkOptions,
} from './fakeSocket.js';
export { ServerModel, replyText, mediaCaption, parseReplyKey } from './server.js';
export { streamFor, messageIdSource, messageIdPattern, RandomStream, streamIndex } from './random.js';
export {
  dropError,
  dropReasons,
  connectionClosedError,
  connectRefusedError,
  handshakeTimedOutError,
  timedOutError,
  type DropReason,
} from './baileysErrors.js';
export { CapturingLogger } from './logger.js';
export { simulationV8Flags, simulationProcessV8Flags, tuneV8ForSimulation } from './v8Tuning.js';
