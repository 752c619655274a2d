import type { ChatEvent, ChatEventSource } from "../domain/chat_event.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import { frameEvents, slabAllocator } from "./sse_frame.ts";

const KEEPALIVE = new TextEncoder().encode(": keepalive\n\n");

/** Options of {@link sseBody}. */
export interface SseBodyOptions {
  /** A comment line is sent after this much silence so proxies keep the stream open; 0 disables it. */
  keepaliveMs: number;
  /** Called once when the client goes away before the stream ended. */
  onClientGone: () => void;
  /** Times the keepalive. */
  clock: Clock;
}

/**
 * The SSE response body for a chat's event stream. It is pulled: events are read (and so the CLI's stdout)
 * only as fast as the client takes bytes.
 *
 * One keepalive timer per stream, re-armed lazily from the time of the last write, rather than a timer per
 * batch: at full speed a chat writes thousands of batches a second.
 */
export function sseBody(
  source: ChatEventSource,
  options: SseBodyOptions,
): ReadableStream<Uint8Array> {
  const { keepaliveMs, clock } = options;
  let ended = false;
  let waiting = false;
  let lastWriteAt = 0;
  let timer: Timer | null = null;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const allocate = slabAllocator();

  const onTimer = () => {
    timer = null;
    if (ended) return;
    const silentMs = clock.now() - lastWriteAt;
    if (silentMs < keepaliveMs) {
      timer = clock.setTimeout(onTimer, keepaliveMs - silentMs);
      return;
    }
    // Only while the client is waiting for data and has taken everything sent so far, so keepalives never
    // pile up behind a slow client.
    if (waiting && (controller.desiredSize ?? 0) >= 0) {
      controller.enqueue(KEEPALIVE);
      lastWriteAt = clock.now();
    }
    timer = clock.setTimeout(onTimer, keepaliveMs);
  };
  const stop = () => {
    ended = true;
    timer?.cancel();
    timer = null;
  };

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      lastWriteAt = clock.now();
      if (keepaliveMs > 0) timer = clock.setTimeout(onTimer, keepaliveMs);
    },
    async pull() {
      const pending = source.next();
      waiting = true;
      let batch: ChatEvent[] | null;
      try {
        batch = await pending;
      } catch (error) {
        // An errored stream is never cancelled: stop the keepalive timer here.
        stop();
        throw error;
      } finally {
        waiting = false;
      }
      if (ended) return;
      if (batch === null) {
        stop();
        controller.close();
        return;
      }
      controller.enqueue(frameEvents(batch, allocate));
      lastWriteAt = clock.now();
    },
    cancel() {
      if (ended) return;
      stop();
      options.onClientGone();
      source.cancel();
    },
  }, { highWaterMark: 0 });
}
