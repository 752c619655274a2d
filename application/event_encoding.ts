import type { ChatEvent } from "../domain/chat_event.ts";
import type { Allocate } from "./slab_allocator.ts";

/** A batch of events encoded for the wire: one buffer, and where each event's bytes end in it. */
export interface EncodedBatch {
  bytes: Uint8Array;
  /** `ends[i]` is the offset just past event `i`. */
  ends: number[];
}

/**
 * Encodes a batch of a chat's events, the first with id `firstId` and the next counting up, into a buffer
 * from `allocate`. The log keeps what it returns and hands it to every watcher as it is.
 */
export type EncodeEvents = (events: ChatEvent[], firstId: number, allocate: Allocate) => EncodedBatch;
