import type { RunUsage } from "../../application/answer_assembler.ts";
import { openAiError } from "./door_errors.ts";
import type { DoorRunEnd } from "./door_run.ts";
import type { StreamDialect } from "./door_stream.ts";

/** OpenAI's `usage`, from the CLI's result line: every input token (cached or not) is a prompt token. */
export function openAiUsage(usage: RunUsage | null) {
  const input = usage
    ? usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    : 0;
  const output = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: usage?.cache_read_input_tokens ?? 0 },
  };
}

/** OpenAI's finish reason for the CLI's stop reason. */
export function finishReason(stopReason: string | null | undefined): "stop" | "length" {
  return stopReason === "max_tokens" ? "length" : "stop";
}

/** What every completion of one request shares. */
export interface CompletionIdentity {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

/** The `chat.completion` of a finished run. */
export function chatCompletion(identity: CompletionIdentity, end: DoorRunEnd) {
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{
      index: 0,
      message: { role: "assistant", content: end.text, refusal: null },
      logprobs: null,
      finish_reason: finishReason(end.result?.stopReason),
    }],
    usage: openAiUsage(end.result?.usage ?? null),
  };
}

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

/**
 * The Chat Completions stream: `chat.completion.chunk`s (the role, then a chunk per text delta), a last chunk
 * with `finish_reason`, a usage chunk when `include_usage` is asked for, then `data: [DONE]`. A failed run
 * ends with an `error` object instead, which the OpenAI client libraries raise.
 */
export function openAiStream(identity: CompletionIdentity, includeUsage: boolean): StreamDialect {
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    data({
      id: identity.id,
      object: "chat.completion.chunk",
      created: identity.created,
      model: identity.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
  return {
    head: () => chunk({ role: "assistant", content: "" }, null),
    text: (text) => chunk({ content: text }, null),
    end: (end) => {
      if (end.failure !== null) {
        return data(openAiError({ status: 502, code: "cli_failed", message: end.failure, param: null }));
      }
      const usage = includeUsage
        ? data({
          id: identity.id,
          object: "chat.completion.chunk",
          created: identity.created,
          model: identity.model,
          system_fingerprint: null,
          choices: [],
          usage: openAiUsage(end.result?.usage ?? null),
        })
        : "";
      return chunk({}, finishReason(end.result?.stopReason)) + usage + "data: [DONE]\n\n";
    },
  };
}
