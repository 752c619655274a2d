import { z } from "@hono/zod-openapi";
import type { ConversationTurn } from "../../application/conversation_turns.ts";
import { unsupported } from "./door_models.ts";

const TextPart = z.looseObject({
  type: z.string().openapi({ example: "text" }),
  text: z.string().optional(),
});

const Message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(TextPart)]).nullable().optional(),
  name: z.string().optional(),
}).openapi("OpenAIChatMessage");

/**
 * The body of `POST /v1/chat/completions`: OpenAI's Chat Completions request. Unknown parameters are accepted
 * and ignored, as are the sampling ones (`temperature`, `top_p`, `max_tokens`, …): the CLI has no such options.
 */
export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).openapi({ example: "claude-code" }),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  n: z.number().int().min(1).nullable().optional(),
  tools: z.array(z.unknown()).nullable().optional(),
  functions: z.array(z.unknown()).nullable().optional(),
  tool_choice: z.unknown().optional(),
  function_call: z.unknown().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().nullable().optional(),
  audio: z.unknown().optional(),
  modalities: z.array(z.string()).nullable().optional(),
}).openapi("ChatCompletionRequest", {
  example: { model: "claude-code", messages: [{ role: "user", content: "Say hello" }], stream: true },
});

/** A parsed Chat Completions request. */
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/**
 * Refuses what the CLI cannot honour: client-side function calling, several choices, log probabilities and
 * audio. (Claude Code runs its own tools; they are never handed to the client to execute.)
 * @throws {HttpError} 400 naming the parameter
 */
export function refuseUnsupported(body: ChatCompletionRequest): void {
  const given = (value: unknown) => value !== undefined && value !== null;
  for (const param of ["tools", "functions", "tool_choice", "function_call"] as const) {
    if (given(body[param])) {
      throw unsupported(
        param,
        "client-side function calling is not supported: Claude Code runs its own tools (see COMPAT_TOOL_TRACE)",
      );
    }
  }
  if ((body.n ?? 1) > 1) throw unsupported("n", `only one choice per request (n=${body.n})`);
  if (body.logprobs === true || given(body.top_logprobs)) {
    throw unsupported(
      body.logprobs === true ? "logprobs" : "top_logprobs",
      "log probabilities are not available",
    );
  }
  if (given(body.audio) || body.modalities?.includes("audio")) {
    throw unsupported(given(body.audio) ? "audio" : "modalities", "audio is not supported");
  }
}

/** A message's text; only text parts are supported. */
function messageText(message: z.infer<typeof Message>, index: number): string {
  const content = message.content;
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part, partIndex) => {
    if (part.type !== "text" || typeof part.text !== "string") {
      throw unsupported(
        `messages[${index}].content[${partIndex}].type`,
        `only text parts are supported, not "${part.type}"`,
      );
    }
    return part.text;
  }).join("\n");
}

/**
 * The conversation of a request: system and developer messages as the system prompt's extension, user and
 * assistant messages as turns; the last message must be the user's.
 * @throws {HttpError} 400 naming the message at fault
 */
export function openAiConversation(
  messages: ChatCompletionRequest["messages"],
): { turns: ConversationTurn[]; system?: string } {
  const system: string[] = [];
  const turns: ConversationTurn[] = [];
  messages.forEach((message, index) => {
    const text = messageText(message, index);
    if (message.role === "system" || message.role === "developer") system.push(text);
    else if (message.role === "user" || message.role === "assistant") {
      turns.push({ role: message.role, text });
    } else {
      throw unsupported(
        `messages[${index}].role`,
        `"${message.role}" messages answer client-side function calls, which are not supported`,
      );
    }
  });
  if (messages.at(-1)?.role !== "user") {
    throw unsupported(`messages[${messages.length - 1}].role`, "the last message must be the user's");
  }
  return { turns, ...(system.length > 0 ? { system: system.join("\n\n") } : {}) };
}
