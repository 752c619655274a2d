import type { SessionTranscript, ToolResult, TranscriptEntry } from "../domain/session_archive.ts";

/** A tool result's text beyond this many characters is cut (and marked `clipped`). */
export const MAX_RESULT_CHARS = 64 * 1024;
/** A title made from the first prompt is cut to this many characters. */
const MAX_TITLE_CHARS = 120;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;
const text = (value: unknown): string => typeof value === "string" ? value : "";

/** A tool result's content (a string, or text and image blocks) as text. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) =>
    isObject(block) ? (block.type === "text" ? text(block.text) : `[${text(block.type) || "block"}]`) : ""
  ).join("\n");
}

function toolResult(block: Json): ToolResult {
  const content = resultText(block.content);
  const clipped = content.length > MAX_RESULT_CHARS;
  return {
    content: clipped ? content.slice(0, MAX_RESULT_CHARS) : content,
    is_error: block.is_error === true,
    clipped,
  };
}

/** Prompts the CLI wraps in its own markers (slash command output, caveats) are not the person's words. */
function isCliMarkup(prompt: string): boolean {
  return /^\s*<(command-|local-command-|system-reminder)/.test(prompt);
}

/**
 * Builds a session's transcript from its lines, one at a time, in the order the CLI wrote them: user and
 * assistant messages become entries, each tool result joins the call it answers, and the title is the one
 * the CLI recorded (custom, then generated, then a summary), else the first prompt.
 */
export class TranscriptBuilder {
  readonly entries: TranscriptEntry[] = [];
  cwd: string | null = null;
  createdAt: string | null = null;
  messageCount = 0;
  #firstPrompt: string | null = null;
  #lastAssistantId = "";
  #titles: { custom?: string; ai?: string; summary?: string } = {};
  readonly #calls = new Map<string, Extract<TranscriptEntry, { type: "tool_call" }>>();

  /** @param keepEntries false when only the summary is wanted (a list), so no entries are held */
  constructor(readonly keepEntries = true) {}

  /** Takes one parsed line of the transcript. */
  add(line: unknown): void {
    if (!isObject(line)) return;
    if (line.type === "custom-title") this.#titles.custom = text(line.customTitle) || this.#titles.custom;
    if (line.type === "ai-title") this.#titles.ai = text(line.aiTitle) || this.#titles.ai;
    if (line.type === "summary") this.#titles.summary = text(line.summary) || this.#titles.summary;
    if (line.type !== "user" && line.type !== "assistant") return;
    if (line.isSidechain === true || line.isMeta === true || !isObject(line.message)) return;
    const timestamp = typeof line.timestamp === "string" ? line.timestamp : null;
    this.createdAt ??= timestamp;
    if (this.cwd === null && typeof line.cwd === "string") this.cwd = line.cwd;
    if (line.type === "user") this.#user(line.message.content, timestamp);
    else this.#assistant(line.message, timestamp);
  }

  /** The title, as {@link SessionTranscript.title} has it. */
  get title(): string | null {
    const prompt = this.#firstPrompt?.replace(/\s+/g, " ").trim() ?? null;
    const fromPrompt = prompt && prompt.length > MAX_TITLE_CHARS
      ? `${prompt.slice(0, MAX_TITLE_CHARS)}…`
      : prompt;
    return this.#titles.custom ?? this.#titles.ai ?? this.#titles.summary ?? (fromPrompt || null);
  }

  #push(entry: TranscriptEntry): void {
    if (this.keepEntries) this.entries.push(entry);
  }

  #user(content: unknown, timestamp: string | null): void {
    const blocks = typeof content === "string" ? [{ type: "text", text: content }] : content;
    if (!Array.isArray(blocks)) return;
    const words: string[] = [];
    for (const block of blocks) {
      if (!isObject(block)) continue;
      if (block.type === "tool_result") {
        const call = this.#calls.get(text(block.tool_use_id));
        if (call) call.result = toolResult(block);
      } else if (block.type === "text" && !isCliMarkup(text(block.text))) {
        words.push(text(block.text));
      } else if (block.type === "image") {
        words.push("[image]");
      }
    }
    if (words.length === 0) return;
    const said = words.join("\n");
    this.#firstPrompt ??= said;
    this.messageCount++;
    this.#push({ type: "user", text: said, timestamp });
  }

  #assistant(message: Json, timestamp: string | null): void {
    const content = message.content;
    if (!Array.isArray(content)) return;
    // The CLI writes one line per content block of a message: they count as one message.
    const id = text(message.id);
    if (id === "" || id !== this.#lastAssistantId) this.messageCount++;
    this.#lastAssistantId = id;
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === "text") this.#push({ type: "assistant", text: text(block.text), timestamp });
      if (block.type === "thinking") this.#push({ type: "thinking", text: text(block.thinking), timestamp });
      if (block.type === "tool_use") {
        const call = {
          type: "tool_call" as const,
          tool_use_id: text(block.id),
          name: text(block.name),
          input: block.input ?? null,
          result: null,
          timestamp,
        };
        this.#calls.set(call.tool_use_id, call);
        this.#push(call);
      }
    }
  }
}

/** The transcript a builder has read, for a session last written at `modified`. */
export function transcriptOf(
  sessionId: string,
  builder: TranscriptBuilder,
  modified: Date,
): SessionTranscript {
  return {
    session_id: sessionId,
    title: builder.title,
    created_at: builder.createdAt,
    last_activity_at: modified.toISOString(),
    message_count: builder.messageCount,
    cwd: builder.cwd,
    entries: builder.entries,
  };
}
