/**
 * Redaction of free text before it is shown. Violation messages, error messages from a user's
 * send path and chat names can all carry a JID, and a JID is a phone number: every output of the
 * CLI and the HTML report passes through {@link redactText}, which keeps the last four digits.
 */
import { redactJidsInText } from '../src/redact.js';

/** Longest text shown: one runaway error message must not flood a terminal or a report. */
const shownTextLengthMax = 2000;

/** `text` with every JID or phone-number-like run of digits redacted, bounded in length. */
export function redactText(text: string): string {
  const bounded = text.length > shownTextLengthMax ? `${text.slice(0, shownTextLengthMax)}…` : text;
  return redactJidsInText(bounded);
}
