import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { CancelProcess } from "../../application/cancel_process.ts";
import type { ChatSlots } from "../../application/chat_slots.ts";
import type { Logger } from "../../application/logger.ts";
import type { Metrics } from "../../application/metrics.ts";
import type { StartWatchedChat } from "../../application/start_watched_chat.ts";
import type { Clock } from "../../domain/clock.ts";
import { ChatRequestSchema } from "../chat_request_schema.ts";
import { PROCESS_NOT_FOUND, PROTECTED_ROUTE_ERRORS, START_CHAT_ERRORS } from "../documented_errors.ts";
import { jsonBody } from "../json_body.ts";
import { EXAMPLE_PROCESS_ID, SSE_DESCRIPTION, sseExamples } from "../openapi_examples.ts";
import { CancelSchema, ChatDoneEventSchema, ChatErrorEventSchema } from "../response_schemas.ts";
import { sseResponse } from "../sse.ts";

const startChatRoute = createRoute({
  method: "post",
  path: "/",
  operationId: "startChat",
  tags: ["chat"],
  summary: "Run Claude Code and stream its output (SSE)",
  description:
    "Starts the Claude Code CLI in print mode (`claude -p --output-format stream-json --verbose`) in " +
    "`cwd`, writes `prompt` to its stdin and streams every stdout line as an SSE `message` event. Each field maps " +
    "to one CLI flag (see the schema). When every slot is busy the request waits in a queue (QUEUE_MAX places, " +
    "QUEUE_TIMEOUT_S); cancel a running chat with `DELETE /chat/{process_id}`.",
  request: {
    body: {
      required: true,
      description: "What to run and how, as `application/json`. `session_id` and `continue` exclude each " +
        "other; `fork_session` needs one of them. Unknown fields are rejected (422).",
      content: { "application/json": { schema: ChatRequestSchema } },
    },
  },
  responses: {
    200: {
      description: "The CLI's output as an SSE stream.",
      headers: z.object({
        "X-Process-ID": z.uuid().openapi({
          description: "The chat's id, for `DELETE /chat/{process_id}`, `GET /chat/{process_id}/events` " +
            "and `GET /processes`.",
          example: EXAMPLE_PROCESS_ID,
        }),
        "X-Session-ID": z.uuid().optional().openapi({
          description:
            "The session the chat writes, when it is known before the CLI speaks: an interactive " +
            "chat's new session, or the `session_id` it resumes.",
          example: "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11",
        }),
        "X-Watch-Token": z.string().openapi({
          description: "Lets whoever holds it watch this one chat without the Basic credentials: " +
            "`GET /chat/{process_id}/events?token=…`. It grants nothing else.",
          example: "pZ7v0kq3b2xS9mC1wQe4RtYuIoPaLsDf",
        }),
      }),
      content: {
        "text/event-stream": {
          schema: z.string().openapi({ description: SSE_DESCRIPTION }),
          examples: sseExamples(),
        },
      },
    },
    ...PROTECTED_ROUTE_ERRORS,
    ...START_CHAT_ERRORS,
  },
});

const cancelChatRoute = createRoute({
  method: "delete",
  path: "/{process_id}",
  operationId: "cancelChat",
  tags: ["chat"],
  summary: "Stop a running chat",
  description: "Interrupts the chat's CLI (SIGINT, then SIGTERM after CANCEL_GRACE_S, then SIGKILL after " +
    'KILL_AFTER_S). Its stream then ends with `done` (`cancelled: true`, `stop_reason: "cancelled"`).',
  request: {
    params: z.object({
      process_id: z.string().openapi({
        param: { name: "process_id", in: "path" },
        description: "A process id as returned in the `X-Process-ID` header of `POST /chat` (or by " +
          "`GET /processes`). Any other id, well-formed or not, is a 404.",
        example: EXAMPLE_PROCESS_ID,
      }),
    }),
  },
  responses: {
    200: {
      description: "The chat is being stopped.",
      content: { "application/json": { schema: CancelSchema } },
    },
    ...PROTECTED_ROUTE_ERRORS,
    404: PROCESS_NOT_FOUND,
  },
});

/** Dependencies of {@link chatRoutes}. */
export interface ChatRoutesDeps {
  startChat: StartWatchedChat;
  cancelProcess: CancelProcess;
  logger: Logger;
  /** Basic Auth, in front of every chat route. */
  auth: MiddlewareHandler;
  /** Asked for room before a body is read, so a full server refuses without reading it. */
  slots: Pick<ChatSlots, "assertRoom">;
  maxBodyBytes: number;
  keepaliveMs: number;
  /** A stream client that takes nothing this long while events wait is cut off; 0 or unset: never. */
  sendTimeoutMs?: number;
  /** Counts the clients cut off. */
  metrics: Pick<Metrics, "sendTimedOut">;
  /** Time for the streams: their keepalive timers. */
  clock: Clock;
  newId: () => string;
}

/**
 * `POST /chat` (start a chat and stream it) and `DELETE /chat/{process_id}` (stop one); mount at `/chat`.
 * The SSE event schemas, named only in the stream's description, are registered here too.
 */
export function chatRoutes(deps: ChatRoutesDeps): OpenAPIHono {
  const { logger } = deps;
  const app = new OpenAPIHono();
  app.openAPIRegistry.register("ChatErrorEvent", ChatErrorEventSchema);
  app.openAPIRegistry.register("ChatDoneEvent", ChatDoneEventSchema);
  // Auth per route, not `use("*")`: the watch routes share the `/chat` prefix and also take a watch token.
  // Room first: a full server answers 429 without reading (or parsing) the body.
  const room: MiddlewareHandler = async (_c, next) => {
    deps.slots.assertRoom();
    await next();
  };
  app.openapi(
    { ...startChatRoute, middleware: [deps.auth, room, jsonBody(deps.maxBodyBytes)] },
    async (c) => {
      const requestId = deps.newId();
      const { chat, watcher, watchToken } = await deps.startChat(c.req.valid("json"), { requestId });
      const fields = { process_id: chat.id, request_id: requestId };
      return sseResponse(watcher, {
        keepaliveMs: deps.keepaliveMs,
        clock: deps.clock,
        onClientGone: () => logger.info("client disconnected", fields),
        sendTimeoutMs: deps.sendTimeoutMs,
        onSendTimeout: () => {
          logger.warn("client cut off", { ...fields, error: "send_timeout" });
          deps.metrics.sendTimedOut();
        },
      }, {
        "X-Process-ID": chat.id,
        "X-Watch-Token": watchToken,
        ...(chat.sessionId ? { "X-Session-ID": chat.sessionId } : {}),
      });
    },
  );

  app.openapi({ ...cancelChatRoute, middleware: deps.auth }, (c) => {
    const cancelled = deps.cancelProcess(c.req.valid("param").process_id);
    logger.info("cancel requested", { process_id: cancelled.process_id });
    return c.json(cancelled, 200);
  });
  return app;
}
