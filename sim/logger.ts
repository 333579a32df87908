/**
 * The capturing logger handed to a send path as `env.logger`: pino-compatible for the calls a
 * path (or Baileys, if the path passes it on) makes: `trace..fatal(obj, msg)` or `(msg)`,
 * `child(bindings)`, `level`. Every call becomes a {@link LogRecord} at the virtual time. It
 * records what the path logged, unredacted: the checkers look for full JIDs in it.
 */
import type { Logger } from '../src/ports.js';
import { jsonSafe, type LogRecord } from './history.js';

/** Where records go; shared by a logger and its children. */
export interface LogSink {
  readonly records: LogRecord[];
  /** Calls not recorded because `max` was reached. */
  dropped: number;
  readonly max: number;
  now(): number;
}

/** A pino-compatible logger writing into a {@link LogSink}. */
export class CapturingLogger implements Logger {
  /** pino's level: everything is captured. */
  level = 'trace';
  readonly #sink: LogSink;
  readonly #bindings: Record<string, unknown> | undefined;

  /** A logger writing to `sink`, adding `bindings` to every record's object. */
  constructor(sink: LogSink, bindings?: Record<string, unknown>) {
    this.#sink = sink;
    this.#bindings = bindings;
  }

  /** Records a `trace` call: `(obj, msg?)` or `(msg)`. */
  trace = (obj: unknown, msg?: string): void => this.#write('trace', obj, msg);
  /** Records a `debug` call: `(obj, msg?)` or `(msg)`. */
  debug = (obj: unknown, msg?: string): void => this.#write('debug', obj, msg);
  /** Records an `info` call: `(obj, msg?)` or `(msg)`. */
  info = (obj: unknown, msg?: string): void => this.#write('info', obj, msg);
  /** Records a `warn` call: `(obj, msg?)` or `(msg)`. */
  warn = (obj: unknown, msg?: string): void => this.#write('warn', obj, msg);
  /** Records an `error` call: `(obj, msg?)` or `(msg)`. */
  error = (obj: unknown, msg?: string): void => this.#write('error', obj, msg);
  /** Records a `fatal` call: `(obj, msg?)` or `(msg)`. */
  fatal = (obj: unknown, msg?: string): void => this.#write('fatal', obj, msg);

  /** pino's `child`: the same sink, with `bindings` merged into every record. */
  child = (bindings: Record<string, unknown>): CapturingLogger =>
    new CapturingLogger(
      this.#sink,
      this.#bindings === undefined ? bindings : { ...this.#bindings, ...bindings },
    );

  #write(level: LogRecord['level'], obj: unknown, msg: string | undefined): void {
    const sink = this.#sink;
    if (sink.records.length >= sink.max) {
      sink.dropped++;
      return;
    }
    const record: LogRecord = { at: sink.now(), level };
    if (typeof obj === 'string') {
      // pino's `logger.info('text')` form.
      record.msg = obj;
    } else {
      if (typeof msg === 'string') record.msg = msg;
      const merged =
        this.#bindings === undefined
          ? obj
          : typeof obj === 'object' && obj !== null
            ? { ...this.#bindings, ...obj }
            : this.#bindings;
      const safe = jsonSafe(merged);
      if (safe !== undefined) record.obj = safe;
    }
    sink.records.push(record);
  }
}
