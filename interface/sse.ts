import type { LogRead } from "../application/event_log.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import { concatBytes } from "../application/concat_bytes.ts";
import { encodeGap } from "./sse_frame.ts";

const KEEPALIVE = new TextEncoder().encode(": keepalive\n\n");

/** Where an SSE body pulls a chat's numbered events from: a watcher of the chat. */
export interface NumberedEventSource {
  /** The next events (and a gap before them, if some are gone), or null after the last. */
  next(): Promise<LogRead | null>;
  /** The body is done with the source: its client went away or it read to the end. */
  close(): void;
}

/** Options of {@link sseBody}. */
export interface SseBodyOptions {
  /** A comment line is sent after this much silence so proxies keep the stream open; 0 disables it. */
  keepaliveMs: number;
  /** Called once when the client goes away before the stream ended. */
  onClientGone: () => void;
  /** Times the keepalive. */
  clock: Clock;
}

/** A stream's keepalive: it sends when the stream has been silent for `keepaliveMs`. */
interface Keepalive {
  /** Something was written: silence starts again now. */
  wrote(): void;
  /** The stream is over: no more keepalives. */
  stop(): void;
}

/**
 * One keepalive timer per stream, re-armed lazily from the time of the last write, rather than a timer per
 * batch: at full speed a chat writes thousands of batches a second.
 * @param send writes a keepalive if the stream can take one now; returns whether it did
 */
function startKeepalive(keepaliveMs: number, clock: Clock, send: () => boolean): Keepalive {
  let lastWriteAt = clock.now();
  let timer: Timer | null = null;
  let stopped = false;
  const onTimer = () => {
    timer = null;
    if (stopped) return;
    const silentMs = clock.now() - lastWriteAt;
    if (silentMs < keepaliveMs) {
      timer = clock.setTimeout(onTimer, keepaliveMs - silentMs);
      return;
    }
    if (send()) lastWriteAt = clock.now();
    timer = clock.setTimeout(onTimer, keepaliveMs);
  };
  if (keepaliveMs > 0) timer = clock.setTimeout(onTimer, keepaliveMs);
  return {
    wrote: () => {
      lastWriteAt = clock.now();
    },
    stop: () => {
      stopped = true;
      timer?.cancel();
      timer = null;
    },
  };
}

/**
 * The SSE response body for one watcher of a chat. It is pulled: events are read only as fast as the client
 * takes bytes (and a chat is read no faster than its fastest watcher, so a single client slows the CLI). Keepalives go out only while the client waits for data and has
 * taken everything sent so far, so they never pile up behind a slow client.
 */
export function sseBody(
  source: NumberedEventSource,
  options: SseBodyOptions,
): ReadableStream<Uint8Array> {
  let ended = false;
  let waiting = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let keepalive!: Keepalive;
  const sendKeepalive = () => {
    if (!waiting || (controller.desiredSize ?? 0) < 0) return false;
    controller.enqueue(KEEPALIVE);
    return true;
  };
  const stop = () => {
    ended = true;
    keepalive.stop();
  };

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      keepalive = startKeepalive(options.keepaliveMs, options.clock, sendKeepalive);
    },
    async pull() {
      const pending = source.next();
      waiting = true;
      let batch: LogRead | null;
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
        source.close();
        return;
      }
      if (batch.gapFrom !== null) controller.enqueue(encodeGap(batch.gapFrom));
      // The log's own bytes, shared by every watcher and never changed; a replay's many small ones in one write.
      controller.enqueue(batch.chunks.length === 1 ? batch.chunks[0] : concatBytes(batch.chunks));
      keepalive.wrote();
    },
    cancel() {
      if (ended) return;
      stop();
      options.onClientGone();
      source.close();
    },
  }, { highWaterMark: 0 });
}

/**
 * The response for one watcher of a chat: its SSE body with the headers every chat stream has.
 * @param source the watcher
 * @param options the body's options
 * @param headers more headers, e.g. `X-Process-ID`
 */
export function sseResponse(
  source: NumberedEventSource,
  options: SseBodyOptions,
  headers: Record<string, string> = {},
): Response {
  return new Response(sseBody(source, options), {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
      ...headers,
    },
  });
}
