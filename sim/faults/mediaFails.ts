/**
 * `mediaFails`: until `untilAt` (or `heal`), media sends fail before any frame. `stage: upload`:
 * every media host refuses the upload, Boom 500 `Media upload failed on all hosts`
 * (`getWAUploadToServer`, `Utils/messages-media.js`). `stage: mediaConn`: the server answers
 * `media_conn` with an error, Boom 500 with its text; rc14 keeps that rejected promise cached
 * (`refreshMediaConn`, `Socket/messages-send.js`), so every later media send on the same socket
 * fails at once, even after the fault is gone, until a new socket. `stage: uploadHangs`: the
 * media host takes an upload begun in the window and never answers; rc14 gives the upload no
 * timeout (`uploadWithNodeHttp`: `timeout: mediaUploadTimeoutMs`, unset by default), so that
 * send stays pending for good, after its socket closed too, having written nothing.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { atSchema } from '../timelineAtoms.js';
import { defineFault } from './fault.js';

/** Where media sends fail: the upload (refused, or never answered) or `media_conn`. */
const stages = ['upload', 'mediaConn', 'uploadHangs'] as const;

const schema = z.strictObject({
  at: atSchema,
  do: z.literal('mediaFails'),
  untilAt: atSchema,
  stage: z.enum(stages),
});

/** `mediaFails`: media sends until `untilAt` fail at `stage`. */
export type MediaFailsEvent = z.infer<typeof schema>;

/** A generated media failure window. */
export interface MediaFailsStep {
  do: 'mediaFails';
  forMs: number;
  stage: (typeof stages)[number];
}

const refusedArb = {
  weight: 1,
  arbitrary: fc.record({
    do: fc.constant('mediaFails' as const),
    forMs: fc.integer({ min: 0, max: 30_000 }),
    stage: fc.constantFrom('upload' as const, 'mediaConn' as const),
  }),
};

// A hung upload shows only if a media send starts one in its window: up to two minutes.
const hangsArb = fc.record({
  do: fc.constant('mediaFails' as const),
  forMs: fc.integer({ min: 0, max: 120_000 }),
  stage: fc.constant('uploadHangs' as const),
});

/** The `mediaFails` fault. */
export const mediaFails = defineFault<'mediaFails', MediaFailsEvent, MediaFailsStep>({
  kind: 'mediaFails',
  summary:
    "media sends until untilAt fail before any frame: uploads (Boom 500 'Media upload failed on " +
    "all hosts'), media_conn (Boom 500, cached per socket), or uploads never answered (the send " +
    'stays pending for good)',
  isFault: true,
  schema,
  keyOrder: ['at', 'do', 'untilAt', 'stage'],
  check: (event) =>
    event.untilAt < event.at ? [`untilAt: untilAt before at (${event.untilAt} < ${event.at})`] : [],
  apply(event, target) {
    const hangs = event.stage === 'uploadHangs';
    const stage = hangs ? 'upload' : event.stage;
    target.addRules({
      media: (step) => {
        if (target.now() >= event.untilAt || step.stage !== stage) return undefined;
        return hangs ? 'hang' : 'fail';
      },
    });
  },
  describe: (event) => `mediaFails ${event.stage} until ${event.untilAt} ms`,
  draw: { shape: 'band', tone: 'fault', label: () => 'media', untilAt: (event) => event.untilAt },
  coverage: {
    // Three runs in four: it only matters with a media send in its window, and a hung upload
    // (which a path must bound itself) only when that send starts one.
    swarm: {
      mediaFails: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
    },
    kindOf: () => 'mediaFails',
  },
  generate: {
    step: fc.oneof({ withCrossShrink: true }, refusedArb, { weight: 1, arbitrary: hangsArb }),
    // A scene lines a media reply up with it: mostly an upload that never answers, which a path
    // must bound itself; a refusal it only has to report.
    sceneStep: fc.oneof({ withCrossShrink: true }, refusedArb, { weight: 3, arbitrary: hangsArb }),
    stepWeight: 1,
    sceneWeight: 3,
    // A text reply never meets it: a scene of it answers with media.
    sceneMedia: true,
    toEvent: (step, at) => ({ at, do: 'mediaFails', untilAt: at + step.forMs, stage: step.stage }),
  },
});
