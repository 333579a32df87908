/**
 * The `makeWASocket` settings besides timings that change what a fake socket does, read as rc14
 * reads them: `makeWASocket` spreads the config over `DEFAULT_CONNECTION_CONFIG`
 * (`Defaults/index.js`: both true), so an absent key takes the default, and a present one is
 * used for its truth (an explicit `undefined` included).
 */

/** What a socket does on its own, per its config. */
export interface SocketBehaviour {
  /**
   * At login chats.js calls `sendPresenceUpdate(markOnlineOnConnect ? 'available' :
   * 'unavailable')` (`Socket/chats.js`), which emits `isOnline: true` or `isOnline: false`.
   */
  markOnlineOnConnect: boolean;
  /**
   * Each send is echoed as an `append` upsert `fromMe` (`sendMessage`, `Socket/messages-send.js`).
   */
  emitOwnEvents: boolean;
}

/** The config keys a socket's behaviour reads. */
type BehaviourConfig = { markOnlineOnConnect?: unknown; emitOwnEvents?: unknown } | undefined;

/** The behaviour a socket made with `config` has. */
export function socketBehaviourOf(config: BehaviourConfig): SocketBehaviour {
  const setting = (key: keyof SocketBehaviour): boolean =>
    config !== undefined && key in config ? Boolean(config[key]) : true;
  return {
    markOnlineOnConnect: setting('markOnlineOnConnect'),
    emitOwnEvents: setting('emitOwnEvents'),
  };
}
