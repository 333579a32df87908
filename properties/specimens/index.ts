/**
 * The specimen catalog: one known-buggy send path per bug class bots really have, each with the
 * properties expected to catch it. The property suite must catch every one. Two more paths no
 * property of a single run can catch live apart, in {@link verdictSpecimens}: a campaign-level
 * verdict catches them.
 */
import type { SendPathFactory } from '../../src/ports.js';
import type { PropertyName } from '../judging/checkers.js';
import { abandonsSocket } from './abandonsSocket.js';
import { answersItself } from './answersItself.js';
import { busyLoop } from './busyLoop.js';
import { capturedSocket } from './capturedSocket.js';
import { clearOnTimeout } from './clearOnTimeout.js';
import { dedupeByText } from './dedupeByText.js';
import { freshIdRetry } from './freshIdRetry.js';
import { groupFailureSent } from './groupFailureSent.js';
import { ignoresTerminal } from './ignoresTerminal.js';
import { listenerPerReply } from './listenerPerReply.js';
import { logsOutOnStop } from './logsOutOnStop.js';
import { memoryOnlyDedupe } from './memoryOnlyDedupe.js';
import { nestedRetry } from './nestedRetry.js';
import { neverConnects } from './neverConnects.js';
import { noGetMessage } from './noGetMessage.js';
import { noInboundDedupe } from './noInboundDedupe.js';
import { notifyOnly } from './notifyOnly.js';
import { noUploadTimeout } from './noUploadTimeout.js';
import { noWaitGap } from './noWaitGap.js';
import { oneQueue } from './oneQueue.js';
import { ownTimeoutFreshId } from './ownTimeoutFreshId.js';
import { perReplyPoll } from './perReplyPoll.js';
import { regexClassify } from './regexClassify.js';
import { reliesOnRedelivery } from './reliesOnRedelivery.js';
import { shortConfirmWindow } from './shortConfirmWindow.js';
import { skipByTimestamp } from './skipByTimestamp.js';
import { stopKeepsSocket } from './stopKeepsSocket.js';
import { stopKeepsTimers } from './stopKeepsTimers.js';
import { stopStrandsReplies } from './stopStrandsReplies.js';
import { throwsOnUnusual } from './throwsOnUnusual.js';
import { trustsWrite } from './trustsWrite.js';
import { uncappedBackoff } from './uncappedBackoff.js';
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
  {
    name: 'captured-socket',
    factory: capturedSocket,
    bug: 'sends on the socket captured at inbound time',
    caughtBy: ['live-socket', 'exactly-once'],
  },
  {
    name: 'fresh-id-retry',
    factory: freshIdRetry,
    bug: 'retries with a new message id',
    caughtBy: ['exactly-once'],
  },
  {
    name: 'clear-on-timeout',
    factory: clearOnTimeout,
    bug: 'treats a 408 timeout as a disconnect',
    caughtBy: ['honest-outcome', 'liveness'],
  },
  {
    name: 'no-wait-gap',
    factory: noWaitGap,
    bug: 'maxAttempts = 1 makes zero waits through a reconnect gap',
    caughtBy: ['liveness'],
  },
  {
    name: 'per-reply-poll',
    factory: perReplyPoll,
    bug: 'one unbounded polling loop per pending reply',
    caughtBy: ['bounded', 'liveness'],
  },
  {
    name: 'nested-retry',
    factory: nestedRetry,
    bug: 'outer retry (new id) around inner retry',
    caughtBy: ['exactly-once'],
  },
  {
    name: 'regex-classify',
    factory: regexClassify,
    bug: 'classifies errors by message text',
    caughtBy: ['honest-outcome', 'liveness'],
  },
  {
    name: 'unordered',
    factory: unordered,
    bug: 'no per-chat queue; retries overtake',
    caughtBy: ['order'],
  },
  {
    name: 'trusts-write',
    factory: trustsWrite,
    bug: 'trusts a resolved write; loses replies written into a dead connection',
    caughtBy: ['exactly-once'],
  },
  {
    name: 'notify-only',
    factory: notifyOnly,
    bug: "answers only 'notify' upserts; offline messages and redeliveries come as 'append'",
    caughtBy: ['inbound-handover'],
  },
  {
    name: 'answers-itself',
    factory: answersItself,
    bug: 'no key.fromMe filter: hands its own echoed sends to the bot',
    caughtBy: ['inbound-handover'],
  },
  {
    name: 'no-inbound-dedupe',
    factory: noInboundDedupe,
    bug: 'hands a redelivered message to the bot again',
    caughtBy: ['inbound-handover'],
  },
  {
    name: 'short-confirm-window',
    factory: shortConfirmWindow,
    bug: "holds written replies 65 s from the write; a silent link's close comes up to 95 s later",
    caughtBy: ['exactly-once'],
  },
  {
    name: 'ignores-terminal',
    factory: ignoresTerminal,
    bug: 'reconnects after any close, 401 logged out and 440 replaced included',
    caughtBy: ['terminal-respected'],
  },
  {
    name: 'stop-strands-replies',
    factory: stopStrandsReplies,
    bug: 'replies waiting for a connection are never settled once stop() ran',
    caughtBy: ['clean', 'liveness'],
  },
  {
    name: 'stop-keeps-socket',
    factory: stopKeepsSocket,
    bug: 'stop() never ends the socket',
    caughtBy: ['clean'],
  },
  {
    name: 'abandons-socket',
    factory: abandonsSocket,
    bug: 'a reply with no live socket opens its own and never ends it',
    caughtBy: ['one-socket'],
  },
  {
    name: 'throws-on-unusual',
    factory: throwsOnUnusual,
    bug: 'the upsert handler throws on media, reactions, stubs and message-less messages',
    caughtBy: ['inbound-handover', 'clean'],
  },
  {
    name: 'listener-per-reply',
    factory: listenerPerReply,
    bug: 'adds a connection.update listener per reply, never removed',
    caughtBy: ['bounded'],
  },
  {
    name: 'one-queue',
    factory: oneQueue,
    bug: 'one FIFO for all chats: a stuck chat holds up the others',
    caughtBy: ['chat-independence'],
  },
  {
    name: 'logs-out-on-stop',
    factory: logsOutOnStop,
    bug: 'stop() calls logout(), which unlinks the session, before end()',
    caughtBy: ['keeps-session'],
  },
  {
    name: 'dedupe-by-text',
    factory: dedupeByText,
    bug: 'dedupes inbound messages by chat and text: a second "hi" in a chat never reaches the bot',
    caughtBy: ['inbound-handover'],
  },
  {
    name: 'own-timeout-fresh-id',
    factory: ownTimeoutFreshId,
    bug:
      'gives up on a send after its own 10 s and sends it again under a new id; the first ' +
      'send writes later',
    caughtBy: ['exactly-once'],
  },
  {
    name: 'memory-only-dedupe',
    factory: memoryOnlyDedupe,
    bug:
      'remembers handed message ids in memory only: after a restart, redelivered messages ' +
      'reach the bot again',
    caughtBy: ['inbound-handover'],
  },
  {
    name: 'uncapped-backoff',
    factory: uncappedBackoff,
    bug:
      'the reconnect backoff grows without a cap: after a long outage the next try is many ' +
      'minutes away',
    caughtBy: ['liveness'],
  },
  {
    name: 'stop-keeps-timers',
    factory: stopKeepsTimers,
    bug:
      'stop() clears none of its timers: a reconnect waiting out its backoff connects after ' +
      'stop()',
    caughtBy: ['clean'],
  },
  {
    name: 'no-get-message',
    factory: noGetMessage,
    bug:
      "no getMessage: a retry receipt on a socket other than the writer's finds no copy, " +
      'and the recipient never gets the reply',
    caughtBy: ['exactly-once'],
  },
  {
    name: 'group-failure-sent',
    factory: groupFailureSent,
    bug:
      'reports a group reply sent when rc14 rejected it with Boom 500 before the write (the ' +
      "group's metadata unanswered or refused)",
    caughtBy: ['exactly-once'],
  },
  {
    name: 'no-upload-timeout',
    factory: noUploadTimeout,
    bug:
      'awaits a media send with no bound: an upload the media host never answers holds the ' +
      'reply for good',
    caughtBy: ['liveness'],
  },
  {
    name: 'skip-by-timestamp',
    factory: skipByTimestamp,
    bug:
      'skips messages stamped before its connection opened: offline and redelivered ' +
      'messages carry their send time',
    caughtBy: ['inbound-handover'],
  },
  {
    name: 'relies-on-redelivery',
    factory: reliesOnRedelivery,
    bug:
      'throws on messages while it warms up after each open, counting on a redelivery: rc14 ' +
      'receipted them first',
    caughtBy: ['inbound-handover'],
  },
];

