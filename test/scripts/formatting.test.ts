/**
 * The codemods of `npm run format`: a long string is cut into pieces of the same value, a long
 * comment is re-wrapped within the limit, and what is within the limit is left as written.
 */
import { describe, expect, it } from 'vitest';
import { splitStrings } from '../../scripts/splitStrings.js';
import { wrapComments } from '../../scripts/wrapComments.js';

/** The value of the expression `const text = ...;` in `source`. */
function valueOf(source: string): unknown {
  return new Function(`${source.replace(/^const text =/, 'return')}`)();
}

describe('splitStrings', () => {
  it('cuts a long string and a long template into pieces of the same value', () => {
    // Arrange
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const source = `const text = ['${words}', \`${words} \${1 + 1} ${words}\`];`;
    // Act
    const split = splitStrings('a.ts', source);
    // Assert
    expect(split).not.toBe(source);
    expect(split).toContain("' + '");
    expect(valueOf(split)).toEqual(valueOf(source));
  });

  it('leaves a string on a short line, and a type, as written', () => {
    // Arrange
    const long = 'x '.repeat(60);
    const source = `const short = 'a b';\ntype T = '${long}';`;
    // Act
    const split = splitStrings('a.ts', source);
    // Assert
    expect(split).toBe(source);
  });
});

describe('wrapComments', () => {
  it('re-wraps a long comment paragraph within 100 columns, keeping its words', () => {
    // Arrange
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const source = `  // ${words}\n  // - a list item stays\nconst x = 1;`;
    // Act
    const wrapped = wrapComments('a.ts', source);
    // Assert
    const lines = wrapped.split('\n');
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(lines.filter((line) => line.startsWith('  // ')).length).toBeGreaterThan(2);
    expect(wrapped.replace(/\s*\/\/\s*/g, ' ')).toContain(words);
    expect(wrapped).toContain('  // - a list item stays\nconst x = 1;');
  });

  it('turns a long one-line JSDoc into a block and leaves a short one alone', () => {
    // Arrange
    const source = `/** ${'word '.repeat(25)}*/\nconst a = 1;\n/** short */\nconst b = 2;`;
    // Act
    const wrapped = wrapComments('a.ts', source);
    // Assert
    expect(wrapped.startsWith('/**\n * word')).toBe(true);
    expect(wrapped).toContain('\n */\nconst a = 1;\n/** short */\nconst b = 2;');
  });
});
