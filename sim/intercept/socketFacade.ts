/**
 * The fake socket as an intercepted bot meets it. The fake models the members of rc14's socket a
 * send path needs (`ev.on`, `ev.off`, `sendMessage`, `sendPresenceUpdate`, `end`); a bot written
 * against the real socket may call others. Calling one gets an error naming it, instead of
 * `sock.readMessages is not a function`, so the reader knows the harness, not the bot, lacks it.
 * Data members the fake lacks (`user`, `ws`, ...) read as undefined, as most do on a real socket
 * that has not logged in yet.
 */
import type { SocketLike } from '../../src/ports.js';

/**
 * The function members of an rc14 socket (`makeWASocket(...)`, listed from a real one) and of
 * its `ev` (`Utils/event-buffer.js`).
 */
const rc14SocketFunctions: ReadonlySet<string> = new Set(
  (
    'addChatLabel addLabel addMessageLabel addOrEditContact addOrEditQuickReply appPatch assertSessions chatModify cleanDirtyBits ' +
    'communityAcceptInvite communityAcceptInviteV4 communityCreate communityCreateGroup communityFetchAllParticipating communityFetchLinkedGroups ' +
    'communityGetInviteInfo communityInviteCode communityJoinApprovalMode communityLeave communityLinkGroup communityMemberAddMode communityMetadata ' +
    'communityParticipantsUpdate communityRequestParticipantsList communityRequestParticipantsUpdate communityRevokeInvite communityRevokeInviteV4 ' +
    'communitySettingUpdate communityToggleEphemeral communityUnlinkGroup communityUpdateDescription communityUpdateSubject createCallLink ' +
    'createParticipantNodes digestKeyBundle end executeUSyncQuery fetchAccountReachoutTimelock fetchBlocklist fetchDisappearingDuration ' +
    'fetchMessageHistory fetchNewChatMessageCap fetchPrivacySettings fetchStatus generateMessageTag getBotListV2 getBusinessProfile getCatalog ' +
    'getCollections getMediaHost getOrderDetails getUSyncDevices groupAcceptInvite groupAcceptInviteV4 groupCreate groupFetchAllParticipating ' +
    'groupGetInviteInfo groupInviteCode groupJoinApprovalMode groupLeave groupMemberAddMode groupMetadata groupParticipantsUpdate ' +
    'groupRequestParticipantsList groupRequestParticipantsUpdate groupRevokeInvite groupRevokeInviteV4 groupSettingUpdate groupToggleEphemeral ' +
    'groupUpdateDescription groupUpdateSubject issuePrivacyTokens logout newsletterAdminCount newsletterChangeOwner newsletterCreate ' +
    'newsletterDelete newsletterDemote newsletterFetchMessages newsletterFollow newsletterMetadata newsletterMute newsletterReactMessage ' +
    'newsletterRemovePicture newsletterSubscribers newsletterUnfollow newsletterUnmute newsletterUpdate newsletterUpdateDescription ' +
    'newsletterUpdateName newsletterUpdatePicture onUnexpectedError onWhatsApp presenceSubscribe productCreate productDelete productUpdate ' +
    'profilePictureUrl query readMessages refreshMediaConn registerSocketEndHandler rejectCall relayMessage removeChatLabel removeContact ' +
    'removeCoverPhoto removeMessageLabel removeProfilePicture removeQuickReply requestPairingCode requestPlaceholderResend resyncAppState ' +
    'rotateSignedPreKey sendMessage sendMessageAck sendNode sendPeerDataOperationMessage sendPresenceUpdate sendRawMessage sendReceipt ' +
    'sendReceipts sendRetryRequest sendUnifiedSession sendWAMBuffer star subscribeNewsletterUpdates updateBlockStatus updateBussinesProfile ' +
    'updateCallPrivacy updateCoverPhoto updateDefaultDisappearingMode updateDisableLinkPreviewsPrivacy updateGroupsAddPrivacy ' +
    'updateLastSeenPrivacy updateMediaMessage updateMemberLabel updateMessagesPrivacy updateOnlinePrivacy updateProfileName updateProfilePicture ' +
    'updateProfilePicturePrivacy updateProfileStatus updateReadReceiptsPrivacy updateServerTimeOffset updateStatusPrivacy uploadPreKeys ' +
    'uploadPreKeysToServerIfRequired upsertMessage waUploadToServer waitForConnectionUpdate waitForMessage waitForSocketOpen'
  ).split(' '),
);

const rc14EventFunctions: ReadonlySet<string> = new Set(['buffer', 'createBufferedFunction', 'destroy', 'emit', 'flush', 'isBuffering', 'off', 'on', 'process', 'removeAllListeners']);

/** A stand-in for an rc14 member the fake does not model: calling it throws, naming it. */
function notModelled(member: string): () => never {
  return () => {
    throw new Error(`baileys-sim: ${member}() of Baileys' socket is not modelled by the simulated socket (modelled: ev.on, ev.off, sendMessage, sendPresenceUpdate, end)`);
  };
}

/** `target`, with the rc14 functions it lacks answered by {@link notModelled}, and `replaced` members in place of its own. */
function withUnmodelled<T extends object>(target: T, functions: ReadonlySet<string>, prefix: string, replaced: Record<string, unknown> = {}): T {
  return new Proxy(target, {
    get(object, name, receiver) {
      if (typeof name === 'string' && Object.hasOwn(replaced, name)) return replaced[name];
      if (typeof name !== 'string' || name in object || !functions.has(name)) return Reflect.get(object, name, receiver);
      return notModelled(`${prefix}${name}`);
    },
  });
}

/** The fake socket with clear errors for the rc14 members it does not model (see the module comment). */
export function unmodelledSocketMembers(socket: SocketLike): SocketLike {
  return withUnmodelled(socket, rc14SocketFunctions, '', { ev: withUnmodelled(socket.ev, rc14EventFunctions, 'ev.') });
}
