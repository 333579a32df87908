/**
 * `whatsapp`: the fake WhatsApp of an ordinary test, for the code a bot repository already tests
 * with a hand-made Baileys mock. With `vi.mock('@whiskeysockets/baileys', …fakeBaileysModule…)`
 * the bot's own `makeWASocket` opens sockets on baileys-sim's fake network (rc14's events, close
 * codes, error shapes and timings), and inside a session the bot's `setTimeout`, `Date` and
 * `Math.random` run on its virtual clock. The test scripts the network (a message arrives, the
 * connection drops, connects are refused, the link goes silent, it heals), lets virtual time
 * pass, and judges what happened with baileys-sim's checkers.
 *
 * What the bot sends is identified by its text: two copies of one text in a chat are a
 * duplicate (exactly-once), and `sent(chat)` lists what the chat shows. So give each reply in a
 * test a text of its own.
 */
import { createHash } from 'node:crypto';
import {
  checkAll,
  unmodelledLine,
  type PropertyName,
  type Violation,
} from '../properties/judging/checkers.js';
import { runFacts } from '../report/facts.js';
import {
  explanationLines,
  formatFacts,
  formatViolation,
  violatedProperties,
} from '../report/text.js';
import type { History, RequestRecord } from '../sim/history.js';
import { ScriptedNetwork } from '../sim/intercept/scriptedNetwork.js';
import type { DropReason } from '../src/dropFacts.js';
import { parseReplyKey } from '../sim/network/server.js';
import type { SocketLike } from '../src/ports.js';
import { SendPathFailure } from './failureText.js';

/** What `whatsapp` judges by default: the properties that need no request outcomes from the bot. */
export const sessionProperties: readonly PropertyName[] = [
  'exactly-once',
  'live-socket',
  'bounded',
];

/** Options of {@link FakeWhatsApp.begin}. */
export interface SessionOptions {
  /** Seed of the network's and the globals' randomness (default 1). */
  seed?: number;
  /** The server drops a second copy of a message id, as WhatsApp does (default true). */
  dedupeById?: boolean;
}

/** Longest text shown for a reply in a violation. */
const textShownMax = 40;

/** See the module comment. One session at a time per process. */
export class FakeWhatsApp {
  #run: ScriptedNetwork | undefined;
  /** Reply key → the text it was made from (first-seen order is the server's, not kept here). */
  readonly #texts = new Map<string, string>();

