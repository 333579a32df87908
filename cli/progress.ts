/**
 * Campaign progress on stderr: a cli-progress bar on a terminal, and on anything else (CI logs,
 * pipes) a plain line at every tenth of the runs, so a log gets at most ten progress lines.
 */
import cliProgress from 'cli-progress';
import type { Io } from './io.js';

/** Receives run counts as a campaign advances. */
interface Progress {
  /** `runsDone` generated runs have finished. */
  update(runsDone: number): void;
  /** The campaign is over: clear the bar (a bar left on screen would garble the summary). */
  stop(): void;
}

/** Plain-line milestones per campaign: one line per tenth. */
const plainMilestones = 10;

/** A progress reporter that reports nothing (for `--json`). */
export const silentProgress: Progress = { update() {}, stop() {} };

/** Progress for a campaign of `totalRuns` runs labelled `label` (the send path). */
export function createProgress(io: Io, label: string, totalRuns: number): Progress {
  if (io.progressTty) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.stderr as NodeJS.WritableStream,
        format:
          `${label} {bar} {percentage}% | {value}/{total} runs | {rate} runs/s | ` +
          `{duration_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        // The campaign's wall time is the user's; redrawing more than ten times a second is waste.
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    const startedMs = performance.now();
    bar.start(totalRuns, 0, { rate: '0' });
    return {
      update(runsDone) {
        const seconds = (performance.now() - startedMs) / 1000;
        bar.update(runsDone, {
          rate: seconds > 0 ? Math.round(runsDone / seconds).toString() : '0',
        });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const step = Math.max(1, Math.ceil(totalRuns / plainMilestones));
  return {
    update(runsDone) {
      if (runsDone % step === 0 || runsDone === totalRuns) {
        io.stderr.write(
          `${label}: ${runsDone}/${totalRuns} runs (` +
            `${Math.floor((runsDone * 100) / totalRuns)}%)\n`,
        );
      }
    },
    stop() {},
  };
}