/**
 * A campaign-level verdict: `vacuous` (no run gave the properties anything to judge), `stalled`
 * (the watchdog stopped a run that made no progress).
 */
export type CampaignVerdict = 'vacuous' | 'stalled';

/** A specimen no property of a single run can catch; a campaign-level verdict does. */
export interface VerdictSpecimen {
  name: string;
  factory: SendPathFactory;
  bug: string;
  caughtByVerdict: CampaignVerdict;
  /**
   * Its run never returns (synchronous code that does not end): run it only in a process a
   * watchdog can kill. Nothing that iterates the catalog may run it in-process.
   */
  hangs: boolean;
}

/**
 * The verdict specimens: kept out of {@link specimens}, which every suite, script and `audit
 * --specimens` run in-process.
 */
export const verdictSpecimens: readonly VerdictSpecimen[] = [
  {
    name: 'never-connects',
    factory: neverConnects,
    bug: 'start() never connects: every run passes vacuously',
    caughtByVerdict: 'vacuous',
    hangs: false,
  },
  {
    name: 'busy-loop',
    factory: busyLoop,
    bug: 'the upsert handler busy-waits after 3 messages; under a virtual clock, forever',
    caughtByVerdict: 'stalled',
    hangs: true,
  },
];

/** Looks a specimen up by name, verdict specimens included; the error lists the valid names. */
export function specimenByName(name: string): Specimen | VerdictSpecimen {
  const found =
    specimens.find((s) => s.name === name) ?? verdictSpecimens.find((s) => s.name === name);
  if (!found)
    throw new Error(
      `unknown specimen "${name}"; known: ` +
        `${[...specimens, ...verdictSpecimens].map((s) => s.name).join(', ')}`,
    );
  return found;
}
