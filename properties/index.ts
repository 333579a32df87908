/**
 * The property layer as a library: generate timelines, judge histories, run campaigns, read and
 * replay failure files, and load send paths — what the CLI does, for use from a test file.
 */
export {
  runArb,
  timelineArb,
  toTimeline,
  faultKinds,
  type FaultKind,
  type GeneratedRun,
  type SwarmSettings,
  type Finale,
  type RestartStep,
} from './generation/arbitraries.js';
export { moments, planMoment, type Moment } from './generation/moments.js';
export {
  checkAll,
  checkProperty,
  checkers,
  judgedBy,
  propertyNames,
  defaultBoundLimits,
  HistoryIndex,
  judgeable,
  unmodelledLine,
  type BoundLimits,
  type Checker,
  type PropertyName,
  type Violation,
} from './judging/checkers.js';
export { explainProperty, type PropertyTexts } from './judging/propertyTexts.js';
export { runCampaign, type CampaignOptions, type CampaignResult } from './campaigns/campaign.js';
export type { CampaignFailure } from './campaigns/propertyFailure.js';
export { generatedTimeline, type PropertySelection } from './campaigns/search.js';
export { judge, stillBreaks, type Judged, type JudgeOptions } from './campaigns/judge.js';
export {
  shrinkTimeline,
  type Shrunk,
  type ShrinkOptions,
  type StillFails,
} from './campaigns/shrink.js';
export {
  lossOrder,
  verdictPropertyNames,
  type VerdictProperty,
} from './judging/verdictProperties.js';
export {
  runShardedCampaign,
  type ShardedCampaignOptions,
  type ShardedCampaignResult,
  type CampaignShard,
  type ChunkResult,
} from './campaigns/shard.js';
export {
  failureFileOf,
  readFailureFile,
  parseFailureFile,
  replayFailure,
  replayWith,
  writeFailureFile,
  replayCommand,
  type FailureFile,
  type ReplayResult,
} from './campaigns/failureFile.js';
export { loadSendPath, SendPathLoadError, type LoadSendPathOptions } from './paths/loadSendPath.js';
export { interceptBaileysImports, baileysImportsInterceptable } from './paths/interceptLoader.js';
export { loadTypeScriptWithTsx } from './paths/typescriptLoader.js';
export { builtInSendPath, builtInSendPathNames, type NamedSendPath } from './paths/sendPaths.js';
export {
  specimens,
  verdictSpecimens,
  specimenByName,
  type Specimen,
  type VerdictSpecimen,
  type CampaignVerdict,
} from './specimens/index.js';
export { runCoverage, neverMattered, type FaultCoverage } from './judging/coverage.js';
