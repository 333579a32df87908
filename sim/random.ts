/**
 * Seeded randomness for a simulation run. One root seed is split into independent streams, one
 * per component, by jumping a xoroshiro128+ generator (each jump moves 2^64 draws ahead, so the
 * streams never overlap). A component owns a fixed stream index: adding a new consumer takes a
 * new index and leaves every existing stream, and therefore every existing history, unchanged.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Fixed stream index per component. Never renumber: an index change shifts that component's
 * draws and changes every recorded fingerprint. Index 0 (the raw seed state) is never used,
 * because xoroshiro's first draws from a small seed are poorly mixed.
 */
export const streamIndex = Object.freeze({
  /** Fake network: close-notice delays, whether in-flight frames reached the server. */
  network: 1,
  /** The send path's `env.random` (backoff jitter). */
  jitter: 2,
  /** The send path's `env.messageIds`. */
  messageIds: 3,
  /** Ids the fake socket draws itself for a send without `messageId`. */
  fakeMessageIds: 4,
  /** Ids of inbound messages the fake server pushes. */
  inboundIds: 5,
  /** What a globals mode hands out for global randomness during a run (see globals.ts). */
  globals: 6,
  /** `Math.random()` of a send path run with its globals intercepted. */
  interceptedMathRandom: 7,
  /** `crypto` random bytes and UUIDs of a send path run with its globals intercepted. */
  interceptedCryptoBytes: 8,
} as const);

/** A component's name in {@link streamIndex}. */
export type StreamName = keyof typeof streamIndex;

/** Largest stream index; a limit so a typo cannot make `split` jump millions of times. */
const streamIndexMax = 64;

/** Seeds are unsigned 32-bit integers (xoroshiro128+ in pure-rand takes a 32-bit seed). */
export const seedMax = 0xffff_ffff;

/** One seeded stream of draws. Mutable: each call advances it. */
export class RandomStream {
  readonly #gen: RandomGenerator;

  /** Wraps a generator this stream then owns (no one else may draw from it). */
  constructor(gen: RandomGenerator) {
    this.#gen = gen;
  }

  /** A uniform draw in [0, 1) with 53 bits of precision. */
  uniform(): number {
    return uniformFloat64(this.#gen);
  }

  /** A uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) {
      throw new RangeError(`RandomStream.int: bad range [${lo}, ${hi}]`);
    }
    return lo === hi ? lo : uniformInt(this.#gen, lo, hi);
  }

  /** True with probability `p` (clamped to [0, 1]). */
  chance(p: number): boolean {
    return this.uniform() < p;
  }
}

/**
 * The stream for one component of a run seeded with `seed`: the root generator jumped
 * `streamIndex[name]` times. Independent of every other component's stream.
 */
export function streamFor(seed: number, name: StreamName): RandomStream {
  return new RandomStream(splitGenerator(seed, streamIndex[name]));
}

/** The generator for stream `index` of `seed` (exported for tests and new components). */
function splitGenerator(seed: number, index: number): RandomGenerator {
  if (!Number.isInteger(seed) || seed < 0 || seed > seedMax) {
    throw new RangeError(`seed must be an integer in [0, ${seedMax}], got ${seed}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > streamIndexMax) {
    throw new RangeError(`stream index must be an integer in [1, ${streamIndexMax}], got ${index}`);
  }
  const gen = xoroshiro128plus(seed | 0);
  for (let i = 0; i < index; i++) gen.jump();
  return gen;
}

/** Baileys' message id shape: `3EB0` followed by 18 upper-case hex digits. */
export const messageIdPattern = /^3EB0[0-9A-F]{18}$/;

/**
 * A seeded message id source in Baileys' `generateMessageIDV2` shape ('3EB0' + 18 upper-case
 * hex). Draws three 24-bit chunks (72 bits = 18 hex digits).
 */
export function messageIdSource(stream: RandomStream): () => string {
  return () =>
    '3EB0' +
    (
      hex6(stream.int(0, 0xff_ffff)) +
      hex6(stream.int(0, 0xff_ffff)) +
      hex6(stream.int(0, 0xff_ffff))
    ).toUpperCase();
}

/** Six lower-case hex digits of `n` in [0, 0xffffff]: the leading 1 of `n + 2^24` pads it. */
function hex6(n: number): string {
  return (n + 0x100_0000).toString(16).slice(1);
}

/** A version-4 UUID (RFC 9562) made of 16 random bytes: the version and variant bits are set. */
export function uuidV4Of(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a UUID takes 16 bytes, got ${bytes.length}`);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-` +
    `${hex.slice(20)}`
  );
}
