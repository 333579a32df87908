/**
 * A failure file as a campaign writes it today (not one saved earlier): specimen `unordered`,
 * caught by `order` with campaign seed 42, shrunk.
 */
import { runCampaign } from '../../properties/campaigns/campaign.js';
import { failureFileOf, type FailureFile } from '../../properties/campaigns/failureFile.js';
import { builtInSendPath } from '../../properties/paths/sendPaths.js';

/** See the module comment; throws if the campaign no longer catches the specimen. */
export async function caughtFailure(): Promise<FailureFile> {
  const result = await runCampaign({
    path: builtInSendPath('specimen:unordered'),
    seed: 42,
    numRuns: 100,
    only: ['order'],
  });
  const failure = result.failures[0];
  if (failure === undefined)
    throw new Error('specimen:unordered was not caught with campaign seed 42');
  return failureFileOf(result, failure);
}
