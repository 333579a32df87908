/**
 * Specimen `no-upload-timeout`.
 * BUG: a send is awaited however long Baileys holds it. rc14 bounds each stage of a text send
 * (queries, the write) but gives a media upload no timeout (`uploadWithNodeHttp`,
 * `Utils/messages-media.js`): when the media host takes the upload and never answers,
 * `sendMessage` stays pending for good, after its socket closed too, and so does the reply,
 * with every later reply of its chat queued behind it. This is the reference send path with its
 * bound on held media sends switched off, as most bots await `sendMessage`.
 * Caught by: liveness (the reply settles only when stop() ends it, past its deadline).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { createReferenceSendPath } from '../../src/reference.js';

/** The no-upload-timeout specimen. */
export const noUploadTimeout: SendPathFactory = createReferenceSendPath({ boundMediaSends: false });
