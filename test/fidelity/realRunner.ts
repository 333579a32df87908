/**
 * Runs a scenario on the real Baileys rc14 `makeWASocket` against the loopback server, on the
 * wall clock: the scripted path performs the client actions through production-like ports, the
 * runner applies the faults to the server at their times, and the result is the normalized
 * trace, completed with what the server saw (frames per send).
 */
import { Agent } from 'node:https';
import { Writable } from 'node:stream';
import makeWASocket from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { generateMessageIDV2 } from '@whiskeysockets/baileys';
import { systemClock, systemRandom, type SimEnv } from '../../src/ports.js';
import { memoryStore } from '../../src/stores.js';
import { makeLoggedInAuthState } from '../loopback/auth.js';
import { mediaAgentOptions, startWaServer, type WaServer } from '../loopback/waServer.js';
import {
  chatOf,
  clientStepKinds,
  groupJid,
  groupMemberJids,
  newsletterJid,
  parseScenario,
  scenarioChats,
  type FaultStep,
  type MessageStep,
  type Scenario,
  type StepOf,
} from './scenario.js';
import { listenerErrorMessage, scriptedPath } from './scriptedPath.js';
import { inboundText, type Trace } from './trace.js';

/**
 * The JID of a scenario chat on the real side: `peer` is 15550000002, the next chats follow
 * (newsletters apart).
 */
export function realJids(scenario: Scenario): (chat: string) => string {
  const chats = scenarioChats(scenario);
  return (chat) =>
    newsletterJid(chat) ??
    groupJid(chat) ??
    `1555${String(2 + Math.max(0, chats.indexOf(chat))).padStart(7, '0')}@s.whatsapp.net`;
}

/** The id the server gives inbound `msg`. */
function inboundIdFor(msg: string): string {
  return `3A${Buffer.from(msg).toString('hex').toUpperCase().padEnd(18, '0').slice(0, 18)}`;
}

/** A real run: the trace and the server (closed) for further assertions. */
interface RealRun {
  trace: Trace;
  server: WaServer;
}

/**
 * Concurrent scenarios start at least this far apart. A login is the CPU-heavy part of a scenario
 * (Baileys verifies the server's certificates with the pure-JS curve25519); several starting at
 * once on a loaded machine stretch each other's logins past the scenario's first steps.
 */
const startSpacingMs = 300;
let nextStartAt = 0;

async function startSlot(): Promise<void> {
  const now = Date.now();
  const startAt = Math.max(now, nextStartAt);
  nextStartAt = startAt + startSpacingMs;
  if (startAt > now) await new Promise((resolve) => setTimeout(resolve, startAt - now));
}

/** Runs `scenario` on real rc14; resolves after `endAt` plus the teardown. */
export async function runReal(scenario: Scenario): Promise<RealRun> {
  await startSlot();
  const server = await startWaServer();
  if (scenario.steps.some((s) => s.do === 'send' && s.media)) await server.startMediaHost();
  const jidOf = realJids(scenario);
  for (const chat of scenarioChats(scenario))
    if (groupJid(chat) !== undefined) server.groups.set(jidOf(chat), [...groupMemberJids]);
  const { factory, record } = scriptedPath(scenario, jidOf, {
    beforeSend: (step) => resetUnreadBefore(server, scenario, step),
  });
  const logged: string[] = [];
  const env = realEnv(server, logged);
  const rejections = scenario.listenerThrows ? captureListenerRejections(scenario.name) : undefined;
  const faultTimers: NodeJS.Timeout[] = [];
  const serverT0 = server.now();
  const path = factory(env);
  try {
    await path.start(() => undefined);
    for (const step of scenario.steps) {
      if (clientStepKinds.has(step.do)) continue;
      faultTimers.push(
        setTimeout(() => applyFault(server, step as FaultStep, jidOf, faultTimers), step.at),
      );
    }
    await record.finished;
  } finally {
    for (const t of faultTimers) clearTimeout(t);
    const stopping = path.stop();
    await server.close();
    await stopping;
    rejections?.release();
  }
  const trace = record.trace;
  for (const send of trace.sends) {
    const id = [...record.keysById].find(([, key]) => key === send.key)![0];
    const frames = server.framesWithId(id);
    send.frames = frames.length;
    if (frames[0]) send.frameAt = frames[0].at - serverT0;
    if (frames.length > 1) send.laterFramesAt = frames.slice(1).map((f) => f.at - serverT0);
  }
  for (const thrown of trace.thrown) {
    if ((rejections?.seen.length ?? 0) > 0) thrown.surfaced = 'rejection';
    else if (logged.some((line) => line.includes(listenerErrorMessage))) thrown.surfaced = 'logged';
  }
  return { trace, server };
}

