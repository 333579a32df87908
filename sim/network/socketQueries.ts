/**
 * The socket methods public bots call most besides sending (docs/bot-surface.md has the bots
 * measured and the table), modelled with rc14's shapes: what each resolves to, what it throws
 * when the socket is not open (428 `Connection Closed`: every one goes through `sendNode`), and
 * what an unanswered query leaves (rc14's `waitForMessage` turns its timeout into `undefined`, and
 * each method then does with `undefined` what rc14's code does). Sources under
 * `node_modules/@whiskeysockets/baileys/lib/`:
 *
 * - `logout(msg?)` (`Socket/socket.js`): with a paired account, sends `remove-companion-device`
 *   (rejects 428 unless open, and then ends nothing), then `end(401 'Intentional Logout')`; it
 *   resolves once written, and the socket closes 401 a round trip later. The server unlinks the
 *   device when the frame arrives: every later login fails 401.
 * - `readMessages(keys)` (`Socket/messages-send.js`): the account's privacy settings (cached from
 *   the login's init queries, `Socket/chats.js`; WhatsApp answers `readreceipts: all`), then one
 *   `read` receipt per chat and participant of the keys not `fromMe`; resolves undefined.
 * - `sendReceipt(jid, participant, ids, type)` / `sendReceipts(keys, type)`: the receipts alone.
 * - `presenceSubscribe(jid)` (`Socket/chats.js`): for a user, its LID lookup first (a usync query,
 *   `buildTcTokenFromJid`, whose failures it swallows), then one presence frame; resolves
 *   undefined.
 * - `profilePictureUrl(jid, type, timeoutMs?)` (`Socket/chats.js`): the same LID lookup for a user
 *   other than the bot, then a query; the URL the server
 *   names (every chat has a picture in the simulation). With `timeoutMs` an unanswered query
 *   rejects 408 `Timed Out` then (`promiseTimeout`); without, it resolves undefined.
 * - `onWhatsApp(...jids)` (`Socket/socket.js`): a usync contact query; `[{ jid, exists: true }]`
 *   for each phone-number JID (every number is on WhatsApp in the simulation; LIDs are skipped,
 *   groups are not numbers); `[]` without a query when no JID is a phone number; undefined when
 *   unanswered.
 * - `groupMetadata(jid)` (`Socket/groups.js`): a `w:g2` query parsed by rc14's own
 *   `extractGroupMetadata`: a group of the run has the bot and the member who writes in it; any
 *   other JID gets `item-not-found` (`assertNodeErrorFree`: Boom 500, `data` 404).
 * - `groupFetchAllParticipating()`: every group of the run, by id; emits `groups.update`.
 * - `groupInviteCode(jid)` (`Socket/groups.js`): the `invite` code the server names
 *   ({@link inviteCodeOf}); `item-not-found` for any other JID; undefined when unanswered.
 */
import type { BinaryNode, GroupMetadata, WAMessageKey } from '@whiskeysockets/baileys';
import {
  aggregateMessageKeysNotFromMe,
  isLidUser,
  jidDecode,
  jidNormalizedUser,
} from '@whiskeysockets/baileys';
import { extractGroupMetadata } from '@whiskeysockets/baileys/lib/Socket/groups.js';
import { Boom } from '@hapi/boom';
import type { SocketChannel } from './socketChannel.js';
import { defaultMemberJidOf } from '../chatJids.js';
import { connectionClosedError } from './baileysErrors.js';
import { iqError, intentionalLogoutError, missingGroupNodeError } from './surfaceErrors.js';
import { countCall } from './wsFacade.js';

/** The account the socket acts as (rc14's `authState.creds.me`), when paired. */
type AccountOf = () => { id: string } | undefined;

/** The modelled methods of one socket (see the module comment). */
export interface ModelledQueries {
  logout(msg?: string): Promise<void>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  sendReceipt(
    jid: string,
    participant: string | undefined,
    messageIds: string[],
    type?: string,
  ): Promise<void>;
  sendReceipts(keys: WAMessageKey[], type?: string): Promise<void>;
  presenceSubscribe(toJid: string): Promise<void>;
  profilePictureUrl(
    jid: string,
    type?: 'image' | 'preview',
    timeoutMs?: number,
  ): Promise<string | undefined>;
  onWhatsApp(...jids: string[]): Promise<{ jid: string; exists: boolean }[] | undefined>;
  groupMetadata(jid: string): Promise<GroupMetadata>;
  groupFetchAllParticipating(): Promise<Record<string, GroupMetadata>>;
  groupInviteCode(jid: string): Promise<string | undefined>;
}

