/**
 * exactly-once: no reply is shown twice, and a reply reported sent is shown. Judged on the
 * server's visible log, never on what the path says about itself.
 */
import type {
  AttemptRecord,
  RequestRecord,
  RetryRequestRecord,
  SocketRecord,
} from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import { queryRefusalCodes, wsCloseTimeoutMs } from '../../../src/baileysFacts.js';
import { isChatRefusal, isMediaRefusal, type HistoryIndex } from '../historyIndex.js';
import { pathOfSocket, restartsOf } from '../restarts.js';

const property = 'exactly-once';

/**
 * Why a reply reported sent that never became visible is no fault of the path, or undefined.
 *
 * `nacked`: the server refused the message (`messages.update` status ERROR after the send
 * resolved); the recipient never sees it and no resend can change that.
 *
 * `lost on the wire`: every frame of it that was written was lost (written, never reached the
 * server: written into a silent link that never came back, or in the latency window before a FIN or
 * RST was heard), and after the last such loss was heard (its socket's close emitted; a later send
 * in its chat that never reached the server and was in flight when its own socket died moves this
 * to that socket's close: the network took that chance away too, and resends go one at a time per
 * chat) no repair was possible: no newer socket opened before the run ended; or the session ended
 * for good (a close from outside with a terminal code, or the last `maxAttempts` connects all
 * failing, as the liveness check reads them); or stop() (or the path's own exit) came first (no
 * newer socket opened before it was called, or a send in its chat begun after the loss was heard
 * was still in flight when it was: resends go out one at a time per chat); or the server refused a
 * resend of it for good ({@link resendRefusedBy}). A loss never heard before the run ended (its
 * socket's close not yet emitted) is beyond repair too. Otherwise a later socket was a chance to
 * resend, and the loss is the path's. Attempts that were never written do not matter: they reached
 * nobody. A reply reported sent with no written frame at all is not excused: the path reported a
 * send that never happened.
 */
/** Why a reply reported sent may be missing: see {@link lossExcuse}. */
type LossExcuse = 'nacked' | 'lost on the wire' | 'no retry answered';

function lossExcuse(index: HistoryIndex, request: RequestRecord): LossExcuse | undefined {
  const attempts = index.messageAttemptsByKey.get(request.key) ?? [];
  if (attempts.some((a) => a.nacked === true)) return 'nacked';
  if (attempts.some((a) => a.undecryptable === true)) return retryExcuse(index, attempts);
  /** When the last written frame's loss was heard: resends are judged from then. */
  let lossHeardAt = -Infinity;
  let lossGeneration = 0;
  let written = 0;
  for (const attempt of attempts) {
    if (!attempt.written) continue;
    if (attempt.reachedServer) return undefined;
    written += 1;
    const heardAt = index.socketOf(attempt.generation)?.closeEmittedAt;
    if (heardAt === undefined) return 'lost on the wire'; // the path never heard of this loss
    lossHeardAt = Math.max(lossHeardAt, heardAt);
    lossGeneration = Math.max(lossGeneration, attempt.generation);
  }
  if (written === 0) return undefined;
  const chance = lastChance(index, request.chat, lossHeardAt, lossGeneration);
  if (!newerOpened(index, chance.generation)) return 'lost on the wire';
  const sessionOver =
    index.outsideTerminalCloseAtOrAfter(chance.heardAt) ||
    index.lastConnectsFailedSince(chance.heardAt);
  const restartStopAt = restartStopOfPath(index, lossGeneration);
  // A restart's stop ends the losing path's tries: a newer process's sends are its own.
  const triedUntil = restartStopAt ?? Infinity;
  const resendRefused =
    attempts.some((a) => a.at >= lossHeardAt && resendRefusedBy(request, a)) ||
    chatRefusedLast(index, request.chat, lossHeardAt, triedUntil);
  // A path that ended its own process cut its repair short there: the exit is clean's finding.
  const exitAt = index.history.exited?.at;
  const stopped =
    stoppedFirst(index, request.chat, chance) ||
    (restartStopAt !== undefined && stoppedAt(index, request.chat, chance, restartStopAt)) ||
    (exitAt !== undefined && stoppedAt(index, request.chat, chance, exitAt));
  return sessionOver || resendRefused || stopped ? 'lost on the wire' : undefined;
}

