import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { ChatEvent } from "../domain/chat_event.ts";
import { Metrics } from "../application/metrics.ts";
import { errorBody, type FieldProblem } from "./error_response.ts";
import { renderMetrics } from "./metrics_text.ts";
import { CancelSchema, ChatRequestSchema, ErrorSchema, HealthSchema, ProcessListSchema } from "./schemas.ts";
import { encodeEvents } from "./sse_frame.ts";

/** The name of the Basic Auth security scheme in the document. */
export const SECURITY_SCHEME = "basicAuth";

/** Data of the SSE `error` event (`ChatErrorData`; the docs test checks the two agree). */
export const ChatErrorEventSchema = z.object({
  process_id: z.uuid().openapi({ description: "The chat's process id (as in `X-Process-ID`)." }),
  exit_code: z.number().int().nullable().openapi({
    description: "The CLI's exit code; null when it was killed by a signal or never started.",
    example: 1,
  }),
  signal: z.string().nullable().openapi({
    description: "The signal that ended the CLI, if any.",
    example: null,
  }),
  stderr: z.string().openapi({
    description: "The tail of the CLI's stderr.",
    example: "fatal: something went wrong\n",
  }),
  message: z.string().openapi({
    description: "What went wrong, for humans.",
    example: "the CLI exited with code 1",
  }),
  reason: z.enum(["max_run", "idle", "queue_timeout", "start_failed"]).optional().openapi({
    description:
      "Set when the gateway ended the chat itself: `max_run` (MAX_RUN_S), `idle` (IDLE_TIMEOUT_S), " +
      "`queue_timeout` (no slot within QUEUE_TIMEOUT_S), `start_failed` (the CLI could not be started).",
    example: "idle",
  }),
}).openapi("ChatErrorEvent", {
  description: "`data` of the `error` event, sent before `done` when the chat did not end well.",
});

/** Data of the SSE `done` event (`ChatDoneData`; the docs test checks the two agree). */
export const ChatDoneEventSchema = z.object({
  process_id: z.uuid().openapi({ description: "The chat's process id (as in `X-Process-ID`)." }),
  exit_code: z.number().int().nullable().openapi({ description: "The CLI's exit code.", example: 0 }),
  signal: z.string().nullable().openapi({
    description: "The signal that ended the CLI, if any.",
    example: null,
  }),
  cancelled: z.boolean().openapi({
    description: "True when the gateway stopped the chat (DELETE, client gone, shutdown, a time limit).",
    example: false,
  }),
  stop_reason: z.enum([
    "cancelled",
    "disconnected",
    "shutdown",
    "max_run",
    "idle",
    "queue_timeout",
    "start_failed",
  ])
    .nullable().openapi({
      description: "Why the gateway stopped the chat; null when the CLI ended on its own.",
    }),
  session_id: z.string().nullable().openapi({
    description: "The CLI session (from its `init` line); pass it as `session_id` to continue.",
    example: "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11",
  }),
  duration_ms: z.number().int().openapi({ description: "Wall time of the chat.", example: 5321 }),
}).openapi("ChatDoneEvent", { description: "`data` of the `done` event, the last event of every stream." });

const ProcessIdParams = z.object({
  process_id: z.uuid().openapi({
    param: { name: "process_id", in: "path" },
    description: "The id from the `X-Process-ID` header of `POST /chat` (or from `GET /processes`).",
    example: "3f0c2a52-8d0e-4c49-a7f4-5b1b3c1d9e20",
  }),
});

const RetryAfterHeader = z.object({
  "Retry-After": z.string().openapi({ description: "Seconds to wait before retrying.", example: "15" }),
});

const EXAMPLE_PROCESS_ID = "3f0c2a52-8d0e-4c49-a7f4-5b1b3c1d9e20";
const EXAMPLE_SESSION_ID = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
const FORBIDDEN_MESSAGE = 'cwd "/etc" (real path "/etc") is outside the allowed roots: /home/user/projects';

