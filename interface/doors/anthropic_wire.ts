import { z } from "@hono/zod-openapi";
import type { RunUsage } from "../../application/answer_assembler.ts";
import type { ConversationTurn } from "../../application/conversation_turns.ts";
import { anthropicError } from "./door_errors.ts";
import { unsupported } from "./door_models.ts";
import type { DoorRunEnd } from "./door_run.ts";
import type { StreamDialect } from "./door_stream.ts";

const Block = z.looseObject({ type: z.string().openapi({ example: "text" }), text: z.string().optional() });

/**
 * The body of `POST /v1/messages`: Anthropic's Messages request. `max_tokens`, `temperature`, `top_p`,
 * `top_k`, `stop_sequences`, `thinking`, `metadata` and unknown parameters are accepted and ignored.
 */
export const MessagesRequestSchema = z.looseObject({
  model: z.string().min(1).openapi({ example: "claude-code" }),
  messages: z.array(z.looseObject({
    role: z.enum(["user", "assistant"]),
    content: z.union([z.string(), z.array(Block)]),
  })).min(1),
  system: z.union([z.string(), z.array(Block)]).optional(),
  max_tokens: z.number().int().optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.unknown()).optional(),
  tool_choice: z.unknown().optional(),
}).openapi("MessagesRequest", {
  example: { model: "claude-code", max_tokens: 1024, messages: [{ role: "user", content: "Say hello" }] },
});

/** A parsed Messages request. */
export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

function blocksText(content: string | z.infer<typeof Block>[], param: string): string {
  if (typeof content === "string") return content;
  return content.map((block, index) => {
    if (block.type !== "text" || typeof block.text !== "string") {
      throw unsupported(`${param}[${index}].type`, `only text blocks are supported, not "${block.type}"`);
    }
    return block.text;
  }).join("\n");
}

/**
 * The conversation of a Messages request; client-side tools are refused, the last message must be the user's.
 * @throws {HttpError} 400 naming the parameter
 */
export function anthropicConversation(body: MessagesRequest): { turns: ConversationTurn[]; system?: string } {
  for (const param of ["tools", "tool_choice"] as const) {
    if (body[param] !== undefined && body[param] !== null) {
      throw unsupported(
        param,
        "client-side tools are not supported: Claude Code runs its own tools (see COMPAT_TOOL_TRACE)",
      );
    }
  }
  const turns = body.messages.map((message, index) => ({
    role: message.role,
    text: blocksText(message.content, `messages[${index}].content`),
  }));
  if (turns.at(-1)?.role !== "user") {
    throw unsupported(`messages[${turns.length - 1}].role`, "the last message must be the user's");
  }
  const system = body.system === undefined ? "" : blocksText(body.system, "system");
  return { turns, ...(system ? { system } : {}) };
}

const usageOf = (usage: RunUsage | null): RunUsage =>
  usage ?? { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

/** The stop reason the Messages API would give. */
const stopReason = (end: DoorRunEnd) => end.result?.stopReason ?? "end_turn";

/** What every message of one request shares. */
export interface MessageIdentity {
  id: string;
  model: string;
}

/** The `message` of a finished run: one text block, usage from the CLI's result line. */
export function anthropicMessage(identity: MessageIdentity, end: DoorRunEnd) {
  return {
    id: identity.id,
    type: "message",
    role: "assistant",
    model: identity.model,
    content: [{ type: "text", text: end.text }],
    stop_reason: stopReason(end),
    stop_sequence: null,
    usage: usageOf(end.result?.usage ?? null),
  };
}

const event = (name: string, data: Record<string, unknown>) =>
  `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;

/**
 * The Messages stream: `message_start`, one text block (`content_block_start`, a `content_block_delta` per
 * delta, `content_block_stop`), `message_delta` with the stop reason and the result line's usage,
 * `message_stop`. A failed run ends with an `error` event, which the Anthropic SDK raises.
 */
export function anthropicStream(identity: MessageIdentity): StreamDialect {
  return {
    head: () =>
      event("message_start", {
        message: {
          ...anthropicMessage(identity, { text: "", result: null, failure: null, done: null }),
          content: [],
          stop_reason: null,
        },
      }) + event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    text: (text) => event("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
    end: (end) => {
      if (end.failure !== null) {
        const { error } = anthropicError({
          status: 502,
          code: "cli_failed",
          message: end.failure,
          param: null,
        }) as {
          error: unknown;
        };
        return event("error", { error });
      }
      return event("content_block_stop", { index: 0 }) +
        event("message_delta", {
          delta: { stop_reason: stopReason(end), stop_sequence: null },
          usage: usageOf(end.result?.usage ?? null),
        }) + event("message_stop", {});
    },
  };
}
