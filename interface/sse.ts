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
  /** Times the keepalive and the send timeout. */
  clock: Clock;
  /**
   * A client that takes nothing for this long while a write waits for it is cut off (the stream errors, so
   * the connection is aborted, and the source is closed as on a disconnect); 0 or unset disables it.
   */
  sendTimeoutMs?: number;
  /** Called once when the client was cut off for the send timeout (instead of `onClientGone`). */
  onSendTimeout?: () => void;
}

/** Error of a stream whose client took nothing for the send timeout. */
export class SendTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the client took no data for ${timeoutMs / 1000} s while some waited for it`);
    this.name = "SendTimeoutError";
  }
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

/** A stream's send timeout: it fires when a write has waited `timeoutMs` for the client to take it. */
interface StallWatch {
  /** Something was written: it waits for the client from now (unless it waits already). */
  wrote(): void;
  /** The client asked for more: nothing waits for it. */
  taken(): void;
  /** The stream is over. */
  stop(): void;
}

/**
 * One timer per stream, re-armed lazily (as the keepalive is), that calls `cut` once a write has waited
 * `timeoutMs` without the client asking for more.
 */
function startStallWatch(timeoutMs: number, clock: Clock, cut: () => void): StallWatch {
  let waitingSince: number | null = null;
  let timer: Timer | null = null;
  const onTimer = () => {
    timer = null;
    const waited = waitingSince === null ? 0 : clock.now() - waitingSince;
    if (waitingSince !== null && waited >= timeoutMs) return cut();
    timer = clock.setTimeout(onTimer, timeoutMs - waited);
  };
  if (timeoutMs > 0) timer = clock.setTimeout(onTimer, timeoutMs);
  return {
    wrote: () => {
      waitingSince ??= clock.now();
    },
    taken: () => {
      waitingSince = null;
    },
    stop: () => {
      timer?.cancel();
      timer = null;
    },
  };
}

/** Writes one read of a chat's log: the gap before it, if any, then its bytes. */
function enqueueRead(controller: ReadableStreamDefaultController<Uint8Array>, read: LogRead): void {
  if (read.gapFrom !== null) controller.enqueue(encodeGap(read.gapFrom));
  // The log's own bytes, shared by every watcher and never changed; a replay's many small ones in one write.
  controller.enqueue(read.chunks.length === 1 ? read.chunks[0] : concatBytes(read.chunks));
}

/**
 * The SSE response body for one watcher of a chat. It is pulled: events are read only as fast as the client
 * takes bytes (and a chat is read no faster than its fastest watcher, so a single client slows the CLI).
 * Keepalives go out only while the client waits for data and has taken everything sent so far, so they never
 * pile up behind a slow client. A client that stops taking bytes altogether is cut off after `sendTimeoutMs`.
 */
export function sseBody(
  source: NumberedEventSource,
  options: SseBodyOptions,
): ReadableStream<Uint8Array> {
  let ended = false;
  let waiting = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let keepalive!: Keepalive;
  let stall!: StallWatch;
  const sendKeepalive = () => {
    if (!waiting || (controller.desiredSize ?? 0) < 0) return false;
    controller.enqueue(KEEPALIVE);
    return true;
  };
  const stop = () => {
    ended = true;
    keepalive.stop();
    stall.stop();
  };
  /** Ends the stream once, as `end` says, and lets the source go. */
  const leave = (end: () => void) => {
    if (ended) return;
    stop();
    end();
    source.close();
  };
  const cutOff = () =>
    leave(() => {
      controller.error(new SendTimeoutError(options.sendTimeoutMs ?? 0));
      options.onSendTimeout?.();
    });

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      keepalive = startKeepalive(options.keepaliveMs, options.clock, sendKeepalive);
      stall = startStallWatch(options.sendTimeoutMs ?? 0, options.clock, cutOff);
    },
    async pull() {
      stall.taken();
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
      if (batch === null) return leave(() => controller.close());
      if (ended) return;
      enqueueRead(controller, batch);
      keepalive.wrote();
      stall.wrote();
    },
    cancel() {
      leave(options.onClientGone);
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
