/**
 * Redaction for logs: a JID names a person's phone number, so logs only ever carry its last
 * four digits (enough to tell chats apart while debugging, not enough to identify anyone).
 */

const visibleDigits = 4;

/** `15551234567@s.whatsapp.net` → `***4567@s.whatsapp.net`; anything else keeps its domain only. */
export function redactJid(jid: string): string {
  const at = jid.indexOf('@');
  const user = at === -1 ? jid : jid.slice(0, at);
  const domain = at === -1 ? '' : jid.slice(at);
  const tail = user.length > visibleDigits ? user.slice(-visibleDigits) : '';
  return `***${tail}${domain}`;
}

/** A JID (`user@server`) or a bare run of phone-number digits, as it can appear inside text. */
const jidInTextPattern = /\b\d{5,}(?::\d+)?@[A-Za-z0-9.-]+\b|(?<![\w.])\+?\d{9,}\b/g;

/** `text` with every JID, and every run of digits long enough to be a phone number, redacted. */
export function redactJidsInText(text: string): string {
  return text.replace(jidInTextPattern, (match) =>
    match.includes('@') ? redactJid(match) : redactJid(match.replace(/^\+/, '')),
  );
}
