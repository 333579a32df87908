/**
 * Runs a scenario on the simulator through its public API only: the scenario's faults become
 * timeline events, the scripted path (the same factory the real runner uses) performs the client
 * actions on the fake sockets, and `simulate(timeline, factory)` runs it under the virtual clock.
 * The trace is completed from the history (frames per send, listener throws the fake caught).
 */
import { chatJids, parseTimeline, simulate, type TimelineEvent } from '../../sim/index.js';
import { loginFailureReasons } from '../../sim/faults/loginFailure.js';
import {
  chatOf,
  clientStepKinds,
  groupJid,
  newsletterJid,
  scenarioChats,
  type FaultStep,
  type MessageStep,
  type StepOf,
  type Scenario,
  type Step,
} from './scenario.js';
import { listenerErrorMessage, messageIdFor, scriptedPath } from './scriptedPath.js';
import { inboundText, type Trace } from './trace.js';

/** The timeline events for a scenario's faults, and the faults the fake has no event for. */
interface FakeTimeline {
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
    const missing = (capability: string) =>
      unsupported.push(`steps[${index}] ${step.do}: ${capability}`);
    events.push(...timelineEventsFor(step as FaultStep, scenario, index, missing));
  });
  // Same-time events keep the scenario's order.
  events.sort((a, b) => a.at - b.at);
  return { events, unsupported };
}

/** The first step of kind `kind` after `index`, if any. */
function nextStep<K extends Step['do']>(
  scenario: Scenario,
  index: number,
  kind: K,
): Extract<Step, { do: K }> | undefined {
  return scenario.steps.slice(index + 1).find((s): s is Extract<Step, { do: K }> => s.do === kind);
}

/** Until the next `media` step (a new server policy), or the end of the scenario. */
function mediaWindowEnd(scenario: Scenario, index: number): number {
  return nextStep(scenario, index, 'media')?.at ?? scenario.endAt;
}

/** The fake's timeline events for one step of a scenario. */
function timelineEventsFor(
  step: FaultStep,
  scenario: Scenario,
  index: number,
  missing: (capability: string) => void,
): TimelineEvent[] {
  const at = step.at;
  switch (step.do) {
    case 'silence': {
      const resume = nextStep(scenario, index, 'resume');
      return [
        resume === undefined
          ? { at, do: 'drop', reason: 'connectionLost' }
          : { at, do: 'blackhole', untilAt: resume.at },
      ];
    }
    case 'resume':
      return []; // the end of the silence (see `silence`)
    case 'terminate':
      return [{ at, do: 'drop', reason: 'connectionClosed' }];
    case 'reset':
      return [
        { at, do: 'drop', reason: step.unread ? 'connectionResetUnread' : 'connectionReset' },
      ];
    case 'wsClose':
      return [{ at, do: 'drop', reason: 'wsClose' }];
    case 'streamEnd':
      return [{ at, do: 'drop', reason: 'streamEnd' }];
    case 'streamError': {
      const reasons = {
        conflict: 'conflict',
        restartRequired: 'restartRequired',
        deviceRemoved: 'loggedOut',
        unknown: 'unknownStreamError',
        serviceUnavailable: 'serviceUnavailable',
      } as const;
      return [{ at, do: 'drop', reason: reasons[step.kind] }];
    }
    case 'nextConnect':
      return connectPlanEvents(step, scenario, index, missing);
    case 'refuse':
      return [{ at, do: 'refuseConnects', untilAt: step.untilAt }];
    case 'blackhole':
      // The loopback server pauses the open connection for good and hangs connects until untilAt.
      return [
        { at, do: 'blackhole', untilAt: step.untilAt },
        { at, do: 'drop', reason: 'connectionLost' },
      ];
    case 'latency':
      return [{ at, do: 'latency', ms: step.ms }];
    default:
      return messageEventsFor(step, scenario, index);
  }
}

/** The fake's timeline events for a step about messages (the connection's are above). */
function messageEventsFor(step: MessageStep, scenario: Scenario, index: number): TimelineEvent[] {
  const at = step.at;
  switch (step.do) {
    case 'inbound':
      return inboundEvents(step, scenario);
    case 'stallIq':
      return [{ at, do: 'stallQueries', untilAt: scenario.endAt, iq: step.iq }];
    case 'nackNext':
      // rc14 sends the nack when the server acks; `ackDelay` delays both.
      return [
        {
          at,
          do: 'nack',
          delayMs:
            scenario.steps.find((s): s is Extract<Step, { do: 'ackDelay' }> => s.do === 'ackDelay')
              ?.ms ?? 0,
          code: step.error,
        },
      ];
    case 'ackDelay':
      return []; // rc14 never waits for an ack: nothing to model
    case 'media': {
      const untilAt = mediaWindowEnd(scenario, index);
      const events: TimelineEvent[] = [];
      if (step.conn === 'error') events.push({ at, do: 'mediaFails', untilAt, stage: 'mediaConn' });
      if (step.conn === 'hold') events.push({ at, do: 'stallQueries', untilAt, iq: 'media_conn' });
      if (step.upload === 'fail') events.push({ at, do: 'mediaFails', untilAt, stage: 'upload' });
      if (step.upload === 'hang')
        events.push({ at, do: 'mediaFails', untilAt, stage: 'uploadHangs' });
      return events;
    }
    case 'receipts':
      return []; // the network's receipt timings (see `receiptOptions`)
    case 'retryNext':
      return [{ at, do: 'undecryptable', retryAfterMs: step.afterMs }];
    case 'groupMetadata':
      return [
        {
          at,
          do: 'queryRejects',
          untilAt: scenario.endAt,
          reason: step.answer === 'hold' ? 'groupMetadataUnanswered' : 'notInGroup',
        },
      ];
    case 'usyncRateLimited':
      return [{ at, do: 'queryRejects', untilAt: scenario.endAt, reason: 'rateOverlimit' }];
    case 'keyFetchHold':
      // The loopback server gives only this chat's contact a device; the scenario sends to it
      // alone.
      return [{ at, do: 'queryRejects', untilAt: scenario.endAt, reason: 'keyFetchUnanswered' }];
  }
}

