/**
 * A scriptable, in-process fake of the Anthropic Messages API, good enough for the real
 * `claude` CLI to run fully offline against it (`ANTHROPIC_BASE_URL=<url>`).
 *
 * ```ts
 * const api = await startFakeMessagesApi({ defaultText: "hi" });
 * api.enqueue(reply.toolUse("Write", { file_path: "/tmp/x/a.txt", content: "A" }), reply.text("done"));
 * // ... run `claude -p` with ANTHROPIC_BASE_URL=api.url ...
 * const second = await api.waitForRequest((r) => r.toolResults.length > 0);
 * await api.close();
 * ```
 *
 * Routes:
 * - `POST /v1/messages` (with or without `?beta=true`): streaming (SSE) or plain JSON, as the
 *   request's `stream` flag asks; the answer comes from {@link FakeMessagesApi.enqueue | the queue},
 *   then the {@link Responder | responder}, then the default text.
 * - `POST /v1/messages/count_tokens`: `{ input_tokens }` estimated from the body size.
 * - anything else: 404 with Anthropic's `not_found_error` JSON.
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
  /** `tool_use` blocks of every assistant message, in order. */
  toolUses: ContentBlock[];
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

/** A text answer. */
export interface TextReply {
  /** Discriminator. */
  type: "text";
  /** The whole answer text. */
  text: string;
  /** Number of `text_delta` events to split the text into (default: 1, or 16 KB pieces for big texts). */
  chunks?: number;
  /** Delay before each delta after the first, in ms (default 0). Makes a "slow stream". */
  delayMs?: number;
  /** `stop_reason` sent in `message_delta` (default `end_turn`). */
  stopReason?: string;
}

/** A `tool_use` answer (optionally preceded by a text block). */
export interface ToolUseReply {
  /** Discriminator. */
  type: "tool_use";
  /** Tool name, e.g. `Write`. */
  name: string;
  /** Tool input, e.g. `{ file_path, content }`. */
  input: Record<string, unknown>;
  /** `tool_use` block id (default: generated `toolu_fake_N`). */
  id?: string;
  /** Optional text block sent before the tool call. */
  text?: string;
}

/** An HTTP error answer with Anthropic's error JSON body. */
export interface ErrorReply {
  /** Discriminator. */
  type: "error";
  /** HTTP status, e.g. 400, 429, 500, 529. */
  status: number;
  /** Anthropic error type (default derived from the status, e.g. `api_error` for 500). */
  errorType?: string;
  /** Error message (default `Fake <status> error`). */
  message?: string;
  /** Extra response headers (e.g. `{ "retry-after": "0" }`). */
  headers?: Record<string, string>;
}

/** What the fake answers to one `/v1/messages` request. */
export type ReplySpec = TextReply | ToolUseReply | ErrorReply;

/** Decides the answer by looking at the request; `undefined` falls back to the default text. */
export type Responder = (req: RecordedRequest) => ReplySpec | undefined;

/** Builders for {@link ReplySpec}s, so tests read as `reply.text("hi")`. */
export const reply = {
  /** A text answer sent in one delta. */
  text(text: string, opts: Omit<TextReply, "type" | "text"> = {}): TextReply {
    return { type: "text", text, ...opts };
  },
  /** A text answer split into `chunks` deltas with `delayMs` between them. */
  slowText(text: string, chunks: number, delayMs: number): TextReply {
    return { type: "text", text, chunks, delayMs };
  },
  /** A text answer of `bytes` ASCII characters (e.g. 400_000), ending with `marker` so truncation shows. */
  largeText(bytes: number, marker = "<<END-OF-LARGE-ANSWER>>"): TextReply {
    const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-large-answer-line\n";
    const fill = Math.max(0, bytes - marker.length);
    const text = line.repeat(Math.ceil(fill / line.length)).slice(0, fill) + marker;
    return { type: "text", text };
  },
  /** A `tool_use` answer. */
  toolUse(
    name: string,
    input: Record<string, unknown>,
    opts: Omit<ToolUseReply, "type" | "name" | "input"> = {},
  ): ToolUseReply {
    return { type: "tool_use", name, input, ...opts };
  },
  /** An HTTP error with Anthropic's error JSON. */
  error(
    status: number,
    message?: string,
    opts: Omit<ErrorReply, "type" | "status" | "message"> = {},
  ): ErrorReply {
    return { type: "error", status, message, ...opts };
  },
};

