/**
 * What a bot holds: the object the fake `makeWASocket` returns, with the members of rc14's
 * socket (`Socket/socket.js` and the layers over it) that public bots use, each behaving as
 * rc14's does (docs/bot-surface.md: the bots measured, the methods they call, rc14's source
 * lines and the loopback scenarios that hold the fake to them):
 *
 * - `ev` (`on`, `off`, `process`, `emit`, `removeAllListeners`, `isBuffering`, `flush`:
 *   emitter.ts), `sendMessage`, `sendPresenceUpdate`, `end`: the fake socket's own;
 * - `ws`: rc14's `WebSocketClient` (wsFacade.ts), made on first read;
 * - `user`: rc14's `authState.creds.me` as it was when `makeWASocket` was called: rc14's socket
 *   layers copy the getter's value with `{ ...sock }` (`Socket/chats.js`, `groups.js`, ...), so
 *   the login's `creds.update` (a new `me`, with the LID) does not reach it. For a session with
 *   no `me` (or no `auth`), the simulated paired account: the simulation always runs a paired
 *   device;
 * - `authState`: the `auth` the path passed (`{ creds, keys }`), `type: 'md'`;
 * - `logout()` and the modelled queries (socketQueries.ts).
 *
 * Every other function of rc14's socket (and of its `ev`) exists too, on a shared prototype:
 * calling one records the call in the run's history (`history.unmodelled`: a limit of the
 * harness, never the bot's bug) and throws an error naming it. A module under audit can answer
 * such calls itself (`socketStubs`, see {@link SocketStubs}).
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { SocketStubs } from '../../src/asWritten.js';
import type { SocketConfig } from '../../src/ports.js';
import type { FakeEmitter, ProcessHandler } from './emitter.js';
import type { FakeSocket } from './fakeSocket.js';
import { simulatedAccount, type SocketChannel } from './socketChannel.js';
import { modelledQueries, type ModelledQueries } from './socketQueries.js';
import { FakeWebSocketClient, countCall } from './wsFacade.js';

/**
 * The function members of an rc14 socket (`makeWASocket(...)`, listed from a real one) and of
 * its `ev` (`Utils/event-buffer.js`).
 */
export const rc14SocketFunctions: ReadonlySet<string> = new Set(
  (
    'addChatLabel addLabel addMessageLabel addOrEditContact addOrEditQuickReply appPatch ' +
    'assertSessions chatModify cleanDirtyBits ' +
    'communityAcceptInvite communityAcceptInviteV4 communityCreate communityCreateGroup ' +
    'communityFetchAllParticipating communityFetchLinkedGroups ' +
    'communityGetInviteInfo communityInviteCode communityJoinApprovalMode communityLeave ' +
    'communityLinkGroup communityMemberAddMode communityMetadata ' +
    'communityParticipantsUpdate communityRequestParticipantsList ' +
    'communityRequestParticipantsUpdate communityRevokeInvite communityRevokeInviteV4 ' +
    'communitySettingUpdate communityToggleEphemeral communityUnlinkGroup ' +
    'communityUpdateDescription communityUpdateSubject createCallLink ' +
    'createParticipantNodes digestKeyBundle end executeUSyncQuery ' +
    'fetchAccountReachoutTimelock fetchBlocklist fetchDisappearingDuration ' +
    'fetchMessageHistory fetchNewChatMessageCap fetchPrivacySettings fetchStatus ' +
    'generateMessageTag getBotListV2 getBusinessProfile getCatalog ' +
    'getCollections getMediaHost getOrderDetails getUSyncDevices groupAcceptInvite ' +
    'groupAcceptInviteV4 groupCreate groupFetchAllParticipating ' +
    'groupGetInviteInfo groupInviteCode groupJoinApprovalMode groupLeave ' +
    'groupMemberAddMode groupMetadata groupParticipantsUpdate ' +
    'groupRequestParticipantsList groupRequestParticipantsUpdate groupRevokeInvite ' +
    'groupRevokeInviteV4 groupSettingUpdate groupToggleEphemeral ' +
    'groupUpdateDescription groupUpdateSubject issuePrivacyTokens logout ' +
    'newsletterAdminCount newsletterChangeOwner newsletterCreate ' +
    'newsletterDelete newsletterDemote newsletterFetchMessages newsletterFollow ' +
    'newsletterMetadata newsletterMute newsletterReactMessage ' +
    'newsletterRemovePicture newsletterSubscribers newsletterUnfollow newsletterUnmute ' +
    'newsletterUpdate newsletterUpdateDescription ' +
    'newsletterUpdateName newsletterUpdatePicture onUnexpectedError onWhatsApp ' +
    'presenceSubscribe productCreate productDelete productUpdate ' +
    'profilePictureUrl query readMessages refreshMediaConn registerSocketEndHandler ' +
    'rejectCall relayMessage removeChatLabel removeContact ' +
    'removeCoverPhoto removeMessageLabel removeProfilePicture removeQuickReply ' +
    'requestPairingCode requestPlaceholderResend resyncAppState ' +
    'rotateSignedPreKey sendMessage sendMessageAck sendNode sendPeerDataOperationMessage ' +
    'sendPresenceUpdate sendRawMessage sendReceipt ' +
    'sendReceipts sendRetryRequest sendUnifiedSession sendWAMBuffer star ' +
    'subscribeNewsletterUpdates updateBlockStatus updateBussinesProfile ' +
    'updateCallPrivacy updateCoverPhoto updateDefaultDisappearingMode ' +
    'updateDisableLinkPreviewsPrivacy updateGroupsAddPrivacy ' +
    'updateLastSeenPrivacy updateMediaMessage updateMemberLabel updateMessagesPrivacy ' +
    'updateOnlinePrivacy updateProfileName updateProfilePicture ' +
    'updateProfilePicturePrivacy updateProfileStatus updateReadReceiptsPrivacy ' +
    'updateServerTimeOffset updateStatusPrivacy uploadPreKeys ' +
    'uploadPreKeysToServerIfRequired upsertMessage waUploadToServer ' +
    'waitForConnectionUpdate waitForMessage waitForSocketOpen'
  ).split(' '),
);

