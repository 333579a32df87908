/** Timelines the report tests tell, each set up for one fact of the story. */
import type { Timeline } from '../../sim/timeline.js';
import { timelineOf } from '../sim/helpers.js';

/**
 * m1 arrives while receipts are lost, and the connection drops: the server delivers it again at the
 * next login.
 */
export function redeliveredTimeline(): Timeline {
  return timelineOf([
    { at: 0, do: 'receiptsLost', untilAt: 10_000 },
    { at: 0, do: 'inbound', chat: 'c1', msg: 'm1' },
    { at: 500, do: 'drop', reason: 'connectionReset' },
    { at: 8000, do: 'stop' },
  ]);
}
