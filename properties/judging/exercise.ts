/**
 * Whether a campaign exercised the send path at all. A path wired wrongly (start() never
 * connects, onMessage never called, every send lost) gives the properties nothing to judge, and
 * every run "passes": the campaign property `exercised` fails such a campaign. Counted per run
 * and summed over chunks and shards, so it is judged on the whole campaign.
 */
import type { History } from '../../sim/history.js';

/** Per campaign: runs that offered and that achieved each thing `exercised` looks for. */
export interface ExerciseCounts {
  /** Runs whose timeline sent the bot a message it answers (text, media, group). */
  offered: number;
  /** Runs in which the path handed the bot at least one message. */
  received: number;
  /** Runs in which the bot asked for a reply or media. */
  asked: number;
  /** Runs in which at least one reply or media became visible in its chat. */
  visible: number;
}

/**
 * Runs that must have offered a message (and asked for a reply) before `exercised` judges: the
 * reference path receives a message in about 94 % of the generated runs that send one and gets
 * a reply seen in about 89 % of those that ask, so ten runs in a row without either happen to a
 * correct path about once in 10^9 campaigns.
 */
export const exercisedRunsMin = 10;

/** Counts of a campaign with no runs. */
export function emptyExercise(): ExerciseCounts {
  return { offered: 0, received: 0, asked: 0, visible: 0 };
}

/** Adds one run's history to `counts`. */
export function addRunExercise(counts: ExerciseCounts, history: History): void {
  if (history.inbound.some((i) => i.answerable)) counts.offered += 1;
  if (history.inbound.some((i) => i.receivedAt !== undefined)) counts.received += 1;
  if (history.requests.some((r) => r.kind !== 'composing')) counts.asked += 1;
  if (Object.values(history.server.visible).some((list) => list.some((v) => v.key !== undefined)))
    counts.visible += 1;
}

/** Adds `more` (another chunk's counts) to `counts`. */
export function addExercise(counts: ExerciseCounts, more: ExerciseCounts): void {
  counts.offered += more.offered;
  counts.received += more.received;
  counts.asked += more.asked;
  counts.visible += more.visible;
}

/** The `exercised` verdict of a campaign's counts: held, failed, or not judged (too few runs). */
interface ExercisedVerdict {
  /** False only when the campaign gave enough runs and the path did nothing with them. */
  held: boolean;
  /** The campaign had enough runs to judge. */
  judged: boolean;
  /** One line: what was seen. */
  message: string;
}

/** Judges `exercised` on a whole campaign's counts. */
export function exercisedVerdict(counts: ExerciseCounts): ExercisedVerdict {
  if (counts.offered >= exercisedRunsMin && counts.received === 0) {
    return {
      held: false,
      judged: true,
      message:
        `the bot received no message in any of the ${counts.offered} runs that sent one: ` +
        `the send path never called onMessage (does start() connect with env.makeSocket ` +
        `and ` +
        `hand messages.upsert on?)`,
    };
  }
  if (counts.asked >= exercisedRunsMin && counts.visible === 0) {
    return {
      held: false,
      judged: true,
      message:
        `no reply became visible in any of the ${counts.asked} runs that asked for one: ` +
        `nothing the send path sent reached a chat`,
    };
  }
  const seen =
    `the bot received a message in ${counts.received} of ${counts.offered} runs that sent ` +
    `one; a reply became visible in ${counts.visible} of ${counts.asked} that asked`;
  if (counts.offered < exercisedRunsMin || counts.asked < exercisedRunsMin)
    return {
      held: true,
      judged: false,
      message: `not judged (fewer than ${exercisedRunsMin} runs): ${seen}`,
    };
  return { held: true, judged: true, message: seen };
}
