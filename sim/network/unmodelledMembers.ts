/**
 * The members of rc14's socket and of its `ev` that the fake does not model: each exists on a
 * shared prototype, and calling one records the call in the run's history (`history.unmodelled`:
 * a limit of the harness, never the bot's bug) and fails with an error naming it
 * (docs/bot-surface.md). socketSurface.ts and socketEv.ts build on these prototypes.
 */
import type { SocketChannel } from './socketChannel.js';

/**
 * The function members of an rc14 socket (`makeWASocket(...)`, listed from a real one) and of
 * its `ev` (`Utils/event-buffer.js`).
 */
export const rc14SocketFunctions: ReadonlySet<string> = new Set(
  (
    'addChatLabel addLabel addMessageLabel addOrEditContact addOrEditQuickReply appPatch ' +
    'assertSessions chatModify cleanDirtyBits communityAcceptInvite communityAcceptInviteV4 ' +
    'communityCreate communityCreateGroup communityFetchAllParticipating ' +
    'communityFetchLinkedGroups communityGetInviteInfo communityInviteCode ' +
    'communityJoinApprovalMode communityLeave communityLinkGroup communityMemberAddMode ' +
    'communityMetadata communityParticipantsUpdate communityRequestParticipantsList ' +
    'communityRequestParticipantsUpdate communityRevokeInvite communityRevokeInviteV4 ' +
    'communitySettingUpdate communityToggleEphemeral communityUnlinkGroup ' +
    'communityUpdateDescription communityUpdateSubject createCallLink createParticipantNodes ' +
    'digestKeyBundle end executeUSyncQuery fetchAccountReachoutTimelock fetchBlocklist ' +
    'fetchDisappearingDuration fetchMessageHistory fetchNewChatMessageCap fetchPrivacySettings ' +
    'fetchStatus generateMessageTag getBotListV2 getBusinessProfile getCatalog getCollections ' +
    'getMediaHost getOrderDetails getUSyncDevices groupAcceptInvite groupAcceptInviteV4 ' +
    'groupCreate groupFetchAllParticipating groupGetInviteInfo groupInviteCode ' +
    'groupJoinApprovalMode groupLeave groupMemberAddMode groupMetadata groupParticipantsUpdate ' +
    'groupRequestParticipantsList groupRequestParticipantsUpdate groupRevokeInvite ' +
    'groupRevokeInviteV4 groupSettingUpdate groupToggleEphemeral groupUpdateDescription ' +
    'groupUpdateSubject issuePrivacyTokens logout newsletterAdminCount newsletterChangeOwner ' +
    'newsletterCreate newsletterDelete newsletterDemote newsletterFetchMessages newsletterFollow ' +
    'newsletterMetadata newsletterMute newsletterReactMessage newsletterRemovePicture ' +
    'newsletterSubscribers newsletterUnfollow newsletterUnmute newsletterUpdate ' +
    'newsletterUpdateDescription newsletterUpdateName newsletterUpdatePicture onUnexpectedError ' +
    'onWhatsApp presenceSubscribe productCreate productDelete productUpdate profilePictureUrl ' +
    'query readMessages refreshMediaConn registerSocketEndHandler rejectCall relayMessage ' +
    'removeChatLabel removeContact removeCoverPhoto removeMessageLabel removeProfilePicture ' +
    'removeQuickReply requestPairingCode requestPlaceholderResend resyncAppState ' +
    'rotateSignedPreKey sendMessage sendMessageAck sendNode sendPeerDataOperationMessage ' +
    'sendPresenceUpdate sendRawMessage sendReceipt sendReceipts sendRetryRequest ' +
    'sendUnifiedSession sendWAMBuffer star subscribeNewsletterUpdates updateBlockStatus ' +
    'updateBussinesProfile updateCallPrivacy updateCoverPhoto updateDefaultDisappearingMode ' +
    'updateDisableLinkPreviewsPrivacy updateGroupsAddPrivacy updateLastSeenPrivacy ' +
    'updateMediaMessage updateMemberLabel updateMessagesPrivacy updateOnlinePrivacy ' +
    'updateProfileName updateProfilePicture updateProfilePicturePrivacy updateProfileStatus ' +
    'updateReadReceiptsPrivacy updateServerTimeOffset updateStatusPrivacy uploadPreKeys ' +
    'uploadPreKeysToServerIfRequired upsertMessage waUploadToServer waitForConnectionUpdate ' +
    'waitForMessage waitForSocketOpen'
  ).split(' '),
);

/** The function members of rc14's `ev` (`Utils/event-buffer.js`). */
const rc14EventFunctions: ReadonlySet<string> = new Set([
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

/** The queries the fake models (`socketQueries.ts`), each a socket member. */
export const modelledQueryNames = [
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
  ...modelledQueryNames,
]);

/** The `ev` members the fake models. */
const modelledEventMembers: readonly string[] = Object.freeze([
  'on',
  'off',
  'process',
  'emit',
  'removeAllListeners',
  'isBuffering',
  'flush',
]);

/** Where a surface (or its `ev`) keeps the way to its connection, for the shared stubs. */
export const channelOf = Symbol('baileys-sim.socketChannel');

export interface WithChannel {
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
      `baileys-sim: ${member}() of Baileys' socket is not modelled by the simulated socket: ` +
        `a limit of the harness, not a bug of the bot (${remedy}; see docs/bot-surface.md)`,
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

/** The unmodelled members of rc14's socket, recorded and failing: a surface's prototype's. */
export const socketStubsPrototype: object = unmodelledPrototype(
  rc14SocketFunctions,
  modelledSocketMembers,
  '',
);
/** The unmodelled members of rc14's `ev`, recorded and throwing: an `ev`'s prototype's. */
export const eventStubsPrototype: object = unmodelledPrototype(
  rc14EventFunctions,
  modelledEventMembers,
  'ev.',
);
