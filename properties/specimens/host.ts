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
