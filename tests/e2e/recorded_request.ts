/**
 * The requests the fake Messages API records: parsed body, flattened system prompt, tool names, messages, and
 * what tests look for in them (tool results, images, the history's text per role).
 *
 * @module
 */

/** One Anthropic content block as sent by the client (loosely typed on purpose). */
export interface ContentBlock {
  /** Block type: `text`, `tool_use`, `tool_result`, `image`, `thinking`, ... */
  type: string;
  /** Text of a `text` block. */
  text?: string;
  /** Id of a `tool_use` block. */
  id?: string;
  /** Tool name of a `tool_use` block. */
  name?: string;
  /** Input of a `tool_use` block. */
  input?: unknown;
  /** Id of the `tool_use` a `tool_result` answers. */
  tool_use_id?: string;
  /** Content of a `tool_result` block (string or blocks). */
  content?: string | ContentBlock[];
  /** Whether a `tool_result` reports an error. */
  is_error?: boolean;
  /** Any other field. */
  [key: string]: unknown;
}

/** One message of the request's `messages` array, content normalized to blocks. */
export interface RequestMessage {
  /** `user`, `assistant` (and, from this CLI, `system` for mid-conversation system turns). */
  role: string;
  /** The message's blocks (a plain string content is turned into one `text` block). */
  content: ContentBlock[];
}

/** A `tool_result` block of the last user message, its content flattened to text. */
export interface ToolOutcome {
  /** Id of the `tool_use` it answers. */
  toolUseId: string;
  /** The content: a string as is, text blocks joined by `\n` (other blocks left out). */
  text: string;
  /** `is_error`, false when absent. */
  isError: boolean;
}

/** The source of an `image` block: base64 (`media_type`, `data`) or, passed through by the CLI, a `url`. */
export interface ImageSource {
  /** `base64` or `url`. */
  type: string;
  /** E.g. `image/png` (base64 sources). */
  media_type?: string;
  /** Base64 bytes (base64 sources). */
  data?: string;
  /** The address (url sources). */
  url?: string;
}

/** Which endpoint a recorded request hit. */
export type RequestKind = "messages" | "count_tokens" | "other";

/** A request the fake received, with its parsed body and convenient accessors. */
export interface RecordedRequest {
  /** 0-based arrival order across all routes. */
  index: number;
  /** Which endpoint was hit. */
  kind: RequestKind;
  /** HTTP method. */
  method: string;
  /** Path without query, e.g. `/v1/messages`. */
  path: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  pathWithQuery: string;
  /** Request headers (lower-case names). */
  headers: Record<string, string>;
  /** Raw body text. */
  rawBody: string;
  /** Parsed JSON body (`undefined` if it is not JSON). */
  body: Record<string, unknown> | undefined;
  /** `body.stream === true`. */
  stream: boolean;
  /** `body.model`. */
  model: string | undefined;
  /** `body.system` flattened to one string (string as is, text blocks joined by `\n`). */
  system: string;
  /** Names of `body.tools`, in order. */
  toolNames: string[];
  /** `body.messages`, content normalized to blocks. */
  messages: RequestMessage[];
  /** The last message whose role is `user` (the CLI may append `system` messages after it). */
  lastUserMessage: RequestMessage | undefined;
  /** Text blocks of the last user message joined by `\n`, `<system-reminder>` blocks left out. */
  lastUserText: string;
  /** `tool_result` blocks of the last user message. */
  toolResults: ContentBlock[];
  /** `tool_result` blocks of the last user message as `{ toolUseId, text, isError }`, in order. */
  toolOutcomes: ToolOutcome[];
  /** Sources of the `image` blocks of the last user message, in order. */
  lastUserImages: ImageSource[];
  /**
   * Every text block of the whole history per role (`user`, `assistant`, `system`; always present, maybe
   * `""`), joined by `\n`, e.g. `historyText.assistant.includes(partial)` after an interrupted answer.
   * Reminders are kept; tool results are not text blocks.
   */
  historyText: Record<string, string>;
  /** `tool_use` blocks of every assistant message, in order. */
  toolUses: ContentBlock[];
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

function flattenSystem(system: unknown): string {
  if (typeof system === "string") return system;
  if (Array.isArray(system)) {
    return system
      .map((
        b,
      ) => (b && typeof b === "object" && typeof (b as ContentBlock).text === "string"
        ? (b as ContentBlock).text
        : "")
      )
      .filter((t) => t !== "")
      .join("\n");
  }
  return "";
}

function blockText(content: ContentBlock["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.filter((b) => b?.type === "text" && typeof b.text === "string").map((b) => b.text).join(
    "\n",
  );
}

function toolOutcome(block: ContentBlock): ToolOutcome {
  return {
    toolUseId: String(block.tool_use_id ?? ""),
    text: blockText(block.content),
    isError: block.is_error === true,
  };
}

function historyText(messages: RequestMessage[]): Record<string, string> {
  const parts: Record<string, string[]> = { user: [], assistant: [], system: [] };
  for (const message of messages) {
    const texts = message.content.filter((b) => b.type === "text" && typeof b.text === "string");
    (parts[message.role] ??= []).push(...texts.map((b) => b.text!));
  }
  return Object.fromEntries(Object.entries(parts).map(([role, texts]) => [role, texts.join("\n")]));
}

function normalizeMessages(messages: unknown): RequestMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((m) => {
    const role = typeof m?.role === "string" ? m.role : "";
    const content: ContentBlock[] = typeof m?.content === "string"
      ? [{ type: "text", text: m.content }]
      : Array.isArray(m?.content)
      ? m.content
      : [];
    return { role, content };
  });
}