/**
 * Why a reply the recipient could not decrypt is no fault of the path, or undefined. rc14 answers
 * the recipient's retry receipt by itself: it resends from the cache of the socket that wrote the
 * message, or with the path's `getMessage`. Excused when the last retry receipt for its ids was
 * never answered before the run ended (no socket acknowledged it: none was open to take it, or
 * each closed first), or when rc14 would not resend (`overLimit`: twice on that socket already) or
 * its resend failed before the write. Not excused when it was answered `unavailable`: the socket
 * that got it had no copy and the path gave rc14 none (no `getMessage`, or it returned nothing).
 */
function retryExcuse(
  index: HistoryIndex,
  attempts: readonly AttemptRecord[],
): LossExcuse | undefined {
  const answer = lastRetryOf(index, attempts)?.answer;
  return answer?.outcome === 'unavailable' ? undefined : 'no retry answered';
}

/** The last retry receipt for any id `attempts` carried, if any. */
function lastRetryOf(index: HistoryIndex, attempts: readonly AttemptRecord[]) {
  const ids = new Set(attempts.map((a) => a.messageId));
  let last: RetryRequestRecord | undefined;
  for (const retry of index.history.server.retryRequests ?? []) {
    if (ids.has(retry.messageId)) last = retry;
  }
  return last;
}

/** A last retry receipt for `request`'s ids that rc14 answered with nothing to resend, if any. */
function unavailableRetry(index: HistoryIndex, request: RequestRecord) {
  const last = lastRetryOf(index, index.messageAttemptsByKey.get(request.key) ?? []);
  return last?.answer?.outcome === 'unavailable' ? last : undefined;
}

/**
 * The server refused `attempt`, a resend of `request` after its loss, for good: media it refused
 * ({@link isMediaRefusal}), or a group the bot is no longer in (403 `forbidden` in the error's
 * `data`, before any write). No later resend can show it.
 */
function resendRefusedBy(request: RequestRecord, attempt: AttemptRecord): boolean {
  if (request.kind === 'sendMedia' && isMediaRefusal(attempt)) return true;
  return isChatRefusal(attempt) && attempt.error?.data === queryRefusalCodes.forbidden;
}

/**
 * The last send in `chat` in [`from`, `until`] was refused for the chat before any write (403 not
 * in the group, 429 rate-overlimit: {@link isChatRefusal}): the server kept the chat's resends
 * out, and a path may stop trying there, as liveness allows.
 */
function chatRefusedLast(index: HistoryIndex, chat: string, from: number, until: number): boolean {
  const inChat = index.messageAttemptsByChat.get(chat) ?? [];
  const last = inChat.filter((a) => a.at >= from && a.at <= until).at(-1);
  return last !== undefined && isChatRefusal(last);
}

/**
 * The socket after whose close the path last had a chance to repair a loss heard at `heardAt` on
 * `generation`: a later send in the chat (resends go one at a time per chat) that did not reach the
 * server and was in flight when its own socket died (was cut or found dead, or, begun before it,
 * its link went silent for good) took that socket's chance away. If that socket's close never came
 * before the run ended (a silent link's close is ws's 30 s close timeout away, and `end()` resolves
 * at once after Baileys' own), the chance lasted to the run's end.
 */
function lastChance(
  index: HistoryIndex,
  chat: string,
  heardAt: number,
  generation: number,
): { heardAt: number; generation: number } {
  const chance = { heardAt, generation };
  for (const attempt of index.messageAttemptsByChat.get(chat) ?? []) {
    if (
      attempt.at < chance.heardAt ||
      attempt.reachedServer ||
      attempt.generation <= chance.generation
    )
      continue;
    const socket = index.socketOf(attempt.generation);
    const closeBy = giveUpCloseBy(index, attempt);
    const closedAt = socket?.closeEmittedAt ?? endedBeforeClose(index, socket, closeBy);
    if (attempt.uploadUnanswered === true && closedAt !== undefined && closedAt <= closeBy) {
      // The media host held it until its socket closed (a correct path ends that socket when it
      // gives the send up): that socket's chance went with it.
      chance.heardAt = closedAt;
      chance.generation = attempt.generation;
      continue;
    }
    const diedAt = socket === undefined ? undefined : deathOf(socket, attempt.at);
    if (socket === undefined || diedAt === undefined) continue;
    // over before the socket died
    if (attempt.settledAt !== undefined && attempt.settledAt < diedAt) continue;
    chance.heardAt = socket.closeEmittedAt ?? index.history.endedAt;
    chance.generation = attempt.generation;
  }
  return chance;
}

