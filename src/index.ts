/**
 * baileys-sim's reference send path: the public API. See README.md and docs/ARCHITECTURE.md.
 */
export * from './ports.js';
export type { AsWrittenHost, AsWrittenMessage, AsWrittenModule, SocketStubs } from './asWritten.js';
export * from './errors.js';
export {
  computeBackoff,
  validateReconnectPolicy,
  defaultReconnectPolicy,
  reconnectAttemptsLimit,
  ConfigError,
  type ReconnectPolicy,
} from './reconnectPolicy.js';
export {
  classifySendError,
  classifyClose,
  statusCodeOf,
  type SendErrorClass,
  type CloseClass,
} from './sendErrors.js';
export {
  Supervisor,
  type CloseListener,
  type LiveSocket,
  type SupervisorOptions,
  type SupervisorState,
} from './supervisor.js';
export {
  baileysKeepAliveIntervalMs,
  Outbox,
  type OutboxOptions,
  type OutboxStats,
  type Receipt,
} from './outbox.js';
export { bindInbound } from './inbound.js';
export {
  baileysDefaults,
  baileysErrorShapes,
  confirmWindowMs,
  connectWatchdogMs,
  isTerminalCode,
  keepAliveDetectionMsMax,
  keepAliveGraceMs,
  linkLatencyAllowanceMs,
  socketTimingsOf,
  terminalCloseCodes,
  wsCloseTimeoutMs,
  type ErrorShape,
  type SocketTimings,
} from './baileysFacts.js';
export { redactJid } from './redact.js';
export {
  createReferenceSendPath,
  referenceSendPath,
  type ReferenceOptions,
  type ReferenceSendPath,
  type ReferenceSendPathFactory,
} from './reference.js';
export {
  productionEnv,
  defaultReplyDeadlineMs,
  type ProductionEnvOptions,
} from './productionEnv.js';
export { fileStore, memoryStore, storeKeyLengthMax } from './stores.js';
