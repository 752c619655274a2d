import { z } from "@hono/zod-openapi";
import {
  PERMISSION_OUTCOMES,
  PERMISSION_RESOLVERS,
  type PermissionRequestData,
  type PermissionResolvedData,
} from "../domain/chat_event.ts";
import { PERMISSION_MODES } from "../domain/chat_request.ts";
import { ImagesSchema } from "./image_schema.ts";
import { wireSchema } from "./wire_schema.ts";

const requestId = () =>
  z.string().openapi({
    description: "The CLI's id of the request.",
    example: "3ea58a60-10a6-4ebf-99ea-d00117f41bef",
  });

/** Data of the SSE `permission_request` event, and each item of `GET /chat/{process_id}/permissions`. */
export const PermissionRequestSchema = wireSchema<PermissionRequestData>()(
  z.object({
    request_id: requestId(),
    tool_name: z.string().openapi({ example: "Write" }),
    tool_use_id: z.string().nullable().openapi({ example: "toolu_01" }),
    input: z.record(z.string(), z.unknown()).openapi({
      description: "The tool's input as the model gave it.",
      example: { file_path: "/home/user/project/out.txt", content: "hello" },
    }),
    description: z.string().nullable().openapi({ example: "out.txt" }),
    blocked_path: z.string().nullable().openapi({ example: null }),
    decision_reason: z.string().nullable().openapi({ example: null }),
    suggestions: z.array(z.unknown()).openapi({
      description: 'What the CLI suggests for "allow from now on"; `remember: "chat"` applies them to ' +
        "this chat only.",
      example: [{ type: "setMode", mode: "acceptEdits", destination: "session" }],
    }),
    requires_user_interaction: z.boolean().openapi({
      description: "True for tools that need a person's answer (AskUserQuestion, ExitPlanMode): answer " +
        "with `updated_input` (for AskUserQuestion, the input plus `answers`: question → chosen label).",
      example: false,
    }),
    expires_at: z.string().openapi({
      description: "When the gateway denies it unanswered (PERMISSION_TIMEOUT_S), ISO 8601.",
      example: "2026-12-08T12:05:00.000Z",
    }),
  }).openapi("PermissionRequest"),
);

/** Data of the SSE `permission_resolved` event. */
export const PermissionResolvedSchema = wireSchema<PermissionResolvedData>()(
  z.object({
    request_id: requestId(),
    outcome: z.enum(PERMISSION_OUTCOMES),
    by: z.enum(PERMISSION_RESOLVERS).openapi({
      description: "`client`: answered; `timeout`: PERMISSION_TIMEOUT_S ran out (denied); `cli`: the CLI " +
        "withdrew it (an interrupt); `chat_end`: the chat ended first.",
    }),
    message: z.string().nullable().openapi({ description: "The deny message the CLI got.", example: null }),
  }).openapi("PermissionResolved"),
);

/** Body of `POST /chat/{process_id}/messages`. */
export const FollowUpSchema = z.strictObject({
  prompt: z.string().refine((value) => value.trim() !== "", "must not be empty").openapi({
    example: "Also update the tests.",
  }),
  images: ImagesSchema.optional(),
  priority: z.literal("now").optional().openapi({
    description: "`now`: abort the running turn and answer this message at once (else it queues; the CLI " +
      "may merge queued messages into one turn).",
    example: "now",
  }),
}).openapi("FollowUp");

/** Answer of `POST /chat/{process_id}/messages`. */
export const MessageAcceptedSchema = z.object({
  process_id: z.uuid(),
  message_id: z.uuid().openapi({ description: "The `command_uuid` of the CLI's `command_lifecycle` lines." }),
}).openapi("MessageAccepted");

/** Body of `POST /chat/{process_id}/interrupt` (optional). */
export const InterruptSchema = z.strictObject({
  cancel_queued: z.boolean().optional().openapi({
    description: "Also drop the messages waiting for their turn (else they run next).",
    example: false,
  }),
}).openapi("Interrupt");

/** Answer of `POST /chat/{process_id}/interrupt`. */
export const InterruptedSchema = z.object({
  process_id: z.uuid(),
  still_queued: z.array(z.string()).openapi({ description: "Ids of messages that still run.", example: [] }),
  cancelled: z.array(z.string()).openapi({ description: "Ids of messages dropped.", example: [] }),
}).openapi("Interrupted");

/** Body of `POST /chat/{process_id}/permissions/{request_id}`. */
export const PermissionAnswerSchema = z.strictObject({
  behavior: z.enum(["allow", "deny"]),
  updated_input: z.record(z.string(), z.unknown()).optional().openapi({
    description: "Allow only: the input the tool runs with instead (an edit, or a person's answers).",
    example: { file_path: "/home/user/project/out.txt", content: "edited by the client" },
  }),
  message: z.string().min(1).optional().openapi({
    description: "Deny only: what the model is told.",
    example: "Not in this directory.",
  }),
  interrupt: z.boolean().optional().openapi({ description: "Deny only: also end the turn.", example: false }),
  remember: z.literal("chat").optional().openapi({
    description: "Allow only: allow such calls for the rest of this chat (never written to a settings " +
      "file; a permission mode outside ALLOWED_PERMISSION_MODES is never applied).",
    example: "chat",
  }),
}).superRefine((answer, ctx) => {
  const allowOnly = ["updated_input", "remember"] as const;
  const denyOnly = ["message", "interrupt"] as const;
  for (const field of answer.behavior === "allow" ? denyOnly : allowOnly) {
    if (answer[field] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `does not go with behavior "${answer.behavior}"`,
      });
    }
  }
}).openapi("PermissionAnswer");

/** Answer of `POST /chat/{process_id}/permissions/{request_id}`. */
export const PermissionAnsweredSchema = z.object({
  process_id: z.uuid(),
  request_id: requestId(),
  behavior: z.enum(["allow", "deny"]),
}).openapi("PermissionAnswered");

/** Answer of `GET /chat/{process_id}/permissions`. */
export const PermissionListSchema = z.object({
  process_id: z.uuid(),
  permissions: z.array(PermissionRequestSchema),
}).openapi("PermissionList");

/** Body and answer of `PATCH /chat/{process_id}`. */
export const ChatSettingsSchema = z.strictObject({
  permission_mode: z.enum(PERMISSION_MODES).optional().openapi({ example: "plan" }),
  model: z.string().trim().min(1).optional().openapi({ example: "sonnet" }),
}).refine((settings) => settings.permission_mode !== undefined || settings.model !== undefined, {
  message: "give permission_mode, model or both",
}).openapi("ChatSettings");
