/**
 * No line of a source file is longer than 100 columns. The one exception is a token nothing can
 * break, alone on its line: a URL, or a regular expression literal (cutting it changes what it
 * is). `npm run format` lays code out, cuts long strings and re-wraps long comments.
 */
import { describe, expect, it } from 'vitest';
import { sources } from './sources.js';
import { longLines } from './tidy.js';

describe('line length', () => {
  it('every line of every source file is at most 100 columns', () => {
    // Act
    const breaches = [...sources].flatMap(([file, text]) => longLines(file, text));
    // Assert
    expect(sources.size).toBeGreaterThan(300);
    expect(breaches).toEqual([]);
  });

  it('finds a long line, not a URL or a lone regular expression (the check works)', () => {
    // Arrange
    const long = `const text = '${'x'.repeat(90)}';`;
    const url = `// see https://example.com/${'x'.repeat(100)}`;
    const regex = `    /${'a'.repeat(100)}/m,`;
    // Act
    const found = longLines('a.ts', ['short', long, url, regex].join('\n'));
    // Assert
    expect(found).toEqual(['a.ts:2: 106 columns (at most 100)']);
  });
});
