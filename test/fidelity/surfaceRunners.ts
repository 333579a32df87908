/**
 * Runs a surface case (surface.ts) on real rc14 against the loopback server, and on the
 * simulator through `simulate`, the same scripted bot on both.
 */
import { Agent } from 'node:https';
import makeWASocket from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { parseTimeline, simulate, type TimelineEvent } from '../../sim/index.js';
import { systemClock, systemRandom, type SimEnv } from '../../src/ports.js';
import { memoryStore } from '../../src/stores.js';
import { mediaAgentOptions, startWaServer, type WaServer } from '../loopback/waServer.js';
import { fakeJids, fakeTimelineEvents, timelineOf } from './fakeRunner.js';
import { applyFault, realJids } from './realRunner.js';
import { clientStepKinds, type FaultStep } from './scenario.js';
import {
  botUser,
  chatNamer,
  surfaceAnswers,
  surfaceScript,
  type SurfaceCase,
  type SurfaceTrace,
} from './surface.js';

/** The surface frames compared, by how the loopback server records them. */
const countedKinds = ['receipt:read', 'presence:subscribe', 'remove-companion-device'] as const;

/** The JID of a group chat on either side. */
function groupJid(c: SurfaceCase, chat: string): string {
  return `1203630000000000${String((c.groups ?? []).indexOf(chat) + 1).padStart(2, '0')}@g.us`;
}

/** Runs `c` on real rc14; resolves after its end plus the teardown. */
export async function runSurfaceReal(c: SurfaceCase): Promise<SurfaceTrace> {
  const server = await startWaServer();
  const chats = realJids(c.scenario);
  const jidOf = (chat: string): string =>
    (c.groups ?? []).includes(chat) ? groupJid(c, chat) : chats(chat);
  server.answerIq = surfaceAnswers(chatNamer(c, jidOf), `${botUser}@s.whatsapp.net`);
  const stallAt = c.stallQueriesAt;
  if (stallAt !== undefined) {
    const startedAt = Date.now();
    // Keep-alive pings stay answered: the fake's stall holds queries, not the link.
    server.holdIq = (iq) => iq.xmlns !== 'w:p' && Date.now() - startedAt >= stallAt;
  }
  const { factory, trace, finished } = surfaceScript(c, jidOf);
  const path = factory(realEnv(server));
  const timers: NodeJS.Timeout[] = [];
  try {
    await path.start(() => undefined);
    for (const step of c.scenario.steps) {
      if (!clientStepKinds.has(step.do))
        timers.push(
          setTimeout(() => applyFault(server, step as FaultStep, jidOf, timers), step.at),
        );
    }
    await finished;
  } finally {
    for (const t of timers) clearTimeout(t);
    const stopping = path.stop();
    await server.close();
    await stopping;
  }
  trace.server = countedOnServer(server);
  return trace;
}

/** The surface frames the loopback server received, per kind (absent kinds left out). */
function countedOnServer(server: WaServer): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (kind: string) => (counts[kind] = (counts[kind] ?? 0) + 1);
  for (const conn of server.connections) {
    for (const stanza of conn.received) {
      if (stanza.tag === 'receipt' && stanza.attrs.type === 'read') add('receipt:read');
      if (stanza.tag === 'presence' && stanza.attrs.type === 'subscribe') add('presence:subscribe');
      if (stanza.tag === 'iq' && stanza.child === 'remove-companion-device')
        add('remove-companion-device');
    }
  }
  return counts;
}

/** Real `makeWASocket` on the loopback server; the script passes its own auth. */
function realEnv(server: WaServer): SimEnv {
  const logger = pino({ level: 'silent' });
  const fetchAgent = new Agent(mediaAgentOptions());
  return {
    makeSocket: (extra) =>
      makeWASocket({
        waWebSocketUrl: server.url,
        logger,
        syncFullHistory: false,
        fetchAgent,
        ...(extra as object),
      } as unknown as Parameters<typeof makeWASocket>[0]),
    clock: systemClock,
    random: systemRandom,
    messageIds: () => '3EB0000000000000000000',
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

/** Runs `c` on the simulator. */
export async function runSurfaceFake(
  c: SurfaceCase,
): Promise<{ trace: SurfaceTrace; unsupported: string[] }> {
  const { events, unsupported } = fakeTimelineEvents(c.scenario);
  // A group message after the end makes each group a chat of the run, with its own JID.
  const groups: TimelineEvent[] = (c.groups ?? []).map((chat, i) => ({
    at: c.scenario.endAt + 1,
    do: 'inbound',
    chat,
    msg: `group${i + 1}`,
    kind: 'group',
  }));
  const stall: TimelineEvent[] =
    c.stallQueriesAt === undefined
      ? []
      : [
          {
            at: c.stallQueriesAt,
            do: 'stallQueries',
            untilAt: c.scenario.endAt + 60_000,
            iq: 'all',
          },
        ];
  const timeline = parseTimeline(
    timelineOf([...events, ...stall, ...groups].sort((a, b) => a.at - b.at)),
  );
  const jidOf = fakeJids(c.scenario, [...events, ...groups]);
  const { factory, trace } = surfaceScript(c, jidOf);
  const history = await simulate(timeline, factory, { network: { deviceListCache: false } });
  const nodes = history.server.nodes ?? {};
  trace.server = Object.fromEntries(
    countedKinds.filter((kind) => nodes[kind] !== undefined).map((kind) => [kind, nodes[kind]!]),
  );
  return { trace, unsupported };
}
