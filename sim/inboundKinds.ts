/**
 * What an inbound message can be, for the timeline format, the server model and the history
 * alike. Its own module so that the history (which holds the server's record) and the server
 * (which records each message's kind) both take it from below, neither from the other.
 */

/** Every inbound kind, `text` first (the default). */
export const inboundKinds = [
  'text',
  'media',
  'group',
  'reaction',
  'revoke',
  'stub',
  'empty',
  'status',
] as const;

/**
 * What an inbound message is. `text`, `media` (with a caption) and `group` (a text in a group,
 * with a `participant`) are messages a bot answers; the rest arrive on `messages.upsert` too
 * but carry nothing to answer: a `reaction`, a `revoke` (protocol message), a `stub` (a group
 * event), `empty` (no `message` at all), `status` (a status broadcast).
 */
export type InboundKind = (typeof inboundKinds)[number];

/** The inbound kinds a bot answers (the rest carry nothing to answer). */
export const answerableInboundKinds: ReadonlySet<string> = new Set(['text', 'media', 'group']);