  /**
   * Opens a session: a fresh network at virtual time 0, the globals on its clock. Ends the previous
   * one.
   */
  begin(options: SessionOptions = {}): void {
    this.end();
    this.#texts.clear();
    this.#run = new ScriptedNetwork({
      seed: options.seed,
      dedupeById: options.dedupeById,
      wrapSocket: (socket) => this.#tagging(socket),
    });
  }

  /**
   * Ends the session: timers, `Date`, randomness and `makeWASocket` are the process's own again.
   * Idempotent.
   */
  end(): void {
    const run = this.#run;
    this.#run = undefined;
    run?.close();
  }

  /** Virtual ms since `begin()`. */
  get now(): number {
    return this.#session('now').now();
  }

  /** Lets `ms` virtual ms pass (timers fire in order; promises settle between them). */
  advance(ms: number): Promise<void> {
    return this.#session('advance').advance(ms);
  }

  /** A message from `chat` (a name: `alice`) arrives now; returns its id and the chat's JID. */
  inbound(chat: string, text: string): { id: string; chatJid: string } {
    const { id, chatJid } = this.#session('inbound').inbound(chat, text);
    return { id, chatJid };
  }

  /**
   * The connection ends from outside now (default: the server closes it, 428 once the bot hears).
   */
  drop(reason: DropReason = 'connectionClosed'): void {
    this.network({ do: 'drop', reason });
  }

  /** Connects that complete in the next `forMs` are refused (408 ECONNREFUSED). */
  refuseConnects(forMs: number): void {
    this.network({ do: 'refuseConnects', untilAt: this.now + forMs });
  }

  /** For `forMs` the network silently eats every frame (sends still resolve); connects hang. */
  blackhole(forMs: number): void {
    this.network({ do: 'blackhole', untilAt: this.now + forMs });
  }

  /** Every fault ends now. */
  heal(): void {
    this.network({ do: 'heal' });
  }

  /**
   * Any network event of the fault registry, as a timeline writes it without `at` (e.g. `{ do:
   * 'latency', ms: 500 }`).
   */
  network(event: { do: string } & Record<string, unknown>): void {
    this.#session('network').network(event);
  }

  /**
   * Calls the bot's own stop, letting virtual time pass until it settles (at most 10 minutes), and
   * records it: `clean` (stop completes; no timers, no pending sends after it) is then judged too.
   */
  stopped(stop: () => unknown): Promise<void> {
    return this.#session('stopped').stop(stop);
  }

  /** The texts `chat` shows, in the order they became visible (a duplicate appears twice). */
  sent(chat: string): string[] {
    const visible = this.#session('sent').history().server.visible[chat] ?? [];
    return visible.map((copy) => (copy.key === undefined ? '' : (this.#texts.get(copy.key) ?? '')));
  }

  /** What happened so far, with one request per distinct text the bot sent to a chat. */
  history(): History {
    const run = this.#session('history');
    return run.history(this.#requests(run.history()));
  }

  /**
   * The violations of `properties` (default {@link sessionProperties}, and `clean` once `stopped()`
   * ran). Throws, naming the member, when the bot called a socket member the fake does not model:
   * nothing after it can be judged.
   */
  violations(properties?: readonly PropertyName[]): Violation[] {
    const history = this.history();
    if (history.unmodelled !== undefined) throw new Error(unmodelledLine(history.unmodelled));
    const judged =
      properties ??
      (history.stop.result === 'not-requested'
        ? sessionProperties
        : [...sessionProperties, 'clean']);
    return checkAll(history)
      .filter((v) => judged.includes(v.property))
      .map((v) => ({ ...v, message: this.#withTexts(v.message) }));
  }

  /**
   * Throws a readable failure (the violations, then what happened) unless every judged property
   * held.
   */
  expectProperties(properties?: readonly PropertyName[]): void {
    const violations = this.violations(properties);
    if (violations.length === 0) return;
    const run = this.#session('expectProperties');
    // Told without the requests: they stand for texts the bot sent, not for calls it reported on.
    const facts = formatFacts(runFacts(run.timeline(), run.history())).map((line) =>
      this.#withTexts(line),
    );
    throw new SendPathFailure(
      [
        `whatsapp: ${violatedProperties(violations).join(', ')} violated`,
        ...violations.map((v) => `  ${this.#withTexts(formatViolation(v))}`),
        ...violatedProperties(violations).flatMap((property) => [
          `  ${property}:`,
          ...explanationLines(property, '    '),
        ]),
        '',
        'what happened (▶ = scripted by the test; the rest is what the bot and the network did):',
        ...facts,
      ].join('\n'),
    );
  }

  #session(what: string): ScriptedNetwork {
    const run = this.#run;
    if (run === undefined)
      throw new Error(
        `whatsapp.${what}: no session: call whatsapp.begin() first (e.g. in beforeEach)`,
      );
    return run;
  }

  /** Each message the bot sends carries a key made from its text, which the server reads back. */
  #tagging(socket: SocketLike): SocketLike {
    const tag = (text: string): string => {
      if (parseReplyKey(text) !== undefined) return text;
      const key = keyOf(text);
      this.#texts.set(key, text);
      return `[key=${key}] ${text}`;
    };
    const sendMessage: SocketLike['sendMessage'] = (jid, content, options) => {
      const tagged = { ...content } as Record<string, unknown>;
      if (typeof tagged['text'] === 'string') tagged['text'] = tag(tagged['text']);
      else if (typeof tagged['caption'] === 'string') tagged['caption'] = tag(tagged['caption']);
      return socket.sendMessage(jid, tagged as typeof content, options);
    };
    return new Proxy(socket, {
      get: (target, name, receiver) =>
        name === 'sendMessage' ? sendMessage : Reflect.get(target, name, receiver),
    });
  }

  /** One ambiguous (`info`) request per distinct text sent to a chat: at most one copy may show. */
  #requests(history: History): RequestRecord[] {
    const requests = new Map<string, RequestRecord>();
    for (const attempt of history.attempts) {
      if (attempt.kind !== 'message' || attempt.key === undefined) continue;
      const id = `${attempt.chat}\u0000${attempt.key}`;
      if (requests.has(id)) continue;
      requests.set(id, {
        key: attempt.key,
        kind: 'reply',
        chat: attempt.chat,
        chatJid: attempt.chatJid,
        msg: '',
        eventIndex: -1,
        requestedAt: attempt.at,
        calledAt: attempt.at,
        callSeq: requests.size + 1,
        settledAt: attempt.at,
        outcome: 'info',
      });
    }
    return [...requests.values()];
  }

  /** `message` with every reply key written as the text it stands for. */
  #withTexts(message: string): string {
    let out = message;
    for (const [key, text] of this.#texts) {
      const shown = JSON.stringify(
        text.length > textShownMax ? `${text.slice(0, textShownMax - 1)}…` : text,
      );
      out = out.split(`[key=${key}] `).join('').split(key).join(shown);
    }
    return out;
  }
}

/** A readable key for a text: its first words, and a short hash that tells texts apart. */
function keyOf(text: string): string {
  const slug =
    text
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 24) || 'text';
  return `${slug}.${createHash('sha256').update(text).digest('hex').slice(0, 6)}`;
}

/**
 * The process's fake WhatsApp: `whatsapp.begin()` in `beforeEach`, `whatsapp.end()` in `afterEach`.
 */
export const whatsapp = new FakeWhatsApp();
