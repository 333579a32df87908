/**
 * `stallQueries`: until `untilAt` (or `heal`), the server answers no query of kind `iq` (`usync`:
 * the device lookups a send makes before its write; `media_conn`: the media hosts; `all`). Each
 * unanswered query waits `defaultQueryTimeoutMs` (60 s by default): rc14's `waitForMessage` then
 * returns `undefined`, so a text send goes on and writes after its queries timed out (slow, not
 * failed), while a media send fails with a TypeError, cached for the socket's life.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('stallQueries'),
  untilAt: atSchema,
  iq: z.enum(['usync', 'media_conn', 'all']),
});

/** `stallQueries`: queries of kind `iq` sent before `untilAt` are never answered. */
export type StallQueriesEvent = z.infer<typeof schema>;

/** A generated stall. */
export interface StallQueriesStep {
  do: 'stallQueries';
  forMs: number;
  iq: 'usync' | 'media_conn' | 'all';
}

/** The `stallQueries` fault. */
export const stallQueries = defineFault<'stallQueries', StallQueriesEvent, StallQueriesStep>({
  kind: 'stallQueries',
  summary:
    'queries (usync, media_conn) sent before untilAt get no answer: each waits ' +
    'defaultQueryTimeoutMs',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'iq'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    const stalls = (kind: string): boolean => event.iq === 'all' || event.iq === kind;
    target.addRules({
      query: (query) => (target.now() < event.untilAt && stalls(query.kind) ? 'stall' : undefined),
    });
  },
  describe: (event) => `stallQueries ${event.iq} until ${event.untilAt} ms`,
  draw: { shape: 'band', tone: 'slow', label: () => 'stall', untilAt: (event) => event.untilAt },
  coverage: { swarm: { stallQueries: fc.boolean() }, kindOf: () => 'stallQueries' },
  generate: {
    step: fc.record({
      do: fc.constant('stallQueries' as const),
      forMs: fc.integer({ min: 0, max: 120_000 }),
      iq: fc.constantFrom(
        'usync' as const,
        'usync' as const,
        'media_conn' as const,
        'all' as const,
      ),
    }),
    stepWeight: 1,
    sceneWeight: 2,
    toEvent: (step, at) => ({ at, do: 'stallQueries', untilAt: at + step.forMs, iq: step.iq }),
  },
});