/** The function members of rc14's `ev` (`Utils/event-buffer.js`). */
export const rc14EventFunctions: ReadonlySet<string> = new Set([
  'buffer',
  'createBufferedFunction',
  'destroy',
  'emit',
  'flush',
  'isBuffering',
  'off',
  'on',
  'process',
  'removeAllListeners',
]);

/** The socket members the fake models (every other rc14 function is recorded as unmodelled). */
export const modelledSocketMembers: readonly string[] = Object.freeze([
  'ev',
  'ws',
  'user',
  'authState',
  'type',
  'sendMessage',
  'sendPresenceUpdate',
  'end',
  'logout',
  'readMessages',
  'sendReceipt',
  'sendReceipts',
  'presenceSubscribe',
  'profilePictureUrl',
  'onWhatsApp',
  'groupMetadata',
  'groupFetchAllParticipating',
  'groupInviteCode',
]);

/** The `ev` members the fake models. */
export const modelledEventMembers: readonly string[] = Object.freeze([
  'on',
  'off',
  'process',
  'emit',
  'removeAllListeners',
  'isBuffering',
  'flush',
]);

/** Where a surface (or its `ev`) keeps the way to its connection, for the shared stubs. */
const channelOf = Symbol('baileys-sim.socketChannel');

interface WithChannel {
  [channelOf]?: () => SocketChannel;
}

/** The error an unmodelled member throws once recorded. */
export class UnmodelledMemberError extends Error {
  override readonly name = 'UnmodelledMemberError';
  /** The member, as a bot calls it (`fetchBlocklist`, `ev.buffer`). */
  readonly member: string;
  constructor(member: string) {
    const remedy = member.includes('.')
      ? 'avoid it under audit'
      : `stub it with export const socketStubs = { ${member}: ... }`;
    super(
      `baileys-sim: ${member}() of Baileys' socket is not modelled by the simulated ` +
        `socket: a limit of the harness, not a bug of the bot (${remedy}; see ` +
        `docs/bot-surface.md)`,
    );
    this.member = member;
  }
}

/**
 * A prototype whose every function of `names` but `modelled` records the call, then fails as the
 * member would: a rejected promise for the socket's (rc14's are `async`), a throw for `ev`'s.
 */