/**
 * The run's end, when `socket` was ended by its path and the run ended before its close came
 * (by `closeBy`): a path that gave a held upload up ended its socket, and no newer socket could
 * have come before that close. Undefined otherwise.
 */
function endedBeforeClose(
  index: HistoryIndex,
  socket: SocketRecord | undefined,
  closeBy: number,
): number | undefined {
  const { endedAt } = index.history;
  return socket?.endCalledAt !== undefined && endedAt <= closeBy ? endedAt : undefined;
}

/**
 * When a socket's connection died, for an attempt begun at `attemptAt`: cut or found dead; or,
 * for an attempt begun before it, its link went silent and never came back (a send written into
 * the silence does not count: it was never in flight at a death, and the path may have had its
 * chance on that socket before).
 */
function deathOf(socket: SocketRecord, attemptAt: number): number | undefined {
  if (socket.diedAt !== undefined) return socket.diedAt;
  const silentForGood = socket.silentAt !== undefined && socket.resumedAt === undefined;
  return silentForGood && attemptAt <= socket.silentAt! ? socket.silentAt : undefined;
}

/** Some socket newer than `generation` opened (before `before`). */
function newerOpened(index: HistoryIndex, generation: number, before = Infinity): boolean {
  return index.history.sockets.some(
    (s) => s.generation > generation && s.openedAt !== undefined && s.openedAt < before,
  );
}

/**
 * When a restart stopped the path that wrote on socket `generation`; undefined if none did. The
 * new path knows nothing of the old one's writes: a loss the old path did not repair before its
 * stop is beyond repair, as at the run's stop.
 */
function restartStopOfPath(index: HistoryIndex, generation: number): number | undefined {
  const socket = index.socketOf(generation);
  if (socket === undefined) return undefined;
  return restartsOf(index.history)[pathOfSocket(index.history, socket)]?.stopRequestedAt;
}

/**
 * stop() was called before the loss could be repaired after its last chance (see {@link
 * lossExcuse}).
 */
function stoppedFirst(
  index: HistoryIndex,
  chat: string,
  chance: { heardAt: number; generation: number },
): boolean {
  const { stop } = index.history;
  const stopAt = stop.requestedAt;
  // The harness's own stop once everything settled cut nothing short.
  if (stopAt === undefined || stop.reason === 'settled') return false;
  return stoppedAt(index, chat, chance, stopAt);
}

/** A stop at `stopAt` came before the loss could be repaired after its last chance. */
function stoppedAt(
  index: HistoryIndex,
  chat: string,
  chance: { heardAt: number; generation: number },
  stopAt: number,
): boolean {
  if (!newerOpened(index, chance.generation, stopAt)) return true;
  const inChat = index.messageAttemptsByChat.get(chat) ?? [];
  // Settled at the stop's own instant counts as in flight: the stop's end() is what settled it.
  return inChat.some((a) => {
    const endAt = heldUntil(index, a);
    return a.at >= chance.heardAt && a.at <= stopAt && (endAt === undefined || endAt >= stopAt);
  });
}

/**
 * By when a path that gave a held upload up at the latest (a reply's deadline after it began)
 * has heard its socket close: ws's close timeout on a link gone silent, and a few round trips.
 */
function giveUpCloseBy(index: HistoryIndex, attempt: AttemptRecord): number {
  return attempt.at + index.history.config.replyDeadlineMs + wsCloseTimeoutMs + giveUpCloseSlackMs;
}

/** Round trips between a held upload given up and its socket's close, at the longest. */
const giveUpCloseSlackMs = 10_000;

/**
 * When an attempt stopped holding its chat's later sends: when it settled; an upload its media
 * host never answered (rc14 never settles it) when its socket closed, or a reply's deadline after
 * it began at the latest, when a correct path has given it up. Undefined while it still holds.
 */
