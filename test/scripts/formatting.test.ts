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

  it('cuts after spaces only, each line too full for the next word and its space', () => {
    // Arrange: a run laid out before, with a piece cut mid-phrase and a line too long
    const long = Array.from({ length: 16 }, (_, i) => `it's word${i}`).join(' ');
    const source = [
      'const text =',
      `  "${long} " +`,
      "  'ends ' +",
      `  'with \\'quotes\\' and \\\\ escapes, ${'and more words '.repeat(8)}the end.';`,
    ].join('\n');
    // Act
    const split = splitStrings('a.ts', source);
    // Assert
    const lines = split.split('\n');
    expect(valueOf(split)).toEqual(valueOf(source));
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    const pieces = lines.slice(1);
    expect(pieces.length).toBeGreaterThan(2);
    pieces.forEach((line, index) => {
      const next = pieces[index + 1];
      if (next === undefined) return;
      expect(line).toMatch(/ ' \+$/);
      const nextWord = /^\s*'([^ ]*)/.exec(next)![1]!;
      expect(line.length + `${nextWord} `.length).toBeGreaterThan(100);
    });
  });

  it('cuts inside a word only when no line can hold it (a URL, a long identifier)', () => {
    // Arrange
    const url = `https://example.com/${'path/'.repeat(30)}`;
    const identifier = 'x'.repeat(150);
    const source = [
      'const text = [',
      `  'see ${url} for the words after it',`,
      `  '${identifier}',`,
      '];',
    ].join('\n');
    // Act
    const split = splitStrings('a.ts', source);
    // Assert
    expect(valueOf(split)).toEqual(valueOf(source));
    expect(split).toContain("'see https://example.com/");
    expect(split).toContain("' + 'xxx");
    expect(split).toMatch(/path' \+ '\/?path/);
    expect(split).not.toContain("'see ' +");
  });

  it('cuts a test name too long beside its callback in two, the same each run', () => {
    // Arrange
    const name = Array.from({ length: 14 }, (_, i) => `step${i}`).join(' ');
    const test = `  it('${name}', async () => {\n    await run();\n  });`;
    const source = `describe('x', () => {\n${test}\n});`;
    // Act
    const split = splitStrings('a.ts', source);
    // Assert
    expect(split).toMatch(/it\('step0 [^']* ' \+ 'step\d+ [^']*', async/);
    expect(split.replace("' + '", '')).toBe(source);
    expect(splitStrings('a.ts', split)).toBe(split);
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
