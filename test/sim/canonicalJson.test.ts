/**
 * `canonicalJson`, the text a history's fingerprint hashes: `JSON.stringify`'s output with every
 * object's keys sorted, whatever order the object was built in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../sim/history.js';

/**
 * The definition, written plainly: `JSON.stringify` for a leaf, keys sorted as strings (an
 * object would put integer-like keys first, so it is written out here, not rebuilt).
 */
function sortedStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => sortedStringify(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${sortedStringify(record[key])}`);
  return `{${members.join(',')}}`;
}

/** JSON values, plus `undefined` members and items and non-finite numbers a history may hold. */
const historyLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonicalJson', () => {
  it('is JSON.stringify with keys sorted, for any history-like value', () => {
    fc.assert(
      fc.property(historyLike, (value) => {
        // Act
        const text = canonicalJson(value);
        // Assert
        expect(text).toBe(sortedStringify(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same text for the same record built in another key order', () => {
    // Arrange
    const built = { b: 1, a: [undefined, { d: undefined, c: 2 }] };
    const rebuilt = { a: [undefined, { c: 2 }], b: 1 };
    // Act
    const texts = [canonicalJson(built), canonicalJson(rebuilt)];
    // Assert
    expect(texts).toEqual(['{"a":[null,{"c":2}],"b":1}', '{"a":[null,{"c":2}],"b":1}']);
  });
});
