import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  anthropicConversation,
  anthropicMessage,
  anthropicStream,
  MessagesRequestSchema,
} from "../doors/anthropic_wire.ts";
import { ANTHROPIC_CHAT_ERRORS } from "../doors/door_documented_errors.ts";
import { anthropicError, doorErrorHandler } from "../doors/door_errors.ts";
import { DOOR_REQUEST_HEADERS, DOOR_RESPONSE_HEADERS } from "../doors/door_headers.ts";
import { cliModel } from "../doors/door_models.ts";
import { type DoorRoutesDeps, serveDoor } from "../doors/serve_door.ts";
import { jsonBody } from "../json_body.ts";
import { validationHook } from "../validation_hook.ts";

const messagesRoute = createRoute({
  method: "post",
  path: "/messages",
  operationId: "anthropicMessages",
  tags: ["anthropic"],
  summary: "Anthropic-compatible Messages (stream or not)",
  description:
    "The Anthropic Messages API in front of Claude Code: the conversation's new user message runs " +
    "as an ordinary chat, continued as `POST /v1/chat/completions` does, and the answer comes as a `message` " +
    "or Anthropic's event stream. `system` extends Claude Code's system prompt; `tools` and `tool_choice` " +
    "are refused (400); `max_tokens`, `temperature` and the like are accepted and ignored.",
  request: {
    headers: DOOR_REQUEST_HEADERS,
    body: { required: true, content: { "application/json": { schema: MessagesRequestSchema } } },
  },
  responses: {
    200: {
      description: "A `message`, or with `stream: true` Anthropic's events from `message_start` to " +
        "`message_stop`.",
      headers: DOOR_RESPONSE_HEADERS,
      content: {
        "application/json": { schema: z.looseObject({ type: z.literal("message") }) },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...ANTHROPIC_CHAT_ERRORS,
  },
});

/** The Anthropic-compatible door: `POST /messages`; mount at `/v1`. Its errors come in Anthropic's shape. */
export function anthropicRoutes(deps: DoorRoutesDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(doorErrorHandler(anthropicError, {
    logger: deps.logger,
    onRefused: (status) => deps.doorMetrics.refused("anthropic", status),
  }));
  const room: MiddlewareHandler = async (_c, next) => {
    deps.slots.assertRoom();
    await next();
  };
  app.openapi(
    { ...messagesRoute, middleware: [deps.auth, room, jsonBody(deps.maxBodyBytes)] },
    async (c) => {
      const body = c.req.valid("json");
      const conversation = anthropicConversation(body);
      const model = cliModel(body.model);
      const identity = { id: `msg_${deps.newId().replaceAll("-", "")}`, model: body.model };
      return await serveDoor(c, deps, {
        door: "anthropic",
        input: { ...conversation, ...(model ? { model } : {}) },
        stream: body.stream ? anthropicStream(identity) : null,
        whole: (end) => anthropicMessage(identity, end),
        errors: anthropicError,
      });
    },
  );
  return app;
}
