import type { ChatEvent } from "../domain/chat_event.ts";

/** One event of a chat's stream with its id: 1, 2, 3… in the order the chat produced them. */
export interface NumberedEvent {
  id: number;
  event: ChatEvent;
}

/** What a reader gets from {@link EventLog.read}. */
export interface LogRead {
  /** Set when events the reader asked for are no longer retained: the id it continues from. */
  gapFrom: number | null;
  events: NumberedEvent[];
}

/** Bytes an `error` or `done` event is counted as (their JSON is small and bounded). */
const CONTROL_EVENT_BYTES = 512;
/** Bytes a message costs beyond its line: the id, the framing, the entry itself. */
const MESSAGE_OVERHEAD_BYTES = 64;

function sizeOf(event: ChatEvent): number {
  return event.type === "message" ? event.line.length + MESSAGE_OVERHEAD_BYTES : CONTROL_EVENT_BYTES;
}

/**
 * The retained events of one chat, numbered from 1, bounded in bytes: once `maxBytes` is exceeded the oldest
 * events are forgotten (the newest one is always kept), and a reader that asks for them learns the id it
 * can continue from. Readers wait for news with {@link changed}.
 *
 * Lines are kept as given: the caller hands over bytes that nobody else changes.
 */
export class EventLog {
  #entries: NumberedEvent[] = [];
  #sizes: number[] = [];
  #head = 0;
  #nextId = 1;
  #bytes = 0;
  #closed = false;
  #news = Promise.withResolvers<void>();

  /** @param maxBytes how many bytes of events to retain */
  constructor(readonly maxBytes: number) {}

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /** The id of the oldest retained event (`lastId + 1` when none is retained). */
  get firstId(): number {
    return this.#head < this.#entries.length ? this.#entries[this.#head].id : this.#nextId;
  }

  /** Bytes retained now (as counted against `maxBytes`). */
  get retainedBytes(): number {
    return this.#bytes;
  }

  /** True once the stream has ended: no event will be appended any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Numbers and retains `events`, forgetting the oldest beyond `maxBytes`, and wakes waiting readers. */
  append(events: ChatEvent[]): void {
    if (this.#closed) throw new Error("append to a closed event log");
    for (const event of events) {
      const size = sizeOf(event);
      this.#entries.push({ id: this.#nextId++, event });
      this.#sizes.push(size);
      this.#bytes += size;
    }
    this.#evict();
    this.#wake();
  }

  /** Ends the stream: readers that have read everything are told so. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /**
   * The retained events after `afterId` (at most `maxEvents`), and the gap if the next one wanted is gone.
   * @param afterId the last id the reader has (0: from the start)
   */
  read(afterId: number, maxEvents = Infinity): LogRead {
    const first = this.firstId;
    const gapFrom = afterId + 1 < first ? first : null;
    const startId = Math.max(afterId + 1, first);
    const start = this.#head + (startId - first);
    const end = Math.min(this.#entries.length, start + maxEvents);
    return { gapFrom, events: start < end ? this.#entries.slice(start, end) : [] };
  }

  /** Settles once an event after `afterId` exists or the log is closed (at once if that is so already). */
  changed(afterId: number): Promise<void> {
    if (this.#closed || this.lastId > afterId) return Promise.resolve();
    return this.#news.promise;
  }

  #wake(): void {
    this.#news.resolve();
    this.#news = Promise.withResolvers<void>();
  }

  #evict(): void {
    const last = this.#entries.length - 1;
    while (this.#bytes > this.maxBytes && this.#head < last) {
      this.#bytes -= this.#sizes[this.#head];
      this.#head++;
    }
    // Drop forgotten entries in bulk, so eviction stays O(1) per event on average.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
