/**
 * `recipientAway`: until `untilAt` (or `heal`), the recipient's phone (in `chat`, or every
 * recipient) is offline. Messages still reach the server and show, but their delivery and read
 * receipts (rc14's `messages.update` status 3 and 4; a group's `message-receipt.update`) leave
 * the phone only once it is back: a path that waits for a delivery receipt waits that long.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema, chatNameSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';
import { generatorChatsMax } from './generatorBounds.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('recipientAway'),
  untilAt: atSchema,
  chat: chatNameSchema.optional(),
});

/** `recipientAway`: receipts for messages shown before `untilAt` wait until then. */
export type RecipientAwayEvent = z.infer<typeof schema>;

/** A generated absence of a recipient (chat index), or (undefined) of every recipient. */
export interface RecipientAwayStep {
  do: 'recipientAway';
  forMs: number;
  chat: number | undefined;
}

/** The `recipientAway` fault. */
export const recipientAway = defineFault<'recipientAway', RecipientAwayEvent, RecipientAwayStep>({
  kind: 'recipientAway',
  summary:
    "the recipient's phone is offline until untilAt: messages show, " +
    'but their delivery and read receipts come only after it',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'chat'],
  check: (event, facts) => [
    ...(event.untilAt < event.at
      ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`]
      : []),
    ...(event.chat !== undefined && !facts.inboundChats.has(event.chat)
      ? [`chat: unknown chat "${event.chat}" (no inbound in that chat)`]
      : []),
  ],
  apply(event, target) {
    const chatJid = event.chat === undefined ? undefined : target.jidOf(event.chat);
    target.addRules({
      recipient: (message) =>
        message.at < event.untilAt && (chatJid === undefined || message.chatJid === chatJid)
          ? { backAt: event.untilAt }
          : undefined,
    });
  },
  describe: (event) =>
    `recipientAway${event.chat === undefined ? '' : ` in chat ${event.chat}`}` +
    ` until ${event.untilAt} ms`,
  draw: { shape: 'band', tone: 'slow', label: () => 'away', untilAt: (event) => event.untilAt },
  coverage: { swarm: { recipientAway: fc.boolean() }, kindOf: () => 'recipientAway' },
  generate: {
    step: fc.record({
      do: fc.constant('recipientAway' as const),
      forMs: fc.integer({ min: 0, max: 600_000 }),
      chat: fc.option(fc.nat(generatorChatsMax - 1), { nil: undefined, freq: 3 }),
    }),
    stepWeight: 1,
    // Not lined up with replies: an absence lasts minutes and covers them anyway.
    sceneWeight: 0,
    toEvent(step, at, chats) {
      const chat = step.chat === undefined ? undefined : chats.name(step.chat);
      const event = { at, do: 'recipientAway' as const, untilAt: at + step.forMs };
      return chat !== undefined && chats.hasInboundFrom(chat) ? { ...event, chat } : event;
    },
  },
});
