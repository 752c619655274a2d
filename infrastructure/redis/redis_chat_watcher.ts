import type { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import type { ClusterEventSource } from "../../application/cluster.ts";
import type { LogRead } from "../../application/event_log.ts";
import { entryId, eventIdOf, keys } from "./redis_keys.ts";

/** How long one blocking read waits before the watcher checks that the chat still exists. */
const BLOCK_MS = 2000;
/** The pause before a read is tried again after Redis failed it. */
const RETRY_MS = 250;

type Entry = [Buffer, Buffer[]];

/**
 * Reads one chat's events from its Redis stream (one entry per batch: see `RedisChatMirror`), on a connection of its own (a blocking read holds it): what
 * was retained after `afterId`, then live, until the entry marked as the end. A reader that asks for events
 * the stream no longer has gets a gap, as from the in-memory log. It reads only when its client asks for
 * more, so a slow client costs nothing but its place in the stream.
 */
export class RedisChatWatcher implements ClusterEventSource {
  #redis: Redis;
  #processId: string;
  #position: number;
  #ended = false;
  #closed = false;

  /**
   * @param redis a connection for this watcher alone (closed with it)
   * @param processId the chat; @param afterId the last event id the client has
   */
  constructor(redis: Redis, processId: string, afterId: number) {
    this.#redis = redis;
    this.#processId = processId;
    this.#position = afterId;
  }

  async next(maxEvents = 1024): Promise<LogRead | null> {
    while (!this.#ended && !this.#closed) {
      let reply: [Buffer, Entry[]][] | null;
      try {
        reply = await this.#redis.xreadBuffer(
          "COUNT",
          maxEvents,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          keys.events(this.#processId),
          entryId(this.#position),
        ) as [Buffer, Entry[]][] | null;
      } catch {
        if (this.#closed) return null;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (reply === null || reply.length === 0) {
        if (await this.#forgotten()) return null;
        continue;
      }
      return this.#read(reply[0][1]);
    }
    this.close();
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#redis.disconnect();
  }

  #read(entries: Entry[]): LogRead {
    let gapFrom: number | null = null;
    const chunks: Uint8Array[] = [];
    for (const [id, fields] of entries) {
      const batch = batchOf(fields);
      if (batch.first > this.#position + 1) {
        // Batches lost while Redis was away: a read carries one gap, before its events, so stop before it.
        if (chunks.length > 0) break;
        gapFrom = batch.first;
      }
      // A batch the reader has the start of (a reattach inside it): only the events after its position.
      const skip = this.#position + 1 - batch.first;
      chunks.push(skip > 0 ? skipEvents(batch.bytes, skip) : batch.bytes);
      this.#position = eventIdOf(id.toString());
      if (batch.end) this.#ended = true;
    }
    return { gapFrom, chunks, lastId: this.#position };
  }

  /** True when the chat is no longer recorded (it expired): nothing more will come. */
  async #forgotten(): Promise<boolean> {
    try {
      return await this.#redis.exists(keys.chat(this.#processId)) === 0;
    } catch {
      return false;
    }
  }
}

const LF = 0x0a;

/** `bytes` without its first `count` SSE events (each ends with a blank line; a data line never holds one). */
function skipEvents(bytes: Uint8Array, count: number): Uint8Array {
  let offset = 0;
  for (let skipped = 0; skipped < count && offset < bytes.length; skipped++) {
    let end = offset;
    while (end + 1 < bytes.length && !(bytes[end] === LF && bytes[end + 1] === LF)) end++;
    offset = end + 2;
  }
  return bytes.subarray(Math.min(offset, bytes.length));
}

/** The fields of one stream entry: the batch's first event id, its SSE bytes, whether it ends the chat. */
function batchOf(fields: Buffer[]): { first: number; bytes: Uint8Array; end: boolean } {
  const batch = { first: 0, bytes: new Uint8Array(0) as Uint8Array, end: false };
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i].toString();
    if (name === "e") batch.bytes = fields[i + 1];
    else if (name === "n") batch.first = Number(fields[i + 1].toString());
    else if (name === "end") batch.end = true;
  }
  return batch;
}
