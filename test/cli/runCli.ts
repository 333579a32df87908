/**
 * Runs the real `bin/baileys-sim.js` in a child process, as a user or CI would, and collects
 * its exit code and output. stdout/stderr are pipes, so the CLI takes its non-TTY paths.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of the bin under test. */
const binPath = fileURLToPath(new URL('../../bin/baileys-sim.js', import.meta.url));

/** What one CLI invocation did. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A child that takes longer than this is a hung CLI, not a slow one. */
const childTimeoutMs = 60_000;

/**
 * Runs `baileys-sim ...args` in `cwd`; a long campaign may ask for more than the default minute.
 */
export function runCli(
  args: readonly string[],
  cwd: string,
  timeoutMs = childTimeoutMs,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [binPath, ...args],
      { cwd, timeout: timeoutMs, env: { ...process.env, BAILEYS_SIM_DEBUG: '', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(
              `baileys-sim ${args.join(' ')} did not exit normally: ${error.message}\n${stderr}`,
            ),
          );
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
