/**
 * The lines of a run's story about the path's process: what it printed to stdout and stderr
 * (already redacted and bounded when recorded), and how it ended its process if it did.
 */
import type { History } from '../sim/history.js';
import { outputLimits } from '../sim/intercept/console.js';
import { describeExit } from '../sim/intercept/processExit.js';
import type { Fact } from './fact.js';

/** The process facts of `history`, in time order. */
export function processFacts(history: History): Fact[] {
  const facts: Fact[] = [];
  const output = history.output;
  for (const line of output?.lines ?? []) {
    const tone = line.stream === 'stderr' ? 'info' : 'neutral';
    facts.push({ atMs: line.at, source: 'process', tone, text: `${line.stream}: ${line.text}` });
  }
  if (output !== undefined && output.linesDropped > 0) {
    const kept = `the first ${outputLimits.linesMax} are`;
    const text = `${output.linesDropped} more line(s) of output not kept (${kept})`;
    facts.push({ atMs: output.lines.at(-1)?.at ?? 0, source: 'process', tone: 'neutral', text });
  }
  const exited = history.exited;
  if (exited !== undefined) {
    const text = `${describeExit(exited)}: the run ended here`;
    facts.push({ atMs: exited.at, source: 'process', tone: 'fail', text });
  }
  return facts;
}
