/**
 * Scripts of the fake Messages API for turns that call tools: the calls, then, once their results come
 * back, a last text.
 *
 * @module
 */

import { reply, type ToolCall } from "./fake_messages_api.ts";
import type { Script } from "./gateway_harness.ts";

/**
 * The model calls `calls` in one message, then, once a request carries the results of these calls, answers
 * `final`. Results are told by their tool_use ids: the request of a later turn may still end with an
 * earlier turn's results (an interrupted turn's refused call shares its user message with the next prompt).
 * @param calls the tool calls (ids given here, unless they have their own)
 * @param final the text after the results
 * @param text a text block before the calls
 */
export function callsThenText(calls: ToolCall[], final: string, text?: string): Script {
  const tag = crypto.randomUUID().slice(0, 8);
  const identified = calls.map((call, i) => ({ ...call, id: call.id ?? `toolu_${tag}_${i + 1}` }));
  const ids = new Set(identified.map((call) => call.id));
  return (request) =>
    request.toolResults.some((result) => ids.has(String(result.tool_use_id)))
      ? reply.text(final)
      : reply.toolUses(identified, text === undefined ? {} : { text });
}

/** The model writes `content` to `file`, then says `final` (see {@link callsThenText}). */
export function writeThenText(file: string, final: string, content = "model's"): Script {
  return callsThenText([{ name: "Write", input: { file_path: file, content } }], final);
}
