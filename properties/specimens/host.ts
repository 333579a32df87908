/**
 * Shared scaffolding for specimens: every buggy send path in the catalog keeps the reference's
 * connection handling (a {@link Supervisor}) and changes only how a reply is sent, so each
 * specimen shows exactly one bug. A specimen supplies `bind`: the reply closures for one
 * inbound message.
 */
import type { AnyMessageContent, WAMessage } from '@whiskeysockets/baileys';
import type { InboundMessage, MediaSpec, SendPath, SimEnv } from '../../src/ports.js';
import { mediaContent } from '../../src/inbound.js';
import { validateReconnectPolicy } from '../../src/reconnectPolicy.js';
import { Supervisor, type LiveSocket } from '../../src/supervisor.js';

/** What a specimen's reply function gets to work with. */
export interface SpecimenContext {
  env: SimEnv;
  supervisor: Supervisor;
  /** The live socket when the inbound message arrived (what a naive closure captures). */
  capturedAtInbound: LiveSocket | undefined;
  /** Work the path must wait for on stop (specimens register their send loops here). */
  track<T>(work: Promise<T>): Promise<T>;
}

/** Sends one piece of content for a chat; the specimen's bug lives here. */
export type SpecimenSend = (ctx: SpecimenContext, chatJid: string, content: AnyMessageContent) => Promise<unknown>;

/** Builds a send path from a specimen's send function. */
export function specimenPath(env: SimEnv, send: SpecimenSend): SendPath {
  const policy = validateReconnectPolicy(env.config.reconnect, 'config.reconnect');
  const inFlight = new Set<Promise<unknown>>();
  let onMessage: ((msg: InboundMessage) => void) | undefined;
  const supervisor = new Supervisor({
    makeSocket: env.makeSocket,
    clock: env.clock,
    random: env.random,
    logger: env.logger,
    policy,
    onUpsert: (upsert) => {
      for (const message of upsert.messages) {
        const bound = bindSpecimen(message, ctxFor());
        if (bound) onMessage?.(bound);
      }
    },
  });
  const live = supervisor;
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const forget = (): void => void inFlight.delete(work);
    work.then(forget, forget);
    return work;
  };
  const ctxFor = (): SpecimenContext => ({ env, supervisor: live, capturedAtInbound: live.current(), track });
  function bindSpecimen(message: WAMessage, ctx: SpecimenContext): InboundMessage | undefined {
    const chatJid = message.key.remoteJid;
    const id = message.key.id;
    if (message.key.fromMe || !chatJid || !id) return undefined;
    const go = (content: AnyMessageContent) => track(send(ctx, chatJid, content));
    return {
      chatJid,
      id,
      text: message.message?.conversation ?? '',
      reply: (text) => go({ text }),
      sendMedia: (media: MediaSpec) => go(mediaContent(media)),
      sendComposing: async () => {
        await live.current()?.socket.sendPresenceUpdate('composing', chatJid).catch(() => undefined);
      },
    };
  }
  return {
    start(handler) {
      onMessage = handler;
      live.start();
    },
    async stop() {
      await live.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Resolves after `delayMs` on the path's clock (a timer the `clean` checker counts). */
export function sleep(env: SimEnv, delayMs: number): Promise<void> {
  return new Promise((resolve) => env.clock.setTimeout(resolve, delayMs));
}

/** How a specimen's retry loop behaves; each specimen changes one of these. */
export interface RetryPolicy {
  attemptsMax: number;
  /** Id for every attempt; `fresh` lets Baileys mint a new id per attempt (the fresh-id bug). */
  ids?: 'stable' | 'fresh';
  /**
   * After a failed attempt: the socket generation to wait past before retrying (its own to
   * wait for a newer socket, one less to retry on the same one), or throw to give up.
   * Default: wait for a newer socket only if this one's close was heard (the reference's rule).
   */
  next?: (err: unknown, live: LiveSocket, ctx: SpecimenContext) => number;
  /** Runs before each retry (e.g. a random spread). */
  pause?: (ctx: SpecimenContext) => Promise<void>;
}

/** The send loop most specimens share: wait for a live socket, send, retry per `policy`. */
export async function sendWithRetry(
  ctx: SpecimenContext,
  chatJid: string,
  content: AnyMessageContent,
  policy: RetryPolicy,
): Promise<unknown> {
  const deadlineAt = ctx.env.clock.now() + ctx.env.config.replyDeadlineMs;
  const messageId = ctx.env.messageIds();
  const next = policy.next ?? ((_err, live) => (ctx.supervisor.isClosed(live.generation) ? live.generation : live.generation - 1));
  let afterGeneration = 0;
  for (let attempt = 1; ; attempt += 1) {
    const live = await ctx.supervisor.whenLive(afterGeneration, deadlineAt);
    try {
      const options = policy.ids === 'fresh' ? undefined : { messageId };
      return await live.socket.sendMessage(chatJid, content, options);
    } catch (err) {
      if (attempt >= policy.attemptsMax) throw err;
      afterGeneration = next(err, live, ctx);
      await policy.pause?.(ctx);
    }
  }
}
