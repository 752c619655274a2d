import type { ChatEvent } from "../domain/chat_event.ts";
import type { EncodeEvents } from "./event_encoding.ts";
import { LogSegment, SEGMENT_OVERHEAD_BYTES } from "./log_segment.ts";
import { slabAllocator } from "./slab_allocator.ts";

/** What a reader gets from {@link EventLog.read}. */
export interface LogRead {
  /** Set when events the reader asked for are no longer retained: the id it continues from. */
  gapFrom: number | null;
  /** The encoded events, in order: views on what the log keeps, the same bytes for every reader. */
  chunks: Uint8Array[];
  /** The id of the last event in `chunks` (the id read after when there is none). */
  lastId: number;
}

/**
 * The retained events of one chat, numbered from 1 and encoded once, bounded in bytes: once `maxBytes` is
 * exceeded the oldest events are forgotten (the newest batch is always kept), and a reader that asks for them
 * learns the id it can continue from.
 *
 * Each appended batch is encoded into one segment, so what an event costs beyond its bytes is an offset, not
 * objects (the count against `maxBytes` includes that overhead), and every reader is handed the same bytes.
 */
export class EventLog {
  #segments: LogSegment[] = [];
  /** Index of the first live segment in `#segments` (the ones before are dropped in bulk). */
  #head = 0;
  /** Events of the head segment already forgotten. */
  #headSkip = 0;
  #nextId = 1;
  #bytes = 0;
  #closed = false;

  /** Small batches' lines are carved from shared slabs: an ArrayBuffer each would cost about a microsecond. */
  #allocate = slabAllocator();

  /** @param maxBytes how many bytes of events to retain; @param encode how a batch is encoded */
  constructor(readonly maxBytes: number, readonly encode: EncodeEvents) {}

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /** The id of the oldest retained event (`lastId + 1` when none is retained). */
  get firstId(): number {
    const head = this.#segments[this.#head];
    return head ? head.firstId + this.#headSkip : this.#nextId;
  }

  /** Bytes retained now (as counted against `maxBytes`). */
  get retainedBytes(): number {
    return this.#bytes;
  }

  /** True once the stream has ended: no event will be appended any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Numbers, encodes and retains `events` (their lines may be reused by their producer afterwards), forgets
   * the oldest beyond `maxBytes`.
   */
  append(events: ChatEvent[]): void {
    if (this.#closed) throw new Error("append to a closed event log");
    if (events.length === 0) return;
    const segment = new LogSegment(this.#nextId, this.encode(events, this.#nextId, this.#allocate));
    this.#segments.push(segment);
    this.#nextId += segment.count;
    this.#bytes += segment.size;
    this.#evict();
  }

  /** Ends the stream: a reader that has read everything is at the end. */
  close(): void {
    this.#closed = true;
  }

  /**
   * The retained events after `afterId` (at most `maxEvents`), and the gap if the next one wanted is gone.
   * @param afterId the last id the reader has (0: from the start)
   */
  read(afterId: number, maxEvents = Infinity): LogRead {
    const first = this.firstId;
    const gapFrom = afterId + 1 < first ? first : null;
    let lastId = Math.max(afterId, first - 1);
    const chunks: Uint8Array[] = [];
    for (let index = this.#find(lastId + 1); index < this.#segments.length; index++) {
      const left = maxEvents - (lastId - Math.max(afterId, first - 1));
      if (left <= 0) break;
      const slice = this.#segments[index].slice(lastId + 1, left);
      chunks.push(slice.bytes);
      lastId = slice.lastId;
    }
    return { gapFrom, chunks, lastId };
  }

  /** The index of the segment holding `id` (the end when none does). */
  #find(id: number): number {
    let low = this.#head;
    let high = this.#segments.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const segment = this.#segments[middle];
      if (segment.firstId + segment.count <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #evict(): void {
    const newest = this.#segments.length - 1;
    while (this.#bytes > this.maxBytes && this.#head < newest) {
      const head = this.#segments[this.#head];
      this.#bytes -= head.eventSize(this.#headSkip);
      this.#headSkip++;
      if (this.#headSkip === head.count) {
        this.#bytes -= SEGMENT_OVERHEAD_BYTES;
        this.#head++;
        this.#headSkip = 0;
      }
    }
    // Drop forgotten segments in bulk, so eviction stays O(1) per event on average.
    if (this.#head > 1024 && this.#head * 2 > this.#segments.length) {
      this.#segments = this.#segments.slice(this.#head);
      this.#head = 0;
    }
  }
}
