/**
 * The deterministic simulator: run any `SendPathFactory` against a scripted network timeline
 * under a virtual clock and get back a {@link History} of facts. See docs/ARCHITECTURE.md.
 */
export { simulate, SimulationBusyError, type SimulateOptions } from './simulate.js';
export {
  parseTimeline,
  serializeTimeline,
  chatJids,
  TimelineError,
  timelineFormat,
  timelineLimits,
  eventKinds,
  timelineConfigSchema,
} from './timeline.js';
export type {
  Timeline,
  TimelineEvent,
  TimelineConfig,
  SendPathSettings,
  EventKind,
  RestartEvent,
} from './timeline.js';
export { SimStore, storeLimits } from './store.js';
export {
  fingerprint,
  canonicalJson,
  historyFormat,
  errorRecord,
  outcomeOfError,
  jsonSafe,
} from './history.js';
export type * from './history.js';
export {
  VirtualClock,
  ClockView,
  defaultClockLimits,
  type ClockLimits,
  type TimerStats,
} from './clock.js';
export {
  FakeNetwork,
  defaultNetworkOptions,
  type NetworkOptions,
  type NetworkHooks,
} from './network/fakeNetwork.js';
export { FakeSocket } from './network/fakeSocket.js';
export type { SocketHost } from './network/socketHost.js';
export type { FakeSocketSurface } from './network/socketSurface.js';
export type { FakeEv } from './network/socketEv.js';
export { UnmodelledMemberError, modelledSocketMembers } from './network/unmodelledMembers.js';
export { rc14SocketFunctions } from './network/unmodelledMembers.js';
export { simulatedAccount } from './network/socketChannel.js';
export { keepAliveEndsAt, type KeepAliveFacts } from './network/keepAlive.js';
export {
  builtInFaults,
  faultModules,
  FaultRegistry,
  defineFault,
  blackholeAftermathMs,
} from './faults/index.js';
export type {
  AnyFaultModule,
  FaultModule,
  FaultTarget,
  FaultLink,
  FaultEvent,
  FaultEventKind,
} from './faults/index.js';
export { ServerModel, replyText, mediaCaption, parseReplyKey } from './network/server.js';
export {
  streamFor,
  messageIdSource,
  messageIdPattern,
  RandomStream,
  streamIndex,
} from './random.js';
export {
  dropError,
  connectionClosedError,
  connectRefusedError,
  handshakeTimedOutError,
  timedOutError,
} from './network/baileysErrors.js';
export { dropReasons, type DropReason } from '../src/dropFacts.js';
export { CapturingLogger } from './logger.js';
export { simulationV8Flags, simulationProcessV8Flags, tuneV8ForSimulation } from './v8Tuning.js';
