import type { EncodedBatch } from "./event_encoding.ts";

/** What a segment costs beyond its bytes: its objects and typed-array headers. */
export const SEGMENT_OVERHEAD_BYTES = 256;
/** What an event costs beyond its bytes: its end offset. */
const EVENT_OVERHEAD_BYTES = 8;

/** One appended batch of a chat's events, encoded once: every watcher gets views on the same bytes. */
export class LogSegment {
  readonly count: number;
  /** Bytes the whole segment is counted as, its overhead included. */
  readonly size: number;
  #bytes: Uint8Array;
  #ends: number[];

  /**
   * @param firstId the id of the first event
   * @param batch the events, encoded
   */
  constructor(readonly firstId: number, batch: EncodedBatch) {
    this.#bytes = batch.bytes;
    this.#ends = batch.ends;
    this.count = batch.ends.length;
    this.size = batch.bytes.length + this.count * EVENT_OVERHEAD_BYTES + SEGMENT_OVERHEAD_BYTES;
  }

  /** What event `index` (0-based within the segment) is counted as. */
  eventSize(index: number): number {
    return this.#end(index) - this.#end(index - 1) + EVENT_OVERHEAD_BYTES;
  }

  /**
   * The encoded events from id `fromId` on, at most `max`, as one view on the segment's buffer.
   * @param fromId the first id wanted (within the segment)
   * @param max how many events at most
   * @returns the bytes and the id of the last event in them
   */
  slice(fromId: number, max: number): { bytes: Uint8Array; lastId: number } {
    const first = fromId - this.firstId;
    const last = Math.min(this.count, first + max) - 1;
    return {
      bytes: this.#bytes.subarray(this.#end(first - 1), this.#end(last)),
      lastId: this.firstId + last,
    };
  }

  #end(index: number): number {
    return index < 0 ? 0 : this.#ends[index];
  }
}
