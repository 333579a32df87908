/**
 * The link under one fake socket: the {@link Wire} its frames travel, and what happens to the
 * link from outside. It goes silent (frames stall both ways; the keep-alive will notice) until a
 * time, `heal` or for good, and comes back; the server cuts it (FIN, RST, close frame), which the
 * bot hears one latency later, or once a silent link comes back; an RST the process has not read
 * yet fails the next write (`write ECONNRESET`); a frame too large for the buffers of a silent
 * link fills them, and later writes wait behind it. The connection (connection.ts, which hands
 * each event to its login, keep-alive or close) decides what each of these means for the socket;
 * the link only keeps the facts and their timers.
 */
import type { CutKind } from '../faults/fault.js';
import type { SocketRecord } from '../history.js';
import { factKinds } from '../journal.js';
import { writeResetError, type DropReason } from './baileysErrors.js';
import type { SocketHost } from './socketHost.js';
import { TimerSlot } from './timerSlot.js';
import { Wire } from './wire.js';

/** When a silent link comes back: a time (virtual ms), the next `heal`, or never. */
export type ResumeAt = number | 'heal' | 'never';

/** A cut the bot has not heard yet: how the server cut, and the drop reason it records. */
interface Cut {
  kind: CutKind;
  dropReason: DropReason;
}

/** What the link tells its connection. */
export interface LinkEvents {
  /** ws emits `close` for a cut now (the bot heard it). */
  heard(kind: CutKind, dropReason: DropReason): void;
  /** The server cut the connection now (the bot has not heard it yet). */
  cutByServer(dropReason: DropReason): void;
  /** The link went silent (it was not already). */
  wentSilent(): void;
  /** A silent link came back. */
  resumed(): void;
}

/** What a link is made of. */
interface LinkParts {
  host: SocketHost;
  generation: number;
  record: SocketRecord;
  events: LinkEvents;
}

/** The link of one fake socket (see the module comment). */
export class Link {
  readonly #host: SocketHost;
  readonly #parts: LinkParts;
  readonly #wire: Wire;
  /** When a silence with a time ends ({@link silence}); cleared when the link resumes early. */
  readonly #resumeTimer: TimerSlot;
  #resumeAt: ResumeAt | undefined;
  /** A frame larger than the send buffer went into the silent link: later writes wait. */
  #sendBufferFull = false;
  /** A cut the bot cannot hear yet because its link is silent: heard after it resumes. */
  #unheardCut: Cut | undefined;
  /** An RST the process has not read yet: the next write fails. */
  #unreadReset: Cut | undefined;
  /** A write failed (an unread RST): ws is no longer OPEN, though `close` is still to come. */
  #writeFailed = false;
  /** Last frame from the server besides keep-alive pongs (an inbound message, answer, ack). */
  #lastReceivedAt = 0;
  /**
   * The last frame really heard before the link last resumed: the answers that stalled are only
   * counted as heard one latency after a resume, and a link silent again before then never
   * delivered them (rc14's keep-alive reads `lastDateRecv`, set by frames that arrived).
   */
  #heardBeforeResume = 0;
  /** The silence the link last came back from (the keep-alive's pings stalled in it). */
  #previousSilence: { fromMs: number; untilMs: number } | undefined;

  /** The link of `parts`, carrying frames. */
  constructor(parts: LinkParts) {
    this.#host = parts.host;
    this.#parts = parts;
    this.#wire = new Wire(parts.host.timers, () => parts.host.latencyMs());
    this.#resumeTimer = new TimerSlot(parts.host.timers);
  }

  /** Whether the link is silent now (frames stall both ways). */
  get silent(): boolean {
    return this.#wire.silent;
  }

  /** Whether the server cut the connection: nothing more reaches it. */
  get cut(): boolean {
    return this.#wire.cut;
  }

  /** A cut happened while the link was silent: the bot hears it only once it comes back. */
  get cutUnheard(): boolean {
    return this.#unheardCut !== undefined;
  }

  /** A write failed on this link (an unread RST): ws is no longer open. */
  get writeFailed(): boolean {
    return this.#writeFailed;
  }

  /** Whether a write would wait behind a frame stuck in the silent link's full buffers. */
  get sendBufferFull(): boolean {
    return this.#sendBufferFull;
  }

  /** An RST is on the bot's host, unread: the next write fails ({@link failedWrite}). */
  get resetUnread(): boolean {
    return this.#unreadReset !== undefined;
  }

  /** The silence the link last came back from, if any. */
  get previousSilence(): { fromMs: number; untilMs: number } | undefined {
    return this.#previousSilence;
  }

  /** The last frame heard from the server (keep-alive pongs aside), virtual ms. */
  get lastReceivedAt(): number {
    return this.#lastReceivedAt;
  }

  /** The socket logged in now: the login's answer was the last frame heard. */
  heardLogin(now: number): void {
    this.#lastReceivedAt = now;
  }

