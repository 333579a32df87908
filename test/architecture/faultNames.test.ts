/**
 * No stale event kind in text: every timeline event kind the CLI's help and the docs name (a
 * timeline event written `do: 'kind'`, or a line of a replayed timeline, `1000 ms  ▶  kind ...`)
 * is one a timeline accepts (`sim/timeline.ts`, `sim/faults/index.ts`), and the fault table of
 * docs/ARCHITECTURE.md lists every registered network event kind, and nothing else.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInFaults } from '../../sim/faults/index.js';
import { eventKinds } from '../../sim/timeline.js';
import { root, sources } from './sources.js';

/** The event kinds a text names, each with its line. */
function namedKinds(file: string, text: string): { kind: string; where: string }[] {
  const patterns = [/\bdo["']?:\s*["'](\w+)["']/g, /^\s*[\d,]+ ms\s+▶\s+(\w+)/gm];
  return patterns.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((match) => ({
      kind: match[1]!,
      where: `${file}:${text.slice(0, match.index).split('\n').length}`,
    })),
  );
}

/** The kinds in the rows of the fault table: the table under "## The fault model". */
function faultTableKinds(architecture: string): string[] {
  const section = architecture.split('## The fault model')[1]!.split('\n## ')[0]!;
  return [...section.matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1]!);
}

/** The docs and the CLI's sources (where its help text is written). */
function texts(): [string, string][] {
  const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)];
  const cli = [...sources].filter(([file]) => file.startsWith('cli/'));
  return [...docs.map((f): [string, string] => [f, readFileSync(join(root, f), 'utf8')]), ...cli];
}

describe('fault names in text', () => {
  it('every event kind the docs and the CLI name is one a timeline accepts', () => {
    // Arrange
    const known = new Set(eventKinds);
    // Act
    const named = texts().flatMap(([file, text]) => namedKinds(file, text));
    const stale = named.filter(({ kind }) => !known.has(kind)).map((n) => `${n.where}: ${n.kind}`);
    // Assert
    expect(named.length).toBeGreaterThan(0);
    expect(stale).toEqual([]);
  });

  it('the fault table of ARCHITECTURE lists every registered network event kind', () => {
    // Arrange
    const architecture = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
    // Act
    const listed = faultTableKinds(architecture);
    // Assert
    expect([...listed].sort()).toEqual([...builtInFaults.kinds].sort());
  });

  it('finds a kind in a timeline event and in a replayed line (the check works)', () => {
    // Arrange
    const text = "{ at: 1000, do: 'slowAck' }\n    2000 ms  ▶      drop connectionClosed";
    // Act
    const named = namedKinds('a.md', text);
    // Assert
    expect(named).toEqual([
      { kind: 'slowAck', where: 'a.md:1' },
      { kind: 'drop', where: 'a.md:2' },
    ]);
  });
});
