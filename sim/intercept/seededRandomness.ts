/**
 * The randomness a send path reaches without a port, seeded per run: `Math.random()`, and the
 * random bytes of `node:crypto` (`randomBytes`, `randomFillSync`, `randomFill`, `randomUUID`,
 * `randomInt`, `getRandomValues`) and of Web Crypto (`globalThis.crypto.getRandomValues`,
 * `randomUUID`). Baileys' `generateMessageIDV2` draws `randomBytes(16)` through its own named
 * import of `crypto`: a live binding of the built-in module, synced after the patch. With
 * `Date` on the virtual clock too, its ids are the same in every run of a timeline.
 *
 * Left real: randomness a dependency keeps from before the run (a pre-drawn pool, a seed read
 * at import), and anything in another thread or process.
 */
import crypto from 'node:crypto';
import { streamFor, uuidV4Of, type RandomStream } from '../random.js';
import { routeBuiltinExport, type RoutedFunction } from './builtinBindings.js';
import { Patches } from './patches.js';

/**
 * Most bytes one call may ask for: crypto's own limit for `randomBytes` is 2^31 - 1; a run needs
 * far less.
 */
const bytesPerCallMax = 1 << 24;

/** Fills `bytes` from `stream`, four bytes per 32-bit draw. */
function fill(stream: RandomStream, bytes: Uint8Array): void {
  if (bytes.length > bytesPerCallMax)
    throw new RangeError(
      `seeded crypto: at most ${bytesPerCallMax} random bytes per call in a simulation ` +
        `(asked for ${bytes.length})`,
    );
  for (let i = 0; i < bytes.length; i += 4) {
    let word = stream.int(0, 0xffff_ffff);
    for (let j = i; j < Math.min(i + 4, bytes.length); j += 1) {
      bytes[j] = word & 0xff;
      word >>>= 8;
    }
  }
}

function viewOf(buffer: NodeJS.ArrayBufferView, offset = 0, size?: number): Uint8Array {
  const whole = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return whole.subarray(offset, size === undefined ? undefined : offset + size);
}

/** A version-4 UUID from 16 seeded bytes. */
function uuid(stream: RandomStream): string {
  const b = new Uint8Array(16);
  fill(stream, b);
  return uuidV4Of(b);
}

/** Seeds `Math.random` and the crypto sources above from the run's `seed`, in `patches`. */
export function patchRandomness(patches: Patches, seed: number): void {
  const math = streamFor(seed, 'interceptedMathRandom');
  const bytes = streamFor(seed, 'interceptedCryptoBytes');
  patches.set(Math, 'random', () => math.uniform());
  const randomBytes = (
    size: number,
    callback?: (err: Error | null, buf: Buffer) => void,
  ): Buffer | undefined => {
    const buf = Buffer.alloc(size);
    fill(bytes, buf);
    if (callback === undefined) return buf;
    // The callback form answers asynchronously, as crypto does (a microtask: no real time passes).
    queueMicrotask(() => callback(null, buf));
    return undefined;
  };
  const randomFillSync = <T extends NodeJS.ArrayBufferView>(
    buffer: T,
    offset?: number,
    size?: number,
  ): T => {
    fill(bytes, viewOf(buffer, offset, size));
    return buffer;
  };
  const randomFill = (buffer: NodeJS.ArrayBufferView, ...rest: unknown[]): void => {
    const callback = rest.pop() as (err: Error | null, buf: NodeJS.ArrayBufferView) => void;
    randomFillSync(buffer, rest[0] as number | undefined, rest[1] as number | undefined);
    queueMicrotask(() => callback(null, buffer));
  };
  const getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
    if (array !== null) fill(bytes, viewOf(array as unknown as NodeJS.ArrayBufferView));
    return array;
  };
  const randomUUID = () => uuid(bytes);
  const randomInt = (
    min: number,
    max?: number | ((err: Error | null, n: number) => void),
    callback?: (err: Error | null, n: number) => void,
  ): number | undefined => {
    if (typeof max !== 'number') {
      callback = max;
      max = min;
      min = 0;
    }
    const n = bytes.int(min, max - 1);
    if (callback === undefined) return n;
    const answer = callback;
    queueMicrotask(() => answer(null, n));
    return undefined;
  };
  const replacements = { randomBytes, randomFillSync, randomFill, randomUUID, randomInt };
  for (const [name, fn] of Object.entries(replacements))
    routeBuiltinExport(patches, crypto, name, fn as RoutedFunction);
  // node:crypto's getRandomValues is a fixed getter that calls Web Crypto's: patching that covers
  // both.
  patches.set(globalThis.crypto, 'getRandomValues', getRandomValues);
  patches.set(globalThis.crypto, 'randomUUID', randomUUID);
}
