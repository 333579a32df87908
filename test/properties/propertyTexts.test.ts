/**
 * Every property, of the checker table and of the campaign, says what it means and how a send
 * path typically fixes a failure of it, in one line each, and `explainProperty` finds both by name.
 */
import { describe, expect, it } from 'vitest';
import { campaignPropertyNames } from '../../properties/judging/propertyNames.js';
import { checkers, propertyNames } from '../../properties/judging/checkers.js';
import { explainProperty } from '../../properties/judging/propertyTexts.js';

/** One sentence on one line, short enough to read under a failure. */
const oneLine = /^[A-Za-z][^\n]{20,220}\.$/;

describe('explainProperty', () => {
  it.each([...propertyNames, ...campaignPropertyNames])(
    'gives %s a meaning and a fix of one line each',
    (name) => {
      // Act
      const texts = explainProperty(name);
      // Assert
      expect(texts.meaning).toMatch(oneLine);
      expect(texts.fix).toMatch(oneLine);
      expect(texts.fix).not.toBe(texts.meaning);
    },
  );

  it("returns a checker's own texts", () => {
    // Act
    const texts = explainProperty('live-socket');
    // Assert
    expect(texts).toEqual({
      meaning: checkers['live-socket'].meaning,
      fix: checkers['live-socket'].fix,
    });
  });

  it('knows no property by a name outside both tables', () => {
    // Act
    const texts = explainProperty('no-such-property');
    // Assert
    expect(texts).toBeUndefined();
  });

  it('gives no two properties the same meaning', () => {
    // Arrange
    const names = [...propertyNames, ...campaignPropertyNames];
    // Act
    const meanings = new Set(names.map((name) => explainProperty(name).meaning));
    // Assert
    expect(meanings.size).toBe(names.length);
  });
});