function heldUntil(index: HistoryIndex, attempt: AttemptRecord): number | undefined {
  if (attempt.uploadUnanswered !== true) return attempt.settledAt;
  const closedAt = index.socketOf(attempt.generation)?.closeEmittedAt ?? Infinity;
  return Math.min(closedAt, attempt.at + index.history.config.replyDeadlineMs);
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const request of index.messageRequests) {
    const copies = index.visibleCopies(request);
    if (copies.length > 1) {
      const second = copies[1]!;
      violations.push({
        property,
        key: request.key,
        generation: second.generation,
        at: second.at,
        message:
          `${request.key} is visible ${copies.length} times (ids ` +
          `${copies.map((c) => c.messageId).join(', ')})`,
      });
    }
    if (
      request.outcome === 'ok' &&
      copies.length === 0 &&
      lossExcuse(index, request) === undefined
    ) {
      const retry = unavailableRetry(index, request);
      violations.push({
        property,
        key: request.key,
        at: request.settledAt ?? index.history.endedAt,
        message:
          retry === undefined
            ? `${request.key} was reported sent but never became visible`
            : `${request.key} was reported sent but never became visible: its recipient ` +
              `could not decrypt it and asked for it again, and socket ` +
              `${retry.answer!.generation} had no copy to resend ` +
              "(rc14's cache is per socket; pass getMessage)",
      });
    }
  }
  return violations;
}

/** Property 1, exactly-once. */
export const exactlyOnce: Checker<typeof property> = {
  name: property,
  meaning:
    'Each reply reaches the recipient once: never twice, and never lost after it was ' +
    'reported sent.',
  fix:
    'Give each reply one message id and reuse it on every retry; keep a written reply ' +
    'until its socket has outlived the confirmation window, and resend it with the ' +
    'same id if the socket died first.',
  definition:
    'Every reply or media request is visible in its chat at most once, and exactly once if the ' +
    'path reported it sent (outcome ok). Ambiguous (info) and failed requests may be absent. ' +
    'Excused, for a reply reported sent that never became visible: the server nacked it ' +
    '(messages.update status ERROR: the recipient never sees it); or it had at least one written ' +
    'frame, every written frame was lost on the wire (written, never reached the server), and ' +
    "after the last such loss was heard (its socket's close emitted, or the close of the socket " +
    'a later send in its chat that never reached the server was in flight on when that socket ' +
    "died (cut or found dead, or, begun before, its link silent for good), or the run's end if " +
    'that close never came; a loss never heard before the run ended counts as beyond repair) no ' +
    'newer socket opened before the run ended, or the session ended for good (a close from ' +
    'outside with a terminal code, 401, 403 or 440, or the last maxAttempts connects all ' +
    'failing), or stop() was called first, by the timeline, by the harness at its deadline or by ' +
    'a restart of the path that wrote it, or the path ended its own process first (before any ' +
    'newer socket opened, or while a send in its chat begun after the loss was heard was still ' +
    "in flight, settling at the stop's instant included; an upload its media host never answered " +
    'holds its chat until its socket closed, or replyDeadlineMs after it began at the latest, ' +
    "when a path has given it up, and takes that socket's chance when it closed by then and ws's " +
    'close timeout, or the path ended it and the run ended first), or, for media, the server ' +
    "refused a resend of it (rc14's media failure before any write: Boom 500, or the TypeError " +
    "of a media_conn never answered), or its media host never answered the resend's upload, or " +
    'refused the resend because the bot is no longer in the group (Boom 500 with data 403, ' +
    "before any write), or the last send in its chat since the loss was heard (up to a restart's " +
    'stop of the path that wrote it) was refused for the chat before any write (403, or 429 ' +
    'rate-overlimit). A reply whose frame reached a recipient who could not decrypt it (a retry ' +
    'receipt followed) is not visible until a resend shows it: rc14 resends by itself from the ' +
    "cache of the socket that wrote it, or with the path's getMessage. Excused then only when " +
    'the last retry receipt for it was never answered before the run ended (no socket ' +
    'acknowledged it), or rc14 would not or could not resend (twice on that socket already, or ' +
    'the resend failed before its write); not when the socket that got it had no copy and the ' +
    'path gave it none.',
  check,
  judges: (index) => index.messageRequests.some((r) => r.calledAt !== undefined),
};
