/// <reference lib="dom" />
import {
  assistantBlock,
  errorBlock,
  resultText,
  thinkingBlock,
  type ToolCallBlock,
  toolCallBlock,
  userBlock,
} from "./blocks.ts";
import { duration, h } from "./dom.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;
const num = (value: unknown): number => typeof value === "number" ? value : 0;

/** Data of the stream's `done` event. */
export interface DoneData {
  exit_code: number | null;
  cancelled: boolean;
  stop_reason: string | null;
  session_id: string | null;
  duration_ms: number;
}

/**
 * Renders a chat's stream-json lines as a person reads them: the assistant's text as Markdown (its partial
 * text while it streams), thinking collapsed, each tool call with its input and, once it arrives, its
 * result, errors plainly, and at the end duration, turns, tokens and cost.
 */
export class StreamView {
  /** The rendered conversation (a live region: screen readers hear what is added). */
  readonly element = h("div", {
    class: "stream",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
  });
  readonly #tools = new Map<string, ToolCallBlock>();
  #draft: { element: HTMLElement; text: HTMLElement } | null = null;
  /** The session the CLI announced, once it has. */
  sessionId: string | null = null;

  /** Shows the prompt that started the chat (the stream itself does not repeat it). */
  prompt(text: string): void {
    this.element.append(userBlock(text));
  }

  /** Takes one stream-json line. */
  line(line: unknown): void {
    if (!isObject(line)) return;
    if (line.type === "system" && line.subtype === "init") this.#init(line);
    else if (line.type === "stream_event" && isObject(line.event)) this.#partial(line.event);
    else if (line.type === "assistant" && isObject(line.message)) this.#assistant(line.message);
    else if (line.type === "user" && isObject(line.message)) this.#user(line.message);
    else if (line.type === "result") this.#result(line);
  }

  /** The stream's `error` event: why the chat did not end well. */
  error(data: { message?: string; stderr?: string }): void {
    this.#endDraft();
    this.element.append(errorBlock(data.message ?? "the chat failed", data.stderr ?? ""));
  }

  /** The stream's `gap` event: events this watcher was too slow for are gone. */
  gap(firstId: number): void {
    this.element.append(
      h("p", { class: "note" }, `Some output was dropped (this view continues from event ${firstId}).`),
    );
  }

  /** The stream's `done` event. */
  done(data: DoneData): void {
    this.#endDraft();
    this.sessionId = data.session_id ?? this.sessionId;
    const how = data.cancelled
      ? `Stopped (${data.stop_reason ?? "cancelled"})`
      : data.exit_code === 0
      ? "Finished"
      : `Ended with exit code ${data.exit_code}`;
    this.element.append(
      h(
        "p",
        { class: "note done", "data-exit-code": String(data.exit_code) },
        `${how} after ${duration(data.duration_ms)}.`,
      ),
    );
  }

  #init(line: Json): void {
    this.sessionId = typeof line.session_id === "string" ? line.session_id : null;
    const model = typeof line.model === "string" ? line.model : "";
    this.element.append(
      h("p", { class: "note init" }, `Session ${this.sessionId ?? "?"}${model ? ` · ${model}` : ""}`),
    );
  }

  /** A partial message (`include_partial_messages`): the text so far, replaced by the whole message. */
  #partial(event: Json): void {
    if (event.type === "content_block_start") this.#endDraft();
    if (event.type !== "content_block_delta" || !isObject(event.delta) || event.delta.type !== "text_delta") {
      return;
    }
    if (!this.#draft) {
      const text = h("p", { class: "draft-text" });
      this.#draft = {
        element: h("section", { class: "msg assistant draft", "aria-busy": "true" }, text),
        text,
      };
      this.element.append(this.#draft.element);
    }
    this.#draft.text.textContent += String(event.delta.text ?? "");
  }

  #endDraft(): void {
    this.#draft?.element.remove();
    this.#draft = null;
  }

  #assistant(message: Json): void {
    if (!Array.isArray(message.content)) return;
    this.#endDraft();
    for (const block of message.content) {
      if (!isObject(block)) continue;
      if (block.type === "text" && typeof block.text === "string") {
        this.element.append(assistantBlock(block.text));
      }
      if (block.type === "thinking" && typeof block.thinking === "string") {
        this.element.append(thinkingBlock(block.thinking));
      }
      if (block.type === "tool_use") {
        const call = toolCallBlock(String(block.name ?? "tool"), block.input, String(block.id ?? ""));
        this.#tools.set(String(block.id ?? ""), call);
        this.element.append(call.element);
      }
    }
  }

  #user(message: Json): void {
    if (!Array.isArray(message.content)) return;
    for (const block of message.content) {
      if (!isObject(block) || block.type !== "tool_result") continue;
      this.#tools.get(String(block.tool_use_id ?? ""))?.setResult(
        resultText(block.content),
        block.is_error === true,
      );
    }
  }

  #result(line: Json): void {
    this.#endDraft();
    if (line.is_error === true) {
      const said = typeof line.result === "string" && line.result !== ""
        ? line.result
        : String(line.subtype ?? "error");
      this.element.append(errorBlock(said));
    }
    const usage = isObject(line.usage) ? line.usage : {};
    const input = num(usage.input_tokens) + num(usage.cache_read_input_tokens) +
      num(usage.cache_creation_input_tokens);
    const facts: [string, string][] = [
      ["Duration", duration(num(line.duration_ms))],
      ["Turns", String(num(line.num_turns))],
      ["Tokens", `${input} in, ${num(usage.output_tokens)} out`],
      ["Cost", `$${num(line.total_cost_usd).toFixed(4)}`],
    ];
    this.element.append(
      h(
        "dl",
        { class: "result-facts" },
        ...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
      ),
    );
  }
}