interface ErrorExample {
  code: string;
  message: string;
  details?: FieldProblem[];
  summary?: string;
}

/** An error response: the one JSON error shape, with one named example per error code. */
function errorResponse(description: string, examples: ErrorExample[], withRetryAfter = false) {
  return {
    description,
    ...(withRetryAfter ? { headers: RetryAfterHeader } : {}),
    content: {
      "application/json": {
        schema: ErrorSchema,
        examples: Object.fromEntries(examples.map((example) => [example.code, {
          summary: example.summary ?? example.code,
          value: errorBody(example.code, example.message, example.details),
        }])),
      },
    },
  };
}

const UNAUTHORIZED = errorResponse(
  "`unauthorized`: Basic Auth credentials are missing or wrong (with `WWW-Authenticate: Basic`).",
  [{ code: "unauthorized", message: "Basic Auth credentials are required" }],
);
const TOO_MANY_AUTH_FAILURES: ErrorExample = {
  code: "too_many_auth_failures",
  message: "too many failed logins; retry in 60 s",
  summary: "too many failed logins from this address (AUTH_MAX_FAILURES in AUTH_FAILURE_WINDOW_S)",
};
const THROTTLED = errorResponse(
  "`too_many_auth_failures`: this address failed to log in too often; see `Retry-After`.",
  [TOO_MANY_AUTH_FAILURES],
  true,
);
const INTERNAL = errorResponse("`internal_error`: an unexpected failure; details are in the server log.", [
  { code: "internal_error", message: "internal error; see the server log" },
]);

function sseExample(): string {
  const encoder = new TextEncoder();
  const events: ChatEvent[] = [
    {
      type: "message",
      line: encoder.encode(
        `{"type":"system","subtype":"init","session_id":"${EXAMPLE_SESSION_ID}","cwd":"/home/user/projects/myapp"}`,
      ),
    },
    {
      type: "message",
      line: encoder.encode('{"type":"assistant","message":{"content":[{"type":"text","text":"Done."}]}}'),
    },
    {
      type: "message",
      line: encoder.encode(`{"type":"result","subtype":"success","session_id":"${EXAMPLE_SESSION_ID}"}`),
    },
    {
      type: "done",
      data: {
        process_id: EXAMPLE_PROCESS_ID,
        exit_code: 0,
        signal: null,
        cancelled: false,
        stop_reason: null,
        session_id: EXAMPLE_SESSION_ID,
        duration_ms: 5321,
      },
    },
  ];
  const [first, ...rest] = events;
  return new TextDecoder().decode(encodeEvents([first])) + ": keepalive\n\n" +
    new TextDecoder().decode(encodeEvents(rest));
}

function sseErrorExample(): string {
  const encoder = new TextEncoder();
  return new TextDecoder().decode(encodeEvents([
    {
      type: "message",
      line: encoder.encode(`{"type":"system","subtype":"init","session_id":"${EXAMPLE_SESSION_ID}"}`),
    },
    {
      type: "error",
      data: {
        process_id: EXAMPLE_PROCESS_ID,
        exit_code: 1,
        signal: null,
        stderr: "fatal: something went wrong\n",
        message: "the CLI exited with code 1",
      },
    },
    {
      type: "done",
      data: {
        process_id: EXAMPLE_PROCESS_ID,
        exit_code: 1,
        signal: null,
        cancelled: false,
        stop_reason: null,
        session_id: EXAMPLE_SESSION_ID,
        duration_ms: 812,
      },
    },
  ]));
}

