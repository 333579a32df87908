/**
 * clean: stop() keeps its contract (it completes, and leaves no timers, sends, requests or
 * sockets behind, and nothing is sent once it was called), and the path never threw where no
 * one could catch it.
 */
import type { History, RestartRecord, SocketRecord } from '../../../sim/history.js';
import { describeExit } from '../../../sim/intercept/processExit.js';
import type { Checker, Violation } from '../checker.js';
import type { HistoryIndex } from '../historyIndex.js';
import { pathAt, pathOfSocket, restartsOf } from '../restarts.js';
import { errorInWords } from '../../../src/errorWords.js';
import { ms, socketSite, timerText } from '../words.js';

const property = 'clean';

/**
 * When the path was done with a socket: it called `end()`, or the connection was lost, or its close
 * emitted.
 */
function goneAt(s: SocketRecord): number {
  return Math.min(s.endCalledAt ?? Infinity, s.diedAt ?? Infinity, s.closeEmittedAt ?? Infinity);
}

/**
 * Sends still pending after stop() that the path could have settled: those on sockets it neither
 * ended nor lost by then. A send in flight on a socket that is gone is rc14's to settle, and
 * nothing can cancel it: after `end()` a send still in its pre-write queries waits
 * `defaultQueryTimeoutMs` before its 428 (Baileys removes its listeners first), a stuck write
 * its `connectTimeoutMs`, and an upload the media host never answers stays pending for good.
 */
function sendsLeft(history: History, stoppedAt: number): number {
  const socketGoneAt = new Map(history.sockets.map((s) => [s.generation, goneAt(s)]));
  return history.attempts.filter(
    (a) => a.result === 'pending' && (socketGoneAt.get(a.generation) ?? Infinity) > stoppedAt,
  ).length;
}

/**
 * Sockets left behind: each socket neither ended by the path (`end()` called) nor gone (its
 * connection lost or its close emitted) by the time stop() resolved. A stopped bot whose socket
 * stays open keeps acknowledging messages nobody handles, and its next start is replaced (440)
 * by its own old connection.
 */
function socketsLeft(history: History, stoppedAt: number): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  for (const s of history.sockets) {
    if (goneAt(s) <= stoppedAt) continue;
    violations.push({
      property,
      generation: s.generation,
      at: stoppedAt,
      message:
        `socket ${s.generation}, made at ${ms(s.createdAt)}` +
        `${socketSite(history, s.generation)}, was neither ended nor closed ` +
        `when stop() resolved (${s.state} when the run ended)`,
    });
  }
  return violations;
}

/**
 * Sends begun after stop() was called. Strictly after: a send at the very time of the call may
 * have been made before it (the history orders sends and stop() by virtual time only).
 */
function sendsAfterStop(history: History, stopAt: number): Violation<typeof property>[] {
  const late = history.attempts.filter((a) => a.at > stopAt);
  const first = late[0];
  if (first === undefined) return [];
  return [
    {
      property,
      generation: first.generation,
      at: first.at,
      ...(first.key === undefined ? {} : { key: first.key }),
      message:
        `${late.length} send(s) after stop() was called at ${stopAt} ms (first: ` +
        `${first.kind} attempt #${first.seq} on socket ${first.generation} at ${first.at} ` +
        `ms)`,
    },
  ];
}

/**
 * A restart's stop() keeps the contract of the run's own: path number `path`, stopped by
 * `restart`, left no timer, no socket of its own neither ended nor lost, no request it was called
 * with unsettled once that stop() resolved, and began no send after it was called (the old bot's
 * leftovers would act in a process that is gone).
 */
function restartViolations(
  history: History,
  restart: RestartRecord,
  path: number,
): Violation<typeof property>[] {
  const violations: Violation<typeof property>[] = [];
  const when = `stop() for the restart at ${restart.stopRequestedAt} ms`;
  const doneAt = restart.stopCompletedAt;
  const add = (message: string, at = doneAt ?? history.endedAt): void =>
    void violations.push({ property, at, message });
  if (restart.stopResult !== 'completed')
    add(
      `${when} ${restart.stopResult}${restart.stopError ? `: ${restart.stopError.message}` : ''}`,
    );
  if (restart.pathTimersAlive > 0)
    add(
      `${restart.pathTimersAlive} send-path timer(s) alive after ${when}: they fire in a ` +
        `bot that was stopped`,
    );
  if (doneAt !== undefined) {
    for (const s of history.sockets) {
      if (pathOfSocket(history, s) !== path || goneAt(s) <= doneAt) continue;
      violations.push({
        property,
        generation: s.generation,
        at: doneAt,
        message:
          `socket ${s.generation} (created at ${s.createdAt} ms, ${s.state}) was neither ` +
          `ended nor closed when ${when} resolved`,
      });
    }
    const called = history.requests.filter(
      (r) =>
        r.calledAt !== undefined &&
        r.calledAt <= restart.stopRequestedAt &&
        pathAt(history, r.calledAt) === path,
    );
    const unsettled = called.filter(
      (r) => r.settledAt === undefined || r.settledAt > doneAt,
    ).length;
    if (unsettled > 0) add(`${unsettled} request(s) not settled when ${when} resolved`);
  }
  const late = history.attempts.filter(
    (a) => a.at > restart.stopRequestedAt && a.at < (restart.startedAt ?? Infinity),
  );
  if (late[0] !== undefined) {
    add(
      `${late.length} send(s) after ${when} was called and before the new path started ` +
        `(first: attempt #${late[0].seq} at ${late[0].at} ms)`,
      late[0].at,
    );
  }
  return violations;
}

