/**
 * `queryRejects`: until `untilAt` (or `heal`), a query a send makes before its write fails in a
 * way rc14 turns into a rejection, never a frame (`relayMessage`, `Socket/messages-send.js`):
 *
 * - `groupMetadataUnanswered`: a group's metadata query (made before every group send) gets no
 *   answer: after `defaultQueryTimeoutMs`, Boom 500 `Invalid group metadata response: missing
 *   <group> node` (`extractGroupMetadata`, `Socket/groups.js`);
 * - `notInGroup`: the bot was removed from the group: the metadata query is answered 403, and the
 *   send rejects at once with Boom 500 `forbidden`, the 403 only in `data` (`assertNodeErrorFree`);
 * - `rateOverlimit`: usync queries (a chat's first send on a socket) are answered 429: Boom 500
 *   `rate-overlimit`, the 429 only in `data`;
 * - `keyFetchUnanswered`: the contact has a device the bot has no Signal session with and its key
 *   fetch (`assertSessions`) gets no answer: after `defaultQueryTimeoutMs`, Boom 500 `All
 *   encryptions failed` (`createParticipantNodes`). 1:1 chats only.
 *
 * `chat` limits it to one chat; without it, every chat (group reasons: every group chat).
 */
import fc from 'fast-check';
import { z } from 'zod';
import { preWriteRejectionStatusCode, queryRefusals } from '../../src/baileysFacts.js';
import { atSchema, chatNameSchema } from '../timelineAtoms.js';
import { defineFault, type FaultTarget } from './fault.js';
import { generatorChatsMax } from './generatorBounds.js';

/** How the query fails (see the module comment). */
export const queryRejectReasons = [
  'groupMetadataUnanswered',
  'notInGroup',
  'rateOverlimit',
  'keyFetchUnanswered',
] as const;

/** One reason of {@link queryRejectReasons}. */
export type QueryRejectReason = (typeof queryRejectReasons)[number];

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('queryRejects'),
  untilAt: atSchema,
  reason: z.enum(queryRejectReasons),
  chat: chatNameSchema.optional(),
});

/** `queryRejects`: until `untilAt`, pre-write queries fail for `reason` (in `chat`, or all). */
export type QueryRejectsEvent = z.infer<typeof schema>;

/** A generated window of rejecting queries, for chat index `chat` or (undefined) every chat. */
export interface QueryRejectsStep {
  do: 'queryRejects';
  forMs: number;
  reason: QueryRejectReason;
  chat: number | undefined;
}

/** Adds the rule of `event`'s reason, active while `now < untilAt`, for its chat (or all). */
function addRule(event: QueryRejectsEvent, target: FaultTarget): void {
  const chatJid = event.chat === undefined ? undefined : target.jidOf(event.chat);
  const applies = (jid: string): boolean =>
    target.now() < event.untilAt && (chatJid === undefined || jid === chatJid);
  switch (event.reason) {
    case 'groupMetadataUnanswered':
      return target.addRules({
        query: (q) => (q.kind === 'group' && applies(q.chatJid) ? 'stall' : undefined),
      });
    case 'notInGroup':
      return target.addRules({
        query: (q) =>
          q.kind === 'group' && applies(q.chatJid) ? queryRefusals.forbidden : undefined,
      });
    case 'rateOverlimit':
      return target.addRules({
        query: (q) =>
          q.kind === 'usync' && applies(q.chatJid) ? queryRefusals.rateOverlimit : undefined,
      });
    case 'keyFetchUnanswered':
      return target.addRules({ keyFetch: (send) => (applies(send.chatJid) ? 'stall' : undefined) });
  }
}

/** ` in chat c1`, or nothing for every chat. */
const inChat = (chat: string | undefined): string => (chat === undefined ? '' : ` in chat ${chat}`);

/** The `queryRejects` fault. */
export const queryRejects = defineFault<'queryRejects', QueryRejectsEvent, QueryRejectsStep>({
  kind: 'queryRejects',
  summary:
    "pre-write queries fail until untilAt and rc14 rejects the send, no frame: a group's " +
    'metadata unanswered or refused 403, usync refused 429, a key fetch unanswered (Boom 500)',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'reason', 'chat'],
  check: (event, facts) => [
    ...(event.untilAt < event.at
      ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`]
      : []),
    ...(event.chat !== undefined && !facts.inboundChats.has(event.chat)
      ? [`chat: unknown chat "${event.chat}" (no inbound in that chat)`]
      : []),
  ],
  apply: addRule,
  describe: (event) =>
    `queryRejects ${event.reason}${inChat(event.chat)} until ${event.untilAt} ms`,
  draw: {
    shape: 'band',
    tone: 'fault',
    label: (event) => event.reason,
    untilAt: (event) => event.untilAt,
  },
  coverage: {
    // Often on: its group reasons matter only when a reply goes to a group chat.
    swarm: {
      queryRejects: fc.oneof(
        { weight: 1, arbitrary: fc.constant(false) },
        { weight: 3, arbitrary: fc.constant(true) },
      ),
    },
    kindOf: () => 'queryRejects',
    // It fires when a send was rejected by it: a Boom 500 before any write, not media's.
    fired: (event, history) =>
      history.attempts.some(
        (a) =>
          a.at >= event.at &&
          a.at < event.untilAt &&
          !a.written &&
          a.error?.statusCode === preWriteRejectionStatusCode &&
          a.kind === 'message',
      ),
  },
  generate: {
    step: fc.record({
      do: fc.constant('queryRejects' as const),
      forMs: fc.oneof(
        { withCrossShrink: true },
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 120_000 }),
      ),
      // Mostly a group's: a path that takes a group send's 500 for delivered loses the reply.
      reason: fc.oneof(
        { withCrossShrink: true },
        {
          weight: 3,
          arbitrary: fc.constantFrom<QueryRejectReason>('groupMetadataUnanswered', 'notInGroup'),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom<QueryRejectReason>('rateOverlimit', 'keyFetchUnanswered'),
        },
      ),
      chat: fc.option(fc.nat(generatorChatsMax - 1), { nil: undefined, freq: 3 }),
    }),
    stepWeight: 1,
    sceneWeight: 1,
    toEvent(step, at, chats) {
      const event: QueryRejectsEvent = {
        at,
        do: 'queryRejects',
        untilAt: at + step.forMs,
        reason: step.reason,
      };
      // A timeline may only name a chat some earlier inbound came from; otherwise every chat.
      const chat = step.chat === undefined ? undefined : chats.name(step.chat);
      return chat !== undefined && chats.hasInboundFrom(chat) ? { ...event, chat } : event;
    },
  },
});
