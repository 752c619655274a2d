import assert from "node:assert/strict";
import type { ChatControls } from "../../application/chat_controls.ts";
import { CliUnavailableError } from "../../domain/errors.ts";
import { DoorMetrics } from "../../application/door_metrics.ts";
import { DOOR_MODELS } from "../../domain/door_models.ts";
import { waitFor } from "../../testkit/wait_for.ts";
import { answerControls, authedJson, canUseToolLine, nextEvent, openChat } from "../support/chat_control.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { FakeSessionArchive } from "../support/fake_session_archive.ts";
import { FakeSessionTranscripts } from "../support/fake_session_transcripts.ts";
import { API_KEY, AUTH, buildTestApp, chatRequest, fetchOpenApiDocument } from "../support/test_app.ts";

type TestApp = ReturnType<typeof buildTestApp>;
type Options = Parameters<typeof buildTestApp>[0];

/** Makes each status happen: a request against the real app over fakes, whose body ends on its own. */
type Case = () => Promise<Response>;

const UNKNOWN_ID = "11111111-1111-4111-8111-111111111111";
const broken = (): never => {
  throw new Error("an unexpected failure");
};

/** Every property access throws: a dependency that fails in a way no route expects. */
function failing<T extends object>(target: T): T {
  return new Proxy(target, { get: broken });
}

/** A request from an address that failed to log in too often: refused before its credentials count. */
async function throttled(path: string, init: RequestInit = {}): Promise<Response> {
  const { app } = buildTestApp();
  const wrong = { Authorization: `Basic ${btoa("admin:wrong")}` };
  for (let i = 0; i < 3; i++) await (await app.request(path, { ...init, headers: wrong })).body?.cancel();
  return await app.request(path, { ...init, headers: { ...init.headers, ...AUTH } });
}

/**
 * A request to a route of one chat that is running (started with `body`); `prepare` sets its fake CLI up
 * first; the chat is ended and its stream read to the end once the answer is in.
 */
async function onRunningChat(
  body: object,
  request: (id: string) => [string, RequestInit],
  options: {
    app?: Options;
    prepare?: (run: ReturnType<typeof buildTestApp>["runner"]["runs"][number]) => void;
  } = {},
): Promise<Response> {
  const test = buildTestApp(options.app);
  const chat = await openChat(test, body);
  options.prepare?.(chat.run);
  const response = await test.app.request(...request(chat.id));
  const text = await response.text();
  await chat.finish();
  return new Response(text, response);
}

/** A request to a route of one chat, answered once a permission request of its CLI is on its stream. */
async function onAskingChat(
  request: (id: string) => [string, RequestInit],
  options: { app?: Options; tool?: Record<string, unknown>; answerFirst?: boolean } = {},
): Promise<Response> {
  const test = buildTestApp(options.app);
  const chat = await openChat(test, ASKING);
  chat.run.write(canUseToolLine("req-1", options.tool));
  await nextEvent(chat, "permission_request");
  const [path, init] = request(chat.id);
  if (options.answerFirst) await (await test.app.request(path, init)).body?.cancel();
  const response = await test.app.request(path, init);
  const text = await response.text();
  await chat.finish();
  return new Response(text, response);
}

/** A control request the fake CLI never answers, until the gateway's FakeClock says it is too late. */
async function unanswered(body: object, request: (id: string) => [string, RequestInit]): Promise<Response> {
  const clock = new FakeClock();
  const test = buildTestApp({ startChat: { clock } });
  const chat = await openChat(test, body);
  chat.run.onSend = () => {};
  const sent = chat.run.sent.length;
  const pending = test.app.request(...request(chat.id));
  await waitFor(() => chat.run.sent.length > sent, "the control request on the CLI's stdin");
  clock.advance(10_000);
  const response = await pending;
  const text = await response.text();
  await chat.finish();
  return new Response(text, response);
}

/** A request with the test credentials to a fresh test app. */
function call(path: string, init: RequestInit = {}, options?: Options): Promise<Response> {
  return Promise.resolve(buildTestApp(options).app.request(path, init));
}

