/**
 * A run the harness cannot judge: the bot called a member of rc14's socket the fake does not
 * model (`history.unmodelled`). What the bot would have done with a real answer is unknown, so no
 * property judges the run (a violation would be the harness's limit blamed on the bot), and a
 * campaign stops on it with one line naming the member and how to stub it (exit 3).
 */
import type { History, UnmodelledRecord } from '../../sim/history.js';

/** Whether `history` may be judged: false when its bot called an unmodelled socket member. */
export function judgeable(history: History): boolean {
  return history.unmodelled === undefined;
}

/**
 * The one line that names the harness's limit: the member, where the bot called it, and how to
 * stub it (`module`, when given, is the module under audit the stub goes in; `run` names the run
 * of a campaign, e.g. `run 3 of seed 1`).
 */
export function unmodelledLine(record: UnmodelledRecord, module?: string, run?: string): string {
  const where =
    `${run === undefined ? '' : `${run}, `}socket ` + `${record.generation} at ${record.at} ms`;
  if (record.method.includes('.')) {
    return (
      `baileys-sim: the bot called sock.${record.method}() (${where}), which the simulated ` +
      `socket does not model: a limit of the harness, not a bug of the bot; avoid the call ` +
      `under audit (docs/bot-surface.md)`
    );
  }
  const into = module === undefined ? 'the module under audit' : module;
  return (
    `baileys-sim: the bot called sock.${record.method}() (${where}), which the simulated ` +
    `socket does not model: a limit of the harness, not a bug of the bot; ` +
    `stub it in ${into}: export const socketStubs = { ${record.method}: async (...args) ` +
    `=> /* what WhatsApp would answer */ undefined } (docs/bot-surface.md)`
  );
}