  /** A frame to the server: `arrive` runs when it gets there (never, if it is lost). */
  toServer(arrive: () => void): void {
    this.#wire.send('toServer', arrive);
  }

  /** A frame from the server: one latency later (stalls while silent), and counts as heard. */
  fromServer(arrive: () => void): void {
    this.#wire.send('toBot', () => {
      if (this.#parts.record.closeEmittedAt !== undefined) return;
      this.#lastReceivedAt = this.#host.now();
      arrive();
    });
  }

  /** The server cut the connection; the bot hears it `noticeMs` (default: one latency) later. */
  cutBy(kind: CutKind, noticeMs: number | undefined, dropReason: DropReason): void {
    if (this.#wire.cut || this.#parts.record.closeEmittedAt !== undefined) return;
    this.#wire.cutByServer();
    this.#parts.events.cutByServer(dropReason);
    if (this.#wire.silent) return void (this.#unheardCut = { kind, dropReason });
    // An unread RST is on the bot's host already: writes fail until the process reads it.
    if (kind === 'rstUnread') this.#unreadReset = { kind, dropReason };
    const heardInMs = noticeMs ?? this.#host.latencyMs();
    this.#host.timers.setTimeout(() => this.#heard(kind, dropReason), heardInMs);
  }

  /** The cut is heard: an RST not read yet is read now. */
  #heard(kind: CutKind, dropReason: DropReason): void {
    this.#unreadReset = undefined;
    this.#parts.events.heard(kind, dropReason);
  }

  /**
   * A write into an RST not read yet: the syscall fails (`write ECONNRESET`, nothing written),
   * Node destroys the socket, ws is CLOSING from then on (later sends get 428) and its `close`
   * follows: the cut is heard at once.
   */
  failedWrite(): Error {
    const reset = this.#unreadReset!;
    this.#unreadReset = undefined;
    this.#writeFailed = true;
    this.#host.timers.setTimeout(() => this.#heard(reset.kind, reset.dropReason), 0);
    return writeResetError();
  }

  /**
   * A frame written into the silent link is larger than its buffers: it and every write after
   * it wait behind it (408) until the link resumes.
   */
  fillSendBuffer(): void {
    this.#sendBufferFull = true;
  }

  /** The link goes silent until `resumeAt`; a second silence keeps the later end. */
  silence(resumeAt: ResumeAt): void {
    if (this.#parts.record.closeEmittedAt !== undefined) return;
    this.#resumeAt = laterResume(this.#wire.silent ? this.#resumeAt : undefined, resumeAt);
    if (this.#wire.silent) return this.#scheduleResume();
    this.#wire.silence();
    if (this.#lastReceivedAt > this.#host.now()) this.#lastReceivedAt = this.#heardBeforeResume;
    this.#parts.record.silentAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.linkSilent, this.#parts.generation);
    delete this.#parts.record.resumedAt;
    this.#parts.events.wentSilent();
    this.#scheduleResume();
  }

  #scheduleResume(): void {
    this.#resumeTimer.clear();
    const at = this.#resumeAt;
    if (typeof at !== 'number') return;
    this.#resumeTimer.start(() => this.resume(), Math.max(0, at - this.#host.now()));
  }

  /** A silent link comes back: stalled frames arrive, and a cut made meanwhile is heard. */
  resume(): void {
    if (!this.#wire.silent || this.#parts.record.closeEmittedAt !== undefined) return;
    const cut = this.#unheardCut;
    if (cut !== undefined) {
      this.#unheardCut = undefined;
      const heard = (): void => this.#heard(cut.kind, cut.dropReason);
      this.#host.timers.setTimeout(heard, this.#host.latencyMs());
    }
    this.#resumeTimer.clear();
    this.#resumeAt = undefined;
    this.#wire.resume();
    this.#sendBufferFull = false;
    const silentAt = this.#parts.record.silentAt ?? this.#host.now();
    this.#previousSilence = { fromMs: silentAt, untilMs: this.#host.now() };
    this.#parts.record.resumedAt = this.#host.now();
    this.#host.hooks.note?.(factKinds.linkResumed, this.#parts.generation);
    // Stalled answers, pongs and acks arrive one latency from now, unless the link goes silent
    // again first (see silence()).
    this.#heardBeforeResume = this.#lastReceivedAt;
    this.#lastReceivedAt = this.#host.now() + this.#host.latencyMs();
    this.#parts.events.resumed();
  }

  /** ws destroyed the socket at its close: what is in flight is lost, nothing resumes. */
  destroy(): void {
    this.#resumeTimer.clear();
    this.#wire.destroy();
  }
}

/** Of two ends of a silence, the later: `never` outlasts `heal`, which outlasts any time. */
function laterResume(a: ResumeAt | undefined, b: ResumeAt): ResumeAt {
  if (a === undefined) return b;
  if (a === 'never' || b === 'never') return 'never';
  if (a === 'heal' || b === 'heal') return 'heal';
  return Math.max(a, b);
}