/** A chat that runs until `finish` is called; its stream is then read to the end. */
async function runningChat(test: TestApp, body: object) {
  const response = await test.app.request("/chat", chatRequest(body));
  const run = test.runner.runs.at(-1)!;
  return { response, finish: async () => (run.end(), await response.text()) };
}

/** A chat that has run to its end (so a stream of its events ends on its own); its id and watch token. */
async function finishedChat(test: TestApp) {
  const chat = await runningChat(test, CHAT);
  await chat.finish();
  const headers = chat.response.headers;
  return { id: headers.get("X-Process-ID")!, token: headers.get("X-Watch-Token")! };
}

/** A request to a route of one finished chat; `path` gets its id and token. */
async function onFinishedChat(path: (id: string, token: string) => string, init: RequestInit = {}) {
  const test = buildTestApp();
  const { id, token } = await finishedChat(test);
  return await test.app.request(path(id, token), init);
}

const CHAT = { prompt: "x", cwd: "/tmp" };
const KEYED = { Authorization: `Bearer ${API_KEY}` };
const DOOR_BODIES: Record<string, object> = {
  "/v1/chat/completions": { model: "claude-code", messages: [{ role: "user", content: "hi" }] },
  "/v1/messages": { model: "claude-code", max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
};

/** A door request with the test key: its path's body, changed by `extra`. */
function doorRequest(path: string, extra: object = {}, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json", ...KEYED, ...headers },
    body: JSON.stringify({ ...DOOR_BODIES[path], ...extra }),
  };
}

/** A door request answered by a CLI run that prints `lines` and exits with `code`. */
async function doorAnswered(path: string, lines: string[], code = 0): Promise<Response> {
  const test = buildTestApp();
  const response = test.app.request(path, doorRequest(path));
  const run = await test.runner.nextRun();
  for (const line of lines) run.write(`${line}\n`);
  run.end({ code });
  return await response;
}

const INIT = JSON.stringify({
  type: "system",
  subtype: "init",
  session_id: "5a1b2c3d-0000-4000-8000-000000000001",
});
const ANSWER = JSON.stringify({
  type: "assistant",
  message: { id: "m1", content: [{ type: "text", text: "hi" }] },
});
const RESULT = JSON.stringify({
  type: "result",
  subtype: "success",
  is_error: false,
  result: "hi",
  usage: {},
});

/** Every status of one door's chat route. */
function doorCases(path: string): Record<string, Case> {
  const name = (status: number) => `POST ${path} ${status}`;
  return {
    [name(200)]: () => doorAnswered(path, [INIT, ANSWER, RESULT]),
    [name(400)]: () => call(path, doorRequest(path, { tools: [{ name: "lookup" }] })),
    [name(401)]: () =>
      call(path, doorRequest(path, {}, { Authorization: "Bearer sk-wrong-0123456789abcdef" })),
    [name(403)]: () =>
      call(path, doorRequest(path), {
        startChat: { policy: { allowedRoots: ["/work"], allowedPermissionModes: null, deniedFields: null } },
      }),
    [name(404)]: () => call(path, doorRequest(path, { model: "gpt-4o" })),
    [name(409)]: async () => {
      const test = buildTestApp();
      const sessionId = crypto.randomUUID();
      const first = await runningChat(test, { ...CHAT, session_id: sessionId });
      const second = await test.app.request(
        path,
        doorRequest(path, {}, { "X-Session-ID": sessionId, "X-Claude-Cwd": "/tmp" }),
      );
      await first.finish();
      return second;
    },
    [name(413)]: () => call(path, doorRequest(path, { padding: "x".repeat(70_000) })),
    [name(415)]: () => call(path, doorRequest(path, {}, { "Content-Type": "text/plain" })),
    [name(429)]: async () => {
      const test = buildTestApp({ maxConcurrent: 1, queueMax: 0 });
      const first = await runningChat(test, CHAT);
      const refused = await test.app.request(path, doorRequest(path));
      await first.finish();
      return refused;
    },
    [name(500)]: () =>
      call(path, doorRequest(path), {
        app: {
          doors: { startDoorChat: broken, doorMetrics: new DoorMetrics(), toolTrace: false, models: [] },
        },
      }),
    [name(502)]: () => doorAnswered(path, [INIT], 1),
    [name(503)]: () => {
      const test = buildTestApp();
      test.runner.failWith = new CliUnavailableError("cannot start the Claude Code CLI");
      return Promise.resolve(test.app.request(path, doorRequest(path)));
    },
  };
}
const INTERACTIVE = { ...CHAT, interactive: true };
const ASKING = { ...CHAT, interactive: true, permission_prompt: "client" };
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const ONLY_ACCEPT_EDITS = {
  allowedRoots: null,
  allowedPermissionModes: ["acceptEdits" as const],
  deniedFields: null,
};
const authed = (method: string) => ({ method, headers: AUTH });
/** A request a browser sent for a page of another origin, with the credentials it holds. */
const fromElsewhere = (method: string) => ({
  method,
  headers: { ...AUTH, Origin: "https://elsewhere.example" },
});

