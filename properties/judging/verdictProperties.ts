/**
 * Every property a campaign's verdict names: the checker table's (judged on one history) and the
 * campaign properties (judged on more than one history, or on the campaign as a whole), in the
 * order a user should fix them: by how much a user of the bot loses when the property breaks.
 * Failures are reported in this order, so the important bug is never listed behind a cheap one.
 */
import {
  campaignPropertyNames,
  propertyNames,
  type CampaignPropertyName,
  type PropertyName,
} from './propertyNames.js';

/** A property the verdict can name: a checker's or a campaign property. */
export type VerdictProperty = PropertyName | CampaignPropertyName;

/**
 * Every property, most costly to a user first: a reply seen twice or never, a message never
 * answered, a bot that hangs, a session thrown away (unlinked: nothing is answered until someone
 * pairs the bot again), a failure reported for a reply that went out (the caller sends it
 * again), a late or unordered reply, a session put at risk, wasted work, and last what only
 * keeps the harness honest (ports, determinism, a path exercised at all).
 */
export const lossOrder = [
  'exactly-once',
  'live-socket',
  'inbound-handover',
  'makes-progress',
  'keeps-session',
  'honest-outcome',
  'liveness',
  'order',
  'terminal-respected',
  'one-socket',
  'bounded',
  'chat-independence',
  'clean',
  'uses-ports',
  'deterministic',
  'exercised',
] as const satisfies readonly VerdictProperty[];

// Compile-time: a property added to the checker table or the campaign properties must be placed
// in the loss order (a failure of it has to be listed somewhere).
type Unplaced = Exclude<VerdictProperty, (typeof lossOrder)[number]>;
const everyPropertyPlaced: [Unplaced] extends [never] ? true : Unplaced = true;
void everyPropertyPlaced;

/** Every property name the verdict knows: the checker table's, then the campaign properties. */
export const verdictPropertyNames: readonly VerdictProperty[] = Object.freeze([
  ...propertyNames,
  ...campaignPropertyNames,
]);

/** Whether `name` is a property of the checker table (judged on one history). */
export function isRunProperty(name: VerdictProperty): name is PropertyName {
  return (propertyNames as readonly string[]).includes(name);
}

/** Rank of a property in {@link lossOrder}: lower is worse for a user. */
export function lossRank(name: VerdictProperty): number {
  return (lossOrder as readonly VerdictProperty[]).indexOf(name);
}

/** `items` sorted by their property's {@link lossRank} (stable). */
export function byLoss<T extends { property: VerdictProperty }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => lossRank(a.property) - lossRank(b.property));
}
