/** Bounds the generator and the faults' own generators share. */

/** Chats in one generated timeline, at most. */
export const generatorChatsMax = 3;