const SESSION = "22222222-2222-4222-8222-222222222222";
const ROOTED = { allowedRoots: ["/work"], allowedPermissionModes: null, deniedFields: null };

/** A test app with one saved session, recorded in `cwd`. */
function withSession(cwd = "/work/app", policy?: typeof ROOTED): Options {
  const at = "2024-01-01T12:00:00.000Z";
  return {
    archive: new FakeSessionArchive({
      [SESSION]: {
        session_id: SESSION,
        title: "hello",
        created_at: at,
        last_activity_at: at,
        message_count: 1,
        cwd,
        entries: [{ type: "user", text: "hello", timestamp: at }],
      },
    }),
    startChat: { sessions: new FakeSessionTranscripts({ [SESSION]: cwd }), ...(policy ? { policy } : {}) },
  };
}

/** A 409: the session's chat is running while it is deleted. */
async function deleteWhileWritten(): Promise<Response> {
  const test = buildTestApp(withSession());
  const chat = await runningChat(test, { ...CHAT, session_id: SESSION });
  const response = await test.app.request(`/sessions/${SESSION}`, authed("DELETE"));
  await chat.finish();
  return response;
}

const CASES: Record<string, Case> = {
  "GET /health 200": () => call("/health"),
  "GET /health 503": () =>
    call("/health", {}, {
      app: {
        health: () =>
          Promise.resolve({ status: "error", claude_path: null, error: "not found", sandbox: "off" }),
      },
    }),
  "GET /health 500": () => call("/health", {}, { app: { health: broken } }),

  "POST /chat 200": async () => {
    const test = buildTestApp();
    const response = test.app.request("/chat", chatRequest(CHAT));
    (await test.runner.nextRun()).end();
    return await response;
  },
  "POST /chat 400": () => call("/chat", chatRequest("{not json")),
  "POST /chat 401": () => call("/chat", { method: "POST", body: JSON.stringify(CHAT) }),
  "POST /chat 403": () =>
    call("/chat", chatRequest(CHAT), {
      startChat: { policy: { allowedRoots: ["/work"], allowedPermissionModes: null, deniedFields: null } },
    }),
  "POST /chat 409": async () => {
    const test = buildTestApp();
    const body = { ...CHAT, session_id: crypto.randomUUID() };
    const first = await runningChat(test, body);
    const second = await test.app.request("/chat", chatRequest(body));
    await first.finish();
    return second;
  },
  "POST /chat 413": () => call("/chat", chatRequest({ ...CHAT, prompt: "x".repeat(70_000) })),
  "POST /chat 415": () => call("/chat", chatRequest(CHAT, { "Content-Type": "text/plain" })),
  "POST /chat 422": () => call("/chat", chatRequest({ ...CHAT, cwd: "relative" })),
  "POST /chat 429": async () => {
    const test = buildTestApp({ maxConcurrent: 1, queueMax: 0 });
    const first = await runningChat(test, CHAT);
    const refused = await test.app.request("/chat", chatRequest(CHAT));
    await first.finish();
    return refused;
  },
  "POST /chat 500": () => call("/chat", chatRequest(CHAT), { app: { startChat: broken } }),
  "POST /chat 503": () => {
    const test = buildTestApp();
    test.runner.failWith = new CliUnavailableError("cannot start the Claude Code CLI");
    return Promise.resolve(test.app.request("/chat", chatRequest(CHAT)));
  },

  "DELETE /chat/{process_id} 200": async () => {
    const test = buildTestApp();
    const chat = await runningChat(test, CHAT);
    const id = chat.response.headers.get("X-Process-ID");
    const response = await test.app.request(`/chat/${id}`, authed("DELETE"));
    await chat.response.text();
    return response;
  },
  "DELETE /chat/{process_id} 401": () => call(`/chat/${UNKNOWN_ID}`, { method: "DELETE" }),
  "DELETE /chat/{process_id} 403": () => call(`/chat/${UNKNOWN_ID}`, fromElsewhere("DELETE")),
  "DELETE /chat/{process_id} 404": () => call("/chat/not-a-uuid", authed("DELETE")),
  "DELETE /chat/{process_id} 429": () => throttled(`/chat/${UNKNOWN_ID}`, { method: "DELETE" }),
  "DELETE /chat/{process_id} 500": () =>
    call(`/chat/${UNKNOWN_ID}`, authed("DELETE"), { app: { cancelProcess: broken } }),

  "GET /chat/{process_id} 200": () => onFinishedChat((id) => `/chat/${id}`, authed("GET")),
  "GET /chat/{process_id} 401": () => call(`/chat/${UNKNOWN_ID}`),
  "GET /chat/{process_id} 403": () => call(`/chat/${UNKNOWN_ID}`, fromElsewhere("GET")),
  "GET /chat/{process_id} 404": () => call(`/chat/${UNKNOWN_ID}`, authed("GET")),
  "GET /chat/{process_id} 429": () => throttled(`/chat/${UNKNOWN_ID}`),
  "GET /chat/{process_id} 500": () =>
    call(`/chat/${UNKNOWN_ID}`, authed("GET"), { app: { watched: failing(buildTestApp().watched) } }),

  "GET /chat/{process_id}/events 200": () =>
    onFinishedChat((id, token) => `/chat/${id}/events?token=${token}`),
  "GET /chat/{process_id}/events 401": () => onFinishedChat((id) => `/chat/${id}/events?token=not-the-token`),
  "GET /chat/{process_id}/events 403": () => call(`/chat/${UNKNOWN_ID}/events`, fromElsewhere("GET")),
  "GET /chat/{process_id}/events 404": () => call(`/chat/${UNKNOWN_ID}/events`, authed("GET")),
  "GET /chat/{process_id}/events 422": () =>
    onFinishedChat((id) => `/chat/${id}/events?last_event_id=99`, authed("GET")),
  "GET /chat/{process_id}/events 429": () => throttled(`/chat/${UNKNOWN_ID}/events`),
  "GET /chat/{process_id}/events 500": () =>
    call(`/chat/${UNKNOWN_ID}/events`, authed("GET"), { app: { watched: failing(buildTestApp().watched) } }),

  "POST /chat/{process_id}/messages 202": () =>
    onRunningChat(INTERACTIVE, (id) => [`/chat/${id}/messages`, authedJson("POST", { prompt: "more" })]),
  "POST /chat/{process_id}/messages 400": () =>
    call(`/chat/${UNKNOWN_ID}/messages`, authedJson("POST", "{not json")),
  "POST /chat/{process_id}/messages 401": () =>
    call(`/chat/${UNKNOWN_ID}/messages`, { method: "POST", body: JSON.stringify({ prompt: "more" }) }),
  "POST /chat/{process_id}/messages 403": () =>
    onRunningChat(INTERACTIVE, (id) => [
      `/chat/${id}/messages`,
      authedJson("POST", { prompt: "look", images: [{ media_type: "image/png", data: PNG }] }),
    ], { app: { startChat: { policy: { ...ONLY_ACCEPT_EDITS, deniedFields: ["images"] } } } }),
  "POST /chat/{process_id}/messages 404": () =>
    call(`/chat/${UNKNOWN_ID}/messages`, authedJson("POST", { prompt: "more" })),
  "POST /chat/{process_id}/messages 409": () =>
    onRunningChat(CHAT, (id) => [`/chat/${id}/messages`, authedJson("POST", { prompt: "more" })]),
  "POST /chat/{process_id}/messages 413": () =>
    call(`/chat/${UNKNOWN_ID}/messages`, authedJson("POST", { prompt: "x".repeat(70_000) })),
  "POST /chat/{process_id}/messages 415": () =>
    call(`/chat/${UNKNOWN_ID}/messages`, {
      method: "POST",
      headers: { ...AUTH, "Content-Type": "text/plain" },
      body: JSON.stringify({ prompt: "more" }),
    }),
  "POST /chat/{process_id}/messages 422": () =>
    onRunningChat(INTERACTIVE, (id) => [
      `/chat/${id}/messages`,
      authedJson("POST", { prompt: "look", images: [{ media_type: "image/png", data: "not base64!" }] }),
    ]),
  "POST /chat/{process_id}/messages 429": () =>
    throttled(`/chat/${UNKNOWN_ID}/messages`, authedJson("POST", { prompt: "more" })),
  "POST /chat/{process_id}/messages 500": () =>
    call(`/chat/${UNKNOWN_ID}/messages`, authedJson("POST", { prompt: "more" }), {
      app: { controls: failing({} as ChatControls) },
    }),

  "POST /chat/{process_id}/interrupt 200": () =>
    onRunningChat(INTERACTIVE, (id) => [`/chat/${id}/interrupt`, authedJson("POST")]),
  "POST /chat/{process_id}/interrupt 400": () =>
    call(`/chat/${UNKNOWN_ID}/interrupt`, authedJson("POST", "{not json")),
  "POST /chat/{process_id}/interrupt 401": () => call(`/chat/${UNKNOWN_ID}/interrupt`, { method: "POST" }),
  "POST /chat/{process_id}/interrupt 403": () => call(`/chat/${UNKNOWN_ID}/interrupt`, fromElsewhere("POST")),
  "POST /chat/{process_id}/interrupt 404": () => call(`/chat/${UNKNOWN_ID}/interrupt`, authedJson("POST")),
  "POST /chat/{process_id}/interrupt 409": () =>
    onFinishedChat((id) => `/chat/${id}/interrupt`, authedJson("POST")),
  "POST /chat/{process_id}/interrupt 413": () =>
    call(
      `/chat/${UNKNOWN_ID}/interrupt`,
      authedJson("POST", { cancel_queued: true, pad: "x".repeat(70_000) }),
    ),
  "POST /chat/{process_id}/interrupt 415": () =>
    call(`/chat/${UNKNOWN_ID}/interrupt`, {
      method: "POST",
      headers: { ...AUTH, "Content-Type": "text/plain" },
      body: "{}",
    }),
  "POST /chat/{process_id}/interrupt 422": () =>
    call(`/chat/${UNKNOWN_ID}/interrupt`, authedJson("POST", { cancel_queued: "yes" })),
  "POST /chat/{process_id}/interrupt 429": () =>
    throttled(`/chat/${UNKNOWN_ID}/interrupt`, { method: "POST" }),
  "POST /chat/{process_id}/interrupt 500": () =>
    call(`/chat/${UNKNOWN_ID}/interrupt`, authedJson("POST"), {
      app: { controls: failing({} as ChatControls) },
    }),
  "POST /chat/{process_id}/interrupt 504": () =>
    unanswered(INTERACTIVE, (id) => [`/chat/${id}/interrupt`, authedJson("POST")]),

  "GET /chat/{process_id}/permissions 200": () =>
    onAskingChat((id) => [`/chat/${id}/permissions`, authedJson("GET")]),
  "GET /chat/{process_id}/permissions 401": () => call(`/chat/${UNKNOWN_ID}/permissions`),
  "GET /chat/{process_id}/permissions 403": () =>
    call(`/chat/${UNKNOWN_ID}/permissions`, fromElsewhere("GET")),
  "GET /chat/{process_id}/permissions 404": () => call(`/chat/${UNKNOWN_ID}/permissions`, authed("GET")),
  "GET /chat/{process_id}/permissions 429": () => throttled(`/chat/${UNKNOWN_ID}/permissions`),
  "GET /chat/{process_id}/permissions 500": () =>
    call(`/chat/${UNKNOWN_ID}/permissions`, authed("GET"), {
      app: { watched: failing(buildTestApp().watched) },
    }),

  "POST /chat/{process_id}/permissions/{request_id} 200": () =>
    onAskingChat((id) => [`/chat/${id}/permissions/req-1`, authedJson("POST", { behavior: "allow" })]),
  "POST /chat/{process_id}/permissions/{request_id} 400": () =>
    call(`/chat/${UNKNOWN_ID}/permissions/req-1`, authedJson("POST", "{not json")),
  "POST /chat/{process_id}/permissions/{request_id} 401": () =>
    call(`/chat/${UNKNOWN_ID}/permissions/req-1`, { method: "POST", body: '{"behavior":"allow"}' }),
  "POST /chat/{process_id}/permissions/{request_id} 403": () =>
    onAskingChat(
      (id) => [`/chat/${id}/permissions/req-1`, authedJson("POST", { behavior: "allow" })],
      { app: { startChat: { policy: ONLY_ACCEPT_EDITS } }, tool: { tool_name: "ExitPlanMode", input: {} } },
    ),
  "POST /chat/{process_id}/permissions/{request_id} 404": () =>
    onAskingChat((id) => [`/chat/${id}/permissions/req-2`, authedJson("POST", { behavior: "allow" })]),
  "POST /chat/{process_id}/permissions/{request_id} 409": () =>
    onAskingChat(
      (id) => [`/chat/${id}/permissions/req-1`, authedJson("POST", { behavior: "deny" })],
      { answerFirst: true },
    ),
  "POST /chat/{process_id}/permissions/{request_id} 413": () =>
    call(
      `/chat/${UNKNOWN_ID}/permissions/req-1`,
      authedJson("POST", { behavior: "deny", message: "x".repeat(70_000) }),
    ),
  "POST /chat/{process_id}/permissions/{request_id} 415": () =>
    call(`/chat/${UNKNOWN_ID}/permissions/req-1`, {
      method: "POST",
      headers: { ...AUTH, "Content-Type": "text/plain" },
      body: '{"behavior":"allow"}',
    }),
  "POST /chat/{process_id}/permissions/{request_id} 422": () =>
    call(`/chat/${UNKNOWN_ID}/permissions/req-1`, authedJson("POST", { behavior: "maybe" })),
  "POST /chat/{process_id}/permissions/{request_id} 429": () =>
    throttled(`/chat/${UNKNOWN_ID}/permissions/req-1`, authedJson("POST", { behavior: "allow" })),
  "POST /chat/{process_id}/permissions/{request_id} 500": () =>
    call(`/chat/${UNKNOWN_ID}/permissions/req-1`, authedJson("POST", { behavior: "allow" }), {
      app: { controls: failing({} as ChatControls) },
    }),

  "PATCH /chat/{process_id} 200": () =>
    onRunningChat(INTERACTIVE, (id) => [`/chat/${id}`, authedJson("PATCH", { permission_mode: "plan" })], {
      prepare: (run) => answerControls(run),
    }),
  "PATCH /chat/{process_id} 400": () => call(`/chat/${UNKNOWN_ID}`, authedJson("PATCH", "{not json")),
  "PATCH /chat/{process_id} 401": () =>
    call(`/chat/${UNKNOWN_ID}`, { method: "PATCH", body: '{"model":"haiku"}' }),
  "PATCH /chat/{process_id} 403": () =>
    onRunningChat(INTERACTIVE, (id) => [`/chat/${id}`, authedJson("PATCH", { permission_mode: "plan" })], {
      app: { startChat: { policy: ONLY_ACCEPT_EDITS } },
      prepare: (run) => answerControls(run),
    }),
  "PATCH /chat/{process_id} 404": () => call(`/chat/${UNKNOWN_ID}`, authedJson("PATCH", { model: "haiku" })),
  "PATCH /chat/{process_id} 409": () =>
    onRunningChat(INTERACTIVE, (id) => [
      `/chat/${id}`,
      authedJson("PATCH", { permission_mode: "bypassPermissions" }),
    ], {
      prepare: (run) => answerControls(run, "Cannot set permission mode to bypassPermissions"),
    }),
  "PATCH /chat/{process_id} 413": () =>
    call(`/chat/${UNKNOWN_ID}`, authedJson("PATCH", { model: "x".repeat(70_000) })),
  "PATCH /chat/{process_id} 415": () =>
    call(`/chat/${UNKNOWN_ID}`, {
      method: "PATCH",
      headers: { ...AUTH, "Content-Type": "text/plain" },
      body: '{"model":"haiku"}',
    }),
  "PATCH /chat/{process_id} 422": () => call(`/chat/${UNKNOWN_ID}`, authedJson("PATCH", {})),
  "PATCH /chat/{process_id} 429": () =>
    throttled(`/chat/${UNKNOWN_ID}`, authedJson("PATCH", { model: "haiku" })),
  "PATCH /chat/{process_id} 500": () =>
    call(`/chat/${UNKNOWN_ID}`, authedJson("PATCH", { model: "haiku" }), {
      app: { controls: failing({} as ChatControls) },
    }),
  "PATCH /chat/{process_id} 504": () =>
    unanswered(INTERACTIVE, (id) => [`/chat/${id}`, authedJson("PATCH", { model: "haiku" })]),

  "GET /processes 200": () => call("/processes", authed("GET")),
  "GET /processes 401": () => call("/processes"),
  "GET /processes 403": () => call("/processes", fromElsewhere("GET")),
  "GET /processes 429": () => throttled("/processes"),
  "GET /processes 500": () => call("/processes", authed("GET"), { app: { listProcesses: broken } }),

  "GET /sessions 200": () => call("/sessions?cwd=/work/app", authed("GET"), withSession()),
  "GET /sessions 401": () => call("/sessions?cwd=/work/app"),
  "GET /sessions 403": () => call("/sessions?cwd=/tmp", authed("GET"), withSession("/work/app", ROOTED)),
  "GET /sessions 422": () => call("/sessions?cwd=/nowhere", authed("GET")),
  "GET /sessions 429": () => throttled("/sessions?cwd=/work/app"),
  "GET /sessions 500": () =>
    call("/sessions?cwd=/work/app", authed("GET"), { archive: failing(new FakeSessionArchive()) }),

  "GET /sessions/{session_id} 200": () => call(`/sessions/${SESSION}`, authed("GET"), withSession()),
  "GET /sessions/{session_id} 401": () => call(`/sessions/${SESSION}`),
  "GET /sessions/{session_id} 403": () =>
    call(`/sessions/${SESSION}`, authed("GET"), withSession("/tmp", ROOTED)),
  "GET /sessions/{session_id} 404": () => call(`/sessions/${SESSION}`, authed("GET")),
  "GET /sessions/{session_id} 429": () => throttled(`/sessions/${SESSION}`),
  "GET /sessions/{session_id} 500": () =>
    call(`/sessions/${SESSION}`, authed("GET"), {
      ...withSession(),
      archive: failing(new FakeSessionArchive()),
    }),

  "DELETE /sessions/{session_id} 200": () => call(`/sessions/${SESSION}`, authed("DELETE"), withSession()),
  "DELETE /sessions/{session_id} 401": () => call(`/sessions/${SESSION}`, { method: "DELETE" }),
  "DELETE /sessions/{session_id} 403": () =>
    call(`/sessions/${SESSION}`, authed("DELETE"), withSession("/tmp", ROOTED)),
  "DELETE /sessions/{session_id} 404": () => call(`/sessions/${SESSION}`, authed("DELETE")),
  "DELETE /sessions/{session_id} 409": deleteWhileWritten,
  "DELETE /sessions/{session_id} 429": () => throttled(`/sessions/${SESSION}`, { method: "DELETE" }),
  "DELETE /sessions/{session_id} 500": () =>
    call(`/sessions/${SESSION}`, authed("DELETE"), {
      ...withSession(),
      archive: failing(new FakeSessionArchive()),
    }),

  "GET /directories 200": () => call("/directories", authed("GET")),
  "GET /directories 401": () => call("/directories"),
  "GET /directories 403": () => call("/directories?path=/", authed("GET")),
  "GET /directories 404": () => call("/directories?path=/tmp/no-such-directory-here", authed("GET")),
  "GET /directories 422": () => call("/directories?path=relative", authed("GET")),
  "GET /directories 429": () => throttled("/directories"),
  "GET /directories 500": () => call("/directories", authed("GET"), { app: { listDirectories: broken } }),

  "GET /metrics 200": () => call("/metrics", authed("GET")),
  "GET /metrics 401": () => call("/metrics"),
  "GET /metrics 403": () => call("/metrics", fromElsewhere("GET")),
  "GET /metrics 429": () => throttled("/metrics"),
  ...doorCases("/v1/chat/completions"),
  ...doorCases("/v1/messages"),
  "GET /v1/models 200": () => call("/v1/models", { headers: KEYED }),
  "GET /v1/models 401": () => call("/v1/models"),
  "GET /v1/models 403": () => call("/v1/models", fromElsewhere("GET")),
  "GET /v1/models 429": () => throttled("/v1/models"),
  "GET /v1/models 500": () =>
    call("/v1/models", { headers: KEYED }, {
      app: {
        doors: {
          startDoorChat: broken,
          doorMetrics: new DoorMetrics(),
          toolTrace: false,
          models: failing([...DOOR_MODELS]),
        },
      },
    }),

  "GET /metrics 500": () => {
    const { metrics, slots } = buildTestApp();
    return call("/metrics", authed("GET"), { app: { metrics: failing(metrics), slots: failing(slots) } });
  },
};