/** Emits a socket event to the bot (for `groups.update`). */
type EmitToBot = (event: string, data: unknown) => void;

/** The modelled methods of the socket `channel` reaches; `account` is its paired account. */
export function modelledQueries(
  channel: () => SocketChannel,
  account: AccountOf,
  emit: EmitToBot,
): ModelledQueries {
  const called = (method: string): SocketChannel => {
    const ch = channel();
    ch.record.calls = countCall(ch.record.calls, method);
    return ch;
  };

  return {
    ...sessionQueries(called, account),
    ...directoryQueries(called, account, emit),
  };
}

/** A modelled method's channel, its call counted. */
type CalledChannel = (method: string) => SocketChannel;

/** The modelled methods about the session: logout, receipts and presence. */
function sessionQueries(
  called: CalledChannel,
  account: AccountOf,
): Pick<
  ModelledQueries,
  'logout' | 'readMessages' | 'sendReceipt' | 'sendReceipts' | 'presenceSubscribe'
> {
  const receipts = async (
    ch: SocketChannel,
    keys: WAMessageKey[],
    type: string | undefined,
  ): Promise<void> => {
    for (const { messageIds } of aggregateMessageKeysNotFromMe(keys))
      await receipt(ch, messageIds, type);
  };
  return {
    async logout(msg) {
      const ch = called('logout');
      ch.record.logoutCalledAt ??= ch.now();
      if (account() !== undefined) {
        await ch.sendNode(() => {
          ch.server.nodeReceived('remove-companion-device');
          ch.server.session.unlinkedAt ??= ch.now();
        });
      }
      ch.endByBaileys(intentionalLogoutError(msg));
    },
    async readMessages(keys) {
      const ch = called('readMessages');
      // The privacy settings come with the login's init queries: before any login, the query
      // readMessages makes for them cannot be written.
      if (ch.record.openedAt === undefined) throw connectionClosedError();
      // WhatsApp answers `readreceipts: all`: rc14 then sends `read` receipts (not `read-self`).
      await receipts(ch, keys, 'read');
    },
    async sendReceipt(_jid, _participant, messageIds, type) {
      await receipt(called('sendReceipt'), messageIds, type);
    },
    async sendReceipts(keys, type) {
      await receipts(called('sendReceipts'), keys, type);
    },
    async presenceSubscribe(toJid) {
      const ch = called('presenceSubscribe');
      if (isUserJid(toJid)) await ch.lidLookup(jidNormalizedUser(toJid));
      await ch.sendNode(() => ch.server.nodeReceived('presence:subscribe'));
    },
  };
}

/** The modelled methods about contacts and groups: pictures, numbers, metadata, invites. */
function directoryQueries(
  called: CalledChannel,
  account: AccountOf,
  emit: EmitToBot,
): Pick<
  ModelledQueries,
  | 'profilePictureUrl'
  | 'onWhatsApp'
  | 'groupMetadata'
  | 'groupFetchAllParticipating'
  | 'groupInviteCode'
> {
  return {
    async profilePictureUrl(jid, type = 'preview', timeoutMs) {
      const ch = called('profilePictureUrl');
      if (isUserJid(jid) && !isSelf(jid, account())) await ch.lidLookup(jidNormalizedUser(jid));
      if (!(await ch.query('other', timeoutMs))) {
        if (timeoutMs !== undefined)
          throw new Boom('Timed Out', { statusCode: 408, data: { timeout: timeoutMs } });
        return undefined;
      }
      return pictureUrl(ch, jidNormalizedUser(jid), type);
    },
    async onWhatsApp(...jids) {
      const ch = called('onWhatsApp');
      const phones = jids.filter((jid) => !isLidUser(jid));
      if (phones.length === 0) return [];
      if (!(await ch.query('usync'))) return undefined;
      return phones
        .filter((jid) => !jid.endsWith('@g.us'))
        .map((jid) => ({ jid: `${phoneOf(jid)}@s.whatsapp.net`, exists: true }));
    },
    async groupMetadata(jid) {
      const ch = called('groupMetadata');
      if (!(await ch.query('other'))) throw missingGroupNodeError();
      if (!isGroupOfRun(ch, jid)) throw iqError(404, 'item-not-found');
      return extractGroupMetadata(groupAnswer(ch, jid, account()));
    },
    async groupFetchAllParticipating() {
      const ch = called('groupFetchAllParticipating');
      const answered = await ch.query('other');
      const groups: Record<string, GroupMetadata> = {};
      if (answered) {
        for (const jid of ch.chatJids()) {
          if (isGroupOfRun(ch, jid))
            groups[jid] = extractGroupMetadata(groupAnswer(ch, jid, account()));
        }
      }
      emit('groups.update', Object.values(groups));
      return groups;
    },
    async groupInviteCode(jid) {
      const ch = called('groupInviteCode');
      if (!(await ch.query('other'))) return undefined;
      if (!isGroupOfRun(ch, jid)) throw iqError(404, 'item-not-found');
      return inviteCodeOf(ch.chatName(jid));
    },
  };
}

