/**
 * Exit codes and the one error the CLI turns into a one-line message. Anything a user can get
 * wrong (a flag, a file, a module) becomes a {@link UsageError}: one line on stderr, exit 2, and
 * never a stack trace, because a stack says "the tool broke" when the input did.
 */

/** The process exit codes of every command. */
export const exitCodes = Object.freeze({
  /** Every property held (run/audit), the failure no longer reproduces (replay), report written. */
  ok: 0,
  /** A property was violated (run/audit), or the failure still reproduces (replay). */
  violation: 1,
  /** Bad input: a flag, a file or a module that cannot be used. */
  usage: 2,
  /** A bug in baileys-sim itself (never the user's input). */
  internal: 3,
});

/** One exit code of {@link exitCodes}. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** Bad input. The message is one line that names the flag, file or module at fault. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The first line of an error's message, for the one-line reports above. */
export function firstLine(error: unknown): string {
  // An error from a worker process arrives as a plain object: keep its message, not "[object
  // Object]".
  const message = (error as { message?: unknown } | null)?.message;
  const text =
    error instanceof Error ? error.message : typeof message === 'string' ? message : String(error);
  return text.split('\n')[0] ?? '';
}
