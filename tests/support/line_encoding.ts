import type { EncodeEvents } from "../../application/event_encoding.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A plain encoding for tests: each event as one text line, `id:line` for a message, `id:type` otherwise. */
export const lineEncoding: EncodeEvents = (events, firstId, allocate) => {
  const lines = events.map((event, index) =>
    encoder.encode(
      `${firstId + index}:${event.type === "message" ? decoder.decode(event.line) : event.type}\n`,
    )
  );
  const bytes = allocate(lines.reduce((sum, line) => sum + line.length, 0));
  const ends: number[] = [];
  let offset = 0;
  for (const line of lines) {
    bytes.set(line, offset);
    offset += line.length;
    ends.push(offset);
  }
  return { bytes, ends };
};

/** The `id:text` entries of chunks in {@link lineEncoding}. */
export function decodeLines(chunks: Uint8Array[]): string[] {
  return chunks.flatMap((chunk) => decoder.decode(chunk).split("\n").filter((line) => line !== ""));
}
