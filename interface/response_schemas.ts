import { z } from "@hono/zod-openapi";
import type { CancelProcess } from "../application/cancel_process.ts";
import type { HealthReport } from "../application/health.ts";
import type { ProcessList, ProcessView } from "../application/list_processes.ts";
import type { ChatStateView } from "../application/watched_chats.ts";
import { type ChatDoneData, type ChatErrorData, END_REASONS, ERROR_REASONS } from "../domain/chat_event.ts";
import { PROCESS_STATUSES } from "../domain/managed_process.ts";
import { SANDBOX_MODES } from "../domain/sandbox_mode.ts";
import type { ErrorBody } from "./error_response.ts";
import { wireSchema } from "./wire_schema.ts";

const EXAMPLE_SESSION_ID = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";

/** Every error response: a stable code, a human message, and per-field details for validation errors. */
export const ErrorSchema = wireSchema<ErrorBody>()(
  z.object({
    error: z.object({
      code: z.string().openapi({ example: "validation_error" }),
      message: z.string().openapi({ example: 'cwd "relative/dir" must be an absolute path' }),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  }).openapi("Error"),
);

const sandboxMode = () =>
  z.enum(SANDBOX_MODES).openapi({
    description: "How each chat's CLI is confined: `bwrap` (a bubblewrap sandbox, `SANDBOX=bwrap`) or `off`.",
    example: "bwrap",
  });

const clusterHealth = () =>
  z.object({
    node_id: z.string().openapi({ description: "This node's id (`NODE_ID`).", example: "gw1:9876" }),
    redis: z.enum(["ok", "unreachable"]).openapi({
      description: "Whether this node reaches Redis now; while it does not, it starts no new chat.",
    }),
  }).optional().openapi({ description: "Only on a node of a cluster (`REDIS_URL` set)." });
const warmPool = () =>
  z.object({
    spares: z.number().int().openapi({
      description: "Spare CLIs started and waiting for a chat.",
      example: 1,
    }),
    max: z.number().int().openapi({ description: "The most spares kept (WARM_POOL_MAX).", example: 4 }),
    memory_estimate_bytes: z.number().int().openapi({
      description: "The spares' memory: their count × the measured RSS of one idle CLI.",
      example: 157286400,
    }),
    memory_bound_bytes: z.number().int().openapi({
      description: "WARM_POOL_MAX × the measured RSS of one idle CLI.",
      example: 629145600,
    }),
  }).optional().openapi({ description: "The warm pool (WARM_POOL); absent when it is off." });

/** `GET /health`. */
export const HealthSchema = wireSchema<HealthReport>()(
  z.union([
    z.object({
      status: z.literal("ok"),
      claude_path: z.string().openapi({ example: "/home/user/.local/bin/claude" }),
      claude_version: z.string().openapi({ example: "2.1.328 (Claude Code)" }),
      sandbox: sandboxMode(),
      cluster: clusterHealth(),
      warm_pool: warmPool(),
    }),
    z.object({
      status: z.literal("error"),
      claude_path: z.string().nullable(),
      error: z.string().openapi({ example: "Claude Code CLI not found on PATH or in the usual places" }),
      sandbox: sandboxMode(),
      cluster: clusterHealth(),
      warm_pool: warmPool(),
    }),
  ]).openapi("Health"),
);

const watchers = () =>
  z.number().int().openapi({ description: "Clients attached to the chat's stream now.", example: 1 });
const lastEventId = () =>
  z.number().int().openapi({
    description:
      "The id of the chat's newest event (0 before the first); resume after it with Last-Event-ID.",
    example: 42,
  });

/** One entry of `GET /processes`. */
export const ProcessSchema = wireSchema<ProcessView>()(
  z.object({
    process_id: z.uuid(),
    cwd: z.string().openapi({ example: "/home/user/project" }),
    model: z.string().nullable().openapi({ example: "sonnet" }),
    started_at: z.string().openapi({ example: "2024-01-01T12:00:00Z", description: "ISO 8601, UTC" }),
    session_id: z.string().nullable().openapi({ example: EXAMPLE_SESSION_ID }),
    status: z.enum(PROCESS_STATUSES),
    watchers: watchers(),
    last_event_id: lastEventId(),
    interactive: z.boolean().openapi({ description: "Takes follow-up messages.", example: false }),
    turn_running: z.boolean().openapi({ description: "The CLI works on a message now.", example: true }),
    pending_permissions: z.number().int().openapi({
      description: "Permission requests waiting for an answer (`GET /chat/{process_id}/permissions`).",
      example: 0,
    }),
    node: z.string().optional().openapi({
      description: "The node that runs the chat, when the gateway is one of a cluster (`REDIS_URL`).",
      example: "gw1:9876",
    }),
  }).openapi("Process"),
);

/** `GET /processes`. */
export const ProcessListSchema = wireSchema<ProcessList>()(
  z.object({
    processes: z.array(ProcessSchema),
    count: z.number().int(),
  }).openapi("ProcessList"),
);

/** `DELETE /chat/{process_id}`. */
export const CancelSchema = wireSchema<ReturnType<CancelProcess>>()(
  z.object({
    status: z.literal("cancelled"),
    process_id: z.uuid(),
  }).openapi("Cancelled"),
);

const processId = () => z.uuid().openapi({ description: "The chat's process id (as in `X-Process-ID`)." });
const signal = () =>
  z.string().nullable().openapi({ description: "The signal that ended the CLI, if any.", example: null });

/** Data of the SSE `error` event. */
export const ChatErrorEventSchema = wireSchema<ChatErrorData>()(
  z.object({
    process_id: processId(),
    exit_code: z.number().int().nullable().openapi({
      description: "The CLI's exit code; null when it was killed by a signal or never started.",
      example: 1,
    }),
    signal: signal(),
    stderr: z.string().openapi({
      description: "The tail of the CLI's stderr.",
      example: "fatal: something went wrong\n",
    }),
    message: z.string().openapi({
      description: "What went wrong, for humans.",
      example: "the CLI exited with code 1",
    }),
    reason: z.enum(ERROR_REASONS).optional().openapi({
      description:
        "Set when the gateway ended the chat itself: `max_run` (MAX_RUN_S), `idle` (IDLE_TIMEOUT_S), " +
        "`queue_timeout` (no slot within QUEUE_TIMEOUT_S), `start_failed` (the CLI could not be started).",
      example: "idle",
    }),
  }).openapi("ChatErrorEvent", {
    description: "`data` of the `error` event, sent before `done` when the chat did not end well.",
  }),
);

/** Data of the SSE `done` event. */
export const ChatDoneEventSchema = wireSchema<ChatDoneData>()(
  z.object({
    process_id: processId(),
    exit_code: z.number().int().nullable().openapi({ description: "The CLI's exit code.", example: 0 }),
    signal: signal(),
    cancelled: z.boolean().openapi({
      description: "True when the gateway stopped the chat (DELETE, client gone, shutdown, a time limit).",
      example: false,
    }),
    stop_reason: z.enum(END_REASONS).nullable().openapi({
      description: "Why the gateway stopped the chat; null when the CLI ended on its own.",
    }),
    session_id: z.string().nullable().openapi({
      description: "The CLI session (from its `init` line); pass it as `session_id` to continue.",
      example: EXAMPLE_SESSION_ID,
    }),
    duration_ms: z.number().int().openapi({ description: "Wall time of the chat.", example: 5321 }),
  }).openapi("ChatDoneEvent", { description: "`data` of the `done` event, the last event of every stream." }),
);

/** `GET /chat/{process_id}`. */
export const ChatStateSchema = wireSchema<ChatStateView>()(
  z.object({
    process_id: processId(),
    status: z.enum([...PROCESS_STATUSES, "finished"]).openapi({
      description: "`queued`, `running`, `stopping`, or `finished` once its `done` event is out.",
      example: "running",
    }),
    session_id: z.string().nullable().openapi({ example: EXAMPLE_SESSION_ID }),
    started_at: z.string().openapi({ example: "2024-01-01T12:00:00Z", description: "ISO 8601, UTC" }),
    last_event_id: lastEventId(),
    watchers: watchers(),
    done: ChatDoneEventSchema.nullable().openapi({
      description: "The `done` event's data once the chat has finished; null before.",
    }),
  }).openapi("ChatState"),
);
