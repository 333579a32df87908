/**
 * Specimen `short-confirm-window`.
 * BUG: a written reply is held for a fixed 65 s from its write (two keep-alive intervals + 5 s:
 * by then rc14's keep-alive has certainly noticed a silent link) and resent, same id, on the
 * next socket if its socket closes within that time. But rc14 emits that close only after
 * `end()` waited ws's 30 s close timeout for a peer that answers nothing
 * (`Socket/Client/websocket.js` `close()`): up to 95 s after the link went silent. A reply
 * written into a silent link more than 65 s before the close is forgotten, and lost, although
 * the next socket opens within its life.
 * Caught by: exactly-once (reported sent, never visible).
 */
import { baileysDefaults, keepAliveDetectionMsMax } from '../../src/baileysFacts.js';
import type { SendPathFactory } from '../../src/ports.js';
import { resendingPath } from './host.js';

/**
 * The short-confirm-window specimen: held for the keep-alive's detection bound, without ws's close
 * timeout.
 */
export const shortConfirmWindow: SendPathFactory = (env) =>
  resendingPath(env, {
    heldMs: keepAliveDetectionMsMax(baileysDefaults.keepAliveIntervalMs),
    ids: 'stable',
  });
