/**
 * The names of the properties a run is judged by, in the order checkers run and report. Kept
 * apart from the checker table (`checkers.ts`) so that what a checker is (`checker.ts`) can name
 * them without importing every checker: the table's type requires one checker per name here.
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
