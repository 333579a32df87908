/**
 * Specimen `short-confirm-window`.
 * BUG: a written reply is held for a fixed 65 s from its write (two keep-alive intervals + 5 s:
 * by then rc14's keep-alive has certainly noticed a silent link) and resent, same id, on the
 * next socket if its socket closes within that time. But rc14 emits that close only after
 * `end()` waited ws's 30 s close timeout for a peer that answers nothing
 * (`Socket/Client/websocket.js` `close()`): up to 95 s after the link went silent. A reply
 * written into a silent link more than 65 s before the close is forgotten, and lost, although
 * the next socket opens within its life.
 * Caught by: exactly-once (reported sent, never visible).
 */
import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { baileysDefaults, keepAliveDetectionMsMax } from '../../src/baileysFacts.js';
import type { SendPathFactory } from '../../src/ports.js';
import { sendWithRetry, specimenPath, type SpecimenContext, type SpecimenSend } from './host.js';

/** How long a write is held: the keep-alive's detection bound, without ws's close timeout. */
const heldMs = keepAliveDetectionMsMax(baileysDefaults.keepAliveIntervalMs);
/** Writes held at once, at most (the oldest are dropped first). */
const heldMax = 1000;
const attemptsMax = 8;

interface Written {
  chatJid: string;
  content: AnyMessageContent;
  messageId: string;
  generation: number;
  writtenAt: number;
}

/** The short-confirm-window specimen. */
export const shortConfirmWindow: SendPathFactory = (env) => {
  let held: Written[] = [];
  const write = (ctx: SpecimenContext, chatJid: string, content: AnyMessageContent, messageId: string, afterGeneration: number) =>
    sendWithRetry(ctx, chatJid, content, {
      attemptsMax,
      messageId,
      afterGeneration,
      onWritten: (generation) => {
        const writtenAt = env.clock.now();
        held = held.filter((w) => writtenAt - w.writtenAt <= heldMs).slice(-(heldMax - 1));
        held.push({ chatJid, content, messageId, generation, writtenAt });
      },
    });
  const send: SpecimenSend = (ctx, chatJid, content) => write(ctx, chatJid, content, env.messageIds(), 0);
  return specimenPath(env, send, {
    onClose: (generation, kind, ctx) => {
      if (kind === 'terminal') return;
      const now = env.clock.now();
      const again = held.filter((w) => w.generation === generation && now - w.writtenAt <= heldMs);
      held = held.filter((w) => w.generation !== generation);
      for (const w of again) ctx.track(write(ctx, w.chatJid, w.content, w.messageId, generation)).catch(() => undefined);
    },
  });
};
