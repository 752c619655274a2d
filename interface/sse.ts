import type { ChatEvent } from "../application/chat.ts";

const encoder = new TextEncoder();
const MESSAGE_HEAD = encoder.encode("event: message\ndata: ");
const NEW_DATA_LINE = encoder.encode("\ndata: ");
const EVENT_END = encoder.encode("\n\n");
const KEEPALIVE = encoder.encode(": keepalive\n\n");
const CR = 0x0d;

/**
 * Frames a batch of chat events as SSE into one buffer (one write per batch). A message's `data` is the
 * CLI's line byte for byte; a carriage return inside a line would end the SSE line early, so it becomes a
 * new `data:` line (clients join those with `\n`).
 */
export function encodeEvents(events: ChatEvent[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const add = (part: Uint8Array) => {
    parts.push(part);
    size += part.length;
  };
  for (const event of events) {
    if (event.type === "message") {
      add(MESSAGE_HEAD);
      addLine(event.line, add);
      add(EVENT_END);
    } else {
      add(encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`));
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function addLine(line: Uint8Array, add: (part: Uint8Array) => void): void {
  let start = 0;
  let cr = line.indexOf(CR);
  while (cr !== -1) {
    add(line.subarray(start, cr));
    add(NEW_DATA_LINE);
    start = cr + 1;
    cr = line.indexOf(CR, start);
  }
  add(start === 0 ? line : line.subarray(start));
}

/** Options of {@link sseBody}. */
export interface SseBodyOptions {
  /** A comment line is sent after this much silence so proxies keep the stream open; 0 disables it. */
  keepaliveMs: number;
  /** Called once when the client goes away before the stream ended. */
  onClientGone: () => void;
}

/**
 * The SSE response body for a chat's event stream. It is pulled: events are read (and so the CLI's stdout)
 * only as fast as the client takes bytes.
 */
export function sseBody(events: ReadableStream<ChatEvent[]>, options: SseBodyOptions): ReadableStream<Uint8Array> {
  const reader = events.getReader();
  let pending: Promise<ReadableStreamReadResult<ChatEvent[]>> | null = null;
  let ended = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      pending ??= reader.read();
      const result = await withKeepalive(pending, options.keepaliveMs);
      if (result === "keepalive") {
        controller.enqueue(KEEPALIVE);
        return;
      }
      pending = null;
      if (result.done) {
        ended = true;
        controller.close();
        return;
      }
      controller.enqueue(encodeEvents(result.value));
    },
    cancel() {
      if (ended) return;
      ended = true;
      options.onClientGone();
      reader.cancel().catch(() => {});
    },
  }, { highWaterMark: 0 });
}

async function withKeepalive<T>(promise: Promise<T>, keepaliveMs: number): Promise<T | "keepalive"> {
  if (keepaliveMs <= 0) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"keepalive">((resolve) => {
    timer = setTimeout(() => resolve("keepalive"), keepaliveMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