function unmodelledPrototype(
  names: ReadonlySet<string>,
  modelled: readonly string[],
  prefix: string,
): object {
  const prototype: Record<string, unknown> = {};
  for (const name of names) {
    if (modelled.includes(name)) continue;
    const member = `${prefix}${name}`;
    prototype[name] = function unmodelled(this: WithChannel | undefined): unknown {
      this?.[channelOf]?.().unmodelled(member);
      if (prefix === '') return Promise.reject(new UnmodelledMemberError(member));
      throw new UnmodelledMemberError(member);
    };
  }
  // Not frozen: a frozen prototype would forbid the bot's own `sock.x = ...` (an inherited
  // read-only property).
  return prototype;
}

const socketStubsPrototype = unmodelledPrototype(rc14SocketFunctions, modelledSocketMembers, '');
const eventStubsPrototype = unmodelledPrototype(rc14EventFunctions, modelledEventMembers, 'ev.');

/**
 * The fake socket's `ev`: rc14's members over one {@link FakeEmitter}, typed as Baileys types
 * them. `isBuffering()` is false and `flush()` does nothing and returns false: rc14 buffers
 * around offline processing and history sync, the fake emits at once.
 */
export type FakeEv = Pick<
  WASocket['ev'],
  'on' | 'off' | 'process' | 'emit' | 'removeAllListeners' | 'isBuffering' | 'flush'
>;

/** Where an `ev` keeps its emitter, and the closures of its members made on first use. */
const emitterOf = Symbol('baileys-sim.emitter');
const evMembersOf = Symbol('baileys-sim.evMembers');

interface EvSlots extends WithChannel {
  [emitterOf]: FakeEmitter;
  [evMembersOf]?: Record<string, unknown>;
}

/** `ev`'s members besides `on` and `off`, as closures (detachable, as rc14's), for one emitter. */
function evMembers(ev: EvSlots): Record<string, unknown> {
  const emitter = ev[emitterOf];
  const channel = ev[channelOf]!;
  return {
    process: (handler: ProcessHandler) => {
      const ch = channel();
      ch.record.calls = countCall(ch.record.calls, 'ev.process');
      return emitter.process(handler);
    },
    emit: (event: string, data: unknown) => emitter.emit(event, data),
    removeAllListeners: (event?: string) => emitter.removeAllListeners(event),
    isBuffering: () => false,
    flush: () => false,
  };
}

/**
 * The shared prototype of every `ev`: `process`, `emit`, `removeAllListeners`, `isBuffering`,
 * `flush` as getters that make the `ev`'s closures on first use (most paths never read them: a
 * socket is made per connect, and its surface must cost next to nothing), over the unmodelled
 * stubs.
 */
const evPrototype: object = (() => {
  const prototype = Object.create(eventStubsPrototype) as object;
  for (const name of ['process', 'emit', 'removeAllListeners', 'isBuffering', 'flush']) {
    Object.defineProperty(prototype, name, {
      get(this: EvSlots) {
        return (this[evMembersOf] ??= evMembers(this))[name];
      },
      enumerable: true,
    });
  }
  return prototype;
})();

/**
 * The `ev` of a fake socket over `emitter`; its unmodelled members reach the connection through
 * `channel`.
 */
export function fakeEv(emitter: FakeEmitter, channel: () => SocketChannel): FakeEv {
  const ev = Object.create(evPrototype) as Record<string, unknown> & EvSlots;
  ev[channelOf] = channel;
  ev[emitterOf] = emitter;
  ev.on = (event: string, listener: (arg: never) => void) => emitter.on(event, listener);
  ev.off = (event: string, listener: (arg: never) => void) => emitter.off(event, listener);
  return ev as unknown as FakeEv;
}

/**
 * A module's own answers for unmodelled socket members (its `socketStubs` export; see
 * src/asWritten.ts).
 */
export type { SocketStubs } from '../../src/asWritten.js';

