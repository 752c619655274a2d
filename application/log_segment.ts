import type { ChatEvent } from "../domain/chat_event.ts";
import type { NumberedEvent } from "./event_log.ts";

/** What a segment costs beyond its events: its objects and typed-array headers. */
export const SEGMENT_OVERHEAD_BYTES = 256;
/** What a message costs beyond its line: its offset, and its share of the framing. */
const MESSAGE_OVERHEAD_BYTES = 8;
/** What an `error` or `done` event is counted as (their JSON is small and bounded). */
const CONTROL_EVENT_BYTES = 512;

/**
 * One appended batch of a chat's events, packed: the message lines copied back to back into one buffer with
 * their end offsets, the rare `error`/`done` events kept aside. Events come out as views on the buffer.
 */
export class LogSegment {
  readonly count: number;
  /** Bytes the whole segment is counted as, its overhead included. */
  readonly size: number;
  #bytes: Uint8Array;
  /**
   * `#ends[i]` is where event `i`'s line ends in `#bytes` (a control event has an empty line there). A plain
   * array: most batches hold one line, and a typed array would cost an allocation outside the heap each.
   */
  #ends: number[];
  #controls: Map<number, ChatEvent> | null = null;

  /**
   * Copies `events`; their lines may be reused by their producer afterwards.
   * @param firstId the id of the first event
   * @param events the batch, in order
   * @param allocate where the buffer for the lines comes from (a region nobody else writes)
   */
  constructor(readonly firstId: number, events: ChatEvent[], allocate: (size: number) => Uint8Array) {
    this.count = events.length;
    let lineBytes = 0;
    for (const event of events) if (event.type === "message") lineBytes += event.line.length;
    this.#bytes = allocate(lineBytes);
    this.#ends = new Array(events.length);
    let offset = 0;
    let size = SEGMENT_OVERHEAD_BYTES;
    for (let index = 0; index < events.length; index++) {
      const event = events[index];
      if (event.type === "message") {
        this.#bytes.set(event.line, offset);
        offset += event.line.length;
      } else {
        (this.#controls ??= new Map()).set(index, event);
      }
      this.#ends[index] = offset;
      size += this.#sizeAt(index);
    }
    this.size = size;
  }

  /** What event `index` (0-based within the segment) is counted as. */
  eventSize(index: number): number {
    return this.#sizeAt(index);
  }

  /**
   * Adds the events from id `fromId` on (at most `max`) to `out`, as views on the segment's buffer.
   * @param fromId the first id wanted (at least `firstId`)
   * @param max how many events at most
   * @param out where they go
   */
  collect(fromId: number, max: number, out: NumberedEvent[]): void {
    const end = Math.min(this.count, fromId - this.firstId + max);
    for (let index = fromId - this.firstId; index < end; index++) {
      const control = this.#controls?.get(index);
      const event: ChatEvent = control ?? {
        type: "message",
        line: this.#bytes.subarray(index === 0 ? 0 : this.#ends[index - 1], this.#ends[index]),
      };
      out.push({ id: this.firstId + index, event });
    }
  }

  #sizeAt(index: number): number {
    if (this.#controls?.has(index)) return CONTROL_EVENT_BYTES;
    const start = index === 0 ? 0 : this.#ends[index - 1];
    return this.#ends[index] - start + MESSAGE_OVERHEAD_BYTES;
  }
}
