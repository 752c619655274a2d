/**
 * The HTTP responses of the fake Messages API: Anthropic's error JSON, a streamed (SSE) message that can be
 * aborted, and a plain JSON message.
 *
 * @module
 */

import type { RecordedRequest } from "./recorded_request.ts";
import type { ErrorReply, MessageReply } from "./reply_spec.ts";
import { contentBlocks, type StreamStep, streamSteps, toolCalls, usage } from "./reply_stream.ts";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const encoder = new TextEncoder();

/**
 * An HTTP error with Anthropic's error JSON.
 * @param spec the error reply
 * @param counter the number of answers so far (names the request id)
 */
export function errorResponse(spec: ErrorReply, counter: number): Response {
  const body = {
    type: "error",
    error: {
      type: spec.errorType ?? ERROR_TYPES[spec.status] ?? "api_error",
      message: spec.message ?? `Fake ${spec.status} error`,
    },
    request_id: `req_fake_${counter}`,
  };
  return new Response(JSON.stringify(body), {
    status: spec.status,
    headers: { "content-type": "application/json", "request-id": `req_fake_${counter}`, ...spec.headers },
  });
}

/** Where an open stream registers its abort, and who hears that a client hung up before the end. */
export interface StreamRegistry {
  /** Abort functions of streams still being written. */
  liveStreams: Set<() => void>;
  /** Called once per stream the client cancelled (closed the request) before its last event. */
  onClientCut: () => void;
}

/**
 * The body of a streamed reply: every event up to the next pause at once, the pauses between pulls. A client
 * that hangs up (the CLI does on interrupt) cancels it: the pending pause ends and no timer is left behind.
 */
function sseBody(steps: StreamStep[], registry: StreamRegistry): ReadableStream<Uint8Array> {
  const { liveStreams } = registry;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let stopped = false;
  let abort: () => void = () => {};
  const stop = () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    wake?.();
    liveStreams.delete(abort);
  };
  const pause = (delayMs: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(() => {
        timer = undefined;
        resolve();
      }, delayMs);
    });
  return new ReadableStream<Uint8Array>({
    start(controller) {
      abort = () => {
        stop();
        try {
          controller.error(new Error("fake Messages API closed"));
        } catch { /* already closed */ }
      };
      liveStreams.add(abort);
    },
    async pull(controller) {
      while (!stopped && steps.length > 0) {
        const step = steps.shift()!;
        if ("delayMs" in step) {
          await pause(step.delayMs);
          wake = undefined;
          return;
        }
        controller.enqueue(encoder.encode(`event: ${step.event}\ndata: ${JSON.stringify(step.data)}\n\n`));
      }
      if (!stopped) {
        stop();
        controller.close();
      }
    },
    cancel() {
      // Client went away: drop pending events and timers.
      if (!stopped) registry.onClientCut();
      stop();
    },
  });
}

/**
 * A text or `tool_use` answer (one or several blocks): streamed as SSE when the request asks for a stream, else plain JSON.
 * @param spec the reply
 * @param context the request, the answer count, and where an open stream registers itself
 */
export function messageResponse(
  spec: MessageReply,
  context: { rec: RecordedRequest; counter: number; streams: StreamRegistry },
): Response {
  const { rec, counter } = context;
  const model = rec.model ?? "claude-fake";
  const msgId = `msg_fake_${counter}`;
  const calls = toolCalls(spec, counter);
  const inTok = Math.max(1, Math.ceil(rec.rawBody.length / 4));
  if (rec.stream) {
    return new Response(sseBody(streamSteps(spec, model, msgId, calls, inTok), context.streams), {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "request-id": `req_fake_${counter}`,
      },
    });
  }
  const content = contentBlocks(spec, calls);
  const outChars = content.reduce((n, b) => n + (b.text?.length ?? JSON.stringify(b.input ?? "").length), 0);
  return Response.json({
    id: msgId,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: spec.type === "text" ? spec.stopReason ?? "end_turn" : "tool_use",
    stop_sequence: null,
    usage: usage(inTok, Math.max(1, Math.ceil(outChars / 4))),
  });
}
