/**
 * Fidelity of the socket surface bots touch beyond sending (`ev.process`, `ws`, `user`,
 * `logout()`, the modelled queries): a scripted bot performs `actions` on its newest socket and
 * records what it observes (the maps `ev.process` hands it, how each call settles, `user` and the
 * ws getters, the closes); the fidelity scenario format (scenario.ts) carries the connects and
 * the server's faults. The same script runs on real rc14 against the loopback server and on the
 * simulator; `test/fidelity/surfaceScenarios.ts` holds what rc14 did, measured.
 *
 * The loopback server answers the queries rc14 sends for these calls with the nodes the simulated
 * server assumes (`groupNode`, `pictureUrlOf` from sim/network/socketQueries.ts, a contact usync),
 * so a difference is a difference in what rc14 does with an answer, a close or a stall.
 */
import type { BaileysEventMap, BinaryNode } from '@whiskeysockets/baileys';
import { getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys';
import type { SendPath, SendPathFactory, SimEnv, SocketLike } from '../../src/ports.js';
import { groupNode, inviteCodeOf, pictureUrlOf } from '../../sim/network/socketQueries.js';
import { makeLoggedInAuthState } from '../loopback/auth.js';
import { type Scenario } from './scenario.js';
import { errorShape, messageText, nameInText, timeTolerated, type ErrorShape } from './trace.js';

/** A call the script makes on its newest socket. */
type SurfaceCall =
  | {
      method:
        'readMessages' | 'presenceSubscribe' | 'onWhatsApp' | 'groupMetadata' | 'groupInviteCode';
      chat: string;
    }
  | { method: 'profilePictureUrl'; chat: string; timeoutMs?: number }
  | { method: 'logout' };

/** One scripted action, at a time in ms since the scenario started. */
export type SurfaceAction =
  | ({ at: number; do: 'call' } & SurfaceCall)
  | { at: number; do: 'wsClose' }
  | { at: number; do: 'snapshot' };

/** A case: the scenario (connects, faults, inbound), the actions, and rc14's trace. */
export interface SurfaceCase {
  scenario: Scenario;
  actions: SurfaceAction[];
  /** Chats that are groups (`…@g.us` on both sides). */
  groups?: string[];
  rc14: SurfaceTrace;
  /** From this time on the server answers no query (the fake: `stallQueries` of every kind). */
  stallQueriesAt?: number;
  /** Waits for ws's 30 s close timeout. */
  long?: true;
}

/** One observation, at ms since the scenario started, on socket n (1, 2, ... in connect order). */
export interface SurfaceEntry {
  at: number;
  socket: number;
  what: string;
  detail?: unknown;
  /** Expected traces only: extra tolerance on `at`. */
  slackMs?: number;
}

/** What the script observed, per kind. */
export interface SurfaceTrace {
  /** The maps `ev.process` handed over: their events the fake models, described. */
  maps: SurfaceEntry[];
  /** How each call settled (at its settling time; `pending` at the end if never). */
  calls: SurfaceEntry[];
  /** `user` and the ws getters, when asked. */
  snapshots: SurfaceEntry[];
  /** Frames of the surface the server received, per kind, at the end. */
  server: Record<string, number>;
}

/**
 * The events of a `process` map the fake models; the others (chats, contacts, ...) are not
 * compared.
 */
const modelledEvents = ['connection.update', 'creds.update', 'messages.upsert'] as const;

/** One line for each modelled event of a map. */
function describeMap(events: Partial<BaileysEventMap>): string[] {
  const out: string[] = [];
  const update = events['connection.update'];
  if (update !== undefined) {
    const closeError = update.connection === 'close' ? update.lastDisconnect?.error : undefined;
    const close = closeError === undefined ? undefined : describeError(errorShape(closeError));
    const parts = [
      update.connection === 'close' && close !== undefined ? `close(${close})` : update.connection,
      update.receivedPendingNotifications === undefined
        ? undefined
        : `pending=${update.receivedPendingNotifications}`,
      update.isOnline === undefined ? undefined : `online=${update.isOnline}`,
    ];
    const text = parts.filter((p) => p !== undefined).join(',');
    if (text !== '') out.push(`connection.update:${text}`);
  }
  const creds = events['creds.update'];
  if (creds?.me !== undefined) out.push('creds.update:me');
  const upsert = events['messages.upsert'];
  if (upsert !== undefined) {
    const texts = upsert.messages.map(
      (m) => `${nameInText(messageText(m.message))}${m.key.fromMe ? '(me)' : ''}`,
    );
    out.push(`messages.upsert:${upsert.type}:${texts.join(',')}`);
  }
  return out.filter((line) => modelledEvents.some((name) => line.startsWith(name)));
}

/** An error shape in a few words: `428 Connection Terminated`, `1005`, `TypeError: ...`. */
function describeError(shape: ErrorShape): string {
  switch (shape.kind) {
    case 'boom':
      return `${shape.statusCode} ${shape.message}`;
    case 'number':
      return String(shape.value);
    case 'error':
      return `${shape.name}: ${shape.message}`;
    case 'other':
      return shape.value;
  }
}

/** A value as the trace compares it: JIDs replaced by the scenario's chat names. */
type Normalize = (value: unknown) => unknown;

/** The bot's own number in these cases: apart from every chat number of either side. */
export const botUser = '15550000099';

/** The chats a case names: its scenario's, `peer`, and its groups. */
function surfaceChats(c: SurfaceCase): string[] {
  const names = new Set<string>(['peer', ...(c.groups ?? [])]);
  for (const step of c.scenario.steps) if ('chat' in step && step.chat) names.add(step.chat);
  for (const action of c.actions) if ('chat' in action) names.add(action.chat);
  return [...names];
}

/** Builds the surface script for `c`; `jidOf` maps the case's chats to the side's JIDs. */
export function surfaceScript(
  c: SurfaceCase,
  jidOf: (chat: string) => string,
): { factory: SendPathFactory; trace: SurfaceTrace; finished: Promise<void> } {
  const trace: SurfaceTrace = { maps: [], calls: [], snapshots: [], server: {} };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const chatOf = chatNamer(c, jidOf);
  const normalize: Normalize = (value) =>
    JSON.parse(
      JSON.stringify(value ?? null, (_k, v: unknown) =>
        typeof v === 'string' && /@(s\.whatsapp\.net|g\.us)$/.test(v) ? chatOf(v) : v,
      ),
    );
  const factory: SendPathFactory = (env) =>
    new SurfaceScript(c, env, jidOf, trace, finish, finished, normalize);
  return { factory, trace, finished };
}

/** The chat name of a JID of the case (`me` for the bot's own), or `?` for any other. */
export function chatNamer(
  c: SurfaceCase,
  jidOf: (chat: string) => string,
): (jid: string) => string {
  const names = new Map(surfaceChats(c).map((chat) => [jidOf(chat), chat]));
  return (jid) =>
    names.get(jid) ?? (jid.startsWith(`${botUser}@`) || jid.startsWith(`${botUser}:`) ? 'me' : '?');
}

type Surface = SocketLike &
  Record<string, unknown> & {
    ws: Record<string, unknown> & { close(): Promise<void> };
    user?: { id: string };
  };

class SurfaceScript implements SendPath {
  readonly #sockets: Surface[] = [];
  /** Each socket's `creds.me` when it was made. */
  readonly #meWhenMade: unknown[] = [];
  readonly #timers: unknown[] = [];
  readonly #auth = makeLoggedInAuthState({ user: botUser, name: 'Surface Bot' });
  #t0 = 0;
  #stopped = false;

  constructor(
    readonly c: SurfaceCase,
    readonly env: SimEnv,
    readonly jidOf: (chat: string) => string,
    readonly trace: SurfaceTrace,
    readonly finish: () => void,
    readonly finished: Promise<void>,
    readonly normalize: Normalize,
  ) {}

  start(): void {
    this.#t0 = this.env.clock.now();
    for (const step of this.c.scenario.steps)
      if (step.do === 'connect') this.#later(step.at, () => this.#connect());
    for (const action of this.c.actions) this.#later(action.at, () => this.#act(action));
    this.#later(this.c.scenario.endAt, () => {
      for (const entry of this.trace.calls)
        if (entry.what.endsWith(':pending')) entry.at = this.c.scenario.endAt;
      this.#stopped = true;
      this.finish();
    });
  }

  async stop(): Promise<void> {
    await this.finished;
    for (const timer of this.#timers) this.env.clock.clearTimeout(timer);
    await Promise.all(
      this.#sockets.map((sock) =>
        Promise.race([
          sock.end(undefined),
          new Promise<void>((resolve) => this.env.clock.setTimeout(() => resolve(), 100)),
        ]),
      ),
    );
  }

  #now(): number {
    return this.env.clock.now() - this.#t0;
  }

  #later(atMs: number, fn: () => void): void {
    this.#timers.push(
      this.env.clock.setTimeout(fn, Math.max(0, this.#t0 + atMs - this.env.clock.now())),
    );
  }

  #connect(): void {
    const { keepAliveIntervalMs, connectTimeoutMs, defaultQueryTimeoutMs } = this.c.scenario.socket;
    const sock = this.env.makeSocket({
      auth: this.#auth,
      keepAliveIntervalMs,
      connectTimeoutMs,
      defaultQueryTimeoutMs,
    }) as Surface;
    this.#sockets.push(sock);
    this.#meWhenMade.push(this.#auth.creds.me);
    const socket = this.#sockets.length;
    (
      sock.ev as unknown as { process(handler: (events: Partial<BaileysEventMap>) => void): void }
    ).process((events) => {
      if (this.#stopped) return;
      for (const line of describeMap(events))
        this.trace.maps.push({ at: this.#now(), socket, what: line });
    });
  }

  #act(action: SurfaceAction): void {
    const sock = this.#sockets.at(-1);
    if (sock === undefined) return;
    const socket = this.#sockets.length;
    if (action.do === 'snapshot') {
      const ws = sock.ws;
      const flags = ['isConnecting', 'isOpen', 'isClosing', 'isClosed']
        .filter((name) => ws[name] === true)
        .join('+');
      const me = this.#auth.creds.me;
      const user =
        sock.user === me
          ? 'creds.me'
          : sock.user === this.#meWhenMade[socket - 1]
            ? 'creds.me when made'
            : sock.user === undefined
              ? 'undefined'
              : 'other';
      this.trace.snapshots.push({
        at: this.#now(),
        socket,
        what: 'snapshot',
        detail: { user, meHasLid: me !== undefined && 'lid' in me, ws: flags },
      });
      return;
    }
    const name = action.do === 'wsClose' ? 'ws.close' : action.method;
    const entry: SurfaceEntry = { at: this.#now(), socket, what: `${name}:pending` };
    this.trace.calls.push(entry);
    const settle = (what: string, detail: unknown) => {
      if (this.#stopped) return;
      Object.assign(entry, { at: this.#now(), what: `${name}:${what}`, detail });
    };
    this.#call(sock, action).then(
      (value) => settle('resolved', this.normalize(value)),
      (error: unknown) => settle('rejected', errorShapeOf(error)),
    );
  }

  #call(sock: Surface, action: Exclude<SurfaceAction, { do: 'snapshot' }>): Promise<unknown> {
    if (action.do === 'wsClose') return sock.ws.close();
    const fn = (name: string) => sock[name] as (...args: unknown[]) => Promise<unknown>;
    switch (action.method) {
      case 'logout':
        return fn('logout')();
      case 'readMessages':
        return fn('readMessages')([
          { remoteJid: this.jidOf(action.chat), id: '3A0000000000000000AA', fromMe: false },
        ]);
      case 'presenceSubscribe':
        return fn('presenceSubscribe')(this.jidOf(action.chat));
      case 'onWhatsApp':
        return fn('onWhatsApp')(this.jidOf(action.chat));
      case 'groupMetadata':
        return fn('groupMetadata')(this.jidOf(action.chat)).then((m) => groupShape(m));
      case 'groupInviteCode':
        return fn('groupInviteCode')(this.jidOf(action.chat));
      case 'profilePictureUrl':
        return action.timeoutMs === undefined
          ? fn('profilePictureUrl')(this.jidOf(action.chat), 'image')
          : fn('profilePictureUrl')(this.jidOf(action.chat), 'image', action.timeoutMs);
      default:
        return Promise.reject(new Error('unknown call'));
    }
  }
}

/**
 * The error shape, with a TypeError's message kept (rc14's crash on an unanswered query is one).
 */
function errorShapeOf(error: unknown): ErrorShape {
  return errorShape(error);
}

/** What the trace keeps of group metadata: what a bot reads of it. */
function groupShape(metadata: unknown): unknown {
  const m = metadata as {
    id: string;
    subject: string;
    size: number;
    creation: number;
    owner?: string;
    participants: { id: string; admin: string | null }[];
  };
  return {
    id: m.id,
    subject: m.subject,
    size: m.size,
    creation: m.creation,
    owner: m.owner,
    participants: m.participants.map((p) => ({ id: p.id, admin: p.admin })),
  };
}

/**
 * The loopback server's answers for the surface's queries, as the simulated server gives them:
 * group metadata (`groupNode`), profile pictures (`pictureUrlOf`), and a contact usync that finds
 * every number on WhatsApp. `chatOf` names the chat of a JID; `accountId` is the bot's.
 */
export function surfaceAnswers(
  chatOf: (jid: string) => string,
  accountId: string,
): (iq: BinaryNode) => BinaryNode[] | undefined {
  return (iq) => {
    const xmlns = iq.attrs.xmlns;
    const children = Array.isArray(iq.content) ? (iq.content as BinaryNode[]) : [];
    const first = children[0];
    if (xmlns === 'w:g2' && (first?.tag === 'query' || first?.tag === 'invite')) {
      const to = iq.attrs.to!;
      if (!to.endsWith('@g.us'))
        return [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }];
      return first.tag === 'query'
        ? [groupNode(to, chatOf(to), accountId)]
        : [{ tag: 'invite', attrs: { code: inviteCodeOf(chatOf(to)) } }];
    }
    if (xmlns === 'w:profile:picture') {
      const type = (first?.attrs.type as string | undefined) ?? 'preview';
      return [
        {
          tag: 'picture',
          attrs: { url: pictureUrlOf(chatOf(iq.attrs.target!), type), type, id: '1' },
        },
      ];
    }
    if (
      xmlns === 'usync' &&
      first !== undefined &&
      getBinaryNodeChild(getBinaryNodeChild(first, 'query'), 'contact') !== undefined
    ) {
      const users = getBinaryNodeChildren(getBinaryNodeChild(first, 'list'), 'user').map((user) => {
        const phone = String(getBinaryNodeChild(user, 'contact')?.content ?? '').replace('+', '');
        return {
          tag: 'user',
          attrs: { jid: `${phone}@s.whatsapp.net` },
          content: [{ tag: 'contact', attrs: { type: 'in' } }],
        };
      });
      return [
        {
          tag: 'usync',
          attrs: { ...first.attrs },
          content: [{ tag: 'list', attrs: {}, content: users }],
        },
      ];
    }
    return undefined;
  };
}

/** One line per difference between `expected` and `actual`; empty when they match. */
export function compareSurface(expected: SurfaceTrace, actual: SurfaceTrace): string[] {
  const out: string[] = [];
  for (const kind of ['maps', 'calls', 'snapshots'] as const) {
    const label = (e: SurfaceEntry) =>
      `${e.socket}:${e.what}${e.detail === undefined ? '' : ` ${JSON.stringify(e.detail)}`}`;
    const e = expected[kind].map(label);
    const a = actual[kind].map(label);
    if (e.join('\n') !== a.join('\n')) {
      out.push(`${kind}: expected [${e.join(' | ')}], got [${a.join(' | ')}]`);
      continue;
    }
    expected[kind].forEach((entry, i) => {
      if (!timeTolerated(entry.at, actual[kind][i]!.at, entry.slackMs))
        out.push(
          `${kind}[${i}] ${e[i]}: expected at ${entry.at} ms, got ${actual[kind][i]!.at} ms`,
        );
    });
  }
  if (JSON.stringify(expected.server) !== JSON.stringify(actual.server))
    out.push(
      `server: expected ${JSON.stringify(expected.server)}, got ${JSON.stringify(actual.server)}`,
    );
  return out;
}
