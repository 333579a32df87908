/**
 * `undecryptable`: the recipient cannot decrypt the next message that reaches it (in `chat`, or
 * in any chat): it is not visible, and `retryAfterMs` after it arrived the recipient sends a retry
 * receipt asking for it again. The server pushes the receipt to the bot's live socket, or holds it
 * for the next login, until a socket acknowledges it. rc14 answers it by itself (`handleReceipt`,
 * `sendMessagesAgain`, `Socket/messages-recv.js`): it resends the message, same id, if the socket
 * that gets the receipt wrote it (its cache is per socket) or the path's `getMessage` returns it;
 * otherwise the recipient never sees the message. A resend that arrives shows it.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema, chatNameSchema, delayMsSchema } from '../timelineAtoms.js';
import type { FaultEventBase } from './fault.js';
import { defineFault } from './fault.js';
import { generatorChatsMax } from './generatorBounds.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('undecryptable'),
  chat: chatNameSchema.optional(),
  retryAfterMs: delayMsSchema,
});

/**
 * `undecryptable`: the next message (in `chat`, or any chat) fails to decrypt; its retry receipt
 * leaves `retryAfterMs` later.
 */
export type UndecryptableEvent = z.infer<typeof schema>;

/** A generated decryption failure, and whether the connection drops before the retry receipt. */
export interface UndecryptableStep {
  do: 'undecryptable';
  chat: number | undefined;
  retryAfterMs: number;
  /** A drop this long before the retry receipt (undefined: none): it meets a newer socket. */
  dropBeforeRetryMs: number | undefined;
}

/**
 * The retry receipt: at once, or minutes later when the recipient's phone comes back online. The
 * shape that matters most is the late one after a reconnect: by then a path has long confirmed
 * the write (a socket that outlives the keep-alive and close timeouts after it delivered it), and
 * only its `getMessage` can answer the receipt on the newer socket.
 */
const undecryptableStepArb = fc.oneof(
  { withCrossShrink: true },
  {
    weight: 1,
    arbitrary: fc.record({
      do: fc.constant('undecryptable' as const),
      chat: fc.option(fc.nat(generatorChatsMax - 1), { nil: undefined, freq: 3 }),
      retryAfterMs: fc.integer({ min: 0, max: 30_000 }),
      dropBeforeRetryMs: fc.option(fc.integer({ min: 0, max: 30_000 }), {
        nil: undefined,
        freq: 2,
      }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      do: fc.constant('undecryptable' as const),
      chat: fc.option(fc.nat(generatorChatsMax - 1), { nil: undefined, freq: 3 }),
      retryAfterMs: fc.integer({ min: 160_000, max: 300_000 }),
      dropBeforeRetryMs: fc.integer({ min: 5000, max: 60_000 }),
    }),
  },
);

/** The `undecryptable` fault. */
export const undecryptable = defineFault<'undecryptable', UndecryptableEvent, UndecryptableStep>({
  kind: 'undecryptable',
  summary:
    'the recipient cannot decrypt the next message (in chat, or any chat): ' +
    'a retry receipt asks for it retryAfterMs later; rc14 resends it if it still can',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'chat', 'retryAfterMs'],
  check: (event, facts) =>
    event.chat !== undefined && !facts.inboundChats.has(event.chat)
      ? [`chat: unknown chat "${event.chat}" (no inbound in that chat)`]
      : [],
  apply(event, target) {
    const chatJid = event.chat === undefined ? undefined : target.jidOf(event.chat);
    let taken = false;
    target.addRules({
      decrypt: (frame) => {
        if (taken || (chatJid !== undefined && frame.chatJid !== chatJid)) return undefined;
        taken = true;
        return { retryAfterMs: event.retryAfterMs };
      },
    });
  },
  // The retry receipt comes retryAfterMs after the frame: give the path that long to answer it.
  aftermathUntil: (event) => event.at + event.retryAfterMs,
  describe: (event) => {
    const where = event.chat === undefined ? 'in any chat' : `in chat ${event.chat}`;
    return `undecryptable: the next message ${where} (its retry after ${event.retryAfterMs} ms)`;
  },
  draw: { shape: 'tick', tone: 'fault', label: () => 'retry' },
  coverage: {
    // Often on: a retry receipt needs a message to take it, and a reconnect to matter.
    swarm: {
      undecryptable: fc.oneof(
        { weight: 1, arbitrary: fc.constant(false) },
        { weight: 3, arbitrary: fc.constant(true) },
      ),
    },
    kindOf: () => 'undecryptable',
    // It fires only when a message takes it.
    fired: (event, history) =>
      history.server.frames.some((f) => f.undecryptable === true && f.at >= event.at),
  },
  generate: {
    step: undecryptableStepArb,
    stepWeight: 1,
    sceneWeight: 1,
    toEvent(step, at, chats) {
      const chat = step.chat === undefined ? undefined : chats.name(step.chat);
      const event = { at, do: 'undecryptable' as const, retryAfterMs: step.retryAfterMs };
      return chat !== undefined && chats.hasInboundFrom(chat) ? { ...event, chat } : event;
    },
    // A reconnect before the retry receipt: the socket that gets it never wrote the message.
    companions: (step, at): FaultEventBase[] =>
      step.dropBeforeRetryMs === undefined || step.dropBeforeRetryMs > step.retryAfterMs
        ? []
        : [
            {
              at: at + step.retryAfterMs - step.dropBeforeRetryMs,
              do: 'drop',
              reason: 'connectionReset',
            } as FaultEventBase,
          ],
  },
});
