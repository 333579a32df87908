/**
 * Replies the reference send path (src/) loses on real rc14, by loopback scenario, with
 * what is observed instead of delivery. test/integration/fidelity.reference.test.ts asserts
 * exactly this observation while a scenario is listed, and exactly-once delivery once it is not:
 * fixing the reference makes the test fail until its entry is removed.
 */
export interface ReferenceObservation {
  /** connection numbers (1, 2, ...) of every `<message>` frame carrying the reply's id */
  framesOnConnections: number[];
  /** the receipt's `resends` at the end */
  resends: number;
}

export const referenceLossesOnRealRc14: Readonly<Record<string, ReferenceObservation>> = Object.freeze({
  /**
   * A reply written into a silent link: resolved, its frame lost, and not resent on the next
   * socket, which opens ~30 s after keep-alive noticed (ws's close timeout), long after the
   * outbox's confirmation window (2 × keep-alive + 5 s from the write) ran out.
   */
  'reply-into-silent-link': { framesOnConnections: [], resends: 0 },
});
