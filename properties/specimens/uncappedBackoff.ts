/**
 * Specimen `uncapped-backoff`.
 * BUG: the reconnect backoff has no cap: each wait is `factor` times the last, however long that
 * gets (the policy's `maxMs` is never applied). Through a short outage nothing shows; after a
 * long one (connects refused for minutes) the next try is many minutes away, so the bot stays
 * offline long after the network came back and replies miss their deadlines.
 * Caught by: liveness (not delivered although the network healed and the deadline left time).
 */
import type { SendPathFactory } from '../../src/ports.js';
import { retryingSend, specimenPath } from './host.js';

/** The uncapped-backoff specimen. */
export const uncappedBackoff: SendPathFactory = (env) =>
  specimenPath(
    {
      ...env,
      config: {
        ...env.config,
        reconnect: { ...env.config.reconnect, maxMs: Number.MAX_SAFE_INTEGER },
      },
    },
    retryingSend,
  );
