/**
 * Redaction of free text before it is shown. Violation messages, error messages from a user's
 * send path and chat names can all carry a JID, and a JID is a phone number: every output of the
 * CLI and the HTML report passes through {@link redactText}, which keeps the last four digits.
 */
import { redactJid } from '../src/redact.js';

/** A JID (`user@server`) or a bare run of phone-number digits, as it can appear inside text. */
const jidPattern = /\b\d{5,}(?::\d+)?@[A-Za-z0-9.-]+\b|(?<![\w.])\+?\d{9,}\b/g;

/** Longest text shown: one runaway error message must not flood a terminal or a report. */
export const shownTextLengthMax = 2000;

/** `text` with every JID or phone-number-like run of digits redacted, bounded in length. */
export function redactText(text: string): string {
  const bounded = text.length > shownTextLengthMax ? `${text.slice(0, shownTextLengthMax)}…` : text;
  return bounded.replace(jidPattern, (match) => (match.includes('@') ? redactJid(match) : redactJid(match.replace(/^\+/, ''))));
}