/** Options of {@link startFakeMessagesApi}. */
export interface FakeMessagesApiOptions {
  /** Text answered when the queue is empty and no responder decides (default `"Hello from the fake Messages API."`). */
  defaultText?: string;
  /** Answers consulted once the queue is empty. */
  responder?: Responder;
  /** Answers served first, in order, one per `/v1/messages` request. */
  queue?: ReplySpec[];
  /** Port to listen on (default 0: any free port). Always binds 127.0.0.1. */
  port?: number;
}

/** A running fake; see {@link startFakeMessagesApi}. */
export interface FakeMessagesApi {
  /** Base URL for `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Every request received so far, in arrival order (all routes). */
  readonly requests: readonly RecordedRequest[];
  /** Only the `/v1/messages` requests (not token counting), in arrival order. */
  readonly messageRequests: readonly RecordedRequest[];
  /** Appends answers to the queue; each `/v1/messages` request takes the next one. Returns `this`. */
  enqueue(...replies: ReplySpec[]): FakeMessagesApi;
  /** Sets (or clears with `undefined`) the responder used when the queue is empty. Returns `this`. */
  respondWith(responder: Responder | undefined): FakeMessagesApi;
  /** Sets the default text answer. Returns `this`. */
  setDefaultText(text: string): FakeMessagesApi;
  /** Number of queued answers not yet served. */
  readonly pendingReplies: number;
  /**
   * Resolves with the first recorded request (already received or future) matching `predicate`
   * (default: any `/v1/messages` request); rejects after `timeoutMs` (default 10 000).
   */
  waitForRequest(predicate?: (req: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Number of SSE streams currently being written. */
  readonly openStreams: number;
  /** Aborts in-flight streams, shuts the server down and waits until it is finished. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link FakeMessagesApi.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_TEXT = "Hello from the fake Messages API.";
const BIG_CHUNK = 16 * 1024;

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

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

function record(index: number, req: Request, rawBody: string): RecordedRequest {
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
    toolResults: (lastUserMessage?.content ?? []).filter((b) => b.type === "tool_result"),
    toolUses: messages.filter((m) => m.role === "assistant").flatMap((m) =>
      m.content.filter((b) => b.type === "tool_use")
    ),
    receivedAt: Date.now(),
  };
}

function splitText(text: string, chunks: number | undefined): string[] {
  const n = chunks ?? Math.max(1, Math.ceil(text.length / BIG_CHUNK));
  if (n <= 1 || text.length === 0) return [text];
  const size = Math.ceil(text.length / n);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

/** One SSE event, or a pause before the next one. */
type StreamStep = { event: string; data: unknown } | { delayMs: number };

function contentBlocks(spec: TextReply | ToolUseReply, toolId: string): ContentBlock[] {
  if (spec.type === "text") return [{ type: "text", text: spec.text }];
  const blocks: ContentBlock[] = [];
  if (spec.text) blocks.push({ type: "text", text: spec.text });
  blocks.push({ type: "tool_use", id: toolId, name: spec.name, input: spec.input });
  return blocks;
}

function streamSteps(
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

/**
 * Starts the fake on 127.0.0.1 (port 0 by default) and resolves once it listens.
 * Always `await api.close()` (or `await using api = ...`) so `deno test` sanitizers pass.
 */
export async function startFakeMessagesApi(options: FakeMessagesApiOptions = {}): Promise<FakeMessagesApi> {
  const requests: RecordedRequest[] = [];
  const queue: ReplySpec[] = [...(options.queue ?? [])];
  let responder = options.responder;
  let defaultText = options.defaultText ?? DEFAULT_TEXT;
  let counter = 0;
  const waiters = new Set<{
    predicate: (r: RecordedRequest) => boolean;
    resolve: (r: RecordedRequest) => void;
    reject: (e: Error) => void;
  }>();
  /** Abort functions of streams still being written. */
  const liveStreams = new Set<() => void>();
  const encoder = new TextEncoder();

  const chooseReply = (rec: RecordedRequest): ReplySpec => {
    const queued = queue.shift();
    if (queued) return queued;
    return responder?.(rec) ?? { type: "text", text: defaultText };
  };

  const errorResponse = (spec: ErrorReply): Response => {
    const body = {
      type: "error",
      error: {
        type: spec.errorType ?? ERROR_TYPES[spec.status] ?? "api_error",
        message: spec.message ?? `Fake ${spec.status} error`,
      },
      request_id: `req_fake_${counter}`,
    };
    return new Response(JSON.stringify(body), {
      status: spec.status,
      headers: { "content-type": "application/json", "request-id": `req_fake_${counter}`, ...spec.headers },
    });
  };

  const sseResponse = (steps: StreamStep[]): Response => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake: (() => void) | undefined;
    let stopped = false;
    let abort: () => void = () => {};
    const stop = () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      wake?.();
      liveStreams.delete(abort);
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        abort = () => {
          stop();
          try {
            controller.error(new Error("fake Messages API closed"));
          } catch { /* already closed */ }
        };
        liveStreams.add(abort);
      },
      async pull(controller) {
        // Write every event up to the next pause at once; pause between pulls.
        while (!stopped && steps.length > 0) {
          const step = steps.shift()!;
          if ("delayMs" in step) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              timer = setTimeout(() => {
                timer = undefined;
                resolve();
              }, step.delayMs);
            });
            wake = undefined;
            return;
          }
          controller.enqueue(encoder.encode(`event: ${step.event}\ndata: ${JSON.stringify(step.data)}\n\n`));
        }
        if (!stopped) {
          stop();
          controller.close();
        }
      },
      cancel() {
        // Client went away: drop pending events and timers.
        stop();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "request-id": `req_fake_${counter}`,
      },
    });
  };

  const handle = async (req: Request): Promise<Response> => {
    const rawBody = await req.text();
    const rec = record(requests.length, req, rawBody);
    requests.push(rec);
    for (const w of [...waiters]) {
      if (w.predicate(rec)) {
        waiters.delete(w);
        w.resolve(rec);
      }
    }
    if (rec.kind === "count_tokens") {
      return Response.json({ input_tokens: Math.max(1, Math.ceil(rawBody.length / 4)) });
    }
    if (rec.kind !== "messages" || req.method !== "POST") {
      return Response.json({
        type: "error",
        error: { type: "not_found_error", message: `No route ${req.method} ${rec.path}` },
      }, {
        status: 404,
      });
    }
    const spec = chooseReply(rec);
    counter++;
    if (spec.type === "error") return errorResponse(spec);
    const model = rec.model ?? "claude-fake";
    const msgId = `msg_fake_${counter}`;
    const toolId = spec.type === "tool_use" ? spec.id ?? `toolu_fake_${counter}` : "";
    const inTok = Math.max(1, Math.ceil(rawBody.length / 4));
    if (rec.stream) return sseResponse(streamSteps(spec, model, msgId, toolId, inTok));
    const content = contentBlocks(spec, toolId);
    const outChars = content.reduce(
      (n, b) => n + (b.text?.length ?? JSON.stringify(b.input ?? "").length),
      0,
    );
    return Response.json({
      id: msgId,
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: spec.type === "tool_use" ? "tool_use" : spec.stopReason ?? "end_turn",
      stop_sequence: null,
      usage: usage(inTok, Math.max(1, Math.ceil(outChars / 4))),
    });
  };

  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
    onError: (err) => {
      return Response.json({ type: "error", error: { type: "api_error", message: String(err) } }, {
        status: 500,
      });
    },
  }, handle);
  const addr = await listening.promise;
  const url = `http://127.0.0.1:${addr.port}`;
  let closing: Promise<void> | undefined;

  const api: FakeMessagesApi = {
    url,
    port: addr.port,
    requests,
    get messageRequests() {
      return requests.filter((r) => r.kind === "messages");
    },
    enqueue(...replies) {
      queue.push(...replies);
      return api;
    },
    respondWith(r) {
      responder = r;
      return api;
    },
    setDefaultText(text) {
      defaultText = text;
      return api;
    },
    get pendingReplies() {
      return queue.length;
    },
    get openStreams() {
      return liveStreams.size;
    },
    waitForRequest(predicate = (r) => r.kind === "messages", timeoutMs = 10_000) {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `waitForRequest: no matching request within ${timeoutMs} ms (${requests.length} received)`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      closing ??= (async () => {
        for (const w of [...waiters]) w.reject(new Error("waitForRequest: fake Messages API closed"));
        waiters.clear();
        for (const abort of [...liveStreams]) abort();
        await server.shutdown();
        await server.finished;
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return api.close();
    },
  };
  return api;
}
