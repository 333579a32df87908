/**
 * Importing a send path module the way a run treats it: what its top-level code writes to
 * stdout and stderr is recorded rather than printed (a CLI's stdout carries its summary or
 * `--json` document, nothing else), and a `process.exit` (or a signal to itself, an exception
 * left uncaught) while it is imported is a load error rather than the end of the process. An
 * import inside a run that already captures (a path loading another module mid-run) is left to
 * that run's capture.
 */
import { captureOutput, outputCaptureActive, OutputRecorder } from '../../sim/intercept/console.js';
import {
  captureProcessExit,
  isProcessExitSignal,
  type CapturedExit,
} from '../../sim/intercept/processExit.js';
import type { OutputRecord } from '../../sim/history.js';

/** A module's exports. */
type Exports = Record<string, unknown>;

/** What importing a module did. */
export interface CapturedImport {
  /** Its exports, when it loaded. */
  module?: Record<string, unknown>;
  /** Why it did not load (absent when it did, or when it ended the process instead). */
  error?: unknown;
  /** It ended the process while being imported (then `module` and `error` are absent). */
  exit?: CapturedExit;
  /** What it wrote to stdout and stderr (absent: nothing). */
  output?: OutputRecord;
}

/** Runs `load` (an import) with the process's output and exits captured. */
export async function importCaptured(load: () => Promise<Exports>): Promise<CapturedImport> {
  if (outputCaptureActive()) {
    return load().then(
      (module) => ({ module }),
      (error: unknown) => ({ error }),
    );
  }
  const recorder = new OutputRecorder(() => 0);
  let exit: CapturedExit | undefined;
  const releaseOutput = captureOutput(recorder);
  let releaseExit: (() => void) | undefined;
  const result: CapturedImport = {};
  try {
    releaseExit = captureProcessExit((heard) => (exit = heard));
    result.module = await load();
  } catch (error) {
    if (!isProcessExitSignal(error)) result.error = error;
  } finally {
    try {
      releaseExit?.();
    } finally {
      releaseOutput();
    }
  }
  const output = recorder.finish();
  if (output !== undefined) result.output = output;
  if (exit !== undefined) {
    delete result.module;
    delete result.error;
    result.exit = exit;
  }
  return result;
}
