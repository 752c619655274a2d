/**
 * Reading the CLI's stream-json lines and the API requests in the end-to-end tests: texts, system blocks,
 * lines of one type.
 *
 * @module
 */

/** A JSON object, as parsed from a CLI line or an event's data. */
export type Json = Record<string, unknown>;

/** Text of an `assistant` line's text blocks. */
export function assistantText(line: Json): string {
  const content = (line.message as { content?: { type: string; text?: string }[] } | undefined)?.content ??
    [];
  return content.filter((block) => block.type === "text").map((block) => block.text ?? "").join("");
}

/** Text of a `user` line's text blocks and tool results (string contents only). */
export function userText(line: Json): string {
  const content = (line.message as { content?: unknown } | undefined)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) =>
    typeof block?.text === "string" ? block.text : typeof block?.content === "string" ? block.content : ""
  ).join("\n");
}

/** The lines of one `type` (and `subtype`, if given). */
export function linesOf(outcome: { lines: Json[] }, type: string, subtype?: string): Json[] {
  return outcome.lines.filter((line) =>
    line.type === type && (subtype === undefined || line.subtype === subtype)
  );
}

/** The texts of a request body's `system` blocks. */
export function systemBlocks(body: Record<string, unknown> | undefined): string[] {
  return ((body?.system ?? []) as { text?: string }[]).map((block) => block.text ?? "");
}

/** Every text block of `messages`, one per line. */
export function messageTexts(messages: { content: { type: string; text?: string }[] }[]): string {
  return messages.flatMap((message) => message.content.map((block) => block.text ?? "")).join("\n");
}
