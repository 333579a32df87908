/**
 * The one-line load errors' places: tsx's compile errors, and the first frame of an exception in
 * the user's code (not Node's, not a package's), shown relative to the working directory.
 */
import { describe, expect, it } from 'vitest';
import {
  describeThrown,
  describeTransformError,
  shownFile,
  userFrameOf,
} from '../../properties/paths/loadErrors.js';

describe('a compile error of tsx', () => {
  it(
    'is its first error as file:line:column (esbuild counts columns from 0), and how many ' +
      'more there are',
    () => {
      // Arrange
      const error = Object.assign(
        new Error(
          'Transform failed with 3 errors:\n' +
            '/work/bot/src/bot.ts:12:8: ERROR: Unexpected "}"\n' +
            '/work/bot/src/bot.ts:20:1: ERROR: x\n/work/bot/src/bot.ts:21:1: ERROR: y',
        ),
        { name: 'TransformError' },
      );
      // Act
      const line = describeTransformError(error, '/work/bot');
      // Assert
      expect(line).toBe('./src/bot.ts:12:9: syntax error: Unexpected "}" (and 2 more)');
    },
  );

  it('is not taken for any other error', () => {
    expect(describeTransformError(new Error('Cannot find module x'), '/work/bot')).toBeUndefined();
  });
});

describe('where an exception was thrown', () => {
  it(
    'is the first frame outside Node and node_modules, relative to the working directory ' +
      'when inside it',
    () => {
      // Arrange
      const error = new TypeError('boom');
      error.stack = [
        'TypeError: boom',
        '    at Object.parse (node:internal/json:1:1)',
        '    at read (/work/bot/node_modules/some-lib/index.js:3:9)',
        '    at loadConfig (file:///work/bot/src/config.mjs:7:15)',
        '    at file:///work/bot/src/bot.mjs:2:1',
      ].join('\n');
      // Act
      const where = userFrameOf(error, '/work/bot');
      // Assert
      expect(where).toBe('./src/config.mjs:7:15');
      expect(describeThrown(error, '/elsewhere')).toBe(
        'TypeError: boom (at /work/bot/src/config.mjs:7:15)',
      );
    },
  );

  it('is left out when the stack has no user frame, and a thrown non-error reads as itself', () => {
    const error = new Error('inside a package');
    error.stack = 'Error: inside a package\n    at f (/work/bot/node_modules/x/index.js:1:1)';
    expect(describeThrown(error, '/work/bot')).toBe('Error: inside a package');
    expect(describeThrown('a string', '/work/bot')).toBe('Error: a string');
  });

  it('names a file outside the working directory by its absolute path', () => {
    expect(shownFile('/other/bot.ts', '/work/bot')).toBe('/other/bot.ts');
    expect(shownFile('src/bot.ts', '/work/bot')).toBe('./src/bot.ts');
  });
});
