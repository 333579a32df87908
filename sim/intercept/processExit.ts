/**
 * A bot that ends its process is a finding, not a crash of the audit. While a run (or a
 * module's import) is under way, the ways code ends the process it runs in are caught:
 *
 * - `process.exit(code)`, and `process.abort()`;
 * - `process.kill(pid, signal)` aimed at its own process (`process.pid`, or 0: its process
 *   group). Signal 0 only asks whether the process exists and answers `true`; a signal to
 *   another process passes through. A handler the bot installed for the signal is not run: the
 *   signal is taken as ending the process, as it does by default;
 * - an exception nobody catches (`uncaughtException`: the process's own listeners are set aside
 *   meanwhile and put back after), which ends a Node process with code 1.
 *
 * Each is reported once (the first ends the process) through `onExit`. `exit`, `kill` and
 * `abort` then throw a {@link ProcessExitSignal}: a real one never returns, so the caller's
 * code after it must not run on. The harness recognises the signal wherever it surfaces (a
 * timer, a listener, a rejected promise) and records nothing more of it.
 */
import { constants } from 'node:os';
import type { ExitRecord } from '../history.js';
import { Patches } from './patches.js';

/** Thrown by a captured `process.exit`, `kill` or `abort`, to unwind the code that called it. */
class ProcessExitSignal extends Error {
  override readonly name = 'ProcessExitSignal';
}

/** Whether `error` is the unwinding of a captured exit (see {@link ProcessExitSignal}). */
export function isProcessExitSignal(error: unknown): boolean {
  return error instanceof ProcessExitSignal;
}

/**
 * An exit as the capture reports it: an {@link ExitRecord} without its time, with the exception.
 */
export type CapturedExit = Omit<ExitRecord, 'at' | 'error'> & { thrown?: unknown };

/** Signals that do not end a process by default (Node leaves them alone unless a listener asks). */
const harmlessSignals = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH']);

/** Who hears the exits now, and whether one was heard: one capture at a time per thread. */
let listener: { onExit(exit: CapturedExit): void; ended: boolean } | undefined;
/** `process.kill` as it was when the capture began. */
let originalKill: typeof process.kill = process.kill;

function end(exit: CapturedExit): void {
  if (listener === undefined || listener.ended) return;
  listener.ended = true;
  listener.onExit(exit);
}

// The replacements are made once: a capture per run only puts them in place.
function exit(code?: unknown): never {
  const number = Number(code ?? process.exitCode ?? 0);
  end({ how: 'exit', code: Number.isInteger(number) ? number : 0 });
  const shown = code === undefined ? '' : String(code);
  throw new ProcessExitSignal(`process.exit(${shown}) ended the process`);
}

function kill(pid: number, signal?: string | number): true {
  const own = Number(pid) === process.pid || Number(pid) === 0;
  if (!own) return originalKill.call(process, pid, signal) as true;
  const name = signalName(signal);
  if (name === '0' || harmlessSignals.has(name)) return true;
  end({ how: 'signal', signal: name });
  throw new ProcessExitSignal(`process.kill(${pid}, ${name}) ended the process`);
}

function abort(): never {
  end({ how: 'abort' });
  throw new ProcessExitSignal('process.abort() ended the process');
}

function onUncaught(error: unknown): void {
  if (!isProcessExitSignal(error)) end({ how: 'uncaught', code: 1, thrown: error });
}

/**
 * Catches the process's exits (see the module comment) until the returned function is called
 * (idempotent); `onExit` hears the first. One capture at a time per thread.
 */
export function captureProcessExit(onExit: (exit: CapturedExit) => void): () => void {
  if (listener !== undefined) throw new Error('invariant: one exit capture at a time per thread');
  const patches = new Patches();
  listener = { onExit, ended: false };
  originalKill = process.kill;
  const setAside = process.listeners('uncaughtException');
  let undone = false;
  const undo = (): void => {
    if (undone) return;
    undone = true;
    try {
      process.off('uncaughtException', onUncaught);
      for (const other of setAside) process.on('uncaughtException', other);
      patches.restore();
    } finally {
      listener = undefined;
    }
  };
  try {
    patches.set(process, 'exit', exit);
    patches.set(process, 'kill', kill);
    patches.set(process, 'abort', abort);
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
  } catch (error) {
    undo();
    throw error;
  }
  return undo;
}

/** A signal as its name (`SIGTERM` when none is given, as `process.kill`'s default). */
function signalName(signal: string | number | undefined): string {
  if (signal === undefined) return 'SIGTERM';
  if (typeof signal === 'string') return signal;
  if (signal === 0) return '0';
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? String(signal);
}

/** An exit in words, subject and verb: "the bot exited the process with code 1 (process.exit)". */
export function describeExit(exit: Pick<ExitRecord, 'how' | 'code' | 'signal' | 'error'>): string {
  switch (exit.how) {
    case 'exit':
      return `the bot exited the process with code ${exit.code ?? 0} (process.exit)`;
    case 'signal':
      return `the bot ended its process with ${exit.signal ?? 'SIGTERM'} (process.kill of its pid)`;
    case 'abort':
      return 'the bot aborted the process (process.abort)';
    case 'uncaught': {
      const error = exit.error ? `${exit.error.name}: ${exit.error.message}` : 'unknown error';
      return `an exception the bot left uncaught ended the process with code 1 (${error})`;
    }
  }
}