/** Problems with a `socketStubs` export, one line each (empty when it is fine). */
export function socketStubsIssues(stubs: unknown): string[] {
  if (typeof stubs !== 'object' || stubs === null || Array.isArray(stubs))
    return ['socketStubs: must be an object of functions'];
  const issues: string[] = [];
  for (const [name, value] of Object.entries(stubs)) {
    if (typeof value !== 'function')
      issues.push(`socketStubs.${name}: must be a function (got ${typeof value})`);
    else if (modelledSocketMembers.includes(name))
      issues.push(
        `socketStubs.${name}: modelled by the simulated socket; only unmodelled methods ` +
          `can be stubbed`,
      );
    else if (!rc14SocketFunctions.has(name))
      issues.push(`socketStubs.${name}: not a function of Baileys 7.0.0-rc14's socket`);
  }
  return issues;
}

/** `socket` (a surface) with `stubs` as its members; `socket` itself when there are none. */
export function withSocketStubs<T extends object>(socket: T, stubs: SocketStubs | undefined): T {
  if (stubs === undefined) return socket;
  for (const [name, stub] of Object.entries(stubs))
    (socket as Record<string, unknown>)[name] = stub;
  return socket;
}

/** Where a surface keeps its socket, its account, and what it made on first use. */
const socketOf = Symbol('baileys-sim.socket');
const accountOf = Symbol('baileys-sim.account');
const queriesOf = Symbol('baileys-sim.queries');
const wsOf = Symbol('baileys-sim.ws');

interface SurfaceSlots extends WithChannel {
  [socketOf]: FakeSocket;
  [accountOf]: () => { id: string } | undefined;
  [queriesOf]?: ModelledQueries;
  [wsOf]?: FakeWebSocketClient;
}

/** The modelled queries (socketQueries.ts), in the order of {@link modelledSocketMembers}. */
const queryNames = [
  'logout',
  'readMessages',
  'sendReceipt',
  'sendReceipts',
  'presenceSubscribe',
  'profilePictureUrl',
  'onWhatsApp',
  'groupMetadata',
  'groupFetchAllParticipating',
  'groupInviteCode',
] as const;

/**
 * The shared prototype of every surface: `ws` and the modelled queries as getters that make the
 * socket's `ws` and query closures on first use (detachable once read, as rc14's closures are),
 * over the unmodelled stubs.
 */
const surfacePrototype: object = (() => {
  const prototype = Object.create(socketStubsPrototype) as object;
  Object.defineProperty(prototype, 'ws', {
    get(this: SurfaceSlots) {
      return (this[wsOf] ??= new FakeWebSocketClient(this[socketOf].channel));
    },
    enumerable: true,
  });
  for (const name of queryNames) {
    Object.defineProperty(prototype, name, {
      get(this: SurfaceSlots) {
        const socket = this[socketOf];
        const queries = (this[queriesOf] ??= modelledQueries(
          () => socket.channel,
          this[accountOf],
          (event, data) => void socket.ev.emit(event as 'groups.update', data as never),
        ));
        return queries[name];
      },
      enumerable: true,
    });
  }
  return prototype;
})();

/** The surface of `socket` (see the module comment); `stubs` answer unmodelled members. */
export function socketSurface(
  socket: FakeSocket,
  config: SocketConfig | undefined,
  stubs?: SocketStubs,
): FakeSocketSurface {
  const auth = config?.auth;
  const user = auth?.creds?.me ?? { ...simulatedAccount };
  const surface = Object.create(surfacePrototype) as FakeSocketSurface & SurfaceSlots;
  surface[channelOf] = () => socket.channel;
  surface[socketOf] = socket;
  surface[accountOf] = () => auth?.creds?.me ?? user;
  surface.user = user;
  surface.type = 'md';
  surface.ev = socket.ev;
  surface.sendMessage = socket.sendMessage;
  surface.sendPresenceUpdate = socket.sendPresenceUpdate;
  surface.end = socket.end;
  if (auth !== undefined) surface.authState = auth;
  return withSocketStubs(surface, stubs);
}

/** The object a bot gets from the fake `makeWASocket`. */
export interface FakeSocketSurface extends ModelledQueries {
  [member: string]: unknown;
  type: 'md';
  ev: FakeSocket['ev'];
  readonly ws: FakeWebSocketClient;
  user: { id: string } | undefined;
  authState?: NonNullable<SocketConfig['auth']>;
  sendMessage: FakeSocket['sendMessage'];
  sendPresenceUpdate: FakeSocket['sendPresenceUpdate'];
  end: FakeSocket['end'];
}
