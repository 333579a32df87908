/**
 * Specimen `throws-on-unusual`.
 * BUG: the `messages.upsert` handler reads the text the way countless snippets do,
 * `msg.message.conversation || msg.message.extendedTextMessage.text`: right for plain text, a
 * TypeError for media, a reaction, a protocol message (revoke), a stub, or a message with no
 * `message` at all. rc14's emitter rethrows (an unhandled rejection, later listeners skipped),
 * the messages after it in the batch never reach the bot, and the batch comes again at the next
 * flush and throws again.
 * Caught by: inbound-handover (later messages never reach the bot), clean (unhandled rejection).
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

const textOf = (msg: WAMessage): string =>
  msg.message!.conversation || msg.message!.extendedTextMessage!.text!;

/** The throws-on-unusual specimen. */
export const throwsOnUnusual: SendPathFactory = (env) =>
  specimenPath(env, retryingSend, { handover: { textOf } });
