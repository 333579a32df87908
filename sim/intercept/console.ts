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
  readonly #partial: Record<StreamName, { at: number; text: string } | undefined> = {
    stdout: undefined,
    stderr: undefined,
  };
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
    const lines = this.#lines;
    return { lines, linesDropped: this.#linesDropped, charsDropped: this.#charsDropped };
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
    const lengthMax = outputLimits.lineLengthMax;
    const kept = plain.length > lengthMax ? `${plain.slice(0, lengthMax)}…` : plain;
    this.#charsDropped += plain.length - Math.min(plain.length, lengthMax);
    this.#lines.push({ at: partial.at, stream, text: redactJidsInText(kept) });
  }
}

/** `encoding` when Node knows it, else UTF-8. */
function encodingOf(encoding: unknown): BufferEncoding {
  return typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
}

function textOf(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk === undefined || chunk === null) return '';
  if (!(chunk instanceof Uint8Array)) return String(chunk);
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return bytes.toString(encodingOf(encoding));
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

/** The capture's `Console`, made once per thread (making one binds some forty methods). */
let sinkConsole: Console | undefined;

function consoleOfSinks(): Console {
  const sink = (stream: StreamName) => new SinkStream(stream) as unknown as NodeJS.WritableStream;
  sinkConsole ??= new Console({ stdout: sink('stdout'), stderr: sink('stderr'), colorMode: false });
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

type WriteSync = (fd: number, buffer: unknown, ...rest: unknown[]) => number;
type Write = (fd: number, buffer: unknown, ...rest: unknown[]) => void;
type WrittenChunk = { chunk: unknown; encoding?: string; bytes: number };

/**
 * The part of `fs.write(Sync)(fd, buffer, offset, length)` that is written, and its encoding
 * (`fd, string, position, encoding`).
 */
function written(buffer: unknown, args: readonly unknown[]): WrittenChunk {
  if (typeof buffer === 'string') {
    const encoding = typeof args[1] === 'string' ? args[1] : undefined;
    const bytes = Buffer.byteLength(buffer, encodingOf(encoding));
    return { chunk: buffer, ...(encoding === undefined ? {} : { encoding }), bytes };
  }
  if (!(buffer instanceof Uint8Array)) return { chunk: buffer, bytes: 0 };
  const offset = typeof args[0] === 'number' ? args[0] : 0;
  const length = typeof args[1] === 'number' ? args[1] : buffer.byteLength - offset;
  const chunk = buffer.subarray(offset, offset + length);
  return { chunk, bytes: chunk.byteLength };
}

/** `fs.writeSync` that records writes to fd 1 and 2 and passes the rest on. */
function recordingWriteSync(original: WriteSync): WriteSync {
  return function writeSync(fd, buffer, ...rest) {
    const stream = standardStreams[fd];
    if (stream === undefined) return original(fd, buffer, ...rest);
    const { chunk, encoding, bytes } = written(buffer, rest);
    current?.write(stream, chunk, encoding);
    return bytes;
  };
}

/** `fs.write` that records writes to fd 1 and 2 (each answered as complete); the rest pass on. */
function recordingFsWrite(original: Write): Write {
  return function write(fd, buffer, ...rest) {
    const stream = standardStreams[fd];
    if (stream === undefined) return original(fd, buffer, ...rest);
    const callback = rest.at(-1);
    const { chunk, encoding, bytes } = written(buffer, rest.slice(0, -1));
    current?.write(stream, chunk, encoding);
    if (typeof callback !== 'function') return;
    process.nextTick(callback as (...args: unknown[]) => void, null, bytes, buffer);
  };
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
    patches.set(fs, 'writeSync', recordingWriteSync(fs.writeSync as unknown as WriteSync));
    patches.set(fs, 'write', recordingFsWrite(fs.write as unknown as Write));
  } catch (error) {
    undo();
    throw error;
  }
  return undo;
}
