/**
 * Send paths by name: `reference`, or `specimen:<name>` from the catalog. A replay file names
 * its send path this way so it can be re-run by anyone with the repository.
 */
import type { OutputRecord, RequestKind } from '../../sim/history.js';
import type { SendPathSettings } from '../../sim/timeline.js';
import type { SendPathFactory } from '../../src/ports.js';
import { referenceSendPath } from '../../src/reference.js';
import { specimenByName, specimens } from '../specimens/index.js';

/** A send path and the name that finds it again. */
export interface NamedSendPath {
  name: string;
  factory: SendPathFactory;
  /**
   * The settings its module declared as its own (`sendPathSettings`): generated timelines use them
   * as given.
   */
  settings?: SendPathSettings;
  /**
   * It runs with Baileys and the process's globals intercepted (`simulate`'s `globals:
   * 'intercept'`): an as-written module, or any module under `--intercept`.
   */
  intercept?: boolean;
  /** The requests it can be asked for (default: reply, sendMedia and composing). */
  requests?: readonly RequestKind[];
  /**
   * For an as-written module: whether it exports `reset()`, which resets its module-level state
   * before each run.
   */
  resets?: boolean;
  /**
   * What the module wrote to stdout and stderr while imported, recorded not printed (absent:
   * nothing).
   */
  loadOutput?: OutputRecord;
}

/** Every built-in name: `reference` and one `specimen:<name>` per catalog entry. */
export const builtInSendPathNames: readonly string[] = [
  'reference',
  ...specimens.map((s) => `specimen:${s.name}`),
];

/** Resolves a built-in name; the error lists the valid names. */
export function builtInSendPath(name: string): NamedSendPath {
  if (name === 'reference') return { name, factory: referenceSendPath };
  if (name.startsWith('specimen:'))
    return { name, factory: specimenByName(name.slice('specimen:'.length)).factory };
  throw new Error(
    `unknown send path "${name}"; expected one of: ${builtInSendPathNames.join(', ')}`,
  );
}
