/// <reference lib="dom" />
import { clip, h } from "./dom.ts";
import { markdownElement } from "./markdown.ts";

/** Output longer than this shows its start and a button to show the rest. */
const CLIP_CHARS = 2000;

/** A block of preformatted text, clipped with a button that shows the rest. */
export function clippedPre(text: string, className = ""): HTMLElement {
  const { shown, rest } = clip(text, CLIP_CHARS);
  const pre = h("pre", { class: className }, shown);
  if (rest === 0) return pre;
  const more = h("button", { type: "button", class: "link" }, `Show ${rest} more characters`);
  more.addEventListener("click", () => {
    pre.textContent = text;
    more.remove();
  });
  return h("div", {}, pre, more);
}

/** The input field that says most about a tool call, shown beside its name. */
function gist(input: unknown): string {
  if (typeof input !== "object" || input === null) return "";
  const record = input as Record<string, unknown>;
  for (const key of ["file_path", "command", "pattern", "path", "url", "description", "query", "prompt"]) {
    const value = record[key];
    if (typeof value === "string" && value !== "") {
      return value.length > 80 ? `${value.slice(0, 77)}...` : value;
    }
  }
  return "";
}

/** Text the person wrote. */
export function userBlock(text: string): HTMLElement {
  return h(
    "section",
    { class: "msg user", "aria-label": "You" },
    h("div", { class: "who" }, "You"),
    h("p", { class: "user-text" }, text),
  );
}

/** What the assistant wrote, as sanitised Markdown. */
export function assistantBlock(text: string): HTMLElement {
  return h(
    "section",
    { class: "msg assistant", "aria-label": "Claude" },
    markdownElement(text, "markdown assistant-text"),
  );
}

/** The model's thinking, collapsed. */
export function thinkingBlock(text: string): HTMLElement {
  return h("details", { class: "msg thinking" }, h("summary", {}, "Thinking"), clippedPre(text));
}

/** A tool call: its name and input, and a place for its result; collapsed until opened. */
export interface ToolCallBlock {
  element: HTMLDetailsElement;
  setResult(content: string, isError: boolean): void;
}

/** A tool call with its input; {@link ToolCallBlock.setResult} adds the result when it arrives. */
export function toolCallBlock(name: string, input: unknown, id = ""): ToolCallBlock {
  const status = h("span", { class: "tool-status" }, "running");
  const result = h("div", { class: "tool-result" });
  const element = h(
    "details",
    { class: "msg tool", "data-tool-use-id": id, "data-tool-name": name },
    h(
      "summary",
      {},
      h("span", { class: "tool-name" }, name),
      " ",
      h("code", { class: "tool-gist" }, gist(input)),
      " ",
      status,
    ),
    h("div", { class: "tool-label" }, "Input"),
    clippedPre(JSON.stringify(input, null, 2) ?? "", "tool-input"),
    result,
  );
  return {
    element,
    setResult(content, isError) {
      status.textContent = isError ? "failed" : "done";
      status.className = `tool-status ${isError ? "bad" : "ok"}`;
      result.replaceChildren(
        h("div", { class: "tool-label" }, isError ? "Error" : "Result"),
        clippedPre(content, `tool-output${isError ? " bad" : ""}`),
      );
    },
  };
}

/** A tool result's content (text or blocks) as text. */
export function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return JSON.stringify(content ?? "");
  return content.map((block) =>
    typeof block === "object" && block !== null && (block as { type?: unknown }).type === "text"
      ? String((block as { text?: unknown }).text ?? "")
      : `[${String((block as { type?: unknown })?.type ?? "block")}]`
  ).join("\n");
}

/** An error, said plainly, with the detail (e.g. the CLI's stderr) below. */
export function errorBlock(message: string, detail = ""): HTMLElement {
  return h(
    "section",
    { class: "msg error", role: "alert" },
    h("strong", {}, "Error: "),
    message,
    detail ? clippedPre(detail) : null,
  );
}