/**
 * The recipients' receipt timings: the scenario's `receipts` step (the fake's recipients send
 * them for the whole run, so the step comes before any send), else none, like the loopback
 * server's recipients.
 */
function receiptOptions(scenario: Scenario): {
  deliveryReceiptMs: number | undefined;
  readReceiptMs: number | undefined;
} {
  const step = scenario.steps.find(
    (s): s is Extract<Step, { do: 'receipts' }> => s.do === 'receipts',
  );
  return { deliveryReceiptMs: step?.deliveryMs, readReceiptMs: step?.readMs };
}

/** What the server does with the next connect, as faults that cover just that connect. */
function connectPlanEvents(
  step: Extract<Step, { do: 'nextConnect' }>,
  scenario: Scenario,
  index: number,
  missing: (capability: string) => void,
): TimelineEvent[] {
  const connect = nextStep(scenario, index, 'connect');
  if (connect === undefined) {
    missing('a connect plan with no connect after it');
    return [];
  }
  // The fake's login completes within 100 ms of the connect: a window to then covers it alone.
  const untilAt = connect.at + 100;
  const { plan } = step;
  if (plan === 'closeOnAccept')
    return [{ at: connect.at + 1, do: 'drop', reason: 'connectionClosed' }];
  if (plan === 'hang') return [{ at: step.at, do: 'blackhole', untilAt }];
  if ('upgradeStatus' in plan)
    return [{ at: step.at, do: 'upgradeRejected', untilAt, status: plan.upgradeStatus }];
  if ('loginDelayMs' in plan)
    return [{ at: step.at, do: 'slowLogin', untilAt, delayMs: plan.loginDelayMs }];
  const reason = plan.failure ?? 500;
  if (!(loginFailureReasons as readonly number[]).includes(reason)) {
    missing(`a login failure with reason ${reason}`);
    return [];
  }
  return [
    {
      at: step.at,
      do: 'loginFailure',
      untilAt,
      reason: reason as (typeof loginFailureReasons)[number],
    },
  ];
}

/**
 * The JID of a scenario chat on the fake side: the timeline's own numbering for chats with inbound.
 */
export function fakeJids(scenario: Scenario, events: TimelineEvent[]): (chat: string) => string {
  const known = chatJids(parseTimeline(timelineOf(events)));
  const chats = scenarioChats(scenario);
  return (chat) =>
    known.get(chat) ??
    newsletterJid(chat) ??
    groupJid(chat) ??
    `1555${String(900 + chats.indexOf(chat)).padStart(7, '0')}@s.whatsapp.net`;
}

export function timelineOf(events: TimelineEvent[]): unknown {
  return {
    format: 'baileys-sim/timeline@1',
    seed: 1,
    config: {
      reconnect: { initialMs: 100, maxMs: 100, factor: 1, jitter: 0, maxAttempts: 1 },
      replyDeadlineMs: 60_000,
    },
    events,
  };
}

/** A fake run: the trace and the timeline faults it could not express (run anyway without them). */
interface FakeRun {
  trace: Trace;
  unsupported: string[];
}

/** Runs `scenario` on the simulator. */
export async function runFake(scenario: Scenario): Promise<FakeRun> {
  const { events, unsupported } = fakeTimelineEvents(scenario);
  const timeline = parseTimeline(timelineOf(events));
  const { factory, record } = scriptedPath(scenario, fakeJids(scenario, events));
  // The loopback server answers empty device lists, which rc14 does not cache: every send runs its
  // usync queries.
  const history = await simulate(timeline, factory, {
    network: { deviceListCache: false, ...receiptOptions(scenario) },
  });
  const trace = record.trace;
  for (const send of trace.sends) {
    const id = messageIdFor(scenario.name, send.key);
    const frames = history.server.frames.filter((f) => f.messageId === id);
    send.frames = frames.length;
    if (frames[0]) send.frameAt = frames[0].at;
    if (frames.length > 1) send.laterFramesAt = frames.slice(1).map((f) => f.at);
  }
  for (const thrown of trace.thrown) {
    if (history.unhandledRejections.some((r) => r.error.message.includes(listenerErrorMessage)))
      thrown.surfaced = 'rejection';
  }
  return { trace, unsupported };
}

/** An inbound message, and the lost receipt that makes the server deliver it again. */
function inboundEvents(step: StepOf<'inbound'>, scenario: Scenario): TimelineEvent[] {
  const at = step.at;
  const inGroup = groupJid(chatOf(step)) !== undefined;
  const base: TimelineEvent = {
    at,
    do: 'inbound',
    chat: chatOf(step),
    msg: step.msg,
    text: inboundText(step.msg),
  };
  const inbound: TimelineEvent = inGroup
    ? {
        ...base,
        kind: 'group',
        ...(step.participant === undefined ? {} : { participant: step.participant }),
      }
    : base;
  // The server never gets this message's receipt: it delivers it again at the next login.
  return step.receiptLost
    ? [{ at, do: 'receiptsLost', untilAt: scenario.endAt }, inbound]
    : [inbound];
}
