/**
 * exactly-once: no reply is shown twice, and a reply reported sent is shown. Judged on the
 * server's visible log, never on what the path says about itself.
 */
import type { RequestRecord, SocketRecord } from '../../../sim/history.js';
import type { Checker, Violation } from '../checker.js';
import { isMediaRefusal, type HistoryIndex } from '../historyIndex.js';

const property = 'exactly-once';

/**
 * Why a reply reported sent that never became visible is no fault of the path, or undefined.
 *
 * `nacked`: the server refused the message (`messages.update` status ERROR after the send
 * resolved); the recipient never sees it and no resend can change that.
 *
 * `lost on the wire`: every frame of it that was written was lost (written, never reached the
 * server: written into a silent link that never came back, or in the latency window before a
 * FIN or RST was heard), and after the last such loss was heard (its socket's close emitted;
 * a later send in its chat that never reached the server and was in flight when its own socket
 * died moves this to that socket's close: the network took that chance away too, and resends go
 * one at a time per chat) no repair was possible: no newer socket opened before the run ended; or the session ended for
 * good (a close from outside with a terminal code, or the last `maxAttempts` connects all
 * failing, as the liveness check reads them); or stop() came first (no newer socket opened
 * before it was called, or a send in its chat begun after the loss was heard was still in flight
 * when it was: resends go out one at a time per chat); or, for media, the server refused a
 * resend of it ({@link isMediaRefusal}). A loss never heard before the run ended (its socket's
 * close not yet emitted) is beyond repair too. Otherwise a later socket was a chance to resend, and the loss is the path's.
 * Attempts that were never written do not matter: they reached nobody. A reply reported sent
 * with no written frame at all is not excused: the path reported a send that never happened.
 */
function lossExcuse(index: HistoryIndex, request: RequestRecord): 'nacked' | 'lost on the wire' | undefined {
  const attempts = index.messageAttemptsByKey.get(request.key) ?? [];
  if (attempts.some((a) => a.nacked === true)) return 'nacked';
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
  const sessionOver = index.outsideTerminalCloseAtOrAfter(chance.heardAt) || index.lastConnectsFailedSince(chance.heardAt);
  const resendRefused = request.kind === 'sendMedia' && attempts.some((a) => a.at >= lossHeardAt && isMediaRefusal(a));
  return sessionOver || resendRefused || stoppedFirst(index, request.chat, chance) ? 'lost on the wire' : undefined;
}

/**
 * The socket after whose close the path last had a chance to repair a loss heard at `heardAt`
 * on `generation`: a later send in the chat (resends go one at a time per chat) that did not
 * reach the server and was in flight when its own socket died (was cut or found dead, or, begun
 * before it, its link went silent for good) took that socket's chance away. If that socket's close never came before the run
 * ended (a silent link's close is ws's 30 s close timeout away, and `end()` resolves at once
 * after Baileys' own), the chance lasted to the run's end.
 */
function lastChance(index: HistoryIndex, chat: string, heardAt: number, generation: number): { heardAt: number; generation: number } {
  const chance = { heardAt, generation };
  for (const attempt of index.messageAttemptsByChat.get(chat) ?? []) {
    if (attempt.at < chance.heardAt || attempt.reachedServer || attempt.generation <= chance.generation) continue;
    const socket = index.socketOf(attempt.generation);
    const diedAt = socket === undefined ? undefined : deathOf(socket, attempt.at);
    if (socket === undefined || diedAt === undefined) continue;
    if (attempt.settledAt !== undefined && attempt.settledAt < diedAt) continue; // over before the socket died
    chance.heardAt = socket.closeEmittedAt ?? index.history.endedAt;
    chance.generation = attempt.generation;
  }
  return chance;
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
  return index.history.sockets.some((s) => s.generation > generation && s.openedAt !== undefined && s.openedAt < before);
}

/** stop() was called before the loss could be repaired after its last chance (see {@link lossExcuse}). */
function stoppedFirst(index: HistoryIndex, chat: string, chance: { heardAt: number; generation: number }): boolean {
  const { stop } = index.history;
  const stopAt = stop.requestedAt;
  // The harness's own stop once everything settled cut nothing short.
  if (stopAt === undefined || stop.reason === 'settled') return false;
  if (!newerOpened(index, chance.generation, stopAt)) return true;
  const inChat = index.messageAttemptsByChat.get(chat) ?? [];
  // Settled at the stop's own instant counts as in flight: the stop's end() is what settled it.
  return inChat.some((a) => a.at >= chance.heardAt && a.at <= stopAt && (a.settledAt === undefined || a.settledAt >= stopAt));
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
        message: `${request.key} is visible ${copies.length} times (ids ${copies.map((c) => c.messageId).join(', ')})`,
      });
    }
    if (request.outcome === 'ok' && copies.length === 0 && lossExcuse(index, request) === undefined) {
      violations.push({
        property,
        key: request.key,
        at: request.settledAt ?? index.history.endedAt,
        message: `${request.key} was reported sent but never became visible`,
      });
    }
  }
  return violations;
}

/** Property 1, exactly-once. */
export const exactlyOnce: Checker<typeof property> = {
  name: property,
  definition:
    'Every reply or media request is visible in its chat at most once, and exactly once if the path reported it sent (outcome ok). ' +
    'Ambiguous (info) and failed requests may be absent. Excused, for a reply reported sent that never became visible: the server nacked it ' +
    '(messages.update status ERROR: the recipient never sees it); or it had at least one written frame, every written frame was lost on the wire ' +
    '(written, never reached the server), and after the last such loss was heard (its socket\'s close emitted, or the close of the socket a ' +
    'later send in its chat that never reached the server was in flight on when that socket died (cut or found dead, or, begun before, its link ' +
    'silent for good), or the ' +
    'run\'s end if that close never came; ' +
    'a loss never heard before the run ended counts as beyond repair) no newer socket opened before the run ended, or the session ended for good (a close from outside ' +
    'with a terminal code, 401, 403 or 440, or the last maxAttempts connects all failing), or stop() was called first, by the timeline or by the harness at ' +
    'its deadline (before any newer socket opened, or while a send in its chat begun after the loss was heard was still in flight, settling at the ' +
    'stop\'s instant included), or, for media, the server refused a resend of it ' +
    '(rc14\'s media failure before any write: Boom 500, or the TypeError of a media_conn never answered), or its media host never answered the resend\'s upload.',
  check,
  judges: (index) => index.messageRequests.some((r) => r.calledAt !== undefined),
};
