/**
 * The JIDs a run gives its chats and group members, whoever drives the run: `simulate` numbers
 * a timeline's chats before it starts, the scripted network numbers them as its holder names
 * them. One scheme, so the same chat name gets the same JID either way.
 */

/** A 1:1 chat's JID: `1555` and its number (7 digits), `15550000001@s.whatsapp.net` first. */
function contactJid(ordinal: number): string {
  return `1555${String(ordinal).padStart(7, '0')}@s.whatsapp.net`;
}

/** What every group chat's JID starts with: WhatsApp's own prefix of group ids. */
const groupJidPrefix = '120363';

/** A group chat's JID: `120363` and its number (12 digits), `120363000000000001@g.us` first. */
function groupJid(ordinal: number): string {
  return `${groupJidPrefix}${String(ordinal).padStart(12, '0')}@g.us`;
}

/**
 * Chat names and their JIDs, numbered by first appearance from 1 across 1:1 and group chats
 * alike: the first chat named is `…0001`, whichever kind it is.
 */
export class ChatJids {
  /** Chat name → JID. */
  readonly #byChat = new Map<string, string>();
  /** JID → chat name: the map the server and the network read, growing as chats appear. */
  readonly names = new Map<string, string>();

  /** The JID of `chat`, numbered now if new (a group's if `group`); a known chat keeps its own. */
  of(chat: string, group: boolean): string {
    let jid = this.#byChat.get(chat);
    if (jid !== undefined) return jid;
    const ordinal = this.#byChat.size + 1;
    jid = group ? groupJid(ordinal) : contactJid(ordinal);
    this.#byChat.set(chat, jid);
    this.names.set(jid, chat);
    return jid;
  }

  /** Chat name → JID of every chat numbered so far, in the order they were. */
  byChat(): Map<string, string> {
    return new Map(this.#byChat);
  }
}

/**
 * The JID of member `index` of a group chat: `1666`, the group's chat number (4 digits), the
 * member's number (3 digits). Member 0 writes the messages that name no participant. Apart from
 * every 1:1 chat's JID (`1555…`), so a reply sent to a member instead of the group lands in a
 * chat of its own.
 */
export function memberJid(groupJid: string, index: number): string {
  const digits = groupJid.slice(groupJidPrefix.length, groupJid.indexOf('@'));
  const chatNumber = String(Number.parseInt(digits, 10));
  return `1666${chatNumber.padStart(4, '0')}${String(index).padStart(3, '0')}@s.whatsapp.net`;
}

/** The member of a group chat who writes the messages that name no participant. */
export function defaultMemberJidOf(groupJid: string): string {
  return memberJid(groupJid, 0);
}
