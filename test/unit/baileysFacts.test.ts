/**
 * The timings a path derives from rc14's behaviour (src/baileysFacts.ts), from their sources:
 * keep-alive every interval, a silent link noticed past interval + 5 s, ws's 30 s close timeout,
 * and a connect that rc14 may never finish.
 */
import { describe, expect, it } from 'vitest';
import {
  baileysDefaults,
  confirmWindowMs,
  connectWatchdogMs,
  keepAliveDetectionMsMax,
  socketTimingsOf,
} from '../../src/baileysFacts.js';

describe('Baileys facts', () => {
  it('finds a silent link at most two keep-alive intervals + 5 s after its last frame', () => {
    expect(keepAliveDetectionMsMax(30_000)).toBe(2 * 30_000 + 5000);
  });

  it(
    'holds a write for the keep-alive detection, ws close timeout and two trips: 100 s at ' +
      'rc14 defaults',
    () => {
      expect(confirmWindowMs(baileysDefaults.keepAliveIntervalMs)).toBe(65_000 + 30_000 + 5000);
      expect(confirmWindowMs(1000)).toBe(7000 + 30_000 + 5000);
    },
  );

  it('gives up on a connect after twice its handshake timeout', () => {
    expect(connectWatchdogMs(socketTimingsOf({ connectTimeoutMs: 5000 }))).toBe(10_000);
    expect(connectWatchdogMs(socketTimingsOf(undefined))).toBe(40_000);
  });

  it(
    'reads the socket timings a path passes, falling back to rc14 defaults for anything ' +
      'not a positive number',
    () => {
      expect(
        socketTimingsOf({
          keepAliveIntervalMs: 1000,
          connectTimeoutMs: -1,
          defaultQueryTimeoutMs: Number.NaN,
        }),
      ).toEqual({
        keepAliveIntervalMs: 1000,
        connectTimeoutMs: 20_000,
        defaultQueryTimeoutMs: 60_000,
      });
    },
  );
});