/**
 * A phone-number or LID user (not a group, a newsletter or a broadcast): rc14 looks its LID up
 * first.
 */
function isUserJid(jid: string): boolean {
  const normalized = jidNormalizedUser(jid);
  return normalized.endsWith('@s.whatsapp.net') || normalized.endsWith('@lid');
}

/**
 * The bot's own JID: rc14 asks its own picture without a token (`profilePictureUrl`,
 * `Socket/chats.js`).
 */
function isSelf(jid: string, account: { id: string } | undefined): boolean {
  return account !== undefined && jidNormalizedUser(jid) === jidNormalizedUser(account.id);
}

/** rc14's `sendReceipt`: Boom `missing ids in receipt` for none, else one frame. */
async function receipt(
  ch: SocketChannel,
  messageIds: readonly string[] | undefined,
  type: string | undefined,
): Promise<void> {
  if (messageIds === undefined || messageIds.length === 0) throw new Boom('missing ids in receipt');
  await ch.sendNode(() => ch.server.nodeReceived(`receipt${type === undefined ? '' : `:${type}`}`));
}

/** The digits of a phone-number JID (`+` and the device dropped, as rc14's onWhatsApp does). */
function phoneOf(jid: string): string {
  return jid.replace('+', '').split('@')[0]?.split(':')[0] ?? '';
}

function isGroupOfRun(ch: SocketChannel, jid: string): boolean {
  return jid.endsWith('@g.us') && ch.chatName(jid) !== jid;
}

/** The server's picture URL for `jid`: named after the run's chat, never the number. */
function pictureUrl(ch: SocketChannel, jid: string, type: string): string {
  const name = ch.chatName(jid);
  return pictureUrlOf(name !== jid ? name : `x${(jidDecode(jid)?.user ?? '').slice(-4)}`, type);
}

/** The `w:g2` answer for a group of the run (see {@link groupNode}). */
function groupAnswer(
  ch: SocketChannel,
  jid: string,
  account: { id: string } | undefined,
): BinaryNode {
  return {
    tag: 'iq',
    attrs: { type: 'result' },
    content: [groupNode(jid, ch.chatName(jid), account?.id)],
  };
}

/**
 * The `<group>` the simulated server answers a group query with: created at virtual time 0 by the
 * member who writes its messages that name no participant (`defaultMemberJidOf`), `subject` the
 * chat's name, that member (super admin) and the bot as participants. The loopback tests answer
 * rc14 with the same node.
 */
export function groupNode(
  groupJid: string,
  subject: string,
  accountId: string | undefined,
): BinaryNode {
  const member = defaultMemberJidOf(groupJid);
  const participants: BinaryNode[] = [
    { tag: 'participant', attrs: { jid: member, type: 'superadmin' } },
  ];
  if (accountId !== undefined)
    participants.push({ tag: 'participant', attrs: { jid: jidNormalizedUser(accountId) } });
  return {
    tag: 'group',
    attrs: {
      id: groupJid.split('@')[0]!,
      subject,
      s_t: '0',
      s_o: member,
      creation: '0',
      creator: member,
    },
    content: participants,
  };
}

/**
 * The invite code the simulated server names for the group called `name` (22 characters, as
 * WhatsApp's).
 */
export function inviteCodeOf(name: string): string {
  return `BaileysSim${name.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(22, '0').slice(0, 22);
}

/** The URL the simulated server names for the picture of the chat called `name`. */
export function pictureUrlOf(name: string, type: string): string {
  return (
    `https://pps.whatsapp.net/v/t61.24694-24/baileys-sim-${encodeURIComponent(name)}-` +
    `${type}` +
    `.jpg`
  );
}
