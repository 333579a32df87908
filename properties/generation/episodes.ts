/**
 * Episodes: situations a run opens with, each lined up on purpose because no scene lines it up by
 * chance often enough for the bug it shows to be found. A run has one episode or none; it comes
 * before the steps (no earlier fault can leave the bot logged out, its link dead or a send still
 * under way), adds to the run without taking the place of anything else it draws, and switches
 * on what it needs: the fault kinds it uses and, for a group's refusal, a group chat.
 *
 * - `lateRetry`: a message answered into a chat whose recipient cannot decrypt the reply. Once a
 *   correct path no longer holds the reply (its socket outlived the confirmation window after the
 *   write), the bot comes to a newer socket (the connection reset, gone silent, ended by the
 *   server's 515, or the bot's process restarted), and the recipient's retry receipt reaches that
 *   socket. rc14's resend cache is per socket: only the path's `getMessage` can answer it. Left
 *   to chance, a late retry receipt met a newer socket in about one run of fifty.
 * - `groupRefusal`: a message in the group chat answered while the server refuses the group's
 *   metadata query (unanswered: Boom 500 after the query timeout; the bot no longer a member:
 *   Boom 500 `forbidden` at once). Nothing is written; a path that reports the reply sent lost
 *   it. Left to chance, a refused group query met a reply to the group in about one run of
 *   ninety: a run has a group chat one time in three, and few steps refuse queries there.
 * - `hungUpload`: a media reply whose upload the media host takes and never answers (rc14 gives
 *   an upload no timeout: the send stays pending for good), and later a text reply in the chat,
 *   queued behind it. A path must bound that send itself. Left to chance, a media reply met such
 *   an upload in about one run of thirty.
 */
import fc from 'fast-check';
import {
  confirmWindowMs,
  keepAliveDetectionMsMax,
  socketTimingsOf,
  wsCloseTimeoutMs,
} from '../../src/baileysFacts.js';
import { generatorChatsMax } from '../../sim/faults/generatorBounds.js';
import type { MomentTiming } from './moments.js';

/** How the bot comes to a newer socket in a `lateRetry` episode (see {@link LateRetryEpisode}). */
export type NewSocketVia = 'reset' | 'silent' | 'restartRequired' | 'restart';

/** A late retry receipt that reaches a socket newer than the one that wrote the reply. */
export interface LateRetryEpisode {
  do: 'lateRetry';
  chat: number;
  /**
   * The connection reset, gone silent for good (408 after the keep-alive), ended by the server's
   * stream error 515, or the bot's process restarted for `downMs`.
   */
  via: NewSocketVia;
  downMs: number;
  /** The writer's socket is lost this long after a correct path's confirmation window ended. */
  afterConfirmMs: number;
  /** The retry receipt leaves this long after the writer's socket is gone. */
  retryAfterLossMs: number;
  /**
   * With a `silent` loss: another message of the chat answered this long after the link went
   * silent, a reply rc14 writes into the dead link at once (the loss shows only at the close).
   */
  followUpMs: number;
}

/** Replies to the group chat while its metadata query is refused (see the module comment). */
export interface GroupRefusalEpisode {
  do: 'groupRefusal';
  reason: 'groupMetadataUnanswered' | 'notInGroup';
  /** How long the refusal lasts. */
  forMs: number;
  replies: number;
  spacingMs: number;
}

/** A media reply whose upload is never answered (see the module comment). */
export interface HungUploadEpisode {
  do: 'hungUpload';
  chat: number;
  /** How long the media host takes uploads and never answers them. */
  forMs: number;
  /** The chat's next reply, a text, this long after the media reply. */
  followUpMs: number;
}

/** An episode; see the module comment. */
export type Episode = LateRetryEpisode | GroupRefusalEpisode | HungUploadEpisode;

