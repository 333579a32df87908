/**
 * `slowAck`: the next message send (to `chat`, or to any chat) is written but its response is
 * lost: Baileys rejects it with 408 `Timed Out` after `delayMs`. The frame may well be on the
 * server, so the failure is ambiguous: a resend must reuse the message id.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema, chatNameSchema, delayMsSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';
import { generatorChatsMax } from './generatorBounds.js';

const schema = z.strictObject({ at: atSchema, do: z.literal('slowAck'), chat: chatNameSchema.optional(), delayMs: delayMsSchema });

/** `slowAck`: the next send (to `chat`, or any chat) is written but its response is lost: 408 after `delayMs`. */
export type SlowAckEvent = z.infer<typeof schema>;

/** A generated slow ack: for chat index `chat`, or (undefined) the next send to any chat. */
export interface SlowAckStep {
  do: 'slowAck';
  chat: number | undefined;
  delayMs: number;
}

/** The `slowAck` fault. */
export const slowAck = defineFault<'slowAck', SlowAckEvent, SlowAckStep>({
  kind: 'slowAck',
  summary: "the next send (to chat, or any chat) is written but its response is lost: 408 'Timed Out' after delayMs",
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'chat', 'delayMs'],
  check: (event, facts) =>
    event.chat !== undefined && !facts.inboundChats.has(event.chat) ? [`chat: unknown chat "${event.chat}" (no inbound in that chat)`] : [],
  apply(event, target) {
    const chatJid = event.chat === undefined ? undefined : target.jidOf(event.chat);
    let taken = false;
    target.addSendRule((send) => {
      if (taken || send.kind !== 'message' || (chatJid !== undefined && send.chatJid !== chatJid)) return undefined;
      taken = true;
      return { responseLostMs: event.delayMs };
    });
  },
  describe: (event) => `slowAck ${event.chat === undefined ? 'any chat' : `chat ${event.chat}`}, response lost after ${event.delayMs} ms`,
  draw: { shape: 'tick', tone: 'slow', label: () => 'slowAck' },
  coverage: {
    swarm: { slowAck: fc.boolean() },
    kindOf: () => 'slowAck',
    // It fires only when a send takes it.
    fired: (event, history) => history.attempts.some((a) => a.slowAck && a.at >= event.at),
  },
  generate: {
    step: fc.record({
      do: fc.constant('slowAck' as const),
      // Mostly "the next send to any chat", so the slow ack meets a reply.
      chat: fc.option(fc.nat(generatorChatsMax - 1), { nil: undefined, freq: 3 }),
      delayMs: fc.integer({ min: 0, max: 30_000 }),
    }),
    stepWeight: 1,
    sceneWeight: 2,
    toEvent(step, at, chats) {
      // A timeline may only name a chat some earlier inbound came from; otherwise "any chat".
      const chat = step.chat === undefined ? undefined : chats.name(step.chat);
      return chat !== undefined && chats.hasInboundFrom(chat) ? { at, do: 'slowAck', chat, delayMs: step.delayMs } : { at, do: 'slowAck', delayMs: step.delayMs };
    },
  },
});
