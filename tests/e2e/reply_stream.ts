/**
 * A reply as the Messages API streams it: the SSE events of one message, in Anthropic's order.
 *
 * @module
 */

import type { ContentBlock } from "./recorded_request.ts";
import type { MessageReply, ToolCall } from "./reply_spec.ts";

const BIG_CHUNK = 16 * 1024;

function splitText(text: string, chunks: number | undefined): string[] {
  const n = chunks ?? Math.max(1, Math.ceil(text.length / BIG_CHUNK));
  if (n <= 1 || text.length === 0) return [text];
  const size = Math.ceil(text.length / n);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

/** The `usage` object of a message. */
export function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** One SSE event, or a pause before the next one. */
export type StreamStep = { event: string; data: unknown } | { delayMs: number };

/** A tool call with its block id settled. */
export type IdentifiedCall = Required<ToolCall>;

/**
 * The tool calls of a reply, each with its id: a given one, else `toolu_fake_<answer>` for a single call and
 * `toolu_fake_<answer>_<n>` (n from 1) for several.
 * @param spec the reply
 * @param counter the answer's number
 */
export function toolCalls(spec: MessageReply, counter: number): IdentifiedCall[] {
  if (spec.type === "text") return [];
  if (spec.type === "tool_use") {
    return [{ name: spec.name, input: spec.input, id: spec.id ?? `toolu_fake_${counter}` }];
  }
  return spec.calls.map((call, i) => ({ ...call, id: call.id ?? `toolu_fake_${counter}_${i + 1}` }));
}

/** The content blocks of a non-streamed reply. */
export function contentBlocks(spec: MessageReply, calls: IdentifiedCall[]): ContentBlock[] {
  if (spec.type === "text") return [{ type: "text", text: spec.text }];
  const blocks: ContentBlock[] = [];
  if (spec.text) blocks.push({ type: "text", text: spec.text });
  for (const call of calls) {
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.input });
  }
  return blocks;
}

/**
 * The events of one streamed reply, with pauses where a slow text asks for them.
 * @param spec the reply
 */
export function streamSteps(
  spec: MessageReply,
  model: string,
  msgId: string,
  calls: IdentifiedCall[],
  inTok: number,
): StreamStep[] {
  const steps: StreamStep[] = [];
  const ev = (event: string, data: Record<string, unknown>) =>
    steps.push({ event, data: { type: event, ...data } });
  ev("message_start", {
    message: {
      id: msgId,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(inTok, 1),
    },
  });
  let index = 0;
  let outChars = 0;
  const textBlock = (text: string, chunks?: number, delayMs = 0) => {
    ev("content_block_start", { index, content_block: { type: "text", text: "" } });
    splitText(text, chunks).forEach((part, i) => {
      if (i > 0 && delayMs > 0) steps.push({ delayMs });
      ev("content_block_delta", { index, delta: { type: "text_delta", text: part } });
    });
    ev("content_block_stop", { index });
    outChars += text.length;
    index++;
  };
  if (spec.type === "text") {
    textBlock(spec.text, spec.chunks, spec.delayMs);
  } else {
    if (spec.text) textBlock(spec.text);
    // Like Anthropic: each tool_use block starts with an empty input, which input_json_delta pieces fill in.
    for (const call of calls) {
      const json = JSON.stringify(call.input);
      ev("content_block_start", {
        index,
        content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
      });
      for (const part of splitText(json, Math.min(4, Math.max(1, Math.ceil(json.length / 64))))) {
        ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } });
      }
      ev("content_block_stop", { index });
      outChars += json.length;
      index++;
    }
  }
  ev("message_delta", {
    delta: {
      stop_reason: spec.type === "text" ? spec.stopReason ?? "end_turn" : "tool_use",
      stop_sequence: null,
    },
    usage: { output_tokens: Math.max(1, Math.ceil(outChars / 4)) },
  });
  ev("message_stop", {});
  return steps;
}
