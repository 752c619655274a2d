import type { EncodedBatch } from "../application/event_encoding.ts";
import { type Allocate, allocateEach } from "../application/slab_allocator.ts";
import type { ChatEvent } from "../domain/chat_event.ts";

/** One event of a chat's stream with its id: 1, 2, 3… in the order the chat produced them. */
export interface NumberedEvent {
  id: number;
  event: ChatEvent;
}

const encoder = new TextEncoder();
const ID_HEAD = encoder.encode("id: ");
const MESSAGE_HEAD = encoder.encode("\nevent: message\ndata: ");
const NEW_DATA_LINE = encoder.encode("\ndata: ");
const EVENT_END = encoder.encode("\n\n");
const CR = 0x0d;
/** Bytes a message adds around its line and id: the heads and the blank line that ends the event. */
const MESSAGE_FRAME_BYTES = ID_HEAD.length + MESSAGE_HEAD.length + EVENT_END.length;
const DIGIT_0 = 0x30;
/** Bytes a carriage return turns into: it is dropped and a new `data:` line starts. */
const CR_EXTRA_BYTES = NEW_DATA_LINE.length - 1;
/**
 * Frames chat events as SSE, each with its `id:` so a client can resume after it (`Last-Event-ID`), into one
 * fresh buffer. For examples and tests; the stream itself encodes with {@link encodeBatch}.
 * @param events the events with their ids, in order
 */
export function encodeEvents(events: NumberedEvent[]): Uint8Array {
  const parts = events.map(({ id, event }) => encodeBatch([event], id, allocateEach).bytes);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Frames a batch of a chat's events as SSE into one buffer (one write per batch), each with its `id:`
 * (`firstId`, then counting up). A message's `data` is the CLI's line byte for byte; a carriage return inside
 * a line would end the SSE line early, so it becomes a new `data:` line (clients join those with `\n`).
 *
 * Two passes, so each line is copied once, straight into the output: the first sizes the buffer (and
 * finds the rare lines with a carriage return), the second fills it and notes where each event ends.
 * @param events the batch, in order
 * @param firstId the id of its first event
 * @param allocate where the output buffer comes from
 */
export function encodeBatch(events: ChatEvent[], firstId: number, allocate: Allocate): EncodedBatch {
  let size = 0;
  // Only lines holding a carriage return need a second look; most batches have none, and pay nothing.
  let withCr: Set<number> | null = null;
  let others: (Uint8Array | undefined)[] | null = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event.type === "message") {
      const line = event.line;
      size += MESSAGE_FRAME_BYTES + digitCount(firstId + i) + line.length;
      let cr = line.indexOf(CR);
      if (cr !== -1) {
        (withCr ??= new Set()).add(i);
        while (cr !== -1) {
          size += CR_EXTRA_BYTES;
          cr = line.indexOf(CR, cr + 1);
        }
      }
    } else {
      const bytes = encoder.encode(
        `id: ${firstId + i}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`,
      );
      (others ??= [])[i] = bytes;
      size += bytes.length;
    }
  }
  const out = allocate(size);
  const ends: number[] = new Array(events.length);
  let offset = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event.type !== "message") {
      const bytes = others![i]!;
      out.set(bytes, offset);
      offset += bytes.length;
    } else {
      offset = writeMessage(event.line, firstId + i, out, offset, withCr !== null && withCr.has(i));
    }
    ends[i] = offset;
  }
  return { bytes: out, ends };
}

/** Writes one message event at `at`; returns the offset after it. */
function writeMessage(line: Uint8Array, id: number, out: Uint8Array, at: number, splitCr: boolean): number {
  out.set(ID_HEAD, at);
  let offset = writeDigits(id, out, at + ID_HEAD.length);
  out.set(MESSAGE_HEAD, offset);
  offset += MESSAGE_HEAD.length;
  if (splitCr) {
    offset = copySplittingCr(line, out, offset);
  } else {
    out.set(line, offset);
    offset += line.length;
  }
  out.set(EVENT_END, offset);
  return offset + EVENT_END.length;
}

function digitCount(value: number): number {
  if (value < 10) return 1;
  if (value < 100) return 2;
  if (value < 1000) return 3;
  if (value < 10_000) return 4;
  if (value < 100_000) return 5;
  if (value < 1_000_000) return 6;
  return String(value).length;
}

/** Writes `value`'s decimal digits at `at`; returns the offset after them. */
function writeDigits(value: number, out: Uint8Array, at: number): number {
  const end = at + digitCount(value);
  let rest = value;
  for (let i = end - 1; i >= at; i--) {
    out[i] = DIGIT_0 + rest % 10;
    rest = Math.floor(rest / 10);
  }
  return end;
}

/**
 * The `gap` event a watcher gets when the events it asked for are no longer retained: it names the first
 * id it continues from. It has no `id:` of its own, so a client's `Last-Event-ID` is not moved by it.
 * @param firstId the id of the next event the watcher gets
 */
export function encodeGap(firstId: number): Uint8Array {
  return encoder.encode(`event: gap\ndata: ${JSON.stringify({ first_id: firstId })}\n\n`);
}

function copySplittingCr(line: Uint8Array, out: Uint8Array, at: number): number {
  let offset = at;
  let start = 0;
  let cr = line.indexOf(CR);
  while (cr !== -1) {
    out.set(line.subarray(start, cr), offset);
    offset += cr - start;
    out.set(NEW_DATA_LINE, offset);
    offset += NEW_DATA_LINE.length;
    start = cr + 1;
    cr = line.indexOf(CR, start);
  }
  out.set(start === 0 ? line : line.subarray(start), offset);
  return offset + line.length - start;
}
