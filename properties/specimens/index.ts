/**
 * The specimen catalog: one known-buggy send path per bug class bots really have, each with the
 * properties expected to catch it. The property suite must catch every one.
 */
import type { SendPathFactory } from '../../src/ports.js';
import type { PropertyName } from '../judging/checkers.js';
import { capturedSocket } from './capturedSocket.js';
import { clearOnTimeout } from './clearOnTimeout.js';
import { freshIdRetry } from './freshIdRetry.js';
import { nestedRetry } from './nestedRetry.js';
import { noWaitGap } from './noWaitGap.js';
import { perReplyPoll } from './perReplyPoll.js';
import { regexClassify } from './regexClassify.js';
import { trustsWrite } from './trustsWrite.js';
import { unordered } from './unordered.js';

/** One catalog entry. */
export interface Specimen {
  name: string;
  factory: SendPathFactory;
  /** What the bug is, in one line. */
  bug: string;
  /** Properties of which at least one must flag this specimen. */
  caughtBy: readonly PropertyName[];
}

/** Every specimen: one bug each (docs/ARCHITECTURE.md, "Specimens"). */
export const specimens: readonly Specimen[] = [
  { name: 'captured-socket', factory: capturedSocket, bug: 'sends on the socket captured at inbound time', caughtBy: ['live-socket', 'exactly-once'] },
  { name: 'fresh-id-retry', factory: freshIdRetry, bug: 'retries with a new message id', caughtBy: ['exactly-once'] },
  { name: 'clear-on-timeout', factory: clearOnTimeout, bug: 'treats a 408 timeout as a disconnect', caughtBy: ['honest-outcome', 'liveness'] },
  { name: 'no-wait-gap', factory: noWaitGap, bug: 'maxAttempts = 1 makes zero waits through a reconnect gap', caughtBy: ['liveness'] },
  { name: 'per-reply-poll', factory: perReplyPoll, bug: 'one unbounded polling loop per pending reply', caughtBy: ['bounded', 'liveness'] },
  { name: 'nested-retry', factory: nestedRetry, bug: 'outer retry (new id) around inner retry', caughtBy: ['exactly-once'] },
  { name: 'regex-classify', factory: regexClassify, bug: 'classifies errors by message text', caughtBy: ['honest-outcome', 'liveness'] },
  { name: 'unordered', factory: unordered, bug: 'no per-chat queue; retries overtake', caughtBy: ['order'] },
  { name: 'trusts-write', factory: trustsWrite, bug: 'trusts a resolved write; loses replies written into a dead connection', caughtBy: ['exactly-once'] },
];

/** Looks a specimen up by name; the error lists the valid names. */
export function specimenByName(name: string): Specimen {
  const found = specimens.find((s) => s.name === name);
  if (!found) throw new Error(`unknown specimen "${name}"; known: ${specimens.map((s) => s.name).join(', ')}`);
  return found;
}
