import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { doorErrorHandler, openAiError } from "../doors/door_errors.ts";
import { OPENAI_CHAT_ERRORS, OPENAI_PROTECTED_ERRORS } from "../doors/door_documented_errors.ts";
import { cliModel } from "../doors/door_models.ts";
import { DOOR_REQUEST_HEADERS, DOOR_RESPONSE_HEADERS } from "../doors/door_headers.ts";
import {
  ChatCompletionRequestSchema,
  openAiConversation,
  refuseUnsupported,
} from "../doors/openai_request.ts";
import { chatCompletion, openAiStream } from "../doors/openai_wire.ts";
import { type DoorRoutesDeps, serveDoor } from "../doors/serve_door.ts";
import { jsonBody } from "../json_body.ts";
import { validationHook } from "../validation_hook.ts";

const chatCompletionsRoute = createRoute({
  method: "post",
  path: "/chat/completions",
  operationId: "openaiChatCompletions",
  tags: ["openai"],
  summary: "OpenAI-compatible chat completion (stream or not)",
  description:
    "Runs the conversation's new user message as an ordinary chat (it shows in `GET /processes`, " +
    "counts against MAX_CONCURRENT, follows the policy and the sandbox) and answers in OpenAI's shapes. " +
    "`system`/`developer` messages extend Claude Code's system prompt. A history the gateway remembers " +
    "resumes its CLI session with only the new message; an unknown one starts a new session with the " +
    "earlier turns as a transcript. `tools`, `functions`, `tool_choice`, `n` > 1, `logprobs` and audio are " +
    "refused (400); `temperature`, `top_p`, `max_tokens` and the like are accepted and ignored.",
  request: {
    headers: DOOR_REQUEST_HEADERS,
    body: { required: true, content: { "application/json": { schema: ChatCompletionRequestSchema } } },
  },
  responses: {
    200: {
      description:
        "A `chat.completion`, or with `stream: true` a stream of `chat.completion.chunk`s ending " +
        "with `data: [DONE]`.",
      headers: DOOR_RESPONSE_HEADERS,
      content: {
        "application/json": { schema: z.looseObject({ object: z.literal("chat.completion") }) },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...OPENAI_CHAT_ERRORS,
  },
});

const modelsRoute = createRoute({
  method: "get",
  path: "/models",
  operationId: "openaiModels",
  tags: ["openai"],
  summary: "The models the compatible doors accept",
  description: "`claude-code` (the server's default model), the CLI's aliases `sonnet`, `opus`, `haiku`; " +
    "any full Claude model id (`claude-…`) is accepted too.",
  responses: {
    200: {
      description: "OpenAI's model list.",
      content: {
        "application/json": {
          schema: z.object({
            object: z.literal("list"),
            data: z.array(z.object({
              id: z.string(),
              object: z.literal("model"),
              created: z.number(),
              owned_by: z.string(),
            })),
          }),
        },
      },
    },
    ...OPENAI_PROTECTED_ERRORS,
  },
});

/**
 * The OpenAI-compatible door: `POST /chat/completions` and `GET /models`; mount at `/v1`. Its errors,
 * auth and capacity included, come in OpenAI's shape.
 */
export function openAiRoutes(deps: DoorRoutesDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(doorErrorHandler(openAiError, {
    logger: deps.logger,
    onRefused: (status) => deps.doorMetrics.refused("openai", status),
  }));
  const room: MiddlewareHandler = async (_c, next) => {
    deps.slots.assertRoom();
    await next();
  };
  app.openapi(
    { ...chatCompletionsRoute, middleware: [deps.auth, room, jsonBody(deps.maxBodyBytes)] },
    async (c) => {
      const body = c.req.valid("json");
      refuseUnsupported(body);
      const model = cliModel(body.model);
      const conversation = openAiConversation(body.messages);
      const identity = {
        id: `chatcmpl-${deps.newId().replaceAll("-", "")}`,
        created: Math.floor(deps.clock.now() / 1000),
        model: body.model,
      };
      return await serveDoor(c, deps, {
        door: "openai",
        input: { ...conversation, ...(model ? { model } : {}) },
        stream: body.stream ? openAiStream(identity, body.stream_options?.include_usage === true) : null,
        whole: (end) => chatCompletion(identity, end),
        errors: openAiError,
      });
    },
  );
  app.openapi({ ...modelsRoute, middleware: deps.auth }, (c) =>
    c.json({
      object: "list" as const,
      data: deps.models.map((id) => ({
        id,
        object: "model" as const,
        created: 0,
        owned_by: "claudecode2api",
      })),
    }, 200));
  return app;
}
