/**
 * `nack`: the server refuses the next message that reaches it (in `chat`, or in any chat): an
 * `<ack class="message" error>` instead of a plain ack. The send had already resolved (rc14
 * resolves at the write); `delayMs` after the frame arrived the bot gets `messages.update` with
 * status ERROR and `messageStubParameters: [code]` (`handleBadAck`, `Socket/messages-recv.js`;
 * for 463, an account restricted from starting chats, the restriction text follows the code),
 * and the recipient never sees it. `code` defaults to 479 (`smax-invalid`).
 */
import fc from 'fast-check';
import { z } from 'zod';
import { nackCodes } from '../network/server.js';
import { atSchema, chatNameSchema, delayMsSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';
import { generatorChatsMax } from './generatorBounds.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('nack'),
  chat: chatNameSchema.optional(),
  delayMs: delayMsSchema,
  code: z
    .string()
    // Any 3 digits: the generator draws the codes rc14 reads by name (nackCodes).
    .regex(/^[0-9]{3}$/, 'must be a 3-digit error code')
    .optional(),
});

/**
 * `nack`: the server refuses the next message (to `chat`, or any chat); the nack reaches the bot
 * `delayMs` later.
 */
export type NackEvent = z.infer<typeof schema>;

/** A generated nack: for chat index `chat`, or (undefined) the next message in any chat. */
export interface NackStep {
  do: 'nack';
  chat: number | undefined;
  delayMs: number;
  code: string;
}

/** The `nack` fault. */
export const nack = defineFault<'nack', NackEvent, NackStep>({
  kind: 'nack',
  summary:
    'the server refuses the next message (to chat, or any chat): messages.update status ' +
    'ERROR, never visible',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'chat', 'delayMs', 'code'],
  check: (event, facts) =>
    event.chat !== undefined && !facts.inboundChats.has(event.chat)
      ? [`chat: unknown chat "${event.chat}" (no inbound in that chat)`]
      : [],
  apply(event, target) {
    const chatJid = event.chat === undefined ? undefined : target.jidOf(event.chat);
    let taken = false;
    target.addRules({
      serverMessage: (frame) => {
        if (taken || (chatJid !== undefined && frame.chatJid !== chatJid)) return undefined;
        taken = true;
        return { nackAfterMs: event.delayMs, code: event.code ?? nackCodes.smaxInvalid };
      },
    });
  },
  describe: (event) =>
    `nack${event.code === undefined ? '' : ` ${event.code}`} of the next message ` +
    `${event.chat === undefined ? 'in any chat' : `in chat ${event.chat}`}` +
    ` (heard after ${event.delayMs} ms)`,
  draw: { shape: 'tick', tone: 'fault', label: () => 'nack' },
  coverage: {
    // Rarer: a nacked reply is lost whatever the path does.
    swarm: {
      nack: fc.oneof(
        { weight: 3, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    },
    kindOf: () => 'nack',
    // It fires only when a message takes it.
    fired: (event, history) => history.attempts.some((a) => a.nacked === true && a.at >= event.at),
  },
  generate: {
    step: fc.record({
      do: fc.constant('nack' as const),
      chat: fc.option(fc.nat(generatorChatsMax - 1), { nil: undefined, freq: 3 }),
      delayMs: fc.integer({ min: 0, max: 2000 }),
      code: fc.constantFrom(nackCodes.smaxInvalid, nackCodes.accountRestricted),
    }),
    stepWeight: 1,
    sceneWeight: 1,
    toEvent(step, at, chats) {
      // A timeline may only name a chat some earlier inbound came from; otherwise "any chat".
      const chat = step.chat === undefined ? undefined : chats.name(step.chat);
      const event = { at, do: 'nack' as const, delayMs: step.delayMs, code: step.code };
      return chat !== undefined && chats.hasInboundFrom(chat) ? { ...event, chat } : event;
    },
  },
});