const SSE_DESCRIPTION = [
  "The CLI's output as Server-Sent Events, streamed while it runs. The stream ends after `done`.",
  "",
  "| event | `data` |",
  "|---|---|",
  "| `message` | One line of the CLI's stdout (`--output-format stream-json`), verbatim: the gateway neither " +
  'parses nor changes it. The first is usually `{"type":"system","subtype":"init","session_id":...}`, ' +
  'the last `{"type":"result",...}`. |',
  "| `error` | JSON, schema `ChatErrorEvent`: `{process_id, exit_code, signal, " +
  "stderr, message, reason?}`, sent before `done` when the CLI failed, could not start, or a time limit " +
  "stopped it. |",
  "| `done` | JSON, schema `ChatDoneEvent`: `{process_id, exit_code, signal, " +
  "cancelled, stop_reason, session_id, duration_ms}`; always the last event. |",
  "",
  "After KEEPALIVE_S seconds of silence the gateway sends a comment line `: keepalive` so proxies keep the " +
  "connection open; SSE clients ignore it. A carriage return inside a CLI line starts a new `data:` line " +
  "(clients join them with `\\n`).",
  "",
  "Closing the connection stops the CLI (SIGINT, then SIGTERM, then SIGKILL).",
].join("\n");

const chatRoute = createRoute({
  method: "post",
  path: "/chat",
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
      description:
        "What to run and how. `session_id` and `continue` exclude each other; `fork_session` needs one " +
        "of them. Unknown fields are rejected (422).",
      content: { "application/json": { schema: ChatRequestSchema } },
    },
  },
  responses: {
    200: {
      description: "The CLI's output as an SSE stream.",
      headers: z.object({
        "X-Process-ID": z.uuid().openapi({
          description: "The chat's id, for `DELETE /chat/{process_id}` and `GET /processes`.",
          example: EXAMPLE_PROCESS_ID,
        }),
      }),
      content: {
        "text/event-stream": {
          schema: z.string().openapi({ description: SSE_DESCRIPTION }),
          examples: {
            success: { summary: "A chat that succeeded", value: sseExample() },
            failure: { summary: "A CLI that exited with an error", value: sseErrorExample() },
          },
        },
      },
    },
    400: errorResponse("`invalid_json`: the body is not a JSON object.", [
      { code: "invalid_json", message: "request body is not valid JSON: Unexpected end of JSON input" },
    ]),
    401: UNAUTHORIZED,
    403: errorResponse("`forbidden`: a path or permission mode is outside what the operator allows.", [
      {
        code: "forbidden",
        message: FORBIDDEN_MESSAGE,
        details: [{ field: "cwd", message: FORBIDDEN_MESSAGE }],
      },
    ]),
    409: errorResponse("`session_busy`: another running chat is writing to this `session_id`.", [
      {
        code: "session_busy",
        message: `session "${EXAMPLE_SESSION_ID}" is in use by running process "${EXAMPLE_PROCESS_ID}"`,
      },
    ]),
    413: errorResponse("`payload_too_large`: the body is larger than MAX_BODY_BYTES.", [
      { code: "payload_too_large", message: "request body is larger than 1048576 bytes" },
    ]),
    422: errorResponse("`validation_error`: one or more fields are invalid; `details` names each.", [{
      code: "validation_error",
      message: 'cwd "relative/dir": must be an absolute path; unknown field "promt"',
      details: [
        { field: "cwd", message: 'cwd "relative/dir": must be an absolute path' },
        { field: "promt", message: 'unknown field "promt"' },
      ],
    }]),
    429: errorResponse(
      "`capacity_exhausted`: every slot and queue place is taken; or `too_many_auth_failures`. See `Retry-After`.",
      [
        {
          code: "capacity_exhausted",
          message: "all 4 chat slots are busy and the queue is full (16 waiting)",
        },
        TOO_MANY_AUTH_FAILURES,
      ],
      true,
    ),
    500: INTERNAL,
    503: errorResponse("`cli_unavailable`: the Claude Code CLI cannot be found or started.", [
      {
        code: "cli_unavailable",
        message: 'cannot start the Claude Code CLI "/usr/local/bin/claude": No such file or directory',
      },
    ]),
  },
});

