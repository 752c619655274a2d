/**
 * A scriptable, in-process fake of the Anthropic Messages API, good enough for the real
 * `claude` CLI to run fully offline against it (`ANTHROPIC_BASE_URL=<url>`).
 *
 * ```ts
 * const api = await startFakeMessagesApi({ defaultText: "hi" });
 * api.enqueue(
 *   reply.toolUses([
 *     { name: "Write", input: { file_path: "/tmp/x/a.txt", content: "A" } },
 *     { name: "Bash", input: { command: "ls /tmp/x" } },
 *   ]),
 *   reply.text("done"),
 * );
 * // ... run `claude -p` with ANTHROPIC_BASE_URL=api.url ...
 * const second = await api.waitForRequest((r) => r.toolOutcomes.length === 2);
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

import { type RecordedRequest, recordRequest } from "./recorded_request.ts";
import { errorResponse, messageResponse, type StreamRegistry } from "./reply_responses.ts";
import type { ReplySpec, Responder } from "./reply_spec.ts";
import { RequestWaiters } from "./request_waiters.ts";

export type {
  ContentBlock,
  ImageSource,
  RecordedRequest,
  RequestKind,
  RequestMessage,
  ToolOutcome,
} from "./recorded_request.ts";
export {
  type ErrorReply,
  type MessageReply,
  type Question,
  type QuestionOption,
  reply,
  type ReplySpec,
  type Responder,
  type TextReply,
  type ToolCall,
  type ToolUseReply,
  type ToolUsesReply,
} from "./reply_spec.ts";

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
  /** Number of SSE streams the client closed before their last event (the CLI does on interrupt). */
  readonly cutStreams: number;
  /** Aborts in-flight streams, shuts the server down and waits until it is finished. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link FakeMessagesApi.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_TEXT = "Hello from the fake Messages API.";

/** What the fake knows and answers with; changed by the {@link FakeMessagesApi} methods. */
interface FakeState {
  requests: RecordedRequest[];
  queue: ReplySpec[];
  responder: Responder | undefined;
  defaultText: string;
  counter: number;
  waiters: RequestWaiters;
  /** Open streams and the count of those the client cut. */
  streams: StreamRegistry & { cut: number };
}

/** The request handler: records the request, settles waiters, answers by route. */
function handler(state: FakeState): (req: Request) => Promise<Response> {
  const chooseReply = (rec: RecordedRequest): ReplySpec =>
    state.queue.shift() ?? state.responder?.(rec) ?? { type: "text", text: state.defaultText };
  return async (req) => {
    const rawBody = await req.text();
    const rec = recordRequest(state.requests.length, req, rawBody);
    state.requests.push(rec);
    state.waiters.notify(rec);
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
    state.counter++;
    if (spec.type === "error") return errorResponse(spec, state.counter);
    return messageResponse(spec, { rec, counter: state.counter, streams: state.streams });
  };
}

/** The {@link FakeMessagesApi} over a listening server and its state. */
function fakeApi(server: Deno.HttpServer<Deno.NetAddr>, port: number, state: FakeState): FakeMessagesApi {
  let closing: Promise<void> | undefined;
  const api: FakeMessagesApi = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: state.requests,
    get messageRequests() {
      return state.requests.filter((r) => r.kind === "messages");
    },
    enqueue(...replies) {
      state.queue.push(...replies);
      return api;
    },
    respondWith(r) {
      state.responder = r;
      return api;
    },
    setDefaultText(text) {
      state.defaultText = text;
      return api;
    },
    get pendingReplies() {
      return state.queue.length;
    },
    get openStreams() {
      return state.streams.liveStreams.size;
    },
    get cutStreams() {
      return state.streams.cut;
    },
    waitForRequest(predicate = (r) => r.kind === "messages", timeoutMs = 10_000) {
      return state.waiters.wait(state.requests, predicate, timeoutMs);
    },
    close() {
      closing ??= (async () => {
        state.waiters.rejectAll(new Error("waitForRequest: fake Messages API closed"));
        for (const abort of [...state.streams.liveStreams]) abort();
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

/**
 * Starts the fake on 127.0.0.1 (port 0 by default) and resolves once it listens.
 * Always `await api.close()` (or `await using api = ...`) so `deno test` sanitizers pass.
 * @param options default text, responder, queued answers, port
 */
export async function startFakeMessagesApi(options: FakeMessagesApiOptions = {}): Promise<FakeMessagesApi> {
  const state: FakeState = {
    requests: [],
    queue: [...(options.queue ?? [])],
    responder: options.responder,
    defaultText: options.defaultText ?? DEFAULT_TEXT,
    counter: 0,
    waiters: new RequestWaiters(),
    streams: {
      liveStreams: new Set(),
      cut: 0,
      onClientCut: () => state.streams.cut++,
    },
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
  }, handler(state));
  const addr = await listening.promise;
  return fakeApi(server, addr.port, state);
}
