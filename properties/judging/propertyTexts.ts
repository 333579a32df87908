/**
 * What a property means and how a send path typically fixes a failure of it, looked up by name,
 * for every property of the checker table (checkers.ts) and every campaign property
 * (campaignProperties.ts). The texts live on the checkers and the campaign properties' table
 * themselves, so a property without them does not compile; this is the one place that reads them
 * by name, for whatever renders a failure (the CLI's summary and `replay`, the vitest API, the
 * HTML report).
 */
import { campaignPropertyTexts } from './campaignProperties.js';
import { checkers } from './checkers.js';
import {
  campaignPropertyNames,
  propertyNames,
  type CampaignPropertyName,
  type PropertyName,
} from './propertyNames.js';

/** A property's two one-line texts. */
export interface PropertyTexts {
  /** What the property means, for a user. */
  readonly meaning: string;
  /** The typical fix in a send path. */
  readonly fix: string;
}

const checkerNames: ReadonlySet<string> = new Set(propertyNames);
const campaignNames: ReadonlySet<string> = new Set(campaignPropertyNames);

/**
 * The meaning and the typical fix of the property called `name` (a checker's or a campaign
 * property's); undefined for a name that is neither.
 */
export function explainProperty(name: PropertyName | CampaignPropertyName): PropertyTexts;
export function explainProperty(name: string): PropertyTexts | undefined;
export function explainProperty(name: string): PropertyTexts | undefined {
  if (checkerNames.has(name)) {
    const { meaning, fix } = checkers[name as PropertyName];
    return { meaning, fix };
  }
  if (campaignNames.has(name)) {
    const { meaning, fix } = campaignPropertyTexts[name as CampaignPropertyName];
    return { meaning, fix };
  }
  return undefined;
}
