/**
 * Which of its run's settings a send path read. The checkers judge liveness by the run's
 * `config` (the reply deadline, the reconnect policy); when those were generated and the path
 * never looked at them, a violation's bound is one the path could not have known, and its
 * message says so, with how to declare the path's own settings instead.
 *
 * Reads are seen through accessors on the `env.config` the path gets (not a Proxy: a path may
 * `structuredClone` its config, which a Proxy would break); copying the config counts as reading
 * it.
 */
import type { SendPathFactory, SendPathConfig } from '../../src/ports.js';
import type { TimelineConfig, SendPathSettings } from '../../sim/timeline.js';
import type { Violation } from '../judging/checkers.js';
import {
  generatedValue,
  settingsBehind,
  settingsExportName,
  undeclaredSettings,
} from '../paths/settings.js';

/** A factory whose paths' reads of `env.config` land in `reads` (top-level names). */
export function trackConfigReads(factory: SendPathFactory, reads: Set<string>): SendPathFactory {
  return (env) => factory({ ...env, config: readRecording(env.config, reads) });
}

function readRecording(config: SendPathConfig, reads: Set<string>): SendPathConfig {
  const recording = {};
  for (const [name, value] of Object.entries(config)) {
    Object.defineProperty(recording, name, {
      enumerable: true,
      get: () => {
        reads.add(name);
        return value;
      },
    });
  }
  return recording as SendPathConfig;
}

/**
 * `violations` with a note on each liveness violation whose bound came from a generated setting
 * the path never read (`declared` are the path's own, which it is judged by in any case).
 */
export function noteUnreadSettings(
  violations: Violation[],
  config: TimelineConfig,
  declared: SendPathSettings | undefined,
  reads: ReadonlySet<string>,
): Violation[] {
  const unread = new Set(undeclaredSettings(declared).filter((name) => !reads.has(name)));
  if (unread.size === 0) return violations;
  return violations.map((violation) => {
    if (violation.property !== 'liveness') return violation;
    const names = settingsBehind(violation.message).filter((name) => unread.has(name));
    if (names.length === 0) return violation;
    const values = names.map((name) => generatedValue(config, name)).join(', ');
    return {
      ...violation,
      message:
        `${violation.message} (bound from generated settings the path never read: ${values}` +
        `; declare its own as ${settingsExportName})`,
    };
  });
}
