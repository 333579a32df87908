/**
 * The schema of a run's captured stdout and stderr (`OutputRecord`, sim/intercept/console.ts)
 * as failure files carry it: what the bot printed in the failing run, redacted and bounded.
 */
import { z } from 'zod';
import { outputLimits } from '../../sim/intercept/console.js';

/** One captured line. */
const outputLineSchema = z.strictObject({
  at: z.number().min(0),
  stream: z.enum(['stdout', 'stderr']),
  // A kept line is at most the line limit plus its ellipsis.
  text: z.string().max(outputLimits.lineLengthMax + 1),
});

/** A run's captured output: its first lines, and what was dropped. */
export const outputSchema = z.strictObject({
  lines: z.array(outputLineSchema).max(outputLimits.linesMax),
  linesDropped: z.int().min(0),
  charsDropped: z.int().min(0),
});