/**
 * Records one request with its parsed body and the accessors tests read.
 * @param index its arrival number
 * @param req the request
 * @param rawBody its body, already read
 */
export function recordRequest(index: number, req: Request, rawBody: string): RecordedRequest {
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(rawBody);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed;
  } catch {
    body = undefined;
  }
  const path = url.pathname;
  const kind: RequestKind = path.endsWith("/messages/count_tokens")
    ? "count_tokens"
    : path.endsWith("/v1/messages")
    ? "messages"
    : "other";
  const messages = normalizeMessages(body?.messages);
  const lastUserMessage = [...messages].reverse().find((m) => m.role === "user");
  const lastUserText = (lastUserMessage?.content ?? [])
    .filter((b) =>
      b.type === "text" && typeof b.text === "string" && !b.text.trimStart().startsWith("<system-reminder>")
    )
    .map((b) => b.text)
    .join("\n");
  const tools = Array.isArray(body?.tools) ? body.tools : [];
  const lastUserBlocks = lastUserMessage?.content ?? [];
  const toolResults = lastUserBlocks.filter((b) => b.type === "tool_result");
  return {
    index,
    kind,
    method: req.method,
    path,
    pathWithQuery: path + url.search,
    headers,
    rawBody,
    body,
    stream: body?.stream === true,
    model: typeof body?.model === "string" ? body.model : undefined,
    system: flattenSystem(body?.system),
    toolNames: tools.map((t: { name?: unknown }) => String(t?.name ?? "")),
    messages,
    lastUserMessage,
    lastUserText,
    toolResults,
    toolOutcomes: toolResults.map(toolOutcome),
    lastUserImages: lastUserBlocks.filter((b) => b.type === "image").map((b) => ({
      ...(b.source as ImageSource),
    })),
    historyText: historyText(messages),
    toolUses: messages.filter((m) => m.role === "assistant").flatMap((m) =>
      m.content.filter((b) => b.type === "tool_use")
    ),
    receivedAt: Date.now(),
  };
}

/**
 * The text of the latest user message that has text of its own (not tool results, not reminders).
 * @param request a recorded request
 */
export function latestPromptText(request: RecordedRequest): string {
  for (const message of [...request.messages].reverse()) {
    if (message.role !== "user") continue;
    const texts = message.content
      .filter((block) => block.type === "text" && typeof block.text === "string")
      .map((block) => block.text!)
      .filter((text) => !text.trimStart().startsWith("<system-reminder>"));
    if (texts.length > 0) return texts.join("\n");
  }
  return "";
}
