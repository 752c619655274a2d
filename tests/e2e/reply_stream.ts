/**
 * A reply as the Messages API streams it: the SSE events of one message, in Anthropic's order.
 *
 * @module
 */

import type { ContentBlock } from "./recorded_request.ts";
import type { TextReply, ToolUseReply } from "./reply_spec.ts";

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

/** The content blocks of a non-streamed reply. */
export function contentBlocks(spec: TextReply | ToolUseReply, toolId: string): ContentBlock[] {
  if (spec.type === "text") return [{ type: "text", text: spec.text }];
  const blocks: ContentBlock[] = [];
  if (spec.text) blocks.push({ type: "text", text: spec.text });
  blocks.push({ type: "tool_use", id: toolId, name: spec.name, input: spec.input });
  return blocks;
}

/**
 * The events of one streamed reply, with pauses where a slow text asks for them.
 * @param spec the reply
 */
export function streamSteps(
  spec: TextReply | ToolUseReply,
  model: string,
  msgId: string,
  toolId: string,
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
    const json = JSON.stringify(spec.input);
    ev("content_block_start", {
      index,
      content_block: { type: "tool_use", id: toolId, name: spec.name, input: {} },
    });
    for (const part of splitText(json, Math.min(4, Math.max(1, Math.ceil(json.length / 64))))) {
      ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } });
    }
    ev("content_block_stop", { index });
    outChars += json.length;
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