/**
 * The path's timers still pending when the run ended (after stop()): one violation per timer the
 * history lists, with its delay, when and (when known) where it was made; one for the rest.
 */
function timersLeft(history: History, at: number): Violation<typeof property>[] {
  const alive = history.stop.pathTimersAlive;
  if (alive === 0) return [];
  const listed = history.timers.path.pending ?? [];
  const resolvedAt = history.stop.completedAt ?? Infinity;
  const violations = listed.map((timer): Violation<typeof property> => {
    const when =
      timer.createdAt > resolvedAt
        ? 'made after stop() resolved and still pending'
        : 'still pending after stop()';
    return { property, at, message: `${timerText(history, timer)}, ${when}` };
  });
  const rest = alive - listed.length;
  if (rest > 0)
    violations.push({
      property,
      at,
      message:
        `${rest} ${listed.length > 0 ? 'more ' : ''}send-path timer(s) still pending after ` +
        `stop()`,
    });
  return violations;
}

function check(index: HistoryIndex): Violation<typeof property>[] {
  const { history } = index;
  const violations: Violation<typeof property>[] = [];
  const { stop } = history;
  const at = stop.completedAt ?? history.endedAt;
  const add = (message: string, when = at): void =>
    void violations.push({ property, at: when, message });
  const exited = history.exited;
  if (exited !== undefined) {
    // What a process that ended left (no stop(), unsettled requests, timers) is the exit's doing.
    const when = `${exited.at.toLocaleString('en-US')} ms`;
    const ended = 'the run ended there, and stop() was never called';
    add(`${describeExit(exited)} at ${when}: ${ended}`, exited.at);
    thrownOrUnhandled(history, add);
    return violations;
  }
  if (stop.result !== 'completed')
    add(`stop() ${stop.result}${stop.error ? `: ${errorInWords(stop.error)}` : ''}`);
  violations.push(...timersLeft(history, at));
  const pending = sendsLeft(history, stop.completedAt ?? history.endedAt);
  if (pending > 0)
    add(`${pending} send(s) still pending after stop() on sockets it neither ended nor lost`);
  // Only requests the harness actually made count; one whose inbound never arrived was never asked.
  const unsettled = history.requests.filter(
    (r) => r.calledAt !== undefined && r.outcome === 'pending',
  ).length;
  if (unsettled > 0) add(`${unsettled} request(s) never settled after stop()`);
  if (stop.result === 'completed' && stop.completedAt !== undefined)
    violations.push(...socketsLeft(history, stop.completedAt));
  if (stop.requestedAt !== undefined) violations.push(...sendsAfterStop(history, stop.requestedAt));
  restartsOf(history).forEach((restart, path) =>
    violations.push(...restartViolations(history, restart, path)),
  );
  thrownOrUnhandled(history, add);
  return violations;
}

function thrownOrUnhandled(history: History, add: (message: string, at: number) => void): void {
  for (const u of history.unhandledRejections)
    add(`unhandled rejection: ${errorInWords(u.error)}`, u.at);
  for (const t of history.thrown) add(`thrown in ${t.where}: ${errorInWords(t.error)}`, t.at);
}

/** Property 6, clean. */
export const clean: Checker<typeof property> = {
  name: property,
  meaning:
    'stop() completes and leaves nothing behind: no timer, socket, pending send or ' +
    'request, no send after it, nothing thrown or unhandled.',
  fix:
    'In stop(): set a stopped flag first, clear every timer, end() every socket, ' +
    'settle every pending reply; catch every promise you do not await.',
  definition:
    "The path's stop() completes (it neither rejects nor hangs, and the run reaches it), and " +
    'when it has resolved the path holds no timers, no unsettled requests (composing included), ' +
    'no socket it neither ended (end() called) nor lost (connection lost or close emitted), ' +
    'sockets made after stop() included, and no pending send on such a socket; no send (message ' +
    'or presence) begins after stop() was called; and at no time in the run does the path leave ' +
    'an unhandled rejection or throw from a timer, a listener, onMessage, start, stop or a ' +
    'request method. Excused: a request whose inbound never reached the bot, which was never ' +
    'asked; a send still pending on a socket the path ended or lost (rc14 holds a send in its ' +
    'pre-write queries for defaultQueryTimeoutMs after end(), a stuck write for ' +
    'connectTimeoutMs, an upload the media host never answers for good, and nothing can cancel ' +
    'them); a send at the very virtual time stop() was called, which may have come first. ' +
    "Sockets open at once during the run are one-socket's business: this property is stop()'s " +
    "contract. A restart's stop() keeps the same contract for the path it stops: it completes, " +
    'and once it resolved that path holds no timers and no unsettled request it was called with, ' +
    'every socket it made is ended or lost, and no send begins from its call until the new path ' +
    'starts. The path never ends its own process (process.exit, a signal to itself, ' +
    'process.abort, an exception left uncaught): a run in which it does ends there, as the ' +
    'process would, and that exit is the violation; what it left unfinished is not counted again.',
  check,
  judges: ({ history }) =>
    history.stop.requestedAt !== undefined ||
    history.exited !== undefined ||
    (history.restarts?.length ?? 0) > 0,
};
