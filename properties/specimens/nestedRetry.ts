/**
 * Specimen `nested-retry`.
 * BUG: a generic `withRetry(withTimeout(...))` wrapper (each try = a fresh send, fresh id) wraps
 * a send helper that already retries with its own id. When a try is slow (a reconnect gap, a
 * slow link) the outer timeout abandons it — but the abandoned inner send keeps going — and the
 * outer layer starts another one under a new id: duplicates, and attempts multiply.
 * Caught by: exactly-once (duplicates), bounded (attempts per reply).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { sendWithRetry, specimenPath, type SpecimenContext, type SpecimenSend } from './host.js';

const innerAttemptsMax = 3;
const outerAttemptsMax = 3;
const outerTimeoutMs = 5000;

/** The bot's send helper: already retries, with one id per call. */
const sendWithInnerRetry = (
  ctx: SpecimenContext,
  chatJid: string,
  content: Parameters<SpecimenSend>[2],
) => sendWithRetry(ctx, chatJid, content, { attemptsMax: innerAttemptsMax });

/** Rejects after `timeoutMs` — without cancelling `work`, as such helpers usually do. */
function withTimeout<T>(ctx: SpecimenContext, work: Promise<T>, timeoutMs: number): Promise<T> {
  ctx.track(work).catch(() => undefined); // abandoned work still runs; stop() waits for it
  return new Promise<T>((resolve, reject) => {
    const timer = ctx.env.clock.setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    work.then(
      (value) => (ctx.env.clock.clearTimeout(timer), resolve(value)),
      (err: unknown) => (ctx.env.clock.clearTimeout(timer), reject(err)),
    );
  });
}

const send: SpecimenSend = async (ctx, chatJid, content) => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTimeout(ctx, sendWithInnerRetry(ctx, chatJid, content), outerTimeoutMs);
    } catch (err) {
      if (attempt >= outerAttemptsMax) throw err;
    }
  }
};

/** The nested-retry specimen. */
export const nestedRetry: SendPathFactory = (env) => specimenPath(env, send);