/** Bounds of episodes. */
const episodeLimits = Object.freeze({
  /** Replies to the group's message in a refusal, at most. */
  groupRepliesMax: 3,
  /** A reply is asked this long after the message it answers. */
  replyDelayMs: 300,
  /** The episode's fault comes this long before its (first) reply. */
  faultLeadMs: 100,
});

const lateRetryArb: fc.Arbitrary<LateRetryEpisode> = fc.record({
  do: fc.constant('lateRetry' as const),
  chat: fc.nat(generatorChatsMax - 1),
  via: fc.constantFrom<NewSocketVia>('reset', 'silent', 'restartRequired', 'restart'),
  downMs: fc.integer({ min: 0, max: 5000 }),
  afterConfirmMs: fc.integer({ min: 2000, max: 60_000 }),
  retryAfterLossMs: fc.integer({ min: 0, max: 120_000 }),
  followUpMs: fc.integer({ min: 0, max: 15_000 }),
});

const groupRefusalArb: fc.Arbitrary<GroupRefusalEpisode> = fc.record({
  do: fc.constant('groupRefusal' as const),
  reason: fc.constantFrom('groupMetadataUnanswered' as const, 'notInGroup' as const),
  forMs: fc.integer({ min: 2000, max: 120_000 }),
  replies: fc.integer({ min: 1, max: episodeLimits.groupRepliesMax }),
  spacingMs: fc.integer({ min: 0, max: 500 }),
});

const hungUploadArb: fc.Arbitrary<HungUploadEpisode> = fc.record({
  do: fc.constant('hungUpload' as const),
  chat: fc.nat(generatorChatsMax - 1),
  forMs: fc.integer({ min: 0, max: 120_000 }),
  followUpMs: fc.integer({ min: 0, max: 30_000 }),
});

/** A run's episode: none in four runs of seven, each kind in one. */
export const episodeArb: fc.Arbitrary<Episode | undefined> = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: lateRetryArb },
  { weight: 1, arbitrary: groupRefusalArb },
  { weight: 1, arbitrary: hungUploadArb },
);

/** The swarm kinds an episode needs switched on (a process restart is no fault kind). */
export function episodeFaultKinds(episode: Episode): readonly string[] {
  if (episode.do === 'groupRefusal') return ['queryRejects'];
  if (episode.do === 'hungUpload') return ['mediaFails'];
  const lost = lostSocketKinds[episode.via];
  return lost === undefined ? ['undecryptable'] : ['undecryptable', lost];
}

/** The swarm kind of the drop that loses the writer's socket, per way to a newer one. */
const lostSocketKinds: Record<NewSocketVia, string | undefined> = {
  reset: 'drop',
  silent: 'silentDrop',
  restartRequired: 'restart',
  restart: undefined,
};

/**
 * How long after a reply is asked on a quiet network its frame has reached the server, at the
 * latest: a connect and login still under way, the chat's device queries, the write, the trip.
 */
function writtenWithinMs(latencyMs: number): number {
  return 12 * latencyMs + 1000;
}

/** When a late retry episode's reply is asked, its socket lost and its retry receipt sent. */
interface LateRetryPlan {
  /** The undecryptable fault, just before the reply: its frame is the chat's next one. */
  faultAt: number;
  replyAt: number;
  /** The loss (or the restart) of the socket that wrote the reply. */
  lossAt: number;
  /** The undecryptable fault's `retryAfterMs`, counted from the reply frame's arrival. */
  retryAfterMs: number;
  /** When the retry receipt has left, at the latest. */
  retryAt: number;
  /** When the follow-up reply into a silent link is asked (a `silent` loss only). */
  followUpAt: number | undefined;
}

/**
 * Plans a late retry whose message arrives at `at`: the writer's socket is lost once a correct
 * path's confirmation window after the write is over (and `afterConfirmMs` more), so the path no
 * longer holds the reply and never resends it by itself; the retry receipt leaves
 * `retryAfterLossMs` after that socket is gone (a silent one once the keep-alive and ws's close
 * timeout noticed it). Until the new socket logs in, the server holds the receipt for it.
 */
