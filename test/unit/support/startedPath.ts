/**
 * The start most unit tests of the reference share: its path made on a hand world, started, its
 * socket 1 opened, and one inbound message (`m1`, "hello" from `chat`) handed over on it.
 */
import type { InboundMessage, SendPathConfig } from '../../../src/ports.js';
import {
  referenceSendPath,
  type ReferenceSendPath,
  type ReferenceSendPathFactory,
} from '../../../src/reference.js';
import type { HandWorld } from './handSocket.js';

/** A started path, the message it was handed, and every message handed to it so far. */
interface StartedPath {
  path: ReferenceSendPath;
  message: InboundMessage;
  inbound: InboundMessage[];
}

/** Starts `factory`'s path (the reference's defaults unless given) on `world`; see above. */
export async function startedPath(
  world: HandWorld,
  chat: string,
  factory: ReferenceSendPathFactory = referenceSendPath,
  config: Partial<SendPathConfig> = {},
): Promise<StartedPath> {
  const inbound: InboundMessage[] = [];
  const path = factory(world.env(config));
  await path.start((msg) => inbound.push(msg));
  world.latest.open();
  world.latest.deliver(chat, 'm1', 'hello');
  await world.settle();
  const message = inbound[0];
  if (message === undefined) throw new Error('no inbound message was handed to the path');
  return { path, message, inbound };
}
