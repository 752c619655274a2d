import { concatBytes } from "../../application/concat_bytes.ts";
import type { NumberedEvent } from "../../interface/sse_frame.ts";
import type { ChatDoneData, ChatEvent } from "../../domain/chat_event.ts";

const decoder = new TextDecoder();

/** Reads a chat's event stream to its end, flattening the batches. */
export async function collectEvents(events: ReadableStream<ChatEvent[]>): Promise<ChatEvent[]> {
  const all: ChatEvent[] = [];
  for await (const batch of events) all.push(...batch);
  return all;
}

/** The decoded lines of the message events, in order. */
export function messageLines(events: ChatEvent[]): string[] {
  return events.flatMap((event) => event.type === "message" ? [decoder.decode(event.line)] : []);
}

/** Lets every pending promise job and I/O callback run (one turn of the event loop). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A message event for `line` (text is UTF-8 encoded). */
export function messageEvent(line: string | Uint8Array): ChatEvent {
  return { type: "message", line: typeof line === "string" ? new TextEncoder().encode(line) : line };
}

/** The parts joined into one fresh array. */
export function joinBytes(parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts).slice();
}

/** A `done` event's data, as a chat that ended well sends it. */
export const SAMPLE_DONE_DATA: ChatDoneData = {
  process_id: "p1",
  exit_code: 0,
  signal: null,
  cancelled: false,
  stop_reason: null,
  session_id: "s-1",
  duration_ms: 1234,
};

/** Numbers events from `firstId` on, as a chat's event log does. */
export function numbered(events: ChatEvent[], firstId = 1): NumberedEvent[] {
  return events.map((event, index) => ({ id: firstId + index, event }));
}
