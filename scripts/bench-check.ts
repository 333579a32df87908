/**
 * Cost of judging a history as it grows: the reference path is simulated once on a timeline of
 * one chat with 500, 2,000 and 8,000 replies (with a drop, a refusal window and a blackhole then
 * heal among them, so every checker has sockets and failures to read), then `checkAll` judges
 * each history in timed batches. Prints simulate ms, check CPU ms, check µs per reply (best and
 * median batch) and the per-reply ratio of the largest history to the smallest. Target: that
 * ratio within 1.5 (checking is linear, or n log n, in the history's size).
 *   npm run bench:check [-- repeats]
 */
import { performance } from 'node:perf_hooks';
import { checkAll } from '../properties/judging/checkers.js';
import { defaultReconnectPolicy, referenceSendPath } from '../src/index.js';
import type { History } from '../sim/history.js';
import { simulate } from '../sim/simulate.js';
import { parseTimeline, timelineFormat, type TimelineEvent } from '../sim/timeline.js';
import { tuneV8ForSimulation } from '../sim/v8Tuning.js';

tuneV8ForSimulation();

const repliesPerHistory: readonly number[] = [500, 2000, 8000];
const repeatsArg = Number(process.argv[2] ?? 15);
const repeats =
  Number.isInteger(repeatsArg) && repeatsArg > 0 && repeatsArg <= 1000 ? repeatsArg : 15;
/** Replies judged per timed batch: many checks of a small history, a few of a large one. */
const batchReplies = 40_000;
/** Virtual time between two replies: slow enough that the reference never hits its queue limit. */
const replyGapMs = 100;
/** The per-reply cost may grow this much from the smallest history to the largest. */
const ratioTarget = 1.5;

/** One chat, one inbound, `replies` replies to it, and a few faults spread over the run. */
function timelineOf(replies: number) {
  const endMs = replies * replyGapMs;
  const faults: TimelineEvent[] = [
    { at: Math.round(endMs * 0.2), do: 'drop', reason: 'connectionLost' },
    {
      at: Math.round(endMs * 0.4),
      do: 'refuseConnects',
      untilAt: Math.round(endMs * 0.4) + 10_000,
    },
    { at: Math.round(endMs * 0.6), do: 'blackhole', untilAt: Math.round(endMs * 0.6) + 20_000 },
    { at: Math.round(endMs * 0.6) + 20_000, do: 'heal' },
  ];
  const sends: TimelineEvent[] = Array.from({ length: replies }, (_, i) => ({
    at: 100 + i * replyGapMs,
    do: 'reply',
    to: 'm1',
    key: `r${i + 1}`,
  }));
  const events: TimelineEvent[] = [
    { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
    ...[...sends, ...faults].sort((a, b) => a.at - b.at),
  ];
  return parseTimeline({
    format: timelineFormat,
    seed: 1,
    config: { reconnect: { ...defaultReconnectPolicy }, replyDeadlineMs: 120_000 },
    events,
  });
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/**
 * CPU ms of one `checkAll(history)`: the mean over a batch of checks judging about
 * `batchReplies` replies in all. CPU time, not wall time, so other processes on the machine do
 * not count (a check's own garbage collection does).
 */
function checkCpuMs(history: History, replies: number): number {
  const checks = Math.ceil(batchReplies / replies);
  const before = process.cpuUsage();
  for (let i = 0; i < checks; i += 1) checkAll(history);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / checks;
}

const runs: { replies: number; history: History; simulateMs: number }[] = [];
for (const replies of repliesPerHistory) {
  const t0 = performance.now();
  const history = await simulate(timelineOf(replies), referenceSendPath);
  runs.push({ replies, history, simulateMs: performance.now() - t0 });
}
// Warm up on every size, then time the sizes in turn, so JIT and GC state favour none of them.
for (const run of runs) checkCpuMs(run.history, run.replies);
const times = runs.map((): number[] => []);
for (let i = 0; i < repeats; i += 1)
  runs.forEach((run, r) => times[r]!.push(checkCpuMs(run.history, run.replies)));

console.log(
  `checkAll CPU cost per reply, one chat, reference path (${repeats} batches of ` +
    `${batchReplies} replies judged per size)\n`,
);
console.log(
  '| replies | attempts | sockets | violations | simulate wall ms | check CPU ms (best ' +
    'batch) | µs per reply (best) | µs per reply (median) |',
);
console.log('|---|---|---|---|---|---|---|---|');
const perReplyUs = runs.map((run, r) => {
  const best = Math.min(...times[r]!);
  const us = {
    best: (best * 1000) / run.replies,
    median: (median(times[r]!) * 1000) / run.replies,
  };
  const { history } = run;
  console.log(
    `| ${run.replies} | ${history.attempts.length} | ${history.sockets.length} | ` +
      `${checkAll(history).length} | ${run.simulateMs.toFixed(0)} | ${best.toFixed(2)} | ` +
      `${us.best.toFixed(2)} | ${us.median.toFixed(2)} |`,
  );
  return us;
});
// The target is judged on the best batch: every batch holds several checks and their garbage
// collection, and the best one is the least disturbed by other processes sharing the cores.
const ratio = perReplyUs.at(-1)!.best / perReplyUs[0]!.best;
const medianRatio = perReplyUs.at(-1)!.median / perReplyUs[0]!.median;
console.log(
  `\n` +
    `per-reply cost ${repliesPerHistory.at(-1)} vs ${repliesPerHistory[0]} replies: ` +
    `${ratio.toFixed(2)}x best, ${medianRatio.toFixed(2)}x median (target <= ${ratioTarget}` +
    `x ` +
    `on best: ${ratio <= ratioTarget ? 'met' : 'NOT met'})`,
);
