/**
 * The property layer as a library: generate timelines, judge histories, run campaigns, read and
 * replay failure files, and load send paths — what the CLI does, for use from a test file.
 */
export { runArb, timelineArb, toTimeline, faultKinds, type FaultKind, type GeneratedRun, type SwarmSettings } from './arbitraries.js';
export { checkAll, propertyNames, defaultBoundLimits, type BoundLimits, type PropertyName, type Violation } from './checkers.js';
export { runCampaign, judge, failureFileOf, type CampaignOptions, type CampaignResult, type CampaignFailure } from './campaign.js';
export { runShardedCampaign, type ShardedCampaignOptions } from './shard.js';
export { readFailureFile, parseFailureFile, replayFailure, writeFailureFile, replayCommand, type FailureFile } from './failureFile.js';
export { loadSendPath, SendPathLoadError } from './loadSendPath.js';
export { builtInSendPath, builtInSendPathNames, type NamedSendPath } from './sendPaths.js';
export { specimens, specimenByName, type Specimen } from './specimens/index.js';
export { runCoverage, neverMattered, type FaultCoverage } from './coverage.js';
