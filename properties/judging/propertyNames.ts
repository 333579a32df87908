/**
 * The names of the properties a run is judged by, in the order checkers run and report, and of
 * the campaign properties. Kept apart from the checker table (`checkers.ts`) and the campaign
 * properties' judges (`campaignProperties.ts`) so that what a checker is (`checker.ts`), the
 * verdict's list of every property and the command line's flag parsers can name them without
 * loading every checker, zod or the history: the table's type requires one checker per name here.
 */

const names = [
  'exactly-once',
  'live-socket',
  'liveness',
  'order',
  'bounded',
  'clean',
  'honest-outcome',
  'inbound-handover',
  'terminal-respected',
  'one-socket',
  'chat-independence',
  'keeps-session',
] as const;

/** The name of one property (a key of the checker table). */
export type PropertyName = (typeof names)[number];

/** Every property name, in the order `checkAll` runs the checkers and reports violations. */
export const propertyNames: readonly PropertyName[] = Object.freeze([...names]);

/** The campaign properties (campaignProperties.ts), in the order summaries list them. */
export const campaignPropertyNames = [
  'deterministic',
  'uses-ports',
  'exercised',
  'makes-progress',
] as const;

/** One campaign property's name. */
export type CampaignPropertyName = (typeof campaignPropertyNames)[number];
