/**
 * What one property's checker is: a name, the property's exact definition, a pure function
 * from an indexed history to the violations it finds, and whether a history gave it anything
 * to judge. The table of every checker is
 * `checkers.ts`; each checker lives in `properties/<name>.ts`.
 */
import type { BoundLimits } from './boundLimits.js';
import type { HistoryIndex } from './historyIndex.js';
import type { PropertyName } from './propertyNames.js';

/** One broken property, located: `property` names it (a checker reports only its own). */
export interface Violation<Property extends string = PropertyName> {
  property: Property;
  message: string;
  /** Virtual time the violation became visible, ms. */
  at: number;
  key?: string;
  generation?: number;
}

/** The checker of the property called `Name`. */
export interface Checker<Name extends string = string> {
  /** The property's name, as violations and failure files carry it. */
  readonly name: Name;
  /** The exact definition and every excuse it allows, in one paragraph (for docs and the CLI). */
  readonly definition: string;
  /** What the property means for a user, in one line: shown under each failure of it. */
  readonly meaning: string;
  /** The typical fix in a send path, in one line: shown under each failure of it. */
  readonly fix: string;
  /**
   * The violations of this property in the indexed history, in the order the checker finds them.
   */
  check(index: HistoryIndex, limits: BoundLimits): Violation<Name>[];
  /**
   * Whether the run gave this property something to judge (a reply was asked for, an inbound
   * was delivered, ...). A property that judged nothing in a whole campaign held vacuously.
   */
  judges(index: HistoryIndex): boolean;
}
