/** honest-outcome: a path never calls a reply failed that the recipient can see. */
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';
import { errorInWords } from '../../../src/errorWords.js';

const property = 'honest-outcome';

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const r of index.messageRequests) {
    if (r.outcome !== 'fail') continue;
    const copies = index.visibleCopies(r);
    if (copies.length === 0) continue;
    violations.push({
      property,
      key: r.key,
      generation: copies[0]!.generation,
      at: r.settledAt ?? index.history.endedAt,
      message:
        `${r.key} was reported as a definite failure (` +
        `${r.error === undefined ? 'no error' : errorInWords(r.error)}) but is visible: ` +
        `report it as ambiguous`,
    });
  }
  return violations;
}

/** Property 7, honest-outcome. */
export const honestOutcome: Checker<typeof property> = {
  name: property,
  meaning: 'A reply reported as a definite failure was really not delivered.',
  fix:
    'Report a failure as ambiguous (AmbiguousDeliveryError, or ambiguous: true) ' +
    'whenever any attempt of it may have been written.',
  definition:
    'A reply or media request the path reported as a definite failure (outcome fail) is ' +
    'not visible in its chat: the caller would resend it. ' +
    'Excused: a failure reported as ambiguous (an AmbiguousDeliveryError, or an error ' +
    'with ambiguous: true; outcome info) may be visible or not.',
  check,
  // Only a definite failure has an honesty to judge.
  judges: (index) => index.messageRequests.some((r) => r.outcome === 'fail'),
};
