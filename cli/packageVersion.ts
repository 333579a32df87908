/**
 * baileys-sim's own version, from its package.json: one folder up from the TypeScript sources
 * (`cli/`), two from the compiled package (`dist/cli/`). A shard summary records it, so shards
 * of different versions are never merged.
 */
import { readFileSync } from 'node:fs';

const candidates = ['../package.json', '../../package.json'];

let cached: string | undefined;

/** The version of the baileys-sim package this file belongs to (`0.0.0` if none is found). */
export function packageVersion(): string {
  cached ??= findVersion();
  return cached;
}

function findVersion(): string {
  for (const candidate of candidates) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'baileys-sim' && typeof manifest.version === 'string')
        return manifest.version;
    } catch {
      // Not there, or not ours: try the next folder up.
    }
  }
  return '0.0.0';
}