/**
 * Loads and runs Baileys once (a login and a send), so the first scenarios do not pay for
 * module compilation and cold code while their clocks run.
 */
export async function warmUp(): Promise<void> {
  await runReal(
    parseScenario({
      name: 'warm-up',
      socket: { keepAliveIntervalMs: 1000, connectTimeoutMs: 2000, defaultQueryTimeoutMs: 1500 },
      endAt: 800,
      steps: [
        { at: 0, do: 'connect' },
        { at: 600, do: 'send', key: 'w1' },
      ],
    }),
  );
}

/**
 * Production-like ports: real `makeWASocket` (Baileys defaults except the loopback URL, a
 * logged-in auth state with a push name so `markOnlineOnConnect` takes effect, no full history
 * sync, a fetch agent that trusts the loopback media host), system clock and randomness. One auth
 * state for every connect: the same linked device reconnecting.
 */
function realEnv(server: WaServer, logged: string[]): SimEnv {
  const auth = makeLoggedInAuthState({ name: 'Fidelity Bot' });
  const logger = pino(
    { level: 'error' },
    new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) }),
  );
  const fetchAgent = new Agent(mediaAgentOptions());
  return {
    makeSocket: (extra) =>
      makeWASocket({
        waWebSocketUrl: server.url,
        auth,
        logger,
        syncFullHistory: false,
        fetchAgent,
        ...extra,
      }),
    clock: systemClock,
    random: systemRandom,
    messageIds: () => generateMessageIDV2(auth.creds.me?.id),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
    store: memoryStore(),
    config: {
      reconnect: { initialMs: 100, maxMs: 100, factor: 1, jitter: 0, maxAttempts: 1 },
      replyDeadlineMs: 60_000,
    },
  };
}

/**
 * An unread reset happens in the script's own turn, right before its send at the same time: the
 * client's kernel has the RST (loopback delivers it within the syscall) but its event loop has
 * not polled the socket yet, so the send's first write fails.
 */
function resetUnreadBefore(server: WaServer, scenario: Scenario, send: StepOf<'send'>): void {
  if (scenario.steps.some((s) => s.do === 'reset' && s.unread === true && s.at === send.at))
    server.current?.reset();
}

/** Applies one scenario fault to the loopback server now. */
export function applyFault(
  server: WaServer,
  step: FaultStep,
  jidOf: (chat: string) => string,
  timers: NodeJS.Timeout[],
): void {
  const current = server.current;
  switch (step.do) {
    case 'silence':
      current?.silence();
      break;
    case 'resume':
      current?.resume();
      break;
    case 'terminate':
      current?.terminate();
      break;
    case 'reset':
      if (!step.unread) current?.reset(); // an unread one comes with its send (resetUnreadBefore)
      break;
    case 'wsClose':
      current?.close();
      break;
    case 'streamEnd':
      current?.streamEnd();
      break;
    case 'streamError':
      current?.streamError(step.kind);
      break;
    case 'nextConnect':
      server.plans.push(step.plan);
      break;
    case 'refuse':
      server.refuseConnections();
      timers.push(setTimeout(() => void server.listen(), step.untilAt - step.at));
      break;
    case 'blackhole':
      for (const c of server.connections) if (!c.closed) c.silence();
      server.hangUpgrades = true;
      timers.push(setTimeout(() => (server.hangUpgrades = false), step.untilAt - step.at));
      break;
    case 'latency':
      server.latencyMs = step.ms;
      break;
    default:
      applyMessageFault(server, step, jidOf);
  }
}

