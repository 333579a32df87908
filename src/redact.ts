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