const cancelRoute = createRoute({
  method: "delete",
  path: "/chat/{process_id}",
  operationId: "cancelChat",
  tags: ["chat"],
  summary: "Stop a running chat",
  description: "Interrupts the chat's CLI (SIGINT, then SIGTERM after CANCEL_GRACE_S, then SIGKILL after " +
    'KILL_AFTER_S). Its stream then ends with `done` (`cancelled: true`, `stop_reason: "cancelled"`).',
  request: { params: ProcessIdParams },
  responses: {
    200: {
      description: "The chat is being stopped.",
      content: { "application/json": { schema: CancelSchema } },
    },
    401: UNAUTHORIZED,
    404: errorResponse("`process_not_found`: no running chat has this id.", [
      { code: "process_not_found", message: `process "${EXAMPLE_PROCESS_ID}" is not running` },
    ]),
    429: THROTTLED,
    500: INTERNAL,
  },
});

const processesRoute = createRoute({
  method: "get",
  path: "/processes",
  operationId: "listProcesses",
  tags: ["chat"],
  summary: "List running and queued chats",
  responses: {
    200: {
      description: "Every chat the gateway is running or has queued.",
      content: { "application/json": { schema: ProcessListSchema } },
    },
    401: UNAUTHORIZED,
    429: THROTTLED,
    500: INTERNAL,
  },
});

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["service"],
  summary: "Is the Claude Code CLI available",
  description: "Open to everyone (no auth). Reports the CLI's path and `claude --version`.",
  security: [],
  responses: {
    200: {
      description: "The CLI is there and runs.",
      content: { "application/json": { schema: HealthSchema } },
    },
    503: {
      description: "The CLI is missing or does not run.",
      content: {
        "application/json": {
          schema: HealthSchema,
          example: {
            status: "error",
            claude_path: null,
            error: "Claude Code CLI not found on PATH or in the usual places",
          },
        },
      },
    },
  },
});

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  tags: ["service"],
  summary: "Prometheus metrics",
  description: "Counters and gauges of the gateway's chats in the Prometheus text exposition format 0.0.4.",
  responses: {
    200: {
      description: "The metrics.",
      content: {
        "text/plain; version=0.0.4": {
          schema: z.string(),
          example: renderMetrics(
            new Metrics(),
            { running: 0, queued: 0 },
          ),
        },
      },
    },
    401: UNAUTHORIZED,
    429: THROTTLED,
    500: INTERNAL,
  },
});

/** Every documented operation. */
export const OPENAPI_ROUTES = [healthRoute, chatRoute, cancelRoute, processesRoute, metricsRoute];

/**
 * Adds the security scheme, the SSE event schemas and every operation to the app's OpenAPI registry. The
 * routes themselves are served by `createApp`; this only describes them.
 * @param app the app whose `openAPIRegistry` receives the definitions
 */
export function registerOpenApiRoutes(app: OpenAPIHono): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", SECURITY_SCHEME, {
    type: "http",
    scheme: "basic",
    description: "AUTH_USER and AUTH_PASSWORD. Every endpoint but `/health` needs it.",
  });
  registry.register("ChatErrorEvent", ChatErrorEventSchema);
  registry.register("ChatDoneEvent", ChatDoneEventSchema);
  for (const route of OPENAPI_ROUTES) registry.registerPath(route);
}

/** The document's top level: info, the default security requirement and tags. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "claudecode2api",
    version: "1.0.0",
    description: "An HTTP gateway to the Claude Code CLI: `POST /chat` runs `claude -p` and streams its " +
      "stream-json output as Server-Sent Events, verbatim. Every endpoint except `/health` needs Basic Auth.",
    license: { name: "MIT", identifier: "MIT" },
  },
  security: [{ [SECURITY_SCHEME]: [] }],
  tags: [
    { name: "chat", description: "Running and stopping Claude Code chats." },
    { name: "service", description: "Health and metrics." },
  ],
};