export function planLateRetry(
  episode: LateRetryEpisode,
  at: number,
  timing: MomentTiming,
): LateRetryPlan {
  const { keepAliveIntervalMs } = socketTimingsOf(timing.socket);
  const replyAt = at + episodeLimits.replyDelayMs;
  const writtenByAt = replyAt + writtenWithinMs(timing.latencyMs);
  const lossAt = writtenByAt + confirmWindowMs(keepAliveIntervalMs) + episode.afterConfirmMs;
  const silent = episode.via === 'silent';
  const heardMs = silent ? keepAliveDetectionMsMax(keepAliveIntervalMs) + wsCloseTimeoutMs : 0;
  // The frame arrives between the reply's call and writtenByAt: the receipt leaves after that.
  const retryAfterMs = lossAt + heardMs + episode.retryAfterLossMs - replyAt;
  return {
    faultAt: replyAt - episodeLimits.faultLeadMs,
    replyAt,
    lossAt,
    retryAfterMs,
    retryAt: writtenByAt + retryAfterMs,
    followUpAt: silent ? lossAt + episode.followUpMs : undefined,
  };
}

/** When a group refusal's fault comes, its replies are asked, and the group's next message. */
interface GroupRefusalPlan {
  refusedAt: number;
  replyAts: number[];
  /**
   * The next message of the group: after the refusal, and a confirmation window after the last
   * reply's outcome (its metadata query's timeout at the latest), with the socket up throughout:
   * a path that took the refusal for a write would resend it, and show nothing, had it died.
   */
  afterAt: number;
}

/** Plans a group refusal whose message arrives at `at`. */
export function planGroupRefusal(
  episode: GroupRefusalEpisode,
  at: number,
  timing: MomentTiming,
): GroupRefusalPlan {
  const { keepAliveIntervalMs, defaultQueryTimeoutMs } = socketTimingsOf(timing.socket);
  const firstReplyAt = at + episodeLimits.replyDelayMs;
  const refusedAt = firstReplyAt - episodeLimits.faultLeadMs;
  const replyAts = Array.from(
    { length: episode.replies },
    (_, i) => firstReplyAt + i * episode.spacingMs,
  );
  const outcomeAt = replyAts.at(-1)! + defaultQueryTimeoutMs + writtenWithinMs(timing.latencyMs);
  const confirmedAt = outcomeAt + confirmWindowMs(keepAliveIntervalMs);
  return { refusedAt, replyAts, afterAt: Math.max(refusedAt + episode.forMs, confirmedAt) };
}

/** When a hung upload's fault comes and its replies are asked, and when the episode is over. */
interface HungUploadPlan {
  hangsAt: number;
  /** The window lasts past the upload's start however slow the link (at least that long). */
  hangsForMs: number;
  mediaAt: number;
  followUpAt: number;
  /**
   * The end: the window over, and a correct path has given the media reply up (a deadline after
   * it was asked), ended its socket and heard that close.
   */
  overAt: number;
}

/** Plans a hung upload whose message arrives at `at`, for replies with `deadlineMs`. */
export function planHungUpload(
  episode: HungUploadEpisode,
  at: number,
  timing: MomentTiming,
  deadlineMs: number,
): HungUploadPlan {
  const mediaAt = at + episodeLimits.replyDelayMs;
  const hangsAt = mediaAt - episodeLimits.faultLeadMs;
  const startedWithinMs = writtenWithinMs(timing.latencyMs) + episodeLimits.faultLeadMs;
  const hangsForMs = Math.max(episode.forMs, startedWithinMs);
  const givenUpAt = mediaAt + deadlineMs + wsCloseTimeoutMs + writtenWithinMs(timing.latencyMs);
  const followUpAt = mediaAt + episode.followUpMs;
  const overAt = Math.max(hangsAt + hangsForMs, givenUpAt, followUpAt);
  return { hangsAt, hangsForMs, mediaAt, followUpAt, overAt };
}
