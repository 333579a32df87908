/**
 * No function is longer than 70 lines (TIGER_STYLE): every function-like node with a body,
 * measured with the TypeScript compiler. The callback handed to vitest's `describe` is not a
 * function in this sense but a container of tests, like a file: each test in it is measured.
 */
import { describe, expect, it } from 'vitest';
import { sources } from './sources.js';
import { functionLinesMax, longFunctions } from './tidy.js';

/** A function of `lines` lines, the given head first. */
function functionText(head: string, lines: number): string {
  return [`${head} {`, ...Array.from({ length: lines - 2 }, () => '  work();'), '}'].join('\n');
}

describe('function length', () => {
  it('every function of every source file is at most 70 lines', () => {
    // Act
    const breaches = [...sources].flatMap(([file, text]) => longFunctions(file, text));
    // Assert
    expect(sources.size).toBeGreaterThan(300);
    expect(breaches).toEqual([]);
  });

  it('finds a long function, arrow and method, not a describe block (the check works)', () => {
    // Arrange
    const text = [
      functionText('function long()', functionLinesMax + 1),
      functionText('function fits()', functionLinesMax),
      `const arrow = () =>${functionText('', functionLinesMax + 1)};`,
      `class A {\n${functionText('method()', functionLinesMax + 1)}\n}`,
      `describe('suite', () =>${functionText('', functionLinesMax + 5)});`,
    ].join('\n');
    // Act
    const found = longFunctions('a.ts', text);
    // Assert
    expect(found).toEqual([
      'a.ts:1: long is 71 lines (at most 70)',
      'a.ts:142: arrow is 71 lines (at most 70)',
      'a.ts:214: method is 71 lines (at most 70)',
    ]);
  });
});
