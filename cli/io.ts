/**
 * Where the CLI writes. Commands take an {@link Io} instead of touching `process` so the
 * decisions (TTY or not, where a line goes) live in one place: stdout carries results (the
 * summary, `--json`'s one object), stderr carries progress and errors.
 */

/** Something text can be written to. */
interface TextSink {
  write(text: string): unknown;
}

/** The CLI's view of its process. */
export interface Io {
  stdout: TextSink;
  stderr: TextSink & Partial<Pick<NodeJS.WriteStream, 'isTTY' | 'columns'>>;
  /** stderr is a terminal: draw a progress bar instead of plain lines. */
  progressTty: boolean;
  /** Directory that relative paths (flags, module specs) are resolved against. */
  cwd: string;
}

/** The real process's streams. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    progressTty: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/** Writes `lines` to `sink`, one per line. */
export function writeLines(sink: TextSink, lines: readonly string[]): void {
  if (lines.length > 0) sink.write(`${lines.join('\n')}\n`);
}
