/**
 * Invariant assertions: a condition the code itself guarantees. One failing is a bug in this
 * package, never bad input, so it throws at once instead of letting a wrong count spread.
 */

/**
 * Throws `Error('invariant: <statement>')` unless `condition` holds.
 * @param statement what must be true, worded as a fact ("attempts never go down").
 */
export function invariant(condition: boolean, statement: string): asserts condition {
  if (!condition) throw new Error(`invariant: ${statement}`);
}
