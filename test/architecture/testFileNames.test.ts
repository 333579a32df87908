/**
 * Test files are named after their subject, never after the tool that asked for them: a test
 * written to kill a mutant belongs beside the other tests of the code it pins
 * (`supervisor.test.ts`, not `supervisor.mutants.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { sources } from './sources.js';

/** Words that name a tool or a technique, not a subject. */
const toolWords = ['mutants', 'mutant', 'mutation', 'stryker'];

/** Test files whose name holds a tool's word. */
function namedAfterTools(files: readonly string[]): string[] {
  return files.filter((file) => {
    const name = file.split('/').at(-1)!;
    return name.endsWith('.test.ts') && name.split('.').some((part) => toolWords.includes(part));
  });
}

describe('test file names', () => {
  it('no test file is named after a tool', () => {
    // Act
    const found = namedAfterTools([...sources.keys()]);
    // Assert
    expect(found).toEqual([]);
  });

  it('finds a test file named after the mutation tool (the check works)', () => {
    // Arrange
    const files = ['test/unit/outbox.mutants.test.ts', 'test/unit/outbox.test.ts'];
    // Act
    const found = namedAfterTools(files);
    // Assert
    expect(found).toEqual(['test/unit/outbox.mutants.test.ts']);
  });
});
