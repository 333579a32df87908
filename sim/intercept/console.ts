/**
 * The bot's console is the bot's: while a run (or a module's import) is under way, whatever the
 * code writes to the process's stdout and stderr is recorded instead of printed. A bot that logs
 * "opened connection" must not end up inside the CLI's summary, break `--json` (one JSON document
 * on stdout, which `merge` and CI parse), or print a customer's phone number.
 *
 * Captured, for the capture's duration, and put back exactly after (also when it throws):
 * - the global `console`, by a `Console` of the capture's own (so `%s` formats, `console.table`,
 *   `console.group` indentation and `console.dir` read as Node prints them);
 * - `process.stdout.write` and `process.stderr.write`, which a console kept from before (a
 *   logger holding `console`, `import console from 'node:console'`) writes through;
 * - `fs.write` and `fs.writeSync` to file descriptors 1 and 2 (pino's default destination,
 *   sonic-boom, writes there; Baileys bots log with pino). Other descriptors pass through. A
 *   `writeSync` imported by name from `node:fs` into an ES module is not seen: updating such
 *   bindings costs about 60 µs a call (see globals.ts), too dear twice per run.
 *
 * Lines are split at `\n`, stripped of terminal colour codes, redacted (no JID or phone number:
 * the last four digits only) and bounded: the first {@link outputLimits}`.linesMax` lines are
 * kept, each at most `lineLengthMax` characters; the rest is counted.
 */
import fs from 'node:fs';
import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { redactJidsInText } from '../../src/redact.js';
import type { OutputLine, OutputRecord } from '../history.js';
import { Patches } from './patches.js';

/** Limits of what one capture keeps. */
export const outputLimits = Object.freeze({ linesMax: 1000, lineLengthMax: 1000 });

type StreamName = OutputLine['stream'];

/** Collects one capture's lines, bounded (see the module comment). */
export class OutputRecorder {
  readonly #now: () => number;
  readonly #lines: OutputLine[] = [];
  readonly #partial: Record<StreamName, { at: number; text: string } | undefined> = { stdout: undefined, stderr: undefined };
  #linesDropped = 0;
  #charsDropped = 0;

  /** `now` stamps each line (a run's virtual time; 0 outside a run). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Records `chunk` written to `stream`. */
  write(stream: StreamName, chunk: unknown, encoding?: unknown): void {
    const text = textOf(chunk, encoding);
    if (text === '') return;
    let rest = text;
    for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n')) {
      this.#append(stream, rest.slice(0, newline));
      this.#endLine(stream);
      rest = rest.slice(newline + 1);
    }
    if (rest !== '') this.#append(stream, rest);
  }

  /** Ends any unfinished line and returns what was written (undefined when nothing was). */
  finish(): OutputRecord | undefined {
    this.#endLine('stdout');
    this.#endLine('stderr');
    if (this.#lines.length === 0 && this.#linesDropped === 0) return undefined;
    return { lines: this.#lines, linesDropped: this.#linesDropped, charsDropped: this.#charsDropped };
  }

  #append(stream: StreamName, text: string): void {
    const partial = this.#partial[stream];
    if (partial === undefined) this.#partial[stream] = { at: this.#now(), text };
    else if (partial.text.length <= outputLimits.lineLengthMax) partial.text += text;
    else this.#charsDropped += text.length;
  }

  #endLine(stream: StreamName): void {
    const partial = this.#partial[stream];
    if (partial === undefined) return;
    this.#partial[stream] = undefined;
    const plain = stripVTControlCharacters(partial.text).replace(/\r$/, '');
    if (this.#lines.length >= outputLimits.linesMax) {
      this.#linesDropped++;
      this.#charsDropped += plain.length;
      return;
    }
    const kept = plain.length > outputLimits.lineLengthMax ? `${plain.slice(0, outputLimits.lineLengthMax)}…` : plain;
    this.#charsDropped += plain.length - Math.min(plain.length, outputLimits.lineLengthMax);
    this.#lines.push({ at: partial.at, stream, text: redactJidsInText(kept) });
  }
}

function textOf(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  return chunk === undefined || chunk === null ? '' : String(chunk);
}

/** The recorder writes go to now; one capture at a time per thread. */
let current: OutputRecorder | undefined;