/** Applies a scenario step about messages (inbound ones, what happens to a send) now. */
function applyMessageFault(
  server: WaServer,
  step: MessageStep,
  jidOf: (chat: string) => string,
): void {
  switch (step.do) {
    case 'inbound': {
      const inGroup = groupJid(chatOf(step)) !== undefined;
      const participant = inGroup
        ? { participant: groupMemberJids[step.participant === 'p2' ? 1 : 0]! }
        : {};
      server.pushInbound(
        {
          from: jidOf(chatOf(step)),
          id: inboundIdFor(step.msg),
          text: inboundText(step.msg),
          ...participant,
        },
        { receiptLost: step.receiptLost === true },
      );
      break;
    }
    case 'stallIq': {
      const previous = server.holdIq;
      const xmlns = step.iq === 'usync' ? 'usync' : 'w:m';
      server.holdIq = (iq, conn) => iq.xmlns === xmlns || (previous?.(iq, conn) ?? false);
      break;
    }
    case 'nackNext':
      server.nackNext.push(step.error);
      break;
    case 'ackDelay':
      server.ackPolicy = { kind: 'delay', ms: step.ms };
      break;
    case 'media':
      server.media = { conn: step.conn, upload: step.upload };
      break;
    case 'receipts':
      server.recipient.receipts = {
        ...(step.deliveryMs === undefined ? {} : { deliveryMs: step.deliveryMs }),
        ...(step.readMs === undefined ? {} : { readMs: step.readMs }),
      };
      break;
    case 'retryNext':
      server.recipient.retryNext.push({ afterMs: step.afterMs });
      break;
    case 'groupMetadata':
      if (step.answer === 'hold') holdIq(server, (iq) => iq.xmlns === 'w:g2');
      else
        refuseIq(server, (iq) =>
          iq.xmlns === 'w:g2' ? { code: 403, text: 'forbidden' } : undefined,
        );
      break;
    case 'usyncRateLimited':
      refuseIq(server, (iq) =>
        iq.xmlns === 'usync' ? { code: 429, text: 'rate-overlimit' } : undefined,
      );
      break;
    case 'keyFetchHold':
      server.devices.set(jidOf(chatOf(step)).split('@')[0]!, [0]);
      holdIq(server, (iq) => iq.xmlns === 'encrypt' && iq.child === 'key');
      break;
  }
}

type IqMatch = { xmlns: string; type: string; child: string };

/** Adds `hold` to the iqs the server never answers. */
function holdIq(server: WaServer, hold: (iq: IqMatch) => boolean): void {
  const previous = server.holdIq;
  server.holdIq = (iq, conn) => hold(iq) || (previous?.(iq, conn) ?? false);
}

/** Adds `refuse` to the iqs the server answers with an error. */
function refuseIq(
  server: WaServer,
  refuse: (iq: IqMatch) => { code: number; text: string } | undefined,
): void {
  const previous = server.iqError;
  server.iqError = (iq) => refuse(iq) ?? previous?.(iq);
}

/** Scenarios whose listener throws, by name: the rejections seen for each. */
const capturing = new Map<string, string[]>();
let setAside: NodeJS.UnhandledRejectionListener[] = [];

function onRejection(reason: unknown, promise: Promise<unknown>): void {
  const message = reason instanceof Error ? reason.message : String(reason);
  const seen = capturing.get(message.slice(listenerErrorMessage.length + 2, -1));
  if (message.startsWith(listenerErrorMessage) && seen !== undefined) seen.push(message);
  else for (const listener of setAside) listener(reason, promise);
}

/**
 * While a scenario's listener throws, the process's unhandled rejections are looked at first:
 * the one the listener caused (its message names the scenario) is recorded and swallowed, any
 * other goes on to the listeners that were there (vitest's), so a real failure elsewhere still
 * fails the run. The first capture sets those listeners aside, the last release restores them.
 */
function captureListenerRejections(scenario: string): { seen: string[]; release(): void } {
  const seen: string[] = [];
  if (capturing.size === 0) {
    setAside = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onRejection);
  }
  capturing.set(scenario, seen);
  return {
    seen,
    release() {
      capturing.delete(scenario);
      if (capturing.size > 0) return;
      process.off('unhandledRejection', onRejection);
      for (const listener of setAside) process.on('unhandledRejection', listener);
      setAside = [];
    },
  };
}
