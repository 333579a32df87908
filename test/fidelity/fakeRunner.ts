/**
 * Runs a scenario on the simulator through its public API only: the scenario's faults become
 * timeline events, the scripted path (the same factory the real runner uses) performs the client
 * actions on the fake sockets, and `simulate(timeline, factory)` runs it under the virtual clock.
 * The trace is completed from the history (frames per send, listener throws the fake caught).
 */
import { chatJids, parseTimeline, simulate, type TimelineEvent } from '../../sim/index.js';
import { chatOf, clientStepKinds, newsletterJid, scenarioChats, type FaultStep, type Scenario } from './scenario.js';
import { messageIdFor, scriptedPath } from './scriptedPath.js';
import { inboundText, type Trace } from './trace.js';

/** The timeline events for a scenario's faults, and the faults the fake has no event for. */
export interface FakeTimeline {
  events: TimelineEvent[];
  /** one line per fault the timeline cannot express: `steps[i] <do>: <missing capability>` */
  unsupported: string[];
}

/** Maps the scenario's faults onto timeline events. */
export function fakeTimelineEvents(scenario: Scenario): FakeTimeline {
  const events: TimelineEvent[] = [];
  const unsupported: string[] = [];
  scenario.steps.forEach((step, index) => {
    if (clientStepKinds.has(step.do)) return;
    const missing = (capability: string) => unsupported.push(`steps[${index}] ${step.do}: ${capability}`);
    const event = timelineEventFor(step as FaultStep, missing);
    if (event) events.push(event);
  });
  return { events, unsupported };
}

function timelineEventFor(step: FaultStep, missing: (capability: string) => void): TimelineEvent | undefined {
  const at = step.at;
  switch (step.do) {
    case 'inbound':
      if (step.receiptLost) missing('redelivery of an inbound whose receipt the server did not get');
      return { at, do: 'inbound', chat: chatOf(step), msg: step.msg, text: inboundText(step.msg) };
    case 'silence':
      return { at, do: 'blackhole', untilAt: at };
    case 'resume':
      missing('a silent link that comes back (a blackholed socket stays dead)');
      return undefined;
    case 'terminate':
    case 'reset':
    case 'wsClose':
    case 'streamEnd':
      return { at, do: 'drop', reason: 'connectionClosed', noticeMs: 0 };
    case 'streamError': {
      const reason = ({ conflict: 'conflict', restartRequired: 'restartRequired', deviceRemoved: 'loggedOut' } as const)[
        step.kind as 'conflict' | 'restartRequired' | 'deviceRemoved'
      ];
      if (reason === undefined) missing(`stream:error "${step.kind}" (only conflict, 515 and device_removed are drop reasons)`);
      return reason === undefined ? undefined : { at, do: 'drop', reason, noticeMs: 0 };
    }
    case 'nextConnect':
      missing(`a connect plan (${JSON.stringify(step.plan)}): no login failure, upgrade status or one-off hang`);
      return undefined;
    case 'refuse':
      return { at, do: 'refuseConnects', untilAt: step.untilAt };
    case 'blackhole':
      return { at, do: 'blackhole', untilAt: step.untilAt };
    case 'stallIq':
      missing(`a stalled ${step.iq} iq: the fake has no pre-write queries${step.iq === 'media_conn' ? ' and no media_conn' : ''}`);
      return undefined;
    case 'nackNext':
      missing('a server nack (messages.update status ERROR)');
      return undefined;
    case 'ackDelay':
      return { at, do: 'slowAck', delayMs: step.ms };
    case 'latency':
      return { at, do: 'latency', ms: step.ms };
    case 'media':
      missing(`media policy (media_conn ${step.conn}, upload ${step.upload}): the fake sends media like text`);
      return undefined;
  }
}

/** The JID of a scenario chat on the fake side: the timeline's own numbering for chats with inbound. */
function fakeJids(scenario: Scenario, events: TimelineEvent[]): (chat: string) => string {
  const known = chatJids(parseTimeline(timelineOf(events)));
  const chats = scenarioChats(scenario);
  return chat => known.get(chat) ?? newsletterJid(chat) ?? `1555${String(900 + chats.indexOf(chat)).padStart(7, '0')}@s.whatsapp.net`;
}

function timelineOf(events: TimelineEvent[]): unknown {
  return {
    format: 'baileys-sim/timeline@1',
    seed: 1,
    config: { reconnect: { initialMs: 100, maxMs: 100, factor: 1, jitter: 0, maxAttempts: 1 }, replyDeadlineMs: 60_000 },
    events,
  };
}

/** A fake run: the trace and the timeline faults it could not express (run anyway without them). */
export interface FakeRun {
  trace: Trace;
  unsupported: string[];
}

/** Runs `scenario` on the simulator. */
export async function runFake(scenario: Scenario): Promise<FakeRun> {
  const { events, unsupported } = fakeTimelineEvents(scenario);
  const timeline = parseTimeline(timelineOf(events));
  const { factory, record } = scriptedPath(scenario, fakeJids(scenario, events));
  const history = await simulate(timeline, factory);
  const trace = record.trace;
  for (const send of trace.sends) {
    const id = messageIdFor(scenario.name, send.key);
    const frames = history.server.frames.filter(f => f.messageId === id);
    send.frames = frames.length;
    if (frames[0]) send.frameAt = frames[0].at;
  }
  for (const thrown of trace.thrown) {
    if (history.thrown.some(t => t.where === 'listener')) thrown.surfaced = 'harness';
  }
  return { trace, unsupported };
}