/** A stream a `Console` can write to, feeding the current recorder. */
class SinkStream extends EventEmitter {
  readonly #stream: StreamName;
  constructor(stream: StreamName) {
    super();
    this.#stream = stream;
  }
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    current?.write(this.#stream, chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as (error: null) => void, null);
    return true;
  }
}

/** The capture's `Console`, made once per thread: a `Console` binds some forty methods when made. */
let sinkConsole: Console | undefined;

function consoleOfSinks(): Console {
  sinkConsole ??= new Console({ stdout: new SinkStream('stdout') as unknown as NodeJS.WritableStream, stderr: new SinkStream('stderr') as unknown as NodeJS.WritableStream, colorMode: false });
  return sinkConsole;
}

/** A replacement for a stream's `write` that records instead. */
function recordingWrite(stream: StreamName) {
  return function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    current?.write(stream, chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as (error: null) => void, null);
    return true;
  };
}

const standardStreams: Record<number, StreamName> = { 1: 'stdout', 2: 'stderr' };

/** `fs.writeSync` that records writes to fd 1 and 2 and passes the rest on. */
function recordingWriteSync(original: typeof fs.writeSync): typeof fs.writeSync {
  return function writeSync(fd: number, buffer: unknown, ...rest: unknown[]): number {
    const stream = standardStreams[fd];
    if (stream === undefined) return (original as (...args: unknown[]) => number)(fd, buffer, ...rest);
    current?.write(stream, sliceOf(buffer, rest), typeof rest[1] === 'string' ? rest[1] : undefined);
    return typeof buffer === 'string' ? Buffer.byteLength(buffer) : (rest.length >= 2 && typeof rest[1] === 'number' ? rest[1] : (buffer as Uint8Array).byteLength);
  } as typeof fs.writeSync;
}

/** `fs.write` that records writes to fd 1 and 2 (answering as a complete write) and passes the rest on. */
function recordingFsWrite(original: typeof fs.write): typeof fs.write {
  return function write(fd: number, buffer: unknown, ...rest: unknown[]): void {
    const stream = standardStreams[fd];
    if (stream === undefined) return (original as (...args: unknown[]) => void)(fd, buffer, ...rest);
    const callback = rest.at(-1);
    const args = rest.slice(0, -1);
    const text = sliceOf(buffer, args);
    current?.write(stream, text, typeof args[1] === 'string' ? args[1] : undefined);
    const written = typeof buffer === 'string' ? Buffer.byteLength(buffer) : text instanceof Uint8Array ? text.byteLength : 0;
    if (typeof callback === 'function') process.nextTick(() => (callback as (e: null, n: number, b: unknown) => void)(null, written, buffer));
  } as typeof fs.write;
}

/** The part of a `write(fd, buffer, offset, length)` buffer that is written. */
function sliceOf(buffer: unknown, args: readonly unknown[]): unknown {
  if (!(buffer instanceof Uint8Array)) return buffer;
  const offset = typeof args[0] === 'number' ? args[0] : 0;
  const length = typeof args[1] === 'number' ? args[1] : buffer.byteLength - offset;
  return buffer.subarray(offset, offset + length);
}

/** Whether a capture is under way in this thread. */
export function outputCaptureActive(): boolean {
  return current !== undefined;
}

/**
 * Sends the process's stdout and stderr to `recorder` until the returned function is called
 * (idempotent). One capture at a time per thread.
 */
export function captureOutput(recorder: OutputRecorder): () => void {
  if (current !== undefined) throw new Error('invariant: one output capture at a time per thread');
  const patches = new Patches();
  current = recorder;
  let undone = false;
  const undo = (): void => {
    if (undone) return;
    undone = true;
    try {
      patches.restore();
    } finally {
      current = undefined;
    }
  };
  try {
    patches.set(globalThis, 'console', consoleOfSinks());
    patches.set(process.stdout, 'write', recordingWrite('stdout'));
    patches.set(process.stderr, 'write', recordingWrite('stderr'));
    patches.set(fs, 'writeSync', recordingWriteSync(fs.writeSync));
    patches.set(fs, 'write', recordingFsWrite(fs.write));
  } catch (error) {
    undo();
    throw error;
  }
  return undo;
}