// deno-lint-ignore no-explicit-any
type Json = any;

const essence = (mediaType: string) => mediaType.split(";")[0].trim().toLowerCase();

/** Checks a response against the documented one: media type, headers, and for errors an example's code. */
async function assertDocumented(response: Response, documented: Json): Promise<void> {
  const mediaTypes = Object.keys(documented.content ?? {});
  const type = response.headers.get("Content-Type") ?? "";
  assert.ok(mediaTypes.some((mediaType) => essence(mediaType) === essence(type)), `Content-Type ${type}`);
  // An optional header (X-Session-ID: only when the session is known up front) may be absent.
  for (const [header, spec] of Object.entries(documented.headers ?? {}) as [string, Json][]) {
    if (spec.required) assert.ok(response.headers.get(header), `header ${header}`);
  }
  const text = await response.text();
  const examples = documented.content["application/json"]?.examples;
  if (examples && response.status >= 400) {
    // The gateway's and OpenAI's errors have a `code`; Anthropic's a `type`.
    const { error } = JSON.parse(text);
    assert.ok(Object.hasOwn(examples, error.code ?? error.type), text);
  }
}

Deno.test("every status the document gives each route is one the app produces, and no other", async (t) => {
  const document = await fetchOpenApiDocument();
  const documented = new Map<string, Json>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(item as Record<string, Json>)) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        documented.set(`${method.toUpperCase()} ${path} ${status}`, response);
      }
    }
  }
  assert.deepEqual(Object.keys(CASES).sort(), [...documented.keys()].sort());
  for (const [name, produce] of Object.entries(CASES)) {
    await t.step(name, async () => {
      const response = await produce();
      assert.equal(String(response.status), name.split(" ").at(-1));
      await assertDocumented(response, documented.get(name));
    });
  }
});
