import { z } from "@hono/zod-openapi";
import { anthropicError, type DoorProblem, type ErrorDialect, openAiError } from "./door_errors.ts";

const OpenAiErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
}).openapi("OpenAIError");

const AnthropicErrorSchema = z.object({
  type: z.literal("error"),
  error: z.object({ type: z.string(), message: z.string() }),
}).openapi("AnthropicError");

const RetryAfter = z.object({
  "Retry-After": z.string().openapi({ description: "Seconds to wait before retrying.", example: "15" }),
});

type Example = Omit<DoorProblem, "status" | "param"> & { param?: string };

/** One documented error status of a door: the dialect's shape, one example per gateway code. */
function documented(
  dialect: ErrorDialect,
  status: DoorProblem["status"],
  description: string,
  examples: Example[],
  options: { retryAfter?: boolean; keyOf: (body: unknown) => string },
) {
  const schema = dialect === openAiError ? OpenAiErrorSchema : AnthropicErrorSchema;
  const values = examples.map((example) => dialect({ status, param: null, ...example }));
  return {
    description,
    ...(options.retryAfter ? { headers: RetryAfter } : {}),
    content: {
      "application/json": {
        schema,
        examples: Object.fromEntries(values.map((value, i) => [options.keyOf(value), {
          summary: examples[i].code,
          value,
        }])),
      },
    },
  };
}

// deno-lint-ignore no-explicit-any
type Body = any;

/** The error statuses of the routes behind auth only, in one dialect. */
function protectedErrors(dialect: ErrorDialect, keyOf: (body: Body) => string) {
  const options = { keyOf };
  return {
    401: documented(
      dialect,
      401,
      "No valid credentials: an API key (`Authorization: Bearer`, `x-api-key`) " +
        "or Basic Auth.",
      [
        { code: "invalid_api_key", message: "invalid API key" },
        { code: "unauthorized", message: "Basic Auth credentials are required" },
      ],
      options,
    ),
    403: {
      description: "`forbidden_origin`: a browser sent this for a page of another origin (answered in the " +
        "gateway's own error shape, before any route).",
      content: {
        "application/json": {
          schema: z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
          examples: {
            forbidden_origin: {
              value: {
                error: {
                  code: "forbidden_origin",
                  message: 'requests from origin "https://elsewhere.example" are not allowed',
                },
              },
            },
          },
        },
      },
    },
    429: documented(dialect, 429, "Too many failed logins from this address; see `Retry-After`.", [
      { code: "too_many_auth_failures", message: "too many failed logins; retry in 60 s" },
    ], { ...options, retryAfter: true }),
    500: documented(dialect, 500, "An unexpected failure; details are in the server log.", [
      { code: "internal_error", message: "internal error; see the server log" },
    ], options),
  };
}

/** The 403 of a door's chat route: the policy's refusal in the dialect, or the origin guard's in the gateway's shape. */
function forbiddenErrors(
  dialect: ErrorDialect,
  origin: ReturnType<typeof protectedErrors>[403],
  options: { keyOf: (body: Body) => string },
) {
  const policy = documented(dialect, 403, "", [{
    code: "forbidden",
    param: "cwd",
    message: 'cwd "/etc" (real path "/etc") is outside the allowed roots: /home/user/projects',
  }], options).content["application/json"];
  const guard = origin.content["application/json"];
  return {
    description:
      "`forbidden`: `X-Claude-Cwd` (or the session's directory) is outside the allowed roots; or " +
      origin.description,
    content: {
      "application/json": {
        schema: z.union([policy.schema, guard.schema]),
        examples: { ...policy.examples, ...guard.examples },
      },
    },
  };
}

/** The error statuses of a door's chat route, in one dialect. */
function chatErrors(dialect: ErrorDialect, keyOf: (body: Body) => string) {
  const options = { keyOf };
  const base = protectedErrors(dialect, keyOf);
  return {
    ...base,
    400: documented(
      dialect,
      400,
      "A parameter the CLI cannot honour (`tools`, `n` > 1, …), an invalid " +
        "body or header; the message (and OpenAI's `param`) names it.",
      [{
        code: "invalid_json",
        message: "request body is not valid JSON: Unexpected end of JSON input",
      }, {
        code: "validation_error",
        param: "messages",
        message: 'messages "hi": Invalid input: expected array, received string',
      }, {
        code: "invalid_header",
        param: "X-Claude-Cwd",
        message: 'X-Claude-Cwd: "src" is not an absolute path',
      }, {
        code: "unsupported_parameter",
        param: "tools",
        message: "tools: client-side function calling is not supported: Claude Code runs its own tools " +
          "(see COMPAT_TOOL_TRACE)",
      }],
      options,
    ),
    403: forbiddenErrors(dialect, base[403], options),
    404: documented(
      dialect,
      404,
      "`model_not_found`: the model is none of `GET /v1/models` nor a Claude id.",
      [{
        code: "model_not_found",
        param: "model",
        message:
          'model "gpt-4o" does not exist here; use claude-code, sonnet, opus, haiku or a Claude model id',
      }],
      options,
    ),
    409: documented(dialect, 409, "`session_busy`: another running chat writes this session.", [{
      code: "session_busy",
      message: 'session "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f" is in use by running process "…"',
    }], options),
    413: documented(dialect, 413, "The body is larger than MAX_BODY_BYTES.", [
      { code: "payload_too_large", message: "request body is larger than 10485760 bytes" },
    ], options),
    415: documented(dialect, 415, "The body is not sent as `application/json`.", [{
      code: "unsupported_media_type",
      message: 'Content-Type "text/plain" is not supported; send application/json',
    }], options),
    429: documented(
      dialect,
      429,
      "`capacity_exhausted`: every chat slot and queue place is taken (or too " +
        "many failed logins); see `Retry-After`.",
      [
        {
          code: "capacity_exhausted",
          message: "all 16 chat slots are busy and the queue is full (64 waiting)",
        },
      ],
      { ...options, retryAfter: true },
    ),
    502: documented(
      dialect,
      502,
      "`cli_failed`: the Claude Code CLI run failed (the answer carries " +
        "`x-should-retry: false`).",
      [{ code: "cli_failed", message: "API Error: 500 …" }],
      options,
    ),
    503: documented(dialect, 503, "`cli_unavailable`: the Claude Code CLI cannot be found or started.", [{
      code: "cli_unavailable",
      message: 'cannot start the Claude Code CLI "/usr/local/bin/claude": No such file or directory',
    }], options),
  };
}

const openAiKey = (body: Body) => body.error.code;
const anthropicKey = (body: Body) => body.error.type;

/** The errors of `GET /v1/models`. */
export const OPENAI_PROTECTED_ERRORS = protectedErrors(openAiError, openAiKey);
/** The errors of `POST /v1/chat/completions`. */
export const OPENAI_CHAT_ERRORS = chatErrors(openAiError, openAiKey);
/** The errors of `POST /v1/messages`. */
export const ANTHROPIC_CHAT_ERRORS = chatErrors(anthropicError, anthropicKey);
